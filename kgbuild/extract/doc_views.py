"""Views of a spaCy Doc that components share, computed without a Python Token per token.

`doc.text`, `doc.sents` and `[t.text for t in doc]` walk every token in Python;
components asked for them several times per field, which cost ~10% of
extraction time (bench/bench_extract.py). Here text and token texts are built
once per Doc and cached in `doc.user_data`, and sentence starts come from the
SENT_START array.
"""

from __future__ import annotations

import numpy
from spacy.attrs import ORTH, SENT_START, SPACY
from spacy.tokens import Doc

_TEXT = "kgbuild_text"
_WORDS = "kgbuild_words"


def doc_text(doc: Doc) -> str:
    """`doc.text`, from the token texts and trailing-space flags (a token's whitespace is one space or none)."""
    if _TEXT not in doc.user_data:
        spaced = doc.to_array(SPACY).tolist()
        doc.user_data[_TEXT] = "".join(word + " " if space else word for word, space in zip(token_texts(doc), spaced))
    return doc.user_data[_TEXT]


def token_texts(doc: Doc) -> list[str]:
    """Each token's text (cached; the list is shared, do not change it)."""
    if _WORDS not in doc.user_data:
        strings = doc.vocab.strings
        doc.user_data[_WORDS] = [strings[orth] for orth in doc.to_array(ORTH).tolist()]
    return doc.user_data[_WORDS]


def sentence_starts(doc: Doc) -> list[int]:
    """Token index of each sentence's first token."""
    if not len(doc):
        return []
    starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist()
    return starts if starts and starts[0] == 0 else [0, *starts]


def hyphen_joined(doc: Doc, i: int) -> bool:
    """Tokens i and i + 2 are one unspaced word joined by a hyphen at i + 1 ("Med-Gemini")."""
    return doc[i + 1].text == "-" and not doc[i].whitespace_ and not doc[i + 1].whitespace_
