"""Relations read off the encoder's token vectors: a pair classifier over every mention pair of a sentence.

The rule tables and the sparse pair classifier (kgbuild.relate.classifier)
read the words between two mentions, so they reach pairs a few words apart
stated by a known phrase; SciER annotates most of its relations further apart
or stated otherwise ("an end-to-end CNN model for lane detection"). The
extractor's encoder (a fine-tuned MiniLM, kgbuild.encoder) has already read the
whole text once: its last-layer vector of each token (doc.tensor, set by the
encoder NER component) says what the token is in context. This classifier
reads, for an ordered (head, tail) pair of mentions in one sentence, the mean
vector of each mention, their product, the mean of the tokens between them, the
label pair, their distance and their order, and gives a probability for each
relation type or none (a small MLP, numpy only at run time; trained by
scripts/train_relations_encoder.py, shipped as plain arrays in
kgbuild/data/relate_encoder_pairs.npz with its card, no pickle).

Each type's probability is calibrated (Platt scaling on documents held out of
training), so a relation's score estimates its precision on gold mentions; as
for the other sources, that times both mentions' calibrated confidences is its
estimated chance of being right end to end, the score it carries. A type is
stated when the probability clears one bar (its precision on gold mentions) and
the score another (its precision on the extractor's mentions). The bars (and
which types it states at all) were chosen by this source's measured precision
per type on the dev sets, not by an order of sources; they ship in the
artifact, the numbers in its card (relate_encoder_pairs.card.json). A Doc without encoder vectors
(another extractor, a blank pipeline) gets no relations from here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import BytesIO

import numpy as np

from kgbuild.models import Relation
from kgbuild.relate.classifier import GOLD_LABEL_OF
from kgbuild.relate.sentences import Sentence, Slot
from kgbuild.schema import Label, RelType

ARTIFACT = "relate_encoder_pairs.npz"
SOURCE = "encoder-pairs"
NO_RELATION = "NONE"
# The training gold has no Model label (SciER and SciERC call trained systems Method).
LABELS = (Label.METHOD, Label.TASK, Label.DATASET, Label.METRIC)
# Token distance between the two mentions: one-hot over buckets whose upper bounds these are.
DISTANCE_BOUNDS = (0, 1, 2, 3, 5, 8, 12, 20, 35, 60)
MENTIONS_BETWEEN_BOUNDS = (0, 1, 2, 4)
# A mention is paired with at most this many mentions on each side, at most MAX_TOKENS tokens away.
WINDOW = 8
MAX_TOKENS = 60
UNORDERED = {RelType.COMPARED_WITH}


def _bucket(value: int, bounds: tuple[int, ...]) -> np.ndarray:
    onehot = np.zeros(len(bounds) + 1, dtype=np.float32)
    onehot[next((k for k, bound in enumerate(bounds) if value <= bound), len(bounds))] = 1.0
    return onehot


def _label_pair(head: str, tail: str) -> np.ndarray:
    onehot = np.zeros(len(LABELS) ** 2, dtype=np.float32)
    a, b = (GOLD_LABEL_OF.get(label, label) for label in (head, tail))
    if a in LABELS and b in LABELS:
        onehot[LABELS.index(a) * len(LABELS) + LABELS.index(b)] = 1.0
    return onehot


def encoder_vectors(sentence: Sentence) -> np.ndarray | None:
    """The Doc's token vectors, or None when the encoder did not analyse it."""
    tensor = sentence.field.doc.tensor
    if tensor is None or tensor.ndim != 2 or tensor.shape[0] != len(sentence.field.doc) or tensor.shape[1] == 0:
        return None
    return tensor


def candidate_pairs(sentence: Sentence) -> Iterator[tuple[Slot, Slot]]:
    """Ordered (head, tail) pairs: every mention with the WINDOW nearest on each side, MAX_TOKENS apart at most."""
    slots = sentence.slots
    for i, first in enumerate(slots):
        for second in slots[i + 1 : i + 1 + WINDOW]:
            if second.span.start - first.span.end > MAX_TOKENS:
                break
            yield first, second
            yield second, first


