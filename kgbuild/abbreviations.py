"""Abbreviation definitions in running text, after Schwartz & Hearst (2003).

A. S. Schwartz and M. A. Hearst, "A simple algorithm for identifying
abbreviation definitions in biomedical text", Pacific Symposium on
Biocomputing 8:451-462, 2003.

One detector with one set of rules serves every stage: extraction gives both
halves of a definition one label (kgbuild/extract/abbreviations.py), linking
merges a short form into its long form's entity (kgbuild/link/linker.py), and
PROPOSES credits a paper with the short form of a long form it introduces
(kgbuild/relate/proposes.py, through `long_form_before`).

Both patterns of the paper are found, tried in this order:

- ``long form (short form)``: "Large Language Models (LLMs)";
- ``short form (long form)``: "LLMs (large language models)", "DA (Data
  Augmentation)" - the whole parenthesis must be the long form.

Only the parenthesis up to its first comma or semicolon is read ("(LLMs; Brown
et al., 2020)"). A short form has 2-10 characters, at most two words, starts
with a letter or digit and contains a letter. The long form is searched in at
most min(|A| + 5, 2|A|) words before the parenthesis (|A| = characters of the
short form), inside the sentence, and is the shortest span such that every
letter and digit of the short form occurs in it, in order, with the first one
at the start of a word (the paper's `findBestLongForm`), and longer than the
short form. We add checks the paper leaves to the reader because ML prose is
full of "(GPT-4)" after arbitrary words: the short form must look like an
abbreviation (at least two capital letters, or a capital and a digit, or all
lower case and at most 4 characters like "fc"), start with a letter and
contain no dot ("e.g.", "95% CI" are not abbreviations here); the long form
must not contain a parenthesis or the short form itself ("MultiMedQA ...
(MedQA)"); and a long form with fewer words than the short form has capitals
takes back a preceding word starting with the short form's first letter (see
`_extend_to_initials`).

A long form keeps a generic head the short form does not spell ("Human-Activity
Recognition models (HAR)", "Efficient Prompt Tuning method (EPT)"): the
extractor's mention is the whole long form, head included, so a short form
defined so joins that mention's entity. Linking used to drop such a head and
extraction kept it, which left HAR and its long form in two entities
(tests/test_abbreviations.py); dropping it for both cut the extractor's
mentions short ("Generative Pre-trained Transformer 4 with Vision model
(GPT-4V)" fell apart in three) at equal SciER/SciERC dev scores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_FIRST_PART = re.compile(r"[^,;)]*")  # "(LLMs; Brown et al., 2020)": the short form is before the first , or ;
_SENTENCE_END = re.compile(r"[.!?;:]\s")
_WORD = re.compile(r"\S+")
_WORD_BEFORE = re.compile(r"(\S+)\s*$")
_QUOTES_AND_PUNCTUATION = "\"',:;"
_HYPHEN_SPACES = re.compile(r"\s*-\s*")  # "Re - ID" in tokenised text is "Re-ID"
_INITIALS_SPLIT = re.compile(r"[\s-]+")
# A long form is at most 15 words before the parenthesis (20 with the words _extend_to_initials takes back), so
# only this many characters before it are read, not the sentence back to its start: that made the cost grow with
# the square of a sentence's length (a 100k-character text without full stops).
_LOOKBACK_CHARS = 1_000


@dataclass(frozen=True)
class Definition:
    """One abbreviation definition in a text: `short` stands for `long` there.

    `short_span` and `long_span` are character offsets into the text; `long` is the long form with its
    whitespace collapsed, `short` the short form with the spaces around its hyphens dropped ("Re - ID" in
    tokenised text is "Re-ID").
    """

    short: str
    long: str
    short_span: tuple[int, int]
    long_span: tuple[int, int]


def _looks_like_short_form(candidate: str) -> bool:
    if not 2 <= len(candidate) <= 10 or len(candidate.split()) > 2:
        return False
    if not candidate[0].isalpha() or "." in candidate:
        return False
    capitals = sum(char.isupper() for char in candidate)
    digits = any(char.isdigit() for char in candidate)
    lower_case_word = candidate.isalpha() and candidate.islower() and len(candidate) <= 4
    return capitals >= 2 or (capitals == 1 and digits) or lower_case_word


def _best_long_form_start(short: str, words: list[str]) -> int | None:
    """Schwartz & Hearst's findBestLongForm: the index of the first of `words` in the shortest suffix of them
    that spells `short` (every letter and digit of `short` in order, the first at a word start)."""
    candidate = " ".join(words)
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
    return candidate.count(" ", 0, long_index + 1)


def _extend_to_initials(short: str, words: list[str], start: int, end: int) -> int:
    """Move `start` back while words[start:end] has fewer words than the short form has capitals.

    S&H return the shortest match, which cuts "Structure-aware Supervised
    Fine-Tuning (SSFT)" to "Supervised Fine-Tuning"; a preceding word that
    starts with the short form's first letter is taken back in.
    """
    capitals = sum(char.isupper() for char in short)
    while (
        start > 0
        and len(_INITIALS_SPLIT.split(" ".join(words[start:end]))) < capitals
        and words[start - 1][:1].lower() == short[0].lower()
    ):
        start -= 1
    return start


def _long_form_words(short: str, words: list[str]) -> tuple[int, int] | None:
    """The long form of `short` that ends `words`, as a word index range; None when the rules find none."""
    if not _looks_like_short_form(short):
        return None
    limit = min(len(short) + 5, 2 * len(short))
    window = max(0, len(words) - limit)
    found = _best_long_form_start(short, words[window:])
    if found is None:
        return None
    start, end = window + found, len(words)
    long = " ".join(words[start:end])
    if len(long) <= len(short) or "(" in long or ")" in long or short in long:
        return None
    return _extend_to_initials(short, words, start, end), end


def long_form_before(short: str, before: str) -> tuple[int, int] | None:
    """Character span in `before` of the long form of `short` that ends `before` ("... Large Language Models"
    for "LLMs"), by the rules of the module docstring; None when there is none."""
    spans = [(match.start(), match.end()) for match in _WORD.finditer(before)]
    found = _long_form_words(short, [before[start:end] for start, end in spans])
    if found is None:
        return None
    first, last = found
    return spans[first][0], spans[last - 1][1]


def _stripped(text: str, start: int, end: int, characters: str | None = None) -> tuple[int, int]:
    """(start, end) of text[start:end] without the leading and trailing `characters` (whitespace by default)."""
    part = text[start:end]
    left = len(part) - len(part.lstrip(characters))
    return start + left, start + len(part.rstrip(characters))


def find_definitions(text: str) -> list[Definition]:
    """All abbreviation definitions in `text`, in order of appearance."""
    definitions = []
    for match in _PARENTHESIS.finditer(text):
        first_part = _FIRST_PART.match(text, match.start(1))
        assert first_part is not None  # matches the empty string at least
        inside_start, inside_end = _stripped(text, match.start(1), first_part.end())
        inside = _HYPHEN_SPACES.sub("-", text[inside_start:inside_end])
        look_from = max(0, match.start() - _LOOKBACK_CHARS)
        sentence_start = max(
            (end.end() for end in _SENTENCE_END.finditer(text, look_from, match.start())), default=look_from
        )
        before = text[sentence_start : match.start()]
        found = long_form_before(inside, before)
        if found is not None:
            long_span = (sentence_start + found[0], sentence_start + found[1])
            definitions.append(_definition(text, (inside_start, inside_end), long_span))
            continue
        word_before = _WORD_BEFORE.search(before)
        if word_before is None or len(inside.split()) < 2:
            continue
        short_span = _stripped(
            text, sentence_start + word_before.start(1), sentence_start + word_before.end(1), _QUOTES_AND_PUNCTUATION
        )
        words = inside.split()
        if _long_form_words(text[short_span[0] : short_span[1]], words) == (0, len(words)):
            definitions.append(_definition(text, short_span, (inside_start, inside_end)))
    return definitions


def _definition(text: str, short_span: tuple[int, int], long_span: tuple[int, int]) -> Definition:
    short = _HYPHEN_SPACES.sub("-", text[short_span[0] : short_span[1]])
    return Definition(short, " ".join(text[long_span[0] : long_span[1]].split()), short_span, long_span)
