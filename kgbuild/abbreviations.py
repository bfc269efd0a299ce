"""Abbreviation definitions in running text, after Schwartz & Hearst (2003).

A. S. Schwartz and M. A. Hearst, "A simple algorithm for identifying
abbreviation definitions in biomedical text", Pacific Symposium on
Biocomputing 8:451-462, 2003.

The paper's `findBestLongForm` (`long_form_start`) serves two callers with
different needs:

- extraction (`find_abbreviations`, used by kgbuild/extract/abbreviations.py)
  wants character offsets of every plausible ``long form (SF)`` pair, so the
  resolver can carry a label from one half to the other - recall matters,
  a wrong pair only proposes a candidate;
- linking (`find_definitions`, used by kgbuild/link/linker.py) merges aliases
  into one entity, so precision matters and the checks below are stricter.

For linking, both patterns of the paper are found, tried in this order:

- ``long form (short form)``: "Large Language Models (LLMs)";
- ``short form (long form)``: "LLMs (large language models)", "DA (Data
  Augmentation)" — the whole parenthesis must be the long form.

A short form has 2-10 characters, at most two words, starts with a letter or
digit and contains a letter. The long form is searched in at most
min(|A| + 5, 2|A|) words before the parenthesis (|A| = characters of the short
form), inside the sentence, and is the shortest span such that every letter
and digit of the short form occurs in it, in order, with the first one at the
start of a word (the paper's `findBestLongForm`). We add one check the paper
leaves to the reader because ML prose is full of "(GPT-4)" after arbitrary
words: the short form must look like an abbreviation (at least two capital
letters, or a capital and a digit, or all lower case and at most 4 characters
like "fc"), start with a letter and contain no dot ("e.g.", "95% CI" are not
abbreviations here); the long form must not contain a parenthesis or the short
form itself ("MultiMedQA ... (MedQA)"); and a trailing generic head word that
the short form does not spell ("Human-Activity Recognition models (HAR)") is
dropped when the rest still spells the short form; and a long form with fewer
words than the short form has capitals takes back a preceding word starting
with the short form's first letter (see `_extend_to_initials`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_SENTENCE_END = re.compile(r"[.!?;:]\s")
_WORD_BEFORE = re.compile(r"(\S+)\s*$")
_HYPHEN_SPACES = re.compile(r"\s*-\s*")  # "Re - ID" in tokenised text is "Re-ID"
_GENERIC_HEADS = frozenset(
    {
        "method",
        "methods",
        "model",
        "models",
        "framework",
        "approach",
        "system",
        "systems",
        "theory",
        "technique",
        "algorithm",
        "module",
        "dataset",
        "benchmark",
        "task",
        "paradigm",
        "strategy",
        "scheme",
    }
)


@dataclass(frozen=True)
class Definition:
    """One abbreviation definition found in a text: `short` stands for `long` there."""

    short: str
    long: str


def _looks_like_short_form(candidate: str) -> bool:
    if not 2 <= len(candidate) <= 10 or len(candidate.split()) > 2:
        return False
    if not candidate[0].isalpha() or "." in candidate:
        return False
    capitals = sum(char.isupper() for char in candidate)
    digits = any(char.isdigit() for char in candidate)
    lower_case_word = candidate.isalpha() and candidate.islower() and len(candidate) <= 4
    return capitals >= 2 or (capitals == 1 and digits) or lower_case_word


def long_form_start(short: str, candidate: str) -> int | None:
    """Schwartz & Hearst's findBestLongForm: where the shortest suffix of `candidate` that spells
    `short` starts (every letter and digit of `short` in order, the first at a word start)."""
    short_index = len(short) - 1
    long_index = len(candidate) - 1
    while short_index >= 0:
        char = short[short_index].lower()
        if not char.isalnum():
            short_index -= 1
            continue
        while long_index >= 0 and (
            candidate[long_index].lower() != char
            or (short_index == 0 and long_index > 0 and candidate[long_index - 1].isalnum())
        ):
            long_index -= 1
        if long_index < 0:
            return None
        long_index -= 1
        short_index -= 1
    return candidate.rfind(" ", 0, long_index + 1) + 1


def best_long_form(short: str, candidate: str) -> str | None:
    """The long form `long_form_start` finds, as text."""
    start = long_form_start(short, candidate)
    return None if start is None else candidate[start:].strip()


_PARENTHESISED_SHORT = re.compile(r"\(([^()]{1,12})\)")
# A long form is at most 15 words before the parenthesis (20 for linking, with the words _extend_to_initials
# takes back), so only this many characters before it are read, not the sentence back to its start: that
# made the cost grow with the square of a sentence's length (a 100k-character text without full stops).
_LOOKBACK_CHARS = 1_000
_WORD = re.compile(r"\S+")


def _may_be_short_form(candidate: str) -> bool:
    """Extraction's looser test: 2-10 characters, at most two words, starts alphanumeric, has a letter."""
    return (
        0 < len(candidate.split()) <= 2
        and 2 <= len(candidate) <= 10
        and candidate[0].isalnum()
        and any(c.isalpha() for c in candidate)
    )


