"""AnalysedField: what the extract stage hands the relate stage for one text field.

The relation stage needs the spaCy Doc (tokens, sentences) and where each
mention sits in it, and must report evidence with offsets into the original
text; this bundles all three so neither stage re-parses the text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from kgbuild.models import TextField
from kgbuild.text import NormalisedText


@dataclass
class AnalysedField:
    field: TextField
    text: str  # as the user gave it
    norm: NormalisedText  # norm.text is what `doc` was built from
    doc: Doc
    # (index into the paper's mention list, the mention's span in `doc`)
    mention_spans: list[tuple[int, Span]] = dataclasses.field(default_factory=list)  # `field` is a field's name here

    def original_span(self, span: Span) -> tuple[int, int]:
        """[start, end) of a Doc span in the original text."""
        return self.norm.original_span(span.start_char, span.end_char)
