"""Relation evaluation against SciER / SciERC gold (unified JSONL, see shared data README).

A predicted relation is correct when its (head span, tail span, type) equals a
gold relation's after mapping the gold label onto kgbuild's types:

    SciER                        SciERC             kgbuild
    Evaluated-With (M->D)        EVALUATE-FOR(D->M) EVALUATED_ON (method -> dataset; SciERC reversed)
    Trained-With   (M->D)        -                  TRAINED_ON
    Benchmark-For  (D->T)        EVALUATE-FOR(D->T) BENCHMARK_FOR
    Compare-With                 COMPARE            COMPARED_WITH (unordered; OUTPERFORMS counts as it)
    Used-For(A->T), A a method   USED-FOR           ADDRESSES(A, T)
    Used-For(A->B), B a method   USED-FOR           USES(B, A): "A is used for B" = "B uses A"
    Part-Of                      PART-OF            PART_OF
    SubClass-Of                  HYPONYM-OF         SUBCLASS_OF
    SubTask-Of, Synonym-Of       CONJUNCTION, FEATURE-OF, metric EVALUATE-FOR: not mapped

Gold relations that map to nothing are not scored, and predicted relations of
kgbuild-only types (PROPOSES, HAS_RESULT, FINE_TUNED_FROM, BASED_ON, anything
headed by the paper) are not scored either: the gold has no counterpart.

`mentions="gold"` runs the relation stage on the gold entities (isolates the
relation rules); `mentions="predicted"` runs the full extractor, so a relation
also needs both of its mentions found with exact gold boundaries.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.language import Language

from kgbuild.extract.analysed import AnalysedField
from kgbuild.models import Mention, Paper, Relation
from kgbuild.relate import relate
from kgbuild.text import normalise

SCORED_TYPES = ("EVALUATED_ON", "TRAINED_ON", "BENCHMARK_FOR", "COMPARED_WITH", "ADDRESSES", "USES",
                "PART_OF", "SUBCLASS_OF")
UNORDERED_TYPES = {"COMPARED_WITH"}
PREDICTED_AS = {"OUTPERFORMS": "COMPARED_WITH"}
SYSTEM_LABELS = {"Method", "Model"}

Key = tuple[str, tuple[int, int], tuple[int, int]]  # (type, head span, tail span)


def _gold_type(label: str, head_label: str, tail_label: str) -> tuple[str, bool] | None:
    """kgbuild type of a gold relation and whether head/tail swap, or None when unmapped."""
    if label in ("Evaluated-With", "EVALUATE-FOR"):
        if head_label in SYSTEM_LABELS and tail_label == "Dataset":
            return "EVALUATED_ON", False
        if head_label == "Dataset" and tail_label in SYSTEM_LABELS:
            return "EVALUATED_ON", True
        if head_label == "Dataset" and tail_label == "Task":
            return "BENCHMARK_FOR", False
        return None
    if label == "Used-For" or label == "USED-FOR":
        if head_label in SYSTEM_LABELS and tail_label == "Task":
            return "ADDRESSES", False
        if tail_label in SYSTEM_LABELS and head_label in SYSTEM_LABELS | {"Dataset"}:
            return "USES", True
        return None
    simple = {"Trained-With": "TRAINED_ON", "Benchmark-For": "BENCHMARK_FOR", "Compare-With": "COMPARED_WITH",
              "COMPARE": "COMPARED_WITH", "Part-Of": "PART_OF", "PART-OF": "PART_OF",
              "SubClass-Of": "SUBCLASS_OF", "HYPONYM-OF": "SUBCLASS_OF"}
    return (simple[label], False) if label in simple else None


def _key(type_: str, head: tuple[int, int], tail: tuple[int, int]) -> Key:
    if type_ in UNORDERED_TYPES:
        head, tail = sorted((head, tail))
    return type_, head, tail


def gold_relation_keys(record: dict) -> tuple[set[Key], Counter]:
    """Mapped gold relations of one record, and a count of the unmapped labels."""
    entities = record["entities"]
    keys: set[Key] = set()
    unmapped: Counter = Counter()
    for gold in record["relations"]:
        head, tail = entities[gold["head"]], entities[gold["tail"]]
        mapped = _gold_type(gold["label"], head["label"], tail["label"])
        if mapped is None:
            unmapped[gold["label"]] += 1
            continue
        type_, swap = mapped
        if swap:
            head, tail = tail, head
        keys.add(_key(type_, (head["start"], head["end"]), (tail["start"], tail["end"])))
    return keys, unmapped


def predicted_relation_keys(relations: list[Relation], mentions: list[Mention]) -> set[Key]:
    keys: set[Key] = set()
    for relation in relations:
        type_ = PREDICTED_AS.get(relation.type, relation.type)
        if type_ not in SCORED_TYPES or relation.head == "paper" or relation.tail == "paper":
            continue
        head, tail = mentions[relation.head], mentions[relation.tail]
        keys.add(_key(type_, (head.start, head.end), (tail.start, tail.end)))
    return keys


def _sentencizer() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def analysed_from_spans(nlp: Language, text: str, spans: list[tuple[int, int, str]]) -> tuple[AnalysedField, list[Mention]]:
    """An abstract AnalysedField with the given (start, end, label) spans as mentions.

    What the extractor would hand over if it found exactly these spans: the
    Doc is built from the normalised text and spans are mapped into it.
    """
    norm = normalise(text)
    doc = nlp(norm.text)
    field = AnalysedField("abstract", text, norm, doc)
    mentions: list[Mention] = []
    sentence_starts = [sent.start for sent in doc.sents]
    for start, end, label in spans:
        first, last = bisect_left(norm.starts, start), bisect_right(norm.ends, end)
        span = doc.char_span(first, last, alignment_mode="expand") if first < last else None
        if span is None:
            continue
        sentence = sum(1 for s in sentence_starts if s <= span.start) - 1
        field.mention_spans.append((len(mentions), span))
        mentions.append(Mention(field="abstract", start=start, end=end, text=text[start:end], label=label,
                                score=1.0, source="gold", sentence=sentence))
    return field, mentions


def _records(gold_path: str | Path) -> Iterator[dict]:
    with open(gold_path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _paper(record: dict) -> Paper:
    return Paper(id=record["id"], abstract=record["text"], source=record["source"])


def _gold_mention_relations(records: list[dict]) -> Iterator[tuple[list[Relation], list[Mention]]]:
    nlp = _sentencizer()
    for record in records:
        spans = [(e["start"], e["end"], e["label"]) for e in record["entities"]]
        field, mentions = analysed_from_spans(nlp, record["text"], spans)
        yield relate(_paper(record), [field], mentions), mentions


def _predicted_mention_relations(records: list[dict]) -> Iterator[tuple[list[Relation], list[Mention]]]:
    from kgbuild.extract import extract_papers  # the extractor is optional for gold-mention runs

    for extracted in extract_papers([_paper(record) for record in records], relate=relate):
        yield extracted.relations, extracted.mentions


def evaluate_relations(gold_path: str | Path, mentions: str = "gold") -> dict:
    """Precision/recall per mapped relation type; see the module docstring for the mapping."""
    if mentions not in ("gold", "predicted"):
        raise ValueError(f"mentions must be 'gold' or 'predicted', not {mentions!r}")
    records = list(_records(gold_path))
    run = _gold_mention_relations if mentions == "gold" else _predicted_mention_relations
    gold_counts: Counter = Counter()
    predicted_counts: Counter = Counter()
    correct: Counter = Counter()
    unmapped: Counter = Counter()
    for record, (relations, found) in zip(records, run(records)):
        gold, unmapped_here = gold_relation_keys(record)
        unmapped += unmapped_here
        predicted = predicted_relation_keys(relations, found)
        gold_counts.update(key[0] for key in gold)
        predicted_counts.update(key[0] for key in predicted)
        correct.update(key[0] for key in predicted & gold)
    types = {}
    for type_ in SCORED_TYPES:
        types[type_] = {
            "gold": gold_counts[type_], "predicted": predicted_counts[type_], "correct": correct[type_],
            "precision": correct[type_] / predicted_counts[type_] if predicted_counts[type_] else None,
            "recall": correct[type_] / gold_counts[type_] if gold_counts[type_] else None,
        }
    return {"gold_path": str(gold_path), "mentions": mentions, "documents": len(records), "types": types,
            "unmapped_gold": dict(unmapped)}


def format_relations_report(result: dict) -> str:
    def number(value: float | None) -> str:
        return "   -" if value is None else f"{value:.2f}"

    lines = [f"relations: {result['gold_path']} ({result['documents']} documents, {result['mentions']} mentions)",
             f"{'type':<15}{'gold':>6}{'pred':>6}{'ok':>6}{'P':>7}{'R':>7}"]
    for type_, row in result["types"].items():
        lines.append(f"{type_:<15}{row['gold']:>6}{row['predicted']:>6}{row['correct']:>6}"
                     f"{number(row['precision']):>7}{number(row['recall']):>7}")
    if result["unmapped_gold"]:
        unmapped = ", ".join(f"{label} {count}" for label, count in sorted(result["unmapped_gold"].items()))
        lines.append(f"unmapped gold (not scored): {unmapped}")
    return "\n".join(lines)
