"""Window logits -> word scores -> constrained BIO decoding -> character spans (numpy only)."""

from __future__ import annotations

import numpy as np

from kgbuild.encoder.data import LABELS, TAGS, Encoded
from kgbuild.schema import Label

N_TAGS = len(TAGS)
# allowed[i, j]: tag j may follow tag i (I-X only after B-X or I-X)
_ALLOWED = np.ones((N_TAGS, N_TAGS), dtype=bool)
for _j, _tag in enumerate(TAGS):
    if _tag.startswith("I-"):
        _ALLOWED[:, _j] = False
        _ALLOWED[TAGS.index("B-" + _tag[2:]), _j] = True
        _ALLOWED[_j, _j] = True
_START = np.array([not t.startswith("I-") for t in TAGS])
_NEG = -1e9


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def merge_windows(n_pieces: int, ranges: list[tuple[int, int]], logits: list[np.ndarray]) -> np.ndarray:
    """Per-piece rows (logits, or hidden states); where windows overlap, the window in which the piece is
    most central wins."""
    out = np.zeros((n_pieces, logits[0].shape[-1] if logits else N_TAGS), dtype=np.float32)
    margin = np.full(n_pieces, -1, dtype=np.int64)
    for (start, end), window in zip(ranges, logits):
        pos = np.arange(start, end)
        m = np.minimum(pos - start, end - 1 - pos)
        better = m > margin[start:end]
        out[start:end][better] = window[: end - start][better]
        margin[start:end][better] = m[better]
    return out


def viterbi(scores: np.ndarray) -> np.ndarray:
    """Best tag sequence under the BIO constraint; scores are per-word log-probabilities."""
    n = len(scores)
    if not n:
        return np.zeros(0, dtype=np.int64)
    trans = np.where(_ALLOWED, 0.0, _NEG)
    best = np.where(_START, scores[0], _NEG)
    back = np.zeros((n, N_TAGS), dtype=np.int64)
    for i in range(1, n):
        cand = best[:, None] + trans
        back[i] = cand.argmax(axis=0)
        best = cand.max(axis=0) + scores[i]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = best.argmax()
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def spans_from_tags(
    encoded: Encoded, tags: np.ndarray, word_scores: np.ndarray | None = None
) -> list[tuple[int, int, str, float]]:
    """(start, end, label, score) per B..I run; score = mean probability of the run's tags."""
    out = []
    i, n = 0, len(tags)
    while i < n:
        tag = TAGS[tags[i]]
        if tag.startswith("B-"):
            label = tag[2:]
            j = i + 1
            inside = TAGS.index("I-" + label)
            while j < n and tags[j] == inside:
                j += 1
            score = float(np.exp(word_scores[np.arange(i, j), tags[i:j]]).mean()) if word_scores is not None else 1.0
            out.append((encoded.word_spans[i][0], encoded.word_spans[j - 1][1], label, score))
            i = j
        else:
            i += 1
    return out


def decode(encoded: Encoded, piece_logits: np.ndarray, constrained: bool = True) -> list[tuple[int, int, str, float]]:
    word_logits = piece_logits[encoded.first]
    scores = log_softmax(word_logits.astype(np.float64))
    if constrained:
        tags = viterbi(scores)
    else:
        tags = scores.argmax(axis=-1)
        # unconstrained: an I-X not after B-X/I-X starts a span (repair as B-X)
        for i in range(len(tags)):
            t = TAGS[tags[i]]
            if t.startswith("I-") and (i == 0 or TAGS[tags[i - 1]][2:] != t[2:]):
                tags[i] = TAGS.index("B-" + t[2:])
    return spans_from_tags(encoded, tags, scores)


def score_sets(docs: list[dict], predictions: list[list[tuple[int, int, str, float]]]) -> dict:
    """Exact-span micro-F1 as kgbuild.evaluation.ner scores it: labels the set annotates;
    a predicted Model counts as Method in a set without Model."""
    present = {e["label"] for d in docs for e in d["entities"]}
    labels = [label for label in LABELS if label in present]
    mapping: dict[str, str] = {label: label for label in labels}
    if Label.METHOD in labels and Label.MODEL not in labels:
        mapping[Label.MODEL] = Label.METHOD
    right = predicted = gold_n = 0
    per: dict[str, list[int]] = {label: [0, 0, 0] for label in labels}
    for doc, pred in zip(docs, predictions):
        gold = {(e["start"], e["end"], e["label"]) for e in doc["entities"] if e["label"] in labels}
        pset = {(s, e, mapping[tag]) for s, e, tag, _ in pred if tag in mapping}
        right += len(gold & pset)
        predicted += len(pset)
        gold_n += len(gold)
        for span in pset:
            per[span[2]][0] += span in gold
            per[span[2]][1] += 1
        for _, _, label in gold:
            per[label][2] += 1

    def f1(r, p, g):
        prec = r / p if p else 0.0
        rec = r / g if g else 0.0
        return 2 * prec * rec / (prec + rec) if prec + rec else 0.0

    return {
        "f1": round(f1(right, predicted, gold_n), 4),
        "p": round(right / predicted, 4) if predicted else 0.0,
        "r": round(right / gold_n, 4) if gold_n else 0.0,
        "pred": predicted,
        "gold": gold_n,
        "per_label": {label: round(f1(*v), 4) for label, v in per.items()},
    }
