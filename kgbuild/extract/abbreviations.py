"""Abbreviation component: "Large Language Models (LLMs)" -> (long form, short form) pairs.

The algorithm is Schwartz & Hearst (2003), "A simple algorithm for identifying
abbreviation definitions in biomedical text" (PSB 2003): a parenthesised short
form, and the shortest preceding word sequence whose characters contain the
short form's characters in order, the first at the start of a word. The pairs
let the resolver give both halves one label and carry it to every later use of
the short form, which the NER alone labels inconsistently.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

LONG_FORMS = "abbreviation_long"
SHORT_FORMS = "abbreviation_short"

_PARENTHESISED = re.compile(r"\(([^()]{1,12})\)")
_WORD = re.compile(r"\S+")


def _is_short_form(candidate: str) -> bool:
    words = candidate.split()
    return (
        0 < len(words) <= 2
        and 2 <= len(candidate) <= 10
        and candidate[0].isalnum()
        and any(c.isalpha() for c in candidate)
    )


def _best_long_form(short: str, long: str) -> int | None:
    """Offset in `long` where the definition starts (Schwartz & Hearst's findBestLongForm)."""
    s, l = len(short) - 1, len(long) - 1
    while s >= 0:
        char = short[s].lower()
        if not char.isalnum():
            s -= 1
            continue
        while l >= 0 and (long[l].lower() != char or (s == 0 and l > 0 and long[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    return long.rfind(" ", 0, l + 1) + 1


def find_abbreviations(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """[((long_start, long_end), (short_start, short_end))] as character offsets into `text`."""
    pairs = []
    for match in _PARENTHESISED.finditer(text):
        short = match.group(1).strip()
        if not _is_short_form(short):
            continue
        previous_stop = text.rfind(". ", 0, match.start())
        sentence_start = previous_stop + 2 if previous_stop >= 0 else 0
        before = text[sentence_start:match.start()].rstrip()
        max_words = min(len(short) + 5, 2 * len(short))
        words = list(_WORD.finditer(before))[-max_words:]
        if not words:
            continue
        window_start = words[0].start()
        window = before[window_start:]
        offset = _best_long_form(short, window)
        if offset is None or len(window) - offset <= len(short):
            continue
        long_start = sentence_start + window_start + offset
        short_start = match.start(1) + (len(match.group(1)) - len(match.group(1).lstrip()))
        pairs.append(((long_start, sentence_start + len(before)), (short_start, short_start + len(short))))
    return pairs


class AbbreviationFinder:
    """Writes aligned doc.spans["abbreviation_long"] / ["abbreviation_short"] (pair i = index i)."""

    def __call__(self, doc: Doc) -> Doc:
        longs, shorts = [], []
        for (long_start, long_end), (short_start, short_end) in find_abbreviations(doc.text):
            long = doc.char_span(long_start, long_end, alignment_mode="expand")
            short = doc.char_span(short_start, short_end, alignment_mode="expand")
            if long is not None and short is not None and long.end <= short.start:
                longs.append(long)
                shorts.append(short)
        doc.spans[LONG_FORMS] = longs
        doc.spans[SHORT_FORMS] = shorts
        return doc


@Language.factory("kgbuild_abbreviations")
def make_abbreviation_finder(nlp: Language, name: str) -> AbbreviationFinder:
    return AbbreviationFinder()
