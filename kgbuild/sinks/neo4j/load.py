"""Loading a graph into Neo4j: the graph streamed into the statements of `cypher` in UNWIND batches.

The graph may be a StreamedGraph read from disk: nothing here holds more than one batch per statement
(at most batch_size rows for each of the ~25 node labels and relationship patterns), so memory does
not grow with the graph.

1. Nodes, as they come, MERGEd on their key (`workers` concurrent transactions: keys are distinct).
2. Relationships, as they come, MERGEd with their papers/evidence appended as ordered sets and
   support = size(papers) (one transaction at a time, while the next batch is built: two batches
   could lock the same entity nodes, and a repeated key keeps its order).
3. Every entity of the graph has mention_count, paper_count, aliases and alias_counts recomputed from
   its MENTIONS in the database (a second pass over the nodes): exact whether the entity is new, was
   there before (loading two corpora combines them) or was partly written by a load that died.
Loading the same graph again changes nothing. Assumes one loader at a time per database.

Each load is recorded as a `:KgbuildLoad {id, started, finished, graph, version}` node (label from the
schema's bookkeeping section): created with no `finished` before the first write, given one after the
last. A load that died midway stays unfinished, so `incomplete_loads()` (and `kgbuild stats --target
neo4j`) say the graph may be partial, until a load of the same graph (same `graph` fingerprint)
completes: loads are idempotent, so that one makes the graph whole.
"""

from __future__ import annotations

import datetime
import hashlib
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kgbuild import __version__
from kgbuild.graph.model import GraphSource, Node, Relationship
from kgbuild.schema import load_schema
from kgbuild.sinks.neo4j import cypher
from kgbuild.sinks.neo4j.connection import Neo4jConnection

_COUNTERS = ("nodes_created", "relationships_created", "properties_set")


def node_row(node: Node) -> dict:
    """A node_query row."""
    return {"key": node.id, "p": {k: v for k, v in node.properties.items() if v is not None}}


def relationship_row(rel: Relationship) -> dict:
    """A relationship_query row (papers and evidence always lists)."""
    p: dict[str, Any] = {k: v for k, v in rel.properties.items() if v is not None}
    p["papers"] = list(p.get("papers") or [])
    p["evidence"] = list(p.get("evidence") or [])
    return {"start": rel.start, "end": rel.end, "p": p}


def graph_fingerprint(graph: GraphSource) -> str:
    """A hash of the graph's node keys and relationship keys, in any order, in one pass and constant
    memory: the sum modulo 2**256 of each key's sha256 (a multiset hash). Two loads with the same
    fingerprint write the same nodes and relationships."""
    total = 0
    for node in graph.nodes:
        total += int.from_bytes(hashlib.sha256(f"N\x00{node.label}\x00{node.id}".encode()).digest())
    for rel in graph.relationships:
        key = f"R\x00{rel.type}\x00{rel.start_label}\x00{rel.start}\x00{rel.end_label}\x00{rel.end}"
        total += int.from_bytes(hashlib.sha256(key.encode()).digest())
    return f"{total % (1 << 256):064x}"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


