"""The graph built paper by paper onto disk, so memory does not grow with the corpus.

    graph = StreamedGraph.build(papers, entities, variant_pairs)
    for node in graph.nodes: ...            # re-iterable, read from disk each time
    for rel in graph.relationships: ...
    graph.node_counts(), graph.relationship_counts()

It is the same graph `build_graph` holds in memory (same nodes, relationships and properties; only the
order of relationships differs), built from the same pieces (GraphBuilder states one paper at a time):
- A relationship with a Paper or Result endpoint is stated by one paper only (paper ids are unique in
  the stream; a Result id hashes its paper's id), so it is whole when its paper is: written at once.
- Every other relationship (between entities) aggregates statements across papers. Its per-paper
  rows are spooled in sorted runs of bounded size, and merged by (type, start, end, paper order) with
  heapq.merge: `papers`, `evidence` and `score` come out as the in-memory dict would give them.
- Entity nodes come last in time but first in `nodes`: their mention_count/paper_count are summed from
  the MENTIONS as written (MentionCounts, bounded by the entities, like the linker's own statistics).
- A Result node stated twice by one paper (the same result sentence read twice) is written once.
Memory while building: the entities, their counts and one run of at most RUN_BYTES of entity-entity rows;
once built, only the counts per label and type (every node and relationship is on disk).

The files live in a temporary directory (kgbuild-graph-<pid>-*) removed when the StreamedGraph is
garbage-collected or the interpreter exits; one left by a killed process is removed by the next run.
"""

from __future__ import annotations

import heapq
import itertools
import json
import shutil
import tempfile
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

from kgbuild.graph.build import Aggregate, GraphBuilder, MentionCounts, relationship
from kgbuild.graph.model import Node, Relationship
from kgbuild.models import Entity, ExtractedPaper
from kgbuild.outputs import remove_stale_system_temporaries, temporary_prefix
from kgbuild.schema import Label

RUN_BYTES = 32 << 20  # entity-entity rows held before a sorted run is written (bounds memory)
FAN_IN = 64  # runs merged at once (each open run holds a read buffer); more are first merged into longer runs
_PAPER_LABELS = (Label.PAPER, Label.RESULT)  # a relationship touching one of these belongs to one paper


class _Lines:
    """A re-iterable view of JSON Lines files, one after the other, each line turned into an object by `make`."""

    def __init__(self, paths: Sequence[Path], make: Callable[[list], object]):
        self._paths, self._make = paths, make

    def __iter__(self) -> Iterator:
        for path in self._paths:
            with open(path, encoding="utf-8") as lines:
                for line in lines:
                    yield self._make(json.loads(line))


def _node(row: list) -> Node:
    label, node_id, properties = row
    return Node.model_construct(label=label, id=node_id, properties=properties)  # validated when written


def _relationship(row: list) -> Relationship:
    rel_type, start, start_label, end, end_label, properties = row
    return Relationship.model_construct(
        type=rel_type, start=start, start_label=start_label, end=end, end_label=end_label, properties=properties
    )


def _dump(handle, row: list) -> None:
    handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _node_row(node: Node) -> list:
    return [node.label, node.id, node.properties]


def _relationship_row(rel: Relationship) -> list:
    return [rel.type, rel.start, rel.start_label, rel.end, rel.end_label, rel.properties]


class _SortedRuns:
    """Entity-entity statements, [type, start, end, paper number, start label, end label, paper, score,
    evidence], spooled as sorted runs of at most RUN_BYTES and merged back in key order."""

    def __init__(self, directory: Path):
        self._directory, self._bytes, self._merges = directory, 0, 0
        self._rows: list[list] = []
        self._runs: list[Path] = []

    def add(self, row: list) -> None:
        self._rows.append(row)
        self._bytes += sum(len(text) for text in row[8]) + 200
        if self._bytes >= RUN_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        self._rows.sort(key=lambda row: row[:4])
        path = self._directory / f"run-{len(self._runs)}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            for row in self._rows:
                _dump(out, row)
        self._runs.append(path)
        self._rows, self._bytes = [], 0

    def _merge(self, runs: list[Path]) -> Iterator[list]:
        """The rows of `runs` in key order; each run file is deleted once read."""
        with ExitStack() as files:
            handles = [files.enter_context(open(path, encoding="utf-8")) for path in runs]
            yield from heapq.merge(
                *((json.loads(line) for line in handle) for handle in handles), key=lambda row: row[:4]
            )
        for path in runs:
            path.unlink(missing_ok=True)

    def merged(self) -> Iterator[Relationship]:
        """One Relationship per key, its papers and evidence in paper order (as GraphBuilder.graph)."""
        self._flush()
        runs, self._runs = self._runs, []
        while len(runs) > FAN_IN:  # merge the oldest FAN_IN runs into one, until one merge takes them all
            path = self._directory / f"run-{self._merges}-merged.jsonl"
            self._merges += 1
            with open(path, "w", encoding="utf-8") as out:
                for row in self._merge(runs[:FAN_IN]):
                    _dump(out, row)
            runs = runs[FAN_IN:] + [path]
        rows = self._merge(runs)
        for key, group in itertools.groupby(rows, key=lambda row: tuple(row[:3])):
            first = next(group)
            aggregate = Aggregate(start_label=first[4], end_label=first[5])
            for _, _, _, _, _, _, paper, score, evidence in itertools.chain([first], group):
                aggregate.papers[paper] = None
                aggregate.score = max(aggregate.score, score)
                aggregate.evidence.extend(evidence)
            yield relationship(key, aggregate)


