"""Resolved Docs -> Mentions with offsets into the user's text, and AnalysedFields.

`title_names_from_abstract` first gives a title's names the label the abstract
gives them ("one sense per discourse", Gale, Church & Yarowsky 1992): the
resolver sees one field at a time, and a title read without context ("G3PT:
Unleash the power of ...", NER: Dataset) can disagree with the abstract that
says what the name is ("we introduce G3PT, a ... generative model"), or miss
the name. Within a field the resolver already decides; voting there too cost
0.008 F1 on SciER dev.
"""

from __future__ import annotations

from typing import cast

from spacy.tokens import Doc, Span

from kgbuild.extract.analysed import AnalysedField
from kgbuild.extract.doc_views import hyphen_joined, sentence_starts, token_texts
from kgbuild.models import EntityLabel, Mention, TextField
from kgbuild.text import NormalisedText


def field_mentions(
    field: TextField, text: str, norm: NormalisedText, doc: Doc, first_index: int
) -> tuple[list[Mention], AnalysedField]:
    """Mentions of one field; `first_index` is the paper-level index of the first one."""
    analysed = AnalysedField(field=field, text=text, norm=norm, doc=doc)
    mentions = []
    starts = sentence_starts(doc)
    sentence = 0
    for span in doc.ents:
        while sentence + 1 < len(starts) and starts[sentence + 1] <= span.start:
            sentence += 1
        start, end = norm.original_span(span.start_char, span.end_char)
        mentions.append(
            Mention(
                field=field,
                start=start,
                end=end,
                text=text[start:end],
                label=cast(EntityLabel, span.label_),
                score=span._.kgbuild_score,
                source=span._.kgbuild_source,
                sentence=sentence,
            )
        )
        analysed.mention_spans.append((first_index + len(mentions) - 1, span))
    return mentions, analysed


# Which abstract occurrence decides a name's label: the label rules' types first (label_rules.py: what users mean
# by the labels, "SciRIFF is the first dataset" over the title's cue), an explicit cue, the trained model, rules.
_DECIDING_SOURCE = {"label_rules": 0, "named": 1, "ner": 2, "abbreviation": 3, "pattern": 4, "lexicon": 5, "repeat": 6}


def _rank(span: Span) -> tuple[int, float]:
    return _DECIDING_SOURCE.get(span._.kgbuild_source, len(_DECIDING_SOURCE)), -span._.kgbuild_score


def labelled(span: Span, label: str, score: float, source: str) -> Span:
    labelled = Span(span.doc, span.start, span.end, label)
    labelled._.kgbuild_score, labelled._.kgbuild_source = score, source
    labelled._.kgbuild_features = span._.kgbuild_features
    return labelled


def _in_compound(doc: Doc, start: int, end: int) -> bool:
    """Tokens start..end are part of a hyphenated word ("VTG" of "VTG-LLM"): no name of their own."""
    return (start >= 2 and hyphen_joined(doc, start - 2)) or (end + 1 < len(doc) and hyphen_joined(doc, end - 1))


def title_names_from_abstract(title: Doc, abstract: Doc) -> None:
    """Gives the title's names the label of their most trusted abstract occurrence (source, then score).

    A title mention takes it unless its own source is more trusted ("GUIDE: A Guideline-Guided Dataset", a
    cue, against the NER's "Method" for "the GUIDE (Guideline-Guided) dataset"). A name the title's
    resolver left unlabelled becomes a mention with the deciding occurrence's score ("SciLitLLM: How to
    Adapt LLMs for ...": the abstract says what SciLitLLM is, 32 corpus titles named nothing so).
    """
    decided: dict[tuple[str, ...], Span] = {}
    for span in abstract.ents:
        name = tuple(token.text for token in span)
        if name not in decided or _rank(span) < _rank(decided[name]):
            decided[name] = span
    if not decided:
        return
    ents = []
    for ent in title.ents:
        best = decided.get(tuple(token.text for token in ent))
        if best is not None and best.label_ != ent.label_ and _rank(best)[0] <= _rank(ent)[0]:
            ent = labelled(ent, best.label_, ent._.kgbuild_score, ent._.kgbuild_source)
        ents.append(ent)
    taken = [False] * len(title)
    for ent in ents:
        taken[ent.start : ent.end] = [True] * (ent.end - ent.start)
    words = token_texts(title)
    for name, best in decided.items():
        for start in range(len(words) - len(name) + 1):
            end = start + len(name)
            if tuple(words[start:end]) == name and not any(taken[start:end]) and not _in_compound(title, start, end):
                ents.append(labelled(title[start:end], best.label_, best._.kgbuild_score, "repeat"))
                taken[start:end] = [True] * len(name)
    title.set_ents(sorted(ents, key=lambda ent: ent.start), default="outside")