def find_abbreviations(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """``long form (SF)`` pairs for extraction: [((long_start, long_end), (short_start, short_end))]
    as character offsets into `text`, the long form within the sentence and at most
    min(|SF| + 5, 2|SF|) words before the parenthesis."""
    pairs = []
    for match in _PARENTHESISED_SHORT.finditer(text):
        short = match.group(1).strip()
        if not _may_be_short_form(short):
            continue
        look_from = max(0, match.start() - _LOOKBACK_CHARS)
        previous_stop = text.rfind(". ", look_from, match.start())
        sentence_start = previous_stop + 2 if previous_stop >= 0 else look_from
        before = text[sentence_start : match.start()].rstrip()
        words = list(_WORD.finditer(before))[-min(len(short) + 5, 2 * len(short)) :]
        if not words:
            continue
        window_start = words[0].start()
        window = before[window_start:]
        offset = long_form_start(short, window)
        if offset is None or len(window) - offset <= len(short):
            continue
        long_start = sentence_start + window_start + offset
        short_start = match.start(1) + (len(match.group(1)) - len(match.group(1).lstrip()))
        pairs.append(((long_start, sentence_start + len(before)), (short_start, short_start + len(short))))
    return pairs


def _definition(short: str, candidate: str) -> Definition | None:
    """Validate a (short form, text before or inside the parenthesis) pair as S&H do."""
    short = short.strip()
    if not _looks_like_short_form(short):
        return None
    words = candidate.split()
    limit = min(len(short) + 5, 2 * len(short))
    long = best_long_form(short, " ".join(words[-limit:]))
    if long is None or len(long) <= len(short) or len(long.split()) > limit:
        return None
    if "(" in long or ")" in long or short in long:
        return None
    *rest, last = _extend_to_initials(short, long, words).split()
    if last.lower() in _GENERIC_HEADS and rest and last[0].lower() != short.rstrip("s")[-1].lower():
        shorter = best_long_form(short, " ".join(rest))
        return Definition(short=short, long=shorter or " ".join([*rest, last]))
    return Definition(short=short, long=" ".join([*rest, last]))


def _extend_to_initials(short: str, long: str, words: list[str]) -> str:
    """Prepend words of `words` (which `long` ends) while the long form has fewer words than the short form has capitals.

    S&H return the shortest match, which cuts "Structure-aware Supervised
    Fine-Tuning (SSFT)" to "Supervised Fine-Tuning"; a preceding word that
    starts with the short form's first letter is taken back in.
    """
    capitals = sum(char.isupper() for char in short)
    long_words = long.split()
    preceding = words[: len(words) - len(long_words)]
    while preceding and len(re.split(r"[\s-]+", long)) < capitals and preceding[-1][:1].lower() == short[0].lower():
        long = preceding.pop() + " " + long
    return long


def find_definitions(text: str) -> list[Definition]:
    """All abbreviation definitions in `text`, in order of appearance."""
    definitions = []
    for match in _PARENTHESIS.finditer(text):
        inside = _HYPHEN_SPACES.sub("-", re.split(r"[,;]", match.group(1))[0].strip())
        before = text[max(0, match.start() - _LOOKBACK_CHARS) : match.start()]
        sentence_starts = [end.end() for end in _SENTENCE_END.finditer(before)]
        before = before[sentence_starts[-1] if sentence_starts else 0 :]
        definition = _definition(inside, before)
        word_before = _WORD_BEFORE.search(before)
        if definition is None and word_before and len(inside.split()) > 1:
            definition = _definition(word_before.group(1).strip("\"',:;"), inside)
            if definition is not None and definition.long != inside:
                definition = None
        if definition is not None:
            definitions.append(definition)
    return definitions
