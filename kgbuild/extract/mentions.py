"""Resolved Docs -> Mentions with offsets into the user's text, and AnalysedFields."""

from __future__ import annotations

from spacy.tokens import Doc

from kgbuild.extract.analysed import AnalysedField
from kgbuild.models import Mention, TextField
from kgbuild.text import NormalisedText


def sentence_starts(doc: Doc) -> list[int]:
    return [sentence.start for sentence in doc.sents] if len(doc) else []


def field_mentions(field: TextField, text: str, norm: NormalisedText, doc: Doc,
                   first_index: int) -> tuple[list[Mention], AnalysedField]:
    """Mentions of one field; `first_index` is the paper-level index of the first one."""
    analysed = AnalysedField(field=field, text=text, norm=norm, doc=doc)
    mentions = []
    starts = sentence_starts(doc)
    sentence = 0
    for span in doc.ents:
        while sentence + 1 < len(starts) and starts[sentence + 1] <= span.start:
            sentence += 1
        start, end = norm.original_span(span.start_char, span.end_char)
        mentions.append(Mention(
            field=field, start=start, end=end, text=text[start:end], label=span.label_,
            score=span._.kgbuild_score, source=span._.kgbuild_source, sentence=sentence,
        ))
        analysed.mention_spans.append((first_index + len(mentions) - 1, span))
    return mentions, analysed
