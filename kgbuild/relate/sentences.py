"""Sentence views: the unit every relation rule works on.

Relations are stated within one sentence, and that sentence is the evidence,
so rules never look across sentence boundaries (the one exception, resolving
"our model" to the paper's proposed system, lives in `results`,
`benchmarks.find_own` and `comparison.find_own`). A rule sees
the sentence as lower-case words in which every mention is collapsed into one
placeholder word, `<m>`, so patterns over the words between two mentions can
say "any other mentions, joined by commas or `and`" without knowing names.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Span, Token

from kgbuild.extract.analysed import AnalysedField
from kgbuild.models import Mention, Relation, RelationType
from kgbuild.vocab import TRAINING

MENTION = "<m>"
# A "sentence" longer than this is text without full stops, not a sentence (the longest in the corpus has 137
# tokens, in the evaluation sets 360). The rules relate each mention of a sentence to the words around it, so
# their cost grows with the square of a sentence's length: a 100k-character title without a full stop is
# related in pieces of this many tokens.
MAX_SENTENCE_TOKENS = 400
_TRAINING_VERB = re.compile(r"(?:continually |further )?" + TRAINING + "e?")


@dataclass(frozen=True)
class Slot:
    """One mention inside a sentence."""

    mention: int  # index into the paper's mention list
    label: str
    span: Span  # in the field's Doc
    confidence: float  # the extractor's calibrated probability that the mention is right (1.0 for gold)


@dataclass(frozen=True)
class Sentence:
    field: AnalysedField
    span: Span
    slots: tuple[Slot, ...]  # by position; overlapping mentions keep the first

    @property
    def evidence(self) -> tuple[int, int]:
        return self.field.original_span(self.span)

    def words(self, start: int, end: int) -> list[str]:
        """Tokens [start, end) of the Doc as lower-case words, each mention one `<m>`."""
        words: list[str] = []
        position = start
        for slot in self.slots:
            if slot.span.end <= position or slot.span.start >= end:
                continue
            words += _hyphen_joined(self.field.doc[position : slot.span.start])
            # A training verb the extractor tagged as a Method ("we then fine-tune LLaMA") is still
            # the trigger word the derivation patterns look for, so it stays visible as words.
            words += _hyphen_joined(slot.span) if _TRAINING_VERB.fullmatch(slot.span.text.lower()) else [MENTION]
            position = slot.span.end
        words += _hyphen_joined(self.field.doc[position:end])
        return words

    def gap(self, left: Slot, right: Slot) -> str:
        return " ".join(self.words(left.span.end, right.span.start))

    def before(self, slot: Slot) -> str:
        return " ".join(self.words(self.span.start, slot.span.start))

    def after(self, slot: Slot) -> str:
        return " ".join(self.words(slot.span.end, self.span.end))

    def relation(
        self,
        type_: RelationType,
        head: int | Literal["paper"],
        tail: int | Literal["paper"],
        score: float,
        source: str,
        metric: int | None = None,
        value: str | None = None,
        unit: str | None = None,
    ) -> Relation:
        return Relation(
            type=type_,
            head=head,
            tail=tail,
            score=round(score, 3),
            field=self.field.field,
            evidence=self.evidence,
            source=source,
            metric=metric,
            value=value,
            unit=unit,
        )


def _hyphen_joined(tokens: Span) -> list[str]:
    """Lower-case words with hyphen compounds rejoined: the tokenizer splits "fine-tuned" in three."""
    words: list[str] = []
    glue = False
    for token in tokens:
        hyphen = token.text == "-"
        if words and glue and (hyphen or words[-1].endswith("-")):
            words[-1] += token.lower_
        else:
            words.append(token.lower_)
        glue = not token.whitespace_
    return words


def _trimmed(sent: Span) -> Span:
    """The sentence without an opening bracket the sentencizer left at its end ("... domains. (3) Next")."""
    end = sent.end
    while end > sent.start + 1 and sent.doc[end - 1].is_left_punct and not _closes(sent.doc[end - 1]):
        end -= 1
    return sent.doc[sent.start : end]


def _closing_attached(sents: list[Span]) -> Iterator[Span]:
    """Sentences with the closing quotes and brackets the sentencizer put at the start of the next one.

    In `... (or vice versa)?" Using ...` the quote closes the question, so it ends that sentence; a
    quote is closing when it follows the previous word without a space.
    """
    for sent, following in zip(sents, [*sents[1:], None]):
        start = sent.start
        while start < sent.end - 1 and start > 0 and _closes(sent.doc[start]):
            start += 1
        end = sent.end
        while following is not None and end < following.end - 1 and _closes(sent.doc[end]):
            end += 1
        yield sent.doc[start:end]


def _closes(token: Token) -> bool:
    return (token.is_quote or token.is_right_punct) and not token.doc[token.i - 1].whitespace_


def _pieces(sents: Iterable[Span]) -> Iterator[Span]:
    """Sentences, those longer than MAX_SENTENCE_TOKENS cut into pieces of that many tokens."""
    for sent in sents:
        for start in range(sent.start, sent.end, MAX_SENTENCE_TOKENS):
            yield sent.doc[start : min(start + MAX_SENTENCE_TOKENS, sent.end)]


def sentences(fields: list[AnalysedField], mentions: list[Mention]) -> Iterator[Sentence]:
    """Every sentence of every field with the mentions inside it (`mentions` is the paper's list)."""
    for analysed in fields:
        spans = sorted(analysed.mention_spans, key=lambda pair: (pair[1].start, -pair[1].end))
        starts = [span.start for _, span in spans]
        for sent in _pieces(map(_trimmed, _closing_attached(list(analysed.doc.sents)))):
            slots: list[Slot] = []
            # the mentions starting in the sentence, found by bisection: a scan of all per sentence was quadratic
            for index, span in spans[bisect_left(starts, sent.start) : bisect_left(starts, sent.end)]:
                if span.end <= sent.end and (not slots or span.start >= slots[-1].span.end):
                    slots.append(Slot(index, mentions[index].label, span, mentions[index].score))
            yield Sentence(analysed, sent, tuple(slots))
