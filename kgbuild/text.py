"""Text normalisation for extraction that keeps a map back to the user's text.

Abstracts arrive with LaTeX escapes (``T\\"ulu``, ``13\\%``, ``F_1``,
``\\textsc{X}``), typographic Unicode (curly quotes, non-breaking spaces,
ligatures, en dashes, soft hyphens, zero-width spaces) and the layout of where
they came from (line breaks, blank lines, runs of spaces from PDF extraction).
The extractor sees a cleaned copy with every run of whitespace made one space
and none at either end; every character of the copy remembers the span of the
original it came from, so a mention found in the copy is reported with offsets
into the original text (the spaCy convention: the text as given is never
rewritten in the output).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307"}
_ABBREVIATIONS = {"eg": "e.g.", "ie": "i.e.", "etc": "etc.", "vs": "vs."}
_FORMATTING = r"textsc|textbf|textit|texttt|textrm|emph|text|mathrm|mathbf|mathcal|mathit|url|footnote|sc|tt|bf|it|em"
_CHARACTERS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2007": " ",
    "\u3000": " ",
    "\t": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",
    "\u00ad": "",
}
_LATEX = re.compile(
    r"""\\(?P<accent>["'`^~=.])\{?(?P<base>[A-Za-z])\}?"""
    r"""|\\(?P<escaped>[%&_#$])"""
    rf"""|\\(?P<abbr>{"|".join(_ABBREVIATIONS)})\b"""
    rf"""|\\(?:{_FORMATTING})\b\s*"""
    r"""|(?<=[A-Za-z])_\{?(?P<sub>[0-9.]+)\}?"""
    r"""|[{}]|\$(?![0-9])"""
)


@dataclass(frozen=True)
class NormalisedText:
    """`text` plus, for each of its characters, the [start, end) span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text to the original text."""
        return self.starts[start], self.ends[end - 1]


def _characters(fragment: str, origin: int, out_chars: list[str], out_starts: list[int], out_ends: list[int]) -> None:
    if fragment.isascii() and "\t" not in fragment:  # nothing to replace: most text, copied at C speed
        out_chars.extend(fragment)
        out_starts.extend(range(origin, origin + len(fragment)))
        out_ends.extend(range(origin + 1, origin + len(fragment) + 1))
        return
    for offset, char in enumerate(fragment):
        replacement = _CHARACTERS.get(char)
        if replacement is None:
            replacement = char if char.isascii() else unicodedata.normalize("NFKC", char)
        for produced in replacement:
            out_chars.append(produced)
            out_starts.append(origin + offset)
            out_ends.append(origin + offset + 1)


# A run of whitespace, whitespace at either end, or one whitespace character other than " ".
_IRREGULAR_SPACE = re.compile(r"\s{2,}|^\s|\s$|[^\S ]")


def _collapse_spaces(chars: list[str], starts: list[int], ends: list[int]) -> tuple[list[str], list[int], list[int]]:
    """Every run of whitespace as one " " spanning the whole run; none at either end."""
    out_chars: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    for char, start, end in zip(chars, starts, ends):
        if not char.isspace():
            out_chars.append(char)
            out_starts.append(start)
            out_ends.append(end)
        elif out_chars and out_chars[-1] == " ":
            out_ends[-1] = end
        elif out_chars:
            out_chars.append(" ")
            out_starts.append(start)
            out_ends.append(end)
    if out_chars and out_chars[-1] == " ":
        del out_chars[-1], out_starts[-1], out_ends[-1]
    return out_chars, out_starts, out_ends


def normalise(text: str) -> NormalisedText:
    """Clean `text` for extraction; see the module docstring."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for match in _LATEX.finditer(text):
        _characters(text[position : match.start()], position, chars, starts, ends)
        if match["accent"]:
            replacement = unicodedata.normalize("NFC", match["base"] + _ACCENTS[match["accent"]])
        elif match["escaped"]:
            replacement = match["escaped"]
        elif match["abbr"]:
            replacement = _ABBREVIATIONS[match["abbr"]]
        elif match["sub"]:
            replacement = match["sub"]
        else:
            replacement = ""
        for produced in replacement:
            chars.append(produced)
            starts.append(match.start())
            ends.append(match.end())
        position = match.end()
    _characters(text[position:], position, chars, starts, ends)
    cleaned = "".join(chars)
    if _IRREGULAR_SPACE.search(cleaned):
        chars, starts, ends = _collapse_spaces(chars, starts, ends)
        cleaned = "".join(chars)
    return NormalisedText(cleaned, tuple(starts), tuple(ends))


def fold(text: str) -> str:
    """A matching key: normalised, case-folded, whitespace collapsed."""
    return " ".join(normalise(text).text.casefold().split())
