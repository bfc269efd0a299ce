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
    Part-Of                      PART-OF            PART_OF, and between two systems also USES(B, A):
                                                    SciER has no "uses" label and annotates "X uses Y"
                                                    as Part-Of(Y, X) (44 of 57 rule USES on scier_train)
    SubClass-Of                  HYPONYM-OF         SUBCLASS_OF
    SubTask-Of, Synonym-Of       CONJUNCTION, FEATURE-OF, metric EVALUATE-FOR: not mapped

Gold relations that map to nothing are not scored, and predicted relations of
kgbuild-only types (PROPOSES, HAS_RESULT, FINE_TUNED_FROM, BASED_ON, anything
headed by the paper) are not scored either: the gold has no counterpart. Nor
are relations whose head is outside their evidence sentence ("Extensive
experiments on D ..." -> EVALUATED_ON from the paper's proposed system): SciER
and SciERC annotate relations within one sentence only. They are counted
(`cross_sentence`) so the report shows how many were left out.

`mentions="gold"` runs the relation stage on the gold entities (isolates the
relation stage; the Doc carries the encoder's token vectors, as the extractor's
does); `mentions="predicted"` runs the full extractor, so a relation
also needs both of its mentions found with exact gold boundaries.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language

from kgbuild.extract.analysed import AnalysedField
from kgbuild.models import EntityLabel, Mention, Paper, Relation, TextField
from kgbuild.relate import relate
from kgbuild.schema import Label, RelType
from kgbuild.text import normalise
from kgbuild.vocab import SYSTEM_LABELS

SCORED_TYPES = (
    RelType.EVALUATED_ON,
    RelType.TRAINED_ON,
    RelType.BENCHMARK_FOR,
    RelType.COMPARED_WITH,
    RelType.ADDRESSES,
    RelType.USES,
    RelType.PART_OF,
    RelType.SUBCLASS_OF,
)
# The scored types in the order a trained pair classifier assigns them: an ordered pair takes the first type
# that holds for its order, so a gold Part-Of between systems, also gold USES the other way round, gives
# (part, whole) PART_OF and (whole, part) USES (scripts/train_relations.py, scripts/train_relations_encoder.py).
_FIRST_CLASSES = (RelType.PART_OF, RelType.SUBCLASS_OF)
CLASS_ORDER = (*_FIRST_CLASSES, *(type_ for type_ in SCORED_TYPES if type_ not in _FIRST_CLASSES))
UNORDERED_TYPES = {RelType.COMPARED_WITH}
PREDICTED_AS: dict[str, str] = {RelType.OUTPERFORMS: RelType.COMPARED_WITH}

Key = tuple[str, tuple[int, int], tuple[int, int]]  # (type, head span, tail span)


# Gold labels that mean one kgbuild type whatever the endpoints' labels.
_SAME_MEANING = {
    "Trained-With": RelType.TRAINED_ON,
    "Benchmark-For": RelType.BENCHMARK_FOR,
    "Compare-With": RelType.COMPARED_WITH,
    "COMPARE": RelType.COMPARED_WITH,
    "SubClass-Of": RelType.SUBCLASS_OF,
    "HYPONYM-OF": RelType.SUBCLASS_OF,
}


def _evaluated_with(head_label: str, tail_label: str) -> list[tuple[str, bool]]:
    """Evaluated-With is EVALUATED_ON between a system and a dataset (either way round), BENCHMARK_FOR from a
    dataset to a task."""
    if head_label in SYSTEM_LABELS and tail_label == Label.DATASET:
        return [(RelType.EVALUATED_ON, False)]
    if head_label == Label.DATASET and tail_label in SYSTEM_LABELS:
        return [(RelType.EVALUATED_ON, True)]
    return [(RelType.BENCHMARK_FOR, False)] if (head_label, tail_label) == (Label.DATASET, Label.TASK) else []


def _used_for(head_label: str, tail_label: str) -> list[tuple[str, bool]]:
    """Used-For is ADDRESSES from a system to a task, USES (reversed) from a system or dataset to a system."""
    if head_label in SYSTEM_LABELS and tail_label == Label.TASK:
        return [(RelType.ADDRESSES, False)]
    if tail_label in SYSTEM_LABELS and head_label in SYSTEM_LABELS | {Label.DATASET}:
        return [(RelType.USES, True)]
    return []


def _gold_types(label: str, head_label: str, tail_label: str) -> list[tuple[str, bool]]:
    """kgbuild types a gold relation counts as, each with whether head and tail swap."""
    if label in ("Evaluated-With", "EVALUATE-FOR"):
        return _evaluated_with(head_label, tail_label)
    if label in ("Used-For", "USED-FOR"):
        return _used_for(head_label, tail_label)
    if label in ("Part-Of", "PART-OF"):
        # SciER has no "uses": "X uses Y" is annotated Part-Of(Y, X), so it is also gold USES(X, Y).
        systems = head_label in SYSTEM_LABELS and tail_label in SYSTEM_LABELS
        return [(RelType.PART_OF, False), (RelType.USES, True)] if systems else [(RelType.PART_OF, False)]
    return [(_SAME_MEANING[label], False)] if label in _SAME_MEANING else []


def relation_key(type_: str, head: tuple[int, int], tail: tuple[int, int]) -> Key:
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
        mapped = _gold_types(gold["label"], head["label"], tail["label"])
        if not mapped:
            unmapped[gold["label"]] += 1
        for type_, swap in mapped:
            first, second = (tail, head) if swap else (head, tail)
            keys.add(relation_key(type_, (first["start"], first["end"]), (second["start"], second["end"])))
    return keys, unmapped


def _in_sentence(relation: Relation, mention: Mention) -> bool:
    return mention.field == relation.field and relation.evidence[0] <= mention.start < relation.evidence[1]


def cross_sentence(relation: Relation, mentions: list[Mention]) -> bool:
    """A relation of two mentions one of which lies outside its evidence sentence (resolved "our model")."""
    ends = [end for end in (relation.head, relation.tail) if end != "paper"]
    return not all(_in_sentence(relation, mentions[end]) for end in ends)


def predicted_relation_keys(relations: list[Relation], mentions: list[Mention]) -> set[Key]:
    keys: set[Key] = set()
    for relation in relations:
        type_ = PREDICTED_AS.get(relation.type, relation.type)
        if (
            type_ not in SCORED_TYPES
            or relation.head == "paper"
            or relation.tail == "paper"
            or cross_sentence(relation, mentions)
        ):
            continue
        head, tail = mentions[relation.head], mentions[relation.tail]
        keys.add(relation_key(type_, (head.start, head.end), (tail.start, tail.end)))
    return keys


def sentencizer() -> Language:
    """The pipeline gold texts are analysed with: tokens and sentences, nothing learned."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def vectors_sentencizer() -> Language:
    """sentencizer() and the extractor's encoder component (its default config) for doc.tensor, which the
    encoder pair classifier (kgbuild.relate.encoder_pairs) reads; its entities are not used."""
    from kgbuild.extract.artifacts import ENCODER_DIR, default_data_dir
    from kgbuild.extract.encoder_ner import EncoderNER  # the import registers the component

    nlp = sentencizer()
    cast(EncoderNER, nlp.add_pipe("kgbuild_encoder_ner", config={"threads": 1})).from_disk(
        default_data_dir() / ENCODER_DIR
    )
    return nlp


def analysed_from_spans(
    nlp: Language, field: TextField, text: str, spans: list[tuple[int, int, EntityLabel]], mentions: list[Mention]
) -> AnalysedField:
    """An AnalysedField whose mentions are exactly the given (start, end, label) spans of `text`.

    What the extractor would hand over if it found these spans: the Doc is
    built from the normalised text and each span is mapped into it. The new
    mentions are appended to `mentions` (the paper's list, shared by fields).
    """
    norm = normalise(text)
    doc = nlp(norm.text)
    analysed = AnalysedField(field, text, norm, doc)
    sentence_starts = [sent.start for sent in doc.sents]
    for start, end, label in spans:
        first, last = bisect_left(norm.starts, start), bisect_right(norm.ends, end)
        span = doc.char_span(first, last, alignment_mode="expand") if first < last else None
        if span is None:
            continue
        sentence = bisect_right(sentence_starts, span.start) - 1
        analysed.mention_spans.append((len(mentions), span))
        mentions.append(
            Mention(
                field=field,
                start=start,
                end=end,
                text=text[start:end],
                label=label,
                score=1.0,
                source="gold",
                sentence=sentence,
            )
        )
    return analysed


def _records(gold_path: str | Path) -> Iterator[dict]:
    with open(gold_path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _paper(record: dict) -> Paper:
    return Paper(id=record["id"], abstract=record["text"], source=record["source"])


def _gold_mention_relations(records: list[dict]) -> Iterator[tuple[list[Relation], list[Mention]]]:
    nlp = vectors_sentencizer()
    for record in records:
        spans = [(e["start"], e["end"], e["label"]) for e in record["entities"]]
        mentions: list[Mention] = []
        field = analysed_from_spans(nlp, TextField.ABSTRACT, record["text"], spans, mentions)
        yield relate(_paper(record), [field], mentions), mentions


def _predicted_mention_relations(
    records: list[dict], fast: bool = False
) -> Iterator[tuple[list[Relation], list[Mention]]]:
    from kgbuild.extract import extract_papers

    for extracted in extract_papers([_paper(record) for record in records], relate=relate, fast=fast):
        yield extracted.relations, extracted.mentions


def _spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _same_pair(predicted: Key, gold: Key) -> bool:
    """Same type, and head and tail spans overlapping the gold's (either way round for an unordered type)."""
    type_, head, tail = predicted
    if gold[0] != type_:
        return False
    orders = [(gold[1], gold[2]), (gold[2], gold[1])] if type_ in UNORDERED_TYPES else [(gold[1], gold[2])]
    return any(_spans_overlap(head, first) and _spans_overlap(tail, second) for first, second in orders)


def overlap_matches(predicted: set[Key], gold: set[Key]) -> list[Key]:
    """The predicted relations matched one to one with gold relations whose pair they overlap (_same_pair).

    Exact matches pair first, the rest in span order, each with the first free gold relation it overlaps;
    one to one, so a long predicted span that covers two gold mentions counts once, not twice.
    """
    matched = sorted(predicted & gold)
    free = sorted(gold - predicted)
    for key in sorted(predicted - gold):
        partner = next((candidate for candidate in free if _same_pair(key, candidate)), None)
        if partner is not None:
            free.remove(partner)
            matched.append(key)
    return matched


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _scores(gold: int, predicted: int, correct: int, matched: int) -> dict:
    return {
        "gold": gold,
        "predicted": predicted,
        "correct": correct,
        "precision": _ratio(correct, predicted),
        "recall": _ratio(correct, gold),
        "overlap_correct": matched,
        "overlap_precision": _ratio(matched, predicted),
        "overlap_recall": _ratio(matched, gold),
    }


def _per_type(gold: Counter, predicted: Counter, correct: Counter, matched: Counter) -> dict[str, dict]:
    return {type_: _scores(gold[type_], predicted[type_], correct[type_], matched[type_]) for type_ in SCORED_TYPES}


def _micro(types: dict[str, dict]) -> dict:
    return _scores(
        *(sum(row[k] for row in types.values()) for k in ("gold", "predicted", "correct", "overlap_correct"))
    )


def evaluate_relations(gold_path: str | Path, mentions: str = "gold", fast: bool = False) -> dict:
    """Precision/recall per mapped relation type; see the module docstring for the mapping.

    Two scorings: exact on spans (`precision`, `recall`), and the issue's pair
    match (`overlap_precision`, `overlap_recall`): a prediction counts when its
    type matches and its head and tail spans overlap a gold relation's, one to
    one (overlap_matches), so a boundary disagreement (the extractor's "object
    detectors" vs the gold "object detector") is not a missed relation.
    """
    if mentions not in ("gold", "predicted"):
        raise ValueError(f"mentions must be 'gold' or 'predicted', not {mentions!r}")
    records = list(_records(gold_path))
    run = _gold_mention_relations if mentions == "gold" else partial(_predicted_mention_relations, fast=fast)
    gold_counts: Counter = Counter()
    predicted_counts: Counter = Counter()
    correct: Counter = Counter()
    matched: Counter = Counter()
    unmapped: Counter = Counter()
    left_out: Counter = Counter()
    for record, (relations, found) in zip(records, run(records)):
        left_out.update(r.type for r in relations if r.type in SCORED_TYPES and cross_sentence(r, found))
        gold, unmapped_here = gold_relation_keys(record)
        unmapped += unmapped_here
        predicted = predicted_relation_keys(relations, found)
        gold_counts.update(key[0] for key in gold)
        predicted_counts.update(key[0] for key in predicted)
        correct.update(key[0] for key in predicted & gold)
        matched.update(key[0] for key in overlap_matches(predicted, gold))
    types = _per_type(gold_counts, predicted_counts, correct, matched)
    return {
        "gold_path": str(gold_path),
        "mentions": mentions,
        "documents": len(records),
        "types": types,
        "micro": _micro(types),
        "unmapped_gold": dict(unmapped),
        "cross_sentence": dict(left_out),
    }


def format_relations_report(result: dict) -> str:
    def number(value: float | None) -> str:
        return "   -" if value is None else f"{value:.2f}"

    def f1(precision: float | None, recall: float | None) -> float | None:
        return 2 * precision * recall / (precision + recall) if precision and recall else None

    def row_line(name: str, row: dict) -> str:
        exact, overlap = ([row[f"{prefix}precision"], row[f"{prefix}recall"]] for prefix in ("", "overlap_"))
        figures = [*exact, f1(*exact), *overlap, f1(*overlap)]
        return (
            f"{name:<15}{row['gold']:>6}{row['predicted']:>6}{row['correct']:>6}{row['overlap_correct']:>6}"
            + "".join(f"{number(value):>7}" for value in figures)
        )

    lines = [
        f"relations: {result['gold_path']} ({result['documents']} documents, {result['mentions']} mentions)",
        f"{'type':<15}{'gold':>6}{'pred':>6}{'ok':>6}{'ok~':>6}"
        + "".join(f"{column:>7}" for column in ("P", "R", "F1", "P~", "R~", "F1~")),
    ]
    lines += [row_line(type_, row) for type_, row in result["types"].items()]
    lines.append(row_line("micro", result["micro"]))
    lines.append("ok: exact spans; ok~: head and tail spans overlap a gold relation's, matched one to one")
    if result["unmapped_gold"]:
        unmapped = ", ".join(f"{label} {count}" for label, count in sorted(result["unmapped_gold"].items()))
        lines.append(f"unmapped gold (not scored): {unmapped}")
    if result["cross_sentence"]:
        left_out = ", ".join(f"{type_} {count}" for type_, count in sorted(result["cross_sentence"].items()))
        lines.append(f"predicted with the head outside its sentence (not scored): {left_out}")
    return "\n".join(lines)
