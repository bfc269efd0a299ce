"""Mention extraction scored against span gold (the unified JSONL of /work/shared/data).

result = evaluate_ner("scier_dev.jsonl")          # labels: those the file annotates
print(format_ner_report(result))
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kgbuild.models import ENTITY_LABELS
from kgbuild.schema import Label


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class GoldDoc:
    id: str
    source: str
    text: str
    spans: tuple[GoldSpan, ...]


def read_gold(path: str | Path) -> list[GoldDoc]:
    """One GoldDoc per JSONL line ({"id", "source", "text", "entities": [{start, end, label}]})."""
    docs = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                spans = tuple(GoldSpan(e["start"], e["end"], e["label"]) for e in record["entities"])
                docs.append(GoldDoc(record["id"], record.get("source", ""), record["text"], spans))
    return docs


def annotated_labels(docs: list[GoldDoc]) -> list[str]:
    """The labels a gold set annotates: those that occur in it, in ENTITY_LABELS order."""
    present = {span.label for doc in docs for span in doc.spans}
    return [label for label in ENTITY_LABELS if label in present]


def label_map(labels: list[str]) -> dict[str, str]:
    """Predicted label -> label scored. Sets without Model call trained systems Method
    (data README), so there a predicted Model is scored as Method."""
    mapping = {label: label for label in labels}
    if Label.METHOD in labels and Label.MODEL not in labels:
        mapping[Label.MODEL] = Label.METHOD
    return mapping


def _prf(pred_right: int, predicted: int, gold_found: int, gold: int) -> dict[str, float]:
    precision = pred_right / predicted if predicted else 0.0
    recall = gold_found / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": round(precision, 4), "r": round(recall, 4), "f1": round(f1, 4), "pred": predicted, "gold": gold}


def _table(counts: dict[str, list[int]], labels: list[str]) -> dict:
    """counts[label] = [predictions right, predictions, gold spans found, gold spans]."""
    per_label = {label: _prf(*counts[label]) for label in labels}
    micro = _prf(*(sum(counts[label][i] for label in labels) for i in range(4)))
    macro = {k: round(sum(per_label[label][k] for label in labels) / len(labels), 4) for k in ("p", "r", "f1")}
    return {"per_label": per_label, "micro": micro, "macro": macro}


_SCORE_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)

LabelledSpan = tuple[int, int, str]  # (start, end, label)


def _overlaps(start: int, end: int, label: str, spans) -> bool:
    """Some span of spans has this label and shares a character with [start, end)."""
    return any(other == label and other_start < end and start < other_end for other_start, other_end, other in spans)


@dataclass
class _Tally:
    """The counts evaluate_ner() adds up over the documents. exact[label] and overlap[label] are
    [predictions right, predictions, gold spans found, gold spans] (what _table() reads)."""

    labels: list[str]
    exact: dict[str, list[int]] = field(init=False)
    overlap: dict[str, list[int]] = field(init=False)
    confusions: Counter = field(default_factory=Counter)
    misses: Counter = field(default_factory=Counter)
    false_positives: Counter = field(default_factory=Counter)
    bins: list[list] = field(init=False)  # per score bin: mentions, right, score sum

    def __post_init__(self) -> None:
        self.exact = {label: [0, 0, 0, 0] for label in self.labels}
        self.overlap = {label: [0, 0, 0, 0] for label in self.labels}
        self.bins = [[0, 0, 0.0] for _ in _SCORE_BINS[1:]]

    def add(self, doc: GoldDoc, predicted: dict[LabelledSpan, float]) -> None:
        gold = {(s.start, s.end, s.label) for s in doc.spans if s.label in self.labels}
        self._add_gold(doc.text, gold, predicted)
        self._add_predicted(doc, gold, predicted)

    def _add_gold(self, text: str, gold: set[LabelledSpan], predicted: dict[LabelledSpan, float]) -> None:
        """Recall side: each gold span found exactly, or overlapped by a prediction of its label."""
        for start, end, label in sorted(gold):  # in text order: the misses' order must not depend on hashing
            found = (start, end, label) in predicted
            self.exact[label][2:] = [self.exact[label][2] + found, self.exact[label][3] + 1]
            touched = _overlaps(start, end, label, predicted)
            self.overlap[label][2:] = [self.overlap[label][2] + touched, self.overlap[label][3] + 1]
            if not found:
                self.misses[(text[start:end], label)] += 1

    def _add_predicted(self, doc: GoldDoc, gold: set[LabelledSpan], predicted: dict[LabelledSpan, float]) -> None:
        """Precision side, and why a wrong prediction is wrong: a gold span of another label (a
        confusion) or no gold span at all (a false positive)."""
        gold_label_at = {(s.start, s.end): s.label for s in doc.spans}
        for (start, end, label), score in predicted.items():
            right = (start, end, label) in gold
            touches = _overlaps(start, end, label, gold)
            self.exact[label][:2] = [self.exact[label][0] + right, self.exact[label][1] + 1]
            self.overlap[label][:2] = [self.overlap[label][0] + touches, self.overlap[label][1] + 1]
            if not right:
                gold_label = gold_label_at.get((start, end))
                if gold_label in self.labels:
                    self.confusions[(gold_label, label)] += 1
                else:
                    self.false_positives[(doc.text[start:end], label)] += 1
            self._add_to_bin(score, right)

    def _add_to_bin(self, score: float, right: bool) -> None:
        index = next(i for i, upper in enumerate(_SCORE_BINS[1:]) if score < upper)
        self.bins[index] = [self.bins[index][0] + 1, self.bins[index][1] + right, self.bins[index][2] + score]

    def reliability(self) -> list[dict]:
        """Score bin -> exact precision and mean score: whether the scores mean what they say."""
        return [
            {
                "bin": f"{low:.1f}-{min(high, 1.0):.1f}",
                "mentions": n,
                "precision": round(right / n, 3) if n else None,
                "mean_score": round(total_score / n, 3) if n else None,
            }
            for (low, high), (n, right, total_score) in zip(zip(_SCORE_BINS, _SCORE_BINS[1:]), self.bins)
        ]


def _predicted_spans(mentions, mapping: dict[str, str]) -> dict[LabelledSpan, float]:
    """The mentions whose label is scored, under the label they are scored as, with their scores."""
    predicted = {}
    for mention in mentions:
        label = mapping.get(mention.label)
        if label is not None:
            predicted[(mention.start, mention.end, label)] = mention.score
    return predicted


def evaluate_ner(
    gold_path: str | Path, labels: list[str] | None = None, *, data_dir: str | Path | None = None, fast: bool = False
) -> dict:
    """Run the extractor on every gold text and score its mentions against the gold spans.

    Scored: gold spans with a label in `labels` (default: the labels the file annotates)
    and predictions whose label maps into them (label_map). "exact" needs identical
    offsets and label; "overlap" counts a prediction right if it overlaps a gold span
    of its label, and a gold span found if a prediction of its label overlaps it.
    Also: label confusions on identical spans, most frequent misses and false
    positives, and a reliability table (score bin -> exact precision).
    """
    from kgbuild.extract import extract_papers  # noqa: PLC0415 - loads spaCy only when evaluating
    from kgbuild.models import Paper  # noqa: PLC0415

    docs = read_gold(gold_path)
    labels = labels or annotated_labels(docs)
    mapping = label_map(labels)
    papers = (Paper(id=doc.id or str(i), abstract=doc.text, source="gold") for i, doc in enumerate(docs))
    tally = _Tally(labels)
    for doc, extracted in zip(docs, extract_papers(papers, data_dir=data_dir, fast=fast)):
        tally.add(doc, _predicted_spans(extracted.mentions, mapping))
    return {
        "gold": str(gold_path),
        "docs": len(docs),
        "labels": labels,
        "label_map": mapping,
        "exact": _table(tally.exact, labels),
        "overlap": _table(tally.overlap, labels),
        "confusions": [[g, p, n] for (g, p), n in tally.confusions.most_common(10)],
        "misses": [[t, label, n] for (t, label), n in tally.misses.most_common(15)],
        "false_positives": [[t, label, n] for (t, label), n in tally.false_positives.most_common(15)],
        "reliability": tally.reliability(),
    }


def format_ner_report(result: dict) -> str:
    """A human-readable table of an evaluate_ner() result."""
    lines = [f"{result['gold']}: {result['docs']} docs, labels {', '.join(result['labels'])}"]
    lines.append(
        f"{'label':<10}{'exact P':>9}{'R':>7}{'F1':>7}{'overlap P':>11}{'R':>7}{'F1':>7}{'gold':>7}{'pred':>7}"
    )
    rows = [
        (label, result["exact"]["per_label"][label], result["overlap"]["per_label"][label])
        for label in result["labels"]
    ]
    rows += [
        ("micro", result["exact"]["micro"], result["overlap"]["micro"]),
        ("macro", result["exact"]["macro"], result["overlap"]["macro"]),
    ]
    for name, exact, overlap in rows:
        counts = f"{exact['gold']:>7}{exact['pred']:>7}" if "gold" in exact else ""
        lines.append(
            f"{name:<10}{exact['p']:>9.3f}{exact['r']:>7.3f}{exact['f1']:>7.3f}"
            f"{overlap['p']:>11.3f}{overlap['r']:>7.3f}{overlap['f1']:>7.3f}{counts}"
        )
    lines.append(
        "reliability (score bin: mentions, exact precision): "
        + "; ".join(f"{row['bin']}: {row['mentions']}, {row['precision']}" for row in result["reliability"])
    )
    lines.append("confusions (gold -> predicted): " + ", ".join(f"{g}->{p} {n}" for g, p, n in result["confusions"]))
    lines.append("top misses: " + ", ".join(f"{t!r} {label} {n}" for t, label, n in result["misses"]))
    lines.append("top false positives: " + ", ".join(f"{t!r} {label} {n}" for t, label, n in result["false_positives"]))
    return "\n".join(lines)