class StreamedGraph:
    """A graph on disk: `nodes` and `relationships` re-iterable, `node_counts()`/`relationship_counts()`
    as on Graph. Every sink takes it where it takes a Graph."""

    def __init__(self, directory: Path, node_counts: Counter[str], relationship_counts: Counter[str]):
        self.directory = directory
        self.nodes = _Lines((directory / "entities.jsonl", directory / "nodes.jsonl"), _node)
        self.relationships = _Lines((directory / "relationships.jsonl",), _relationship)
        self._node_counts, self._relationship_counts = node_counts, relationship_counts

    def node_counts(self) -> dict[str, int]:
        return dict(sorted(self._node_counts.items()))

    def relationship_counts(self) -> dict[str, int]:
        return dict(sorted(self._relationship_counts.items()))

    @classmethod
    def build(
        cls, papers: Iterable[ExtractedPaper], entities: Sequence[Entity], variant_pairs: Iterable[tuple[str, str]] = ()
    ) -> StreamedGraph:
        """State each paper (GraphBuilder), write what is whole, merge the rest; one pass over `papers`."""
        remove_stale_system_temporaries()
        directory = Path(tempfile.mkdtemp(prefix=temporary_prefix("graph")))
        builder = GraphBuilder()
        builder.add_entities(entities, variant_pairs)
        counts, node_counts, relationship_counts = MentionCounts(), Counter[str](), Counter[str]()
        runs = _SortedRuns(directory)
        graph = None
        try:
            with (
                open(directory / "nodes.jsonl", "w", encoding="utf-8") as nodes,
                open(directory / "relationships.jsonl", "w", encoding="utf-8") as relationships,
            ):
                for number, paper in enumerate(papers):
                    builder.add(paper)
                    written: set[str] = set()
                    for node in builder.nodes:
                        if node.id not in written:
                            written.add(node.id)
                            _dump(nodes, _node_row(node))
                            node_counts[node.label] += 1
                    for key, aggregate in builder.aggregates.items():
                        rel_type, start, end = key
                        if aggregate.start_label in _PAPER_LABELS or aggregate.end_label in _PAPER_LABELS:
                            counts.add(rel_type, end, aggregate)
                            _dump(relationships, _relationship_row(relationship(key, aggregate)))
                            relationship_counts[rel_type] += 1
                        else:
                            runs.add(
                                [
                                    rel_type,
                                    start,
                                    end,
                                    number,
                                    aggregate.start_label,
                                    aggregate.end_label,
                                    paper.paper_id,
                                    aggregate.score,
                                    aggregate.evidence,
                                ]
                            )
                    builder.nodes.clear()
                    builder.aggregates.clear()
                for rel in runs.merged():
                    _dump(relationships, _relationship_row(rel))
                    relationship_counts[rel.type] += 1
            # Entity nodes go to disk too, so the graph holds no reference to the linker's statistics
            # (what LinkedEntities reads): they are freed before the sinks, which need memory of their own.
            with open(directory / "entities.jsonl", "w", encoding="utf-8") as entity_nodes:
                for entity in builder.entities:
                    _dump(entity_nodes, _node_row(counts.node(entity)))
            node_counts.update(builder.labels.values())
            graph = cls(directory, node_counts, relationship_counts)
            weakref.finalize(graph, shutil.rmtree, directory, ignore_errors=True)
            return graph
        finally:
            if graph is None:
                shutil.rmtree(directory, ignore_errors=True)
