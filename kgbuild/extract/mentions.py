"""Resolved Docs -> Mentions with offsets into the user's text, and AnalysedFields.

`title_labels_from_abstract` then gives a title's names the label the abstract
gives them ("one sense per discourse", Gale, Church & Yarowsky 1992): the
resolver sees one field at a time, and a title read without context ("G3PT:
Unleash the power of ...", NER: Dataset) can disagree with the abstract that
says what the name is ("we introduce G3PT, a ... generative model"). Within a
field the resolver already decides; voting there too cost 0.008 F1 on SciER dev.
"""

from __future__ import annotations

from spacy.tokens import Doc

from kgbuild.extract.analysed import AnalysedField
from kgbuild.extract.doc_views import sentence_starts
from kgbuild.models import Mention, TextField
from kgbuild.text import NormalisedText


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


# Which abstract occurrence decides a name's label: an explicit cue first, then the trained model, then rules.
_DECIDING_SOURCE = {"named": 0, "ner": 1, "abbreviation": 2, "pattern": 3, "lexicon": 4, "repeat": 5}


def _rank(mention: Mention) -> tuple[int, float]:
    return _DECIDING_SOURCE.get(mention.source, len(_DECIDING_SOURCE)), -mention.score


def title_labels_from_abstract(mentions: list[Mention]) -> list[Mention]:
    """`mentions` with each title name labelled as its most trusted abstract occurrence (source, then score),
    unless the title's own source is more trusted ("GUIDE: A Guideline-Guided Dataset", a cue, against the
    NER's "Method" for "the GUIDE (Guideline-Guided) dataset")."""
    decided: dict[str, tuple[tuple[int, float], str]] = {}
    for mention in mentions:
        if mention.field == "abstract":
            rank = _rank(mention)
            if mention.text not in decided or rank < decided[mention.text][0]:
                decided[mention.text] = (rank, mention.label)
    return [m.model_copy(update={"label": decided[m.text][1]})
            if m.field == "title" and m.text in decided and decided[m.text][1] != m.label
            and decided[m.text][0][0] <= _rank(m)[0] else m
            for m in mentions]