def pair_features(tensor: np.ndarray, sentence: Sentence, head: Slot, tail: Slot) -> np.ndarray:
    """[head mean, tail mean, their product, mean between (zeros when adjacent), label pair, distance, order]."""
    left, right = sorted((head, tail), key=lambda slot: slot.span.start)
    head_vector = tensor[head.span.start : head.span.end].astype(np.float32).mean(axis=0)
    tail_vector = tensor[tail.span.start : tail.span.end].astype(np.float32).mean(axis=0)
    between = (
        tensor[left.span.end : right.span.start].astype(np.float32).mean(axis=0)
        if right.span.start > left.span.end
        else np.zeros(tensor.shape[1], dtype=np.float32)
    )
    inside = sum(1 for slot in sentence.slots if left.span.end <= slot.span.start and slot.span.end <= right.span.start)
    return np.concatenate(
        [
            head_vector,
            tail_vector,
            head_vector * tail_vector,
            between,
            _label_pair(head.label, tail.label),
            _bucket(right.span.start - left.span.end, DISTANCE_BOUNDS),
            _bucket(inside, MENTIONS_BETWEEN_BOUNDS),
            np.array([head is left], dtype=np.float32),
        ]
    ).astype(np.float32)


def log_odds(scores: np.ndarray) -> np.ndarray:
    """Softmax log-odds log(p / (1 - p)) of each class, computed stably from the scores (logits)."""
    log_p = scores - scores.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return log_p - np.log(-np.expm1(np.minimum(log_p, -1e-7)))


@dataclass(frozen=True)
class PairModel:
    """Standardise, ReLU hidden layers, softmax; then per-class Platt scaling of the log-odds."""

    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    platt: np.ndarray  # [classes, 2]: calibrated = sigmoid(a * log-odds + b)
    # the types this source states, each with its lowest probability and its lowest score (chosen on the dev sets)
    bars: dict[str, tuple[float, float]]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Calibrated probability of each class for each row of `features`."""
        x = (features - self.mean) / self.scale
        for k, (weights, bias) in enumerate(self.layers):
            x = x @ weights + bias
            if k < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        return 1.0 / (1.0 + np.exp(-(self.platt[:, 0] * log_odds(x) + self.platt[:, 1])))


def read_model(raw: bytes) -> PairModel:
    arrays = np.load(BytesIO(raw), allow_pickle=False)
    meta = json.loads(str(arrays["meta"]))
    layers = tuple(
        (arrays[f"w{k}"].astype(np.float32), arrays[f"b{k}"].astype(np.float32)) for k in range(meta["layers"])
    )
    bars = {type_: (float(probability), float(score)) for type_, (probability, score) in meta["bars"].items()}
    return PairModel(tuple(meta["classes"]), arrays["mean"], arrays["scale"], layers, arrays["platt"], bars)


@cache
def load_model() -> PairModel:
    """The shipped model (read once per process)."""
    return read_model(resources.files("kgbuild.data").joinpath(ARTIFACT).read_bytes())


def scored_pairs(model: PairModel, sentence: Sentence) -> Iterator[tuple[Slot, Slot, np.ndarray]]:
    """(head, tail, calibrated class probabilities) of every candidate pair; none without encoder vectors."""
    tensor = encoder_vectors(sentence)
    if tensor is None:
        return
    pairs = list(candidate_pairs(sentence))
    if not pairs:
        return
    features = np.stack([pair_features(tensor, sentence, head, tail) for head, tail in pairs])
    yield from ((head, tail, row) for (head, tail), row in zip(pairs, model.probabilities(features)))


def find(sentence: Sentence) -> Iterator[Relation]:
    model = load_model()
    best: dict[tuple[str, int, int], tuple[float, Slot, Slot]] = {}
    for head, tail, probabilities in scored_pairs(model, sentence):
        confidence = head.confidence * tail.confidence
        for type_, probability in zip(model.classes, probabilities):
            lowest_probability, lowest_score = model.bars.get(type_, (2.0, 2.0))  # NONE, unlisted types: never
            if probability < lowest_probability or probability * confidence < lowest_score:
                continue
            # an unordered type is stated once per pair, head first in the text, at the surer order's score
            first, second = (
                (head, tail) if type_ not in UNORDERED or head.span.start < tail.span.start else (tail, head)
            )
            key = (type_, first.mention, second.mention)
            if key not in best or probability * confidence > best[key][0]:
                best[key] = (float(probability * confidence), first, second)
    for (type_, _, _), (score, head, tail) in best.items():
        yield sentence.relation(RelType(type_), head.mention, tail.mention, score, SOURCE)
