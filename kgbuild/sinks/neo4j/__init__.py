"""Neo4j sink: merge a graph into a Neo4j 5 server with batched, parameterised UNWIND MERGEs.

    with Neo4jSink("neo4j://localhost:7687", "neo4j", password) as sink:
        report = sink.load(graph)

- `cypher`: every statement, built from schema/graph.yaml names only; every value is a parameter.
- `load`: Neo4jSink.load, the graph streamed into those statements in batches (idempotent, incremental,
  memory bounded by the batch), and the KgbuildLoad record of each load.
- `connection`: the driver, its transactions, reads (query, counts, incomplete_loads) and the one-line
  Neo4jConnectionError.
"""

from kgbuild.sinks.neo4j.connection import BATCH_SIZE, Neo4jConnectionError
from kgbuild.sinks.neo4j.cypher import node_query, recompute_query, relationship_query
from kgbuild.sinks.neo4j.load import (
    Neo4jSink,
    graph_fingerprint,
    node_row,
    relationship_row,
)

__all__ = [
    "BATCH_SIZE",
    "Neo4jConnectionError",
    "Neo4jSink",
    "graph_fingerprint",
    "node_query",
    "node_row",
    "recompute_query",
    "relationship_query",
    "relationship_row",
]
