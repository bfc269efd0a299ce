"""Build the Graph from linked papers, their entities and the linker's variant pairs.

Relations stated in several papers become one relationship whose `support` is
the number of papers and whose `evidence` keeps one JSON object per statement
(paper, field, start, end, sentence, source), so aggregation loses nothing.
A result (HAS_RESULT) becomes a Result node: (system)-[:ACHIEVES]->(Result)-[:MEASURED_ON]->(dataset or task),
(Result)-[:MEASURED_BY]->(metric), (paper)-[:REPORTS]->(Result). An OUTPERFORMS stated with its margin
(value and unit of the relation) adds it to the relationship's `delta` list.
VARIANT_OF is stated by the variant's name itself ("LLaMA-2-7B" names the family and a size; the linker pairs
names, kgbuild.link.variants): its papers are the papers mentioning the variant, its evidence each mention of
it (the name as written, source "link:variant-name"), its score the surest of those mentions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Literal

from kgbuild.graph.model import Graph, Node, PropertyValue, Relationship
from kgbuild.link.keys import clean_surface
from kgbuild.models import Entity, EntityLabel, ExtractedPaper, Relation, ResultRelation
from kgbuild.schema import Label, RelType, load_schema


@dataclass
class Aggregate:
    start_label: Label
    end_label: Label
    papers: dict[str, None] = field(default_factory=dict)  # ordered set
    evidence: list[str] = field(default_factory=list)
    score: float = 0.0
    texts: list[str] = field(default_factory=list)
    deltas: list[str] = field(default_factory=list)  # OUTPERFORMS margins, as stated


@dataclass
class GraphBuilder:
    """Accumulates papers one by one (`add`), then `graph()`. Skipped relations are counted."""

    # read again for the entity nodes, not held: the linker's LinkedEntities builds each entity when read
    entities: Sequence[Entity] = field(default_factory=list)
    labels: dict[str, EntityLabel] = field(default_factory=dict)  # entity id -> label: what statements need
    nodes: list[Node] = field(default_factory=list)
    aggregates: dict[tuple[RelType, str, str], Aggregate] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    families: dict[str, list[str]] = field(default_factory=dict)  # variant entity id -> its family entity ids

    def add_entities(self, entities: Sequence[Entity], variant_pairs: Iterable[tuple[str, str]] = ()) -> None:
        self.entities = entities
        for entity in entities:
            self.labels[entity.id] = entity.label
        for variant, family in variant_pairs:
            self.families.setdefault(variant, []).append(family)

    def _aggregate(self, rel_type: RelType, start: tuple[Label, str], end: tuple[Label, str]) -> Aggregate:
        key = (rel_type, start[1], end[1])
        if key not in self.aggregates:
            self.aggregates[key] = Aggregate(start[0], end[0])
        return self.aggregates[key]

    def _state(
        self,
        rel_type: RelType,
        start: tuple[Label, str],
        end: tuple[Label, str],
        paper: ExtractedPaper,
        span: tuple[str, int, int],
        text: str,
        score: float,
        source: str,
        delta: str = "",
    ) -> None:
        if not load_schema().relationships[rel_type].allows(start[0], end[0]):
            self.skipped[rel_type] = self.skipped.get(rel_type, 0) + 1
            return
        aggregate = self._aggregate(rel_type, start, end)
        aggregate.papers[paper.paper_id] = None
        aggregate.score = max(aggregate.score, score)
        if rel_type == RelType.MENTIONS:  # surface forms, as the linker counts aliases (no line breaks, soft hyphens)
            aggregate.texts.append(clean_surface(text))
        if delta:
            aggregate.deltas.append(delta)
        aggregate.evidence.append(
            json.dumps(
                {
                    "paper": paper.paper_id,
                    "field": span[0],
                    "start": span[1],
                    "end": span[2],
                    "text": text,
                    "source": source,
                },
                ensure_ascii=False,
            )
        )

    def _endpoint(self, paper: ExtractedPaper, ref: int | Literal["paper"]) -> tuple[Label, str] | None:
        if ref == "paper":
            return Label.PAPER, paper.paper_id
        entity_id = paper.mentions[ref].entity_id
        if entity_id is None or entity_id not in self.labels:
            return None
        return self.labels[entity_id], entity_id

    def add(self, paper: ExtractedPaper) -> None:
        node = paper.paper()
        self.nodes.append(Node(label=Label.PAPER, id=node.id, properties=node.model_dump(exclude={"id"})))
        for index, mention in enumerate(paper.mentions):
            end = self._endpoint(paper, index)
            if end is None:
                self.skipped[RelType.MENTIONS] = self.skipped.get(RelType.MENTIONS, 0) + 1
                continue
            span = (mention.field, mention.start, mention.end)
            self._state(
                RelType.MENTIONS,
                (Label.PAPER, paper.paper_id),
                end,
                paper,
                span,
                mention.text,
                mention.score,
                mention.source,
            )
            for family in self.families.get(end[1], ()):
                self._state(
                    RelType.VARIANT_OF,
                    end,
                    (Label.MODEL, family),
                    paper,
                    span,
                    mention.text,
                    mention.score,
                    "link:variant-name",
                )
        for relation in paper.relations:
            self._add_relation(paper, relation)

    def _add_relation(self, paper: ExtractedPaper, relation: Relation) -> None:
        head, tail = self._endpoint(paper, relation.head), self._endpoint(paper, relation.tail)
        if head is None or tail is None:
            self.skipped[relation.type] = self.skipped.get(relation.type, 0) + 1
            return
        start, end = relation.evidence
        sentence = paper.text(relation.field)[start:end]
        span = (relation.field, start, end)
        if relation.type != ResultRelation.HAS_RESULT:
            margin = (
                " ".join(filter(None, (relation.value, relation.unit))) if relation.type == RelType.OUTPERFORMS else ""
            )
            self._state(relation.type, head, tail, paper, span, sentence, relation.score, relation.source, margin)
            return
        schema = load_schema()
        if not (
            schema.relationships[RelType.ACHIEVES].allows(head[0], Label.RESULT)
            and schema.relationships[RelType.MEASURED_ON].allows(Label.RESULT, tail[0])
        ):
            self.skipped[relation.type] = self.skipped.get(relation.type, 0) + 1
            return
        metric = self._endpoint(paper, relation.metric) if relation.metric is not None else None
        metric_name = clean_surface(paper.mentions[relation.metric].text) if relation.metric is not None else None
        result_id = (
            "Result:"
            + blake2b(
                "\0".join(
                    [paper.paper_id, head[1], tail[1], metric[1] if metric else "", relation.value or "", str(start)]
                ).encode(),
                digest_size=8,
            ).hexdigest()
        )
        result = (Label.RESULT, result_id)
        self.nodes.append(
            Node(
                label=Label.RESULT,
                id=result_id,
                properties={
                    "value": relation.value or "",
                    "unit": relation.unit,
                    "metric": metric_name,
                    "paper_id": paper.paper_id,
                    "evidence": sentence,
                    "score": relation.score,
                },
            )
        )
        self._state(RelType.ACHIEVES, head, result, paper, span, sentence, relation.score, relation.source)
        self._state(RelType.MEASURED_ON, result, tail, paper, span, sentence, relation.score, relation.source)
        if metric:
            self._state(RelType.MEASURED_BY, result, metric, paper, span, sentence, relation.score, relation.source)
        self._state(
            RelType.REPORTS,
            (Label.PAPER, paper.paper_id),
            result,
            paper,
            span,
            sentence,
            relation.score,
            relation.source,
        )

    def _entity_nodes(self) -> list[Node]:
        """Entity nodes whose mention_count/paper_count are counted from the MENTIONS built,
        so they agree exactly with the graph (as the Neo4j loader recomputes them after a load)."""
        counts = MentionCounts()
        for (rel_type, _, end), aggregate in self.aggregates.items():
            counts.add(rel_type, end, aggregate)
        return [counts.node(entity) for entity in self.entities]

    def graph(self) -> Graph:
        relationships = [relationship(key, aggregate) for key, aggregate in self.aggregates.items()]
        return Graph(nodes=self._entity_nodes() + self.nodes, relationships=relationships)


@dataclass
class MentionCounts:
    """Per entity: MENTIONS statements (mention_count) and MENTIONS relationships (paper_count)."""

    mentions: dict[str, int] = field(default_factory=dict)
    papers: dict[str, int] = field(default_factory=dict)

    def add(self, rel_type: str, end: str, aggregate: Aggregate) -> None:
        if rel_type == RelType.MENTIONS:
            self.mentions[end] = self.mentions.get(end, 0) + len(aggregate.texts)
            self.papers[end] = self.papers.get(end, 0) + 1

    def node(self, entity: Entity) -> Node:
        properties = entity.model_dump(exclude={"id", "label"})
        properties["mention_count"] = self.mentions.get(entity.id, 0)
        properties["paper_count"] = self.papers.get(entity.id, 0)
        return Node(label=entity.label, id=entity.id, properties=properties)


def relationship(key: tuple[RelType, str, str], aggregate: Aggregate) -> Relationship:
    """The relationship of one (type, start, end) key and everything stated about it."""
    rel_type, start, end = key
    properties: dict[str, PropertyValue | None] = {
        "support": len(aggregate.papers),
        "score": round(aggregate.score, 4),
        "papers": list(aggregate.papers),
        "evidence": aggregate.evidence,
    }
    if rel_type == RelType.MENTIONS:
        properties["count"] = len(aggregate.texts)
        properties["texts"] = aggregate.texts
    if aggregate.deltas:
        properties["delta"] = aggregate.deltas
    return Relationship(
        type=rel_type,
        start=start,
        start_label=aggregate.start_label,
        end=end,
        end_label=aggregate.end_label,
        properties=properties,
    )


def build_graph(
    papers: Iterable[ExtractedPaper], entities: Sequence[Entity], variant_pairs: Iterable[tuple[str, str]] = ()
) -> Graph:
    builder = GraphBuilder()
    builder.add_entities(entities, variant_pairs)
    for paper in papers:
        builder.add(paper)
    return builder.graph()
