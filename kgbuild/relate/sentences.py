"""Sentence views: the unit every relation rule works on.

Relations are stated within one sentence, and that sentence is the evidence,
so rules never look across sentence boundaries (the one exception, resolving
"our model" to the paper's proposed system, lives in `results`). A rule sees
the sentence as lower-case words in which every mention is collapsed into one
placeholder word, `<m>`, so patterns over the words between two mentions can
say "any other mentions, joined by commas or `and`" without knowing names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Span

from kgbuild.extract.analysed import AnalysedField
from kgbuild.models import Relation

MENTION = "<m>"
_TRAINING_VERB = re.compile(r"(?:pre-?|continually |further )?(?:train|fine-?tune|finetune|instruction-tune)")


@dataclass(frozen=True)
class Slot:
    """One mention inside a sentence."""

    mention: int  # index into the paper's mention list
    label: str
    span: Span  # in the field's Doc


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
            words += _hyphen_joined(self.field.doc[position:slot.span.start])
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

    def relation(self, type_: str, head: int | str, tail: int | str, score: float, source: str,
                 **result: object) -> Relation:
        return Relation(type=type_, head=head, tail=tail, score=round(score, 3), field=self.field.field,
                        evidence=self.evidence, source=source, **result)


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
    while end > sent.start + 1 and sent.doc[end - 1].is_left_punct:
        end -= 1
    return sent.doc[sent.start:end]


def sentences(fields: list[AnalysedField], labels: list[str]) -> Iterator[Sentence]:
    """Every sentence of every field with the mentions inside it; `labels[i]` is mention i's label."""
    for analysed in fields:
        spans = sorted(analysed.mention_spans, key=lambda pair: (pair[1].start, -pair[1].end))
        for sent in map(_trimmed, analysed.doc.sents):
            slots: list[Slot] = []
            for index, span in spans:
                inside = span.start >= sent.start and span.end <= sent.end
                if inside and (not slots or span.start >= slots[-1].span.end):
                    slots.append(Slot(index, labels[index], span))
            yield Sentence(analysed, sent, tuple(slots))
