"""A pair classifier for the relation types the gold corpora annotate.

Gap patterns are precise but rare: on scier_dev with gold mentions they find
6-15% of the gold relations. A multinomial logistic regression over the same
view of a sentence (the words between two mentions, a few words around them,
the label pair) recalls 3-5x more at similar precision, so for the types where that holds
end to end (EVALUATED_ON, TRAINED_ON, BENCHMARK_FOR, COMPARED_WITH,
ADDRESSES; see MIN_PROBABILITY) both run and the surer statement wins.
The model is trained by scripts/train_relations.py and shipped as plain
weights (kgbuild/data/relate_pairs.json.gz): no pickle, no scikit-learn at
run time, and the probability it gives is the relation's score.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kgbuild.models import Relation
from kgbuild.relate.pairs import MAX_GAP_WORDS, spaced
from kgbuild.relate.sentences import Sentence, Slot

ARTIFACT = "relate_pairs.json.gz"
NO_RELATION = "NONE"
# The least probability at which a predicted type is emitted. Chosen for precision end to end (extracted
# mentions) on scier_dev with a cross-validation extractor, so dev numbers are optimistic: at 0.6 ADDRESSES
# was right 50% of the time, at 0.8 55%. PART_OF, SUBCLASS_OF and USES are never emitted (right 29%,
# 33% and 0/2 end to end at 0.6): SciER marks components and classes with span boundaries the extractor
# rarely reproduces; the classifier still learns them so they compete with the emitted types.
MIN_PROBABILITY = {"EVALUATED_ON": 0.6, "TRAINED_ON": 0.6, "BENCHMARK_FOR": 0.6, "COMPARED_WITH": 0.6, "ADDRESSES": 0.8}
WINDOW = 5  # a mention is paired with at most this many following mentions
# The training gold has no Model label (SciER and SciERC call trained systems Method).
_LABEL_FEATURE = {"Model": "Method"}


def pair_features(sentence: Sentence, left: Slot, right: Slot) -> dict[str, float] | None:
    """Features of an (earlier, later) mention pair, or None when they are too far apart to relate."""
    gap = spaced(sentence.gap(left, right)).split()
    if len(gap) > MAX_GAP_WORDS:
        return None
    features = {f"labels={_LABEL_FEATURE.get(left.label, left.label)}-{_LABEL_FEATURE.get(right.label, right.label)}": 1.0, "gap_length": min(len(gap), 10) / 10,
                f"first={gap[0] if gap else ''}": 1.0, f"last={gap[-1] if gap else ''}": 1.0}
    features.update({f"gap={word}": 1.0 for word in gap})
    features.update({f"bigram={a}_{b}": 1.0 for a, b in zip(gap, gap[1:])})
    features.update({f"before={word}": 1.0 for word in spaced(sentence.before(left)).split()[-3:]})
    features.update({f"after={word}": 1.0 for word in spaced(sentence.after(right)).split()[:2]})
    return features


def candidate_pairs(sentence: Sentence) -> Iterator[tuple[Slot, Slot, dict[str, float]]]:
    for i, left in enumerate(sentence.slots):
        for right in sentence.slots[i + 1:i + 1 + WINDOW]:
            features = pair_features(sentence, left, right)
            if features is None:
                break
            yield left, right, features


@dataclass(frozen=True)
class PairModel:
    """Multinomial logistic regression: classes are "TYPE>" (head = earlier mention), "TYPE<", or NONE."""

    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]

    def probabilities(self, features: dict[str, float]) -> list[float]:
        scores = list(self.intercepts)
        for name, value in features.items():
            for k, weight in enumerate(self.weights.get(name, ())):
                scores[k] += weight * value
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return [e / total for e in exps]


@cache
def load_model() -> PairModel:
    """The shipped model (read once per process)."""
    raw = json.loads(gzip.decompress(resources.files("kgbuild.data").joinpath(ARTIFACT).read_bytes()))
    return PairModel(tuple(raw["classes"]), tuple(raw["intercepts"]),
                     {name: tuple(row) for name, row in raw["weights"].items()})


def find(sentence: Sentence) -> Iterator[Relation]:
    model = load_model()
    for left, right, features in candidate_pairs(sentence):
        probabilities = model.probabilities(features)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        label = model.classes[best]
        if label == NO_RELATION or probabilities[best] < MIN_PROBABILITY.get(label[:-1], 1.1):
            continue
        head, tail = (left, right) if label.endswith(">") else (right, left)
        yield sentence.relation(label[:-1], head.mention, tail.mention, probabilities[best], "classifier")
