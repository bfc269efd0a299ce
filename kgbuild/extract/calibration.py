"""Mention scores: a logistic model of P(mention is right | how it was found).

A transition-based NER gives no per-entity confidence, and agreement between
independent components is the best evidence we have: a span the NER and a
high-prior lexicon entry both propose is right far more often than a span only
one of them proposes. `features` are the inputs of a SparseLogistic (logistic.py);
scripts/train_extractor.py fits its weights on
out-of-fold candidates (cross-validation folds), so the score is the measured
precision of mentions like this one, not a training-set fit; the reliability
table in the report checks it on the dev sets.
"""

from __future__ import annotations

import math

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
