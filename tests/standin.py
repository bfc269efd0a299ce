"""The tests' one stand-in extractor: mentions of a table of names, found by whole-word regexes.

Tests of the stages after extraction (relate, link, graph, sinks) take their mentions from here, so they
do not change when the extractor does; tests of the extractor itself use the real one (kgbuild.extract).

    names = NameTable({"GPT-4": "Model", "GPT4": "Model", "MMLU": "Dataset"})   # surface form -> label
    mentions = names.mentions(paper)        # list[Mention] of the title, then the abstract; no entity_id
    spans = names.spans(text)               # [(start, end, label)], as analysed_from_spans takes them

A surface form matches case-sensitively as a whole word: not inside a longer name ("GPT-4" is not found
in "GPT-4o" or "GPT-4-turbo"; with before_hyphenated_words, "LLaMA" is found in "LLaMA-series"). Of
overlapping matches the leftmost, then the longest, wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kgbuild.models import Mention, Paper

_SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s|$)|$)", re.DOTALL)
SCORE = 0.9  # every stand-in mention is equally sure, so no label vote is decided by scores


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: up to a . ! or ? that ends the text or is followed by white space."""
    return [match.span() for match in _SENTENCE.finditer(text)]


def mention_at(field: str, text: str, start: int, surface: str, label: str, source: str = "regex") -> Mention:
    """The mention of `surface` at `start` of `text` (the paper's `field`), with its sentence's index."""
    sentence = sum(1 for sentence_start, _ in sentence_spans(text) if sentence_start <= start) - 1
    return Mention(
        field=field,
        start=start,
        end=start + len(surface),
        text=surface,
        label=label,
        score=SCORE,
        source=source,
        sentence=sentence,
    )


def first_occurrences(text: str, names: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """(start, end, label) of the first occurrence in `text` of each (surface, label): mentions marked by
    hand, in the form kgbuild.evaluation.relations.analysed_from_spans takes."""
    return [(text.index(surface), text.index(surface) + len(surface), label) for surface, label in names]


class NameTable:
    """Surface forms and their labels, each compiled once to its whole-word pattern."""

    def __init__(self, labels: Mapping[str, str], *, before_hyphenated_words: bool = False):
        """`before_hyphenated_words`: a form also matches before a hyphen and a lower-case word ("LLaMA" in
        "LLaMA-series", "MedBench" in "MedBench-trained"), as the extractor reads "CLIP-based" as CLIP."""
        self.labels = dict(labels)
        end = r"(?!\w|-(?![a-z]))" if before_hyphenated_words else r"(?![\w-])"
        self._patterns = [
            (re.compile(rf"(?<![\w-]){re.escape(form)}{end}"), label) for form, label in self.labels.items()
        ]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, label) of each form found in `text`; of overlapping matches the leftmost, then longest, wins."""
        matches = sorted(
            (match.start(), -len(match.group()), label)
            for pattern, label in self._patterns
            for match in pattern.finditer(text)
        )
        spans, taken_until = [], 0
        for start, negative_length, label in matches:
            if start >= taken_until:
                taken_until = start - negative_length
                spans.append((start, taken_until, label))
        return spans

    def mentions(self, paper: Paper) -> list[Mention]:
        """Mentions of the table's forms in the title, then the abstract."""
        return [
            mention_at(field, text, start, text[start:end], label)
            for field, text in (("title", paper.title), ("abstract", paper.abstract))
            for start, end, label in self.spans(text)
        ]
