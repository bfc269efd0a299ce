"""Abbreviation component: "Large Language Models (LLMs)" -> (long form, short form) spans.

A thin spaCy wrapper over `kgbuild.abbreviations.find_definitions` (Schwartz &
Hearst 2003, PSB), the detector linking and PROPOSES use too. The pairs let the
resolver give both halves one label and carry it to every later use of the
short form, which the NER alone labels inconsistently. Only ``long form (SF)``
definitions become pairs: the resolver and the named-system component read a
long form before its short form.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from kgbuild.abbreviations import find_definitions
from kgbuild.extract.doc_views import doc_text

LONG_FORMS = "abbreviation_long"
SHORT_FORMS = "abbreviation_short"


class AbbreviationFinder:
    """Writes aligned doc.spans["abbreviation_long"] / ["abbreviation_short"] (pair i = index i)."""

    def __call__(self, doc: Doc) -> Doc:
        longs, shorts = [], []
        for definition in find_definitions(doc_text(doc)):
            long = doc.char_span(*definition.long_span, alignment_mode="expand")
            short = doc.char_span(*definition.short_span, alignment_mode="expand")
            if long is not None and short is not None and long.end <= short.start:
                longs.append(long)
                shorts.append(short)
        doc.spans[LONG_FORMS] = longs
        doc.spans[SHORT_FORMS] = shorts
        return doc


def pairs(doc: Doc) -> list[tuple[Span, Span]]:
    """The (long form, short form) spans the component found in `doc`."""
    return list(zip(doc.spans.get(LONG_FORMS, []), doc.spans.get(SHORT_FORMS, [])))


@Language.factory("kgbuild_abbreviations")
def make_abbreviation_finder(nlp: Language, name: str) -> AbbreviationFinder:
    return AbbreviationFinder()
