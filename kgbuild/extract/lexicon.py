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
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

CANDIDATES = "lexicon"


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

    def save(self, path: Path) -> None:
        payload = {key: asdict(term) for key, term in sorted(self.terms.items())}
        # mtime 0: the same lexicon is the same bytes, so a retrained artifact changes only if its terms do
        path.write_bytes(gzip.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), mtime=0))

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            return cls({key: Term(**term) for key, term in json.load(source).items()})


def phrase_matcher(nlp: Language, lexicon: Lexicon) -> PhraseMatcher:
    """A case-insensitive matcher whose match ids are the terms' labels."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    by_label: dict[str, list[str]] = {}
    for key, term in lexicon.terms.items():
        by_label.setdefault(term.label, []).append(key)
    for label, keys in sorted(by_label.items()):
        matcher.add(label, list(nlp.tokenizer.pipe(keys)))
    return matcher


class LexiconMatcher:
    """Writes every lexicon match (overlaps allowed) to doc.spans["lexicon"]."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.matcher: PhraseMatcher | None = None

    def set_lexicon(self, lexicon: Lexicon) -> None:
        self.matcher = phrase_matcher(self.nlp, lexicon)

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[CANDIDATES] = self.matcher(doc, as_spans=True) if self.matcher else []
        return doc


@Language.factory("kgbuild_lexicon")
def make_lexicon_matcher(nlp: Language, name: str) -> LexiconMatcher:
    return LexiconMatcher(nlp)