class _Writer:
    """Rows collected per statement and sent in batches of `batch_size` as they fill, with at most
    `in_flight` transactions running (while the caller builds the next rows). Adds up the server's
    counters."""

    def __init__(
        self,
        connection: Neo4jConnection,
        pool: ThreadPoolExecutor,
        in_flight: int,
        parameter: str = "rows",
        order: Callable[[Any], Any] | None = None,
    ) -> None:
        self._connection, self._pool, self._in_flight, self._parameter = connection, pool, in_flight, parameter
        self._order = order
        self._rows: dict[str, list] = defaultdict(list)
        self._running: deque[Future] = deque()
        self.totals = dict.fromkeys(_COUNTERS, 0)

    def add(self, statement: str, row: Any) -> None:
        rows = self._rows[statement]
        rows.append(row)
        if len(rows) >= self._connection.batch_size:
            self._send(statement, self._rows.pop(statement))

    def _send(self, statement: str, rows: list) -> None:
        while len(self._running) >= self._in_flight:
            self._collect(self._running.popleft())
        if self._order is not None:
            rows.sort(key=self._order)  # stable: a repeated key keeps its order
        # _write looked up on the connection each time (a test replaces it to make a load die midway).
        self._running.append(
            self._pool.submit(
                self._connection._write, statement, fast_retry=self._in_flight > 1, **{self._parameter: rows}
            )
        )

    def _collect(self, future: Future) -> None:
        counters = future.result()
        for name in _COUNTERS:
            self.totals[name] += getattr(counters, name)

    def finish(self) -> dict[str, int]:
        """Send what is left and wait for every transaction."""
        for statement in list(self._rows):
            self._send(statement, self._rows.pop(statement))
        while self._running:
            self._collect(self._running.popleft())
        return self.totals


def _by_endpoints(row: dict) -> tuple[str, str]:
    """Relationship rows of one start node together: the server finds it once per run of rows."""
    return row["start"], row["end"]


def _entity_ids(nodes: Iterable[Node]) -> Iterator[tuple[str, str]]:
    entity_labels = set(load_schema().entity_labels)
    for node in nodes:
        if node.label in entity_labels:
            yield node.label, node.id


class Neo4jSink(Neo4jConnection):
    """A Neo4j connection that loads graphs (see the module docstring):

    with Neo4jSink("neo4j://localhost:7687", "neo4j", password) as sink:
        report = sink.load(graph)
    """

    def create_constraints(self) -> int:
        """The schema's constraints and indexes (repeatable). Returns the statement count."""
        statements = cypher.constraint_statements()
        self.run_statements(statements)
        return len(statements) - 1  # the last one waits for the indexes

    def load(self, graph: GraphSource) -> dict[str, Any]:
        """MERGE the graph in; returns the rows per label/type, the server's change counters and the
        seconds each phase took. The load is recorded as a KgbuildLoad node, finished only when every
        write succeeded."""
        self.create_constraints()
        fingerprint = graph_fingerprint(graph)
        load_id = str(uuid.uuid4())
        self._write(cypher.start_load_query(), id=load_id, started=_now(), graph=fingerprint, version=__version__)
        report = self._merge(graph)
        self._write(cypher.finish_load_query(), id=load_id, graph=fingerprint, finished=_now())
        return report

    def _merge(self, graph: GraphSource) -> dict[str, Any]:
        began = mark = time.perf_counter()
        phases: dict[str, float] = {}
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="neo4j-load") as pool:
            nodes = _Writer(self, pool, self.workers)
            for node in graph.nodes:
                nodes.add(cypher.node_query(node.label), node_row(node))
            totals = nodes.finish()
            phases["nodes"], mark = time.perf_counter() - mark, time.perf_counter()

            relationships = _Writer(self, pool, 1, order=_by_endpoints)
            for rel in graph.relationships:
                relationships.add(
                    cypher.relationship_query(rel.type, rel.start_label, rel.end_label), relationship_row(rel)
                )
            for name, value in relationships.finish().items():
                totals[name] += value
            phases["relationships"], mark = time.perf_counter() - mark, time.perf_counter()

            recomputes, recomputed = _Writer(self, pool, self.workers, parameter="ids"), 0
            for label, key in _entity_ids(graph.nodes):
                recomputes.add(cypher.recompute_query(label), key)
                recomputed += 1
            recomputes.finish()  # its properties_set are not counted: it rewrites what the load set
            phases["recompute"] = time.perf_counter() - mark
        return {
            "nodes": graph.node_counts(),
            "relationships": graph.relationship_counts(),
            **totals,
            "entities_recomputed": recomputed,
            "seconds": round(time.perf_counter() - began, 3),
            "phase_seconds": {name: round(seconds, 3) for name, seconds in phases.items()},
        }
