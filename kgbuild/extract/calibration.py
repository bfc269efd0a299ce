"""Mention scores: a logistic model of P(mention is right | how it was found).

A transition-based NER gives no per-entity confidence, and agreement between
independent components is the best evidence we have: a span the NER and a
high-prior lexicon entry both propose is right far more often than a span only
one of them proposes. scripts/train_extractor.py fits the weights on
out-of-fold candidates (cross-validation folds), so the score is the measured
precision of mentions like this one, not a training-set fit; the reliability
table in the report checks it on the dev sets.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Span

from kgbuild.extract.lexicon import Term

def features(span: Span, label: str, sources: set[str], term: Term | None) -> dict[str, float]:
    """Sparse features of one candidate mention (names are the calibrator's weight keys)."""
    text = span.text
    found = {f"by_{source}": 1.0 for source in sources}
    found |= {f"{label}_by_{source}": 1.0 for source in sources}
    found[f"label_{label}"] = 1.0
    found[f"tokens_{min(len(span), 3)}"] = 1.0
    if term is not None:
        if term.label != label:
            found["lexicon_other_label"] = 1.0
        elif term.prior is None:
            found["lexicon_unseen_name"] = 1.0
        else:
            found["lexicon_prior"] = term.prior
            found["lexicon_log_count"] = math.log1p(term.count)
    if any(c.isdigit() for c in text):
        found["has_digit"] = 1.0
    if any(c.isupper() for c in text[1:]):
        found["inner_capital"] = 1.0
    if text.islower():
        found["lower_case"] = 1.0
    return found


@dataclass(frozen=True)
class Calibrator:
    weights: dict[str, float]
    bias: float

    def score(self, found: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in found.items())
        return 1.0 / (1.0 + math.exp(-z))

    def save(self, path: Path) -> None:
        payload = {"bias": self.bias, "weights": dict(sorted(self.weights.items()))}
        path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibrator:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return cls(payload["weights"], payload["bias"])

    @classmethod
    def uniform(cls) -> Calibrator:
        """Before calibration is fitted (cross-validation runs): every candidate 0.5."""
        return cls({}, 0.0)
