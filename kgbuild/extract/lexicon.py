"""Lexicon component: known names (from training gold and Papers with Code) as candidates.

A name seen in training is kept with its *prior*: the share of its training
occurrences that gold labels with its majority label. The prior is what makes a
lexicon safe to ship: "BLEU" (Metric, labelled almost every time it occurs)
and "attention" (rarely labelled) look the same to a matcher but not to the
resolver and the calibrator, which read the prior (see resolve.py).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from kgbuild.extract.component_data import ComponentData, DataFiles, Loaded

CANDIDATES = "lexicon"
# The file a component that reads the lexicon keeps it in, in its directory of a saved pipeline.
LEXICON_DATA = "lexicon.json.gz"


@dataclass(frozen=True)
class Term:
    label: str
    prior: float | None  # None: never seen in training text (a Papers-with-Code name only)
    count: int  # gold-labelled occurrences in training data


def term_key(tokens: Span | Doc) -> str:
    """The lookup key of a name: its lower-cased tokens joined by single spaces."""
    return " ".join(token.lower_ for token in tokens)


class Lexicon:
    """Term key -> Term; serialised as gzipped JSON."""

    def __init__(self, terms: dict[str, Term]):
        self.terms = terms

    def get(self, key: str) -> Term | None:
        return self.terms.get(key)

    def to_bytes(self) -> bytes:
        payload = {key: asdict(term) for key, term in sorted(self.terms.items())}
        # mtime 0: the same lexicon is the same bytes, so a retrained artifact changes only if its terms do
        return gzip.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), mtime=0)

    @classmethod
    @lru_cache(maxsize=4)
    def from_bytes(cls, data: bytes) -> Lexicon:
        """The lexicon these bytes hold; the same bytes give the same Lexicon (do not change its terms): three
        components read the lexicon and each saves it with a pipeline, and a loaded pipeline parses it once and
        holds one copy (~5 MB, 0.2 s), as a built one does."""
        return cls({key: Term(**term) for key, term in json.loads(gzip.decompress(data)).items()})

    def save(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        return cls.from_bytes(path.read_bytes())


def phrase_matcher(nlp: Language, lexicon: Lexicon) -> PhraseMatcher:
    """A case-insensitive matcher whose match ids are the terms' labels."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    by_label: dict[str, list[str]] = {}
    for key, term in lexicon.terms.items():
        by_label.setdefault(term.label, []).append(key)
    for label, keys in sorted(by_label.items()):
        matcher.add(label, list(cast(Tokenizer, nlp.tokenizer).pipe(keys)))
    return matcher


class LexiconMatcher(ComponentData):
    """Writes every lexicon match (overlaps allowed) to doc.spans["lexicon"]. Its data: the lexicon."""

    lexicon: Loaded[Lexicon] = Loaded()
    matcher: Loaded[PhraseMatcher] = Loaded("lexicon")

    def __init__(self, nlp: Language, name: str):
        self.nlp = nlp
        self.name = name

    def set_lexicon(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.matcher = phrase_matcher(self.nlp, lexicon)

    def data_files(self) -> DataFiles:
        return {
            LEXICON_DATA: (lambda: self.lexicon.to_bytes(), lambda data: self.set_lexicon(Lexicon.from_bytes(data)))
        }

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[CANDIDATES] = self.matcher(doc, as_spans=True)
        return doc


@Language.factory("kgbuild_lexicon")
def make_lexicon_matcher(nlp: Language, name: str) -> LexiconMatcher:
    return LexiconMatcher(nlp, name)
