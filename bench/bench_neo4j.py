"""Neo4j load benchmark: batched UNWIND/MERGE load vs one transaction per row, in one run.

    python bench/bench_neo4j.py [--nodes 100000] [--rels 300000] [--sample 5000] [--batch-size 10000] [--warm-up 4] [--ceiling]
                                [--heap 2g] [--pagecache 1g] [--fast-start] [--setting NAME=VALUE ...]

Uses NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE when NEO4J_URI is set
(the database is WIPED), else starts its own Neo4j 5.26 via tests/neo4j_server (Java + Maven) with
throughput settings (full tiered JIT + parallel GC, 2 GB heap, 1 GB page cache; the tests use the
launcher's fast-start defaults: C1-only JIT, 1 GB heap, 64 MB page cache). The output says which.

0. warm-up: --warm-up passes (default 4; the C2 JIT needs more than C1) of both loaders on a graph a tenth the size.
1. baseline: a random sample of --sample relationships; their endpoint nodes are created
   (untimed), then each relationship is MERGEd in its own write transaction (same Cypher,
   one row). Rate = sample / time.
2. batched: the database is cleared and the whole generated graph is loaded with
   Neo4jSink.load (constraints, nodes, relationships, entity statistics), batches of --batch-size.
   Rates: relationships / relationship phase, and relationships / whole load.
3. idempotency: the graph is loaded a second time; node/relationship counts must not change.
4. --ceiling: plain CREATE of the same relationships (not idempotent): the server's best case.
Bars: batched >= 20k relationships/s and >= 30x the per-row rate (whole load).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "neo4j_server"))

from kgbuild.graph.model import Graph  # noqa: E402
from kgbuild.sinks.neo4j import BATCH_SIZE, Neo4jSink, node_query, node_row, relationship_query, relationship_row  # noqa: E402

# Server settings for the launcher (not used with NEO4J_URI). Tests keep the launcher's defaults.
SERVER_SETTINGS: dict[str, str] = {}


def generate(nodes: int, rels: int, seed: int) -> tuple[Graph, str]:
    from graph_gen import generate_graph  # bench/graph_gen.py, shared with the other graph-out benchmarks

    return generate_graph(nodes, rels, seed), "bench/graph_gen.py"


def per_row_baseline(sink: Neo4jSink, graph: Graph, sample: int, seed: int) -> tuple[int, float]:
    """MERGE `sample` relationships one transaction each (endpoint nodes created beforehand, untimed)."""
    rng = random.Random(seed)
    rels = rng.sample(graph.relationships, min(sample, len(graph.relationships)))
    wanted = {(r.start_label, r.start) for r in rels} | {(r.end_label, r.end) for r in rels}
    by_label: dict[str, list[dict]] = {}
    for node in graph.nodes:
        if (node.label, node.id) in wanted:
            by_label.setdefault(node.label, []).append(node_row(node))
    for label, rows in by_label.items():  # endpoints in one batch per label: not part of the measurement
        sink._write(node_query(label), rows=rows)
    began = time.perf_counter()
    for rel in rels:
        sink._write(relationship_query(rel.type, rel.start_label, rel.end_label), rows=[relationship_row(rel)])
    return len(rels), time.perf_counter() - began


def plain_create_rate(sink: Neo4jSink, graph: Graph, batch_size: int) -> float:
    """Non-idempotent lower bound on work: CREATE nodes (one indexed label) and relationships."""
    ids = [{"id": node.id} for node in graph.nodes]
    rows = [{"a": r.start, "b": r.end, "p": dict(r.properties)} for r in graph.relationships]
    sink._write("CREATE INDEX bench_x_id IF NOT EXISTS FOR (n:BenchX) ON (n.id)")
    sink.query("CALL db.awaitIndexes(300)")
    for start in range(0, len(ids), batch_size):
        sink._write("UNWIND $rows AS row CREATE (:BenchX {id: row.id})", rows=ids[start : start + batch_size])
    began = time.perf_counter()
    for start in range(0, len(rows), batch_size):
        sink._write(
            "UNWIND $rows AS row MATCH (a:BenchX {id: row.a}) MATCH (b:BenchX {id: row.b}) "
            "CREATE (a)-[r:BENCH_R]->(b) SET r = row.p",
            rows=rows[start : start + batch_size],
        )
    rate = len(rows) / (time.perf_counter() - began)
    sink.clear()
    sink._write("DROP INDEX bench_x_id IF EXISTS")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--rels", type=int, default=300_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warm-up", type=int, default=4, help="warm-up passes on a graph 1/10 the size")
    parser.add_argument(
        "--fast-start",
        action="store_true",
        help="launcher only: the tests' fast-start JVM (C1-only JIT, serial GC) instead of throughput settings",
    )
    parser.add_argument("--heap", default="2g", help="launcher only: JVM heap (default 2g)")
    parser.add_argument("--pagecache", default="1g", help="launcher only: page cache (default 1g)")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="launcher only: extra neo4j.conf setting (repeatable)",
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also time plain CREATE (no MERGE, no idempotency) of the same relationships: "
        "what this server manages at best",
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    graph, source = generate(args.nodes, args.rels, args.seed)
    gen_seconds = time.perf_counter() - t0
    print(
        f"graph: {len(graph.nodes):,} nodes, {len(graph.relationships):,} relationships "
        f"from {source} in {gen_seconds:.1f}s",
        flush=True,
    )

    with ExitStack() as stack:
        if os.environ.get("NEO4J_URI"):
            sink = stack.enter_context(Neo4jSink.from_env(batch_size=args.batch_size))
            where = f"{sink.uri} (from NEO4J_URI)"
        else:
            from neo4j_server import running_neo4j

            settings = {**SERVER_SETTINGS, **dict(item.split("=", 1) for item in args.setting)}
            server = stack.enter_context(
                running_neo4j(
                    password="kgbuild-bench-pw",
                    heap=args.heap,
                    pagecache=args.pagecache,
                    fast_start=args.fast_start,
                    settings=settings,
                )
            )
            sink = stack.enter_context(
                Neo4jSink(server.uri, server.user, server.password, server.database, batch_size=args.batch_size)
            )
            jvm = (
                "fast-start JVM (C1-only JIT, serial GC)"
                if args.fast_start
                else "throughput JVM (tiered JIT, parallel GC)"
            )
            where = (
                f"{server.uri} (tests/neo4j_server launcher, Neo4j 5.26 Community; {jvm}, heap {args.heap}, "
                f"page cache {args.pagecache}" + "".join(f", {k}={v}" for k, v in settings.items()) + ")"
            )
        print(f"server: {where}", flush=True)

        # Warm-up (JIT, query plans) on a small graph of another seed, so neither measurement pays it.
        warm_up, _ = generate(max(args.nodes // 10, 100), max(args.rels // 10, 300), args.seed + 1)
        for _ in range(args.warm_up):
            sink.clear()
            sink.load(warm_up)
            per_row_baseline(sink, warm_up, min(args.sample // 10, 500), args.seed)
        sink.clear()
        sink.create_constraints()
        sample_n, sample_s = per_row_baseline(sink, graph, args.sample, args.seed)
        per_row_rate = sample_n / sample_s
        print(f"per-row: {sample_n:,} relationships in {sample_s:.1f}s", flush=True)

        sink.clear()
        report = sink.load(graph)
        counts = sink.counts()
        assert counts == {"nodes": graph.node_counts(), "relationships": graph.relationship_counts()}, counts
        rel_seconds = report["phase_seconds"]["relationships"]
        batched_rate = len(graph.relationships) / rel_seconds
        overall_rate = len(graph.relationships) / report["seconds"]
        print(f"batched: {report['seconds']:.1f}s total {report['phase_seconds']}", flush=True)

        again = sink.load(graph)
        idempotent = sink.counts() == counts and again["nodes_created"] == 0 and again["relationships_created"] == 0

        ceiling = None
        if args.ceiling:
            sink.clear()
            ceiling = plain_create_rate(sink, graph, args.batch_size)

    ratio = batched_rate / per_row_rate
    rows = [
        ("graph", f"{len(graph.nodes):,} nodes / {len(graph.relationships):,} relationships"),
        ("batch size", f"{args.batch_size:,} rows per execute_write transaction"),
        (
            "batched load, total",
            f"{report['seconds']:.1f} s (nodes {report['phase_seconds']['nodes']:.1f} s, "
            f"rels {rel_seconds:.1f} s, entity stats {report['phase_seconds']['recompute']:.1f} s)",
        ),
        ("batched rels/s (rel phase)", f"{batched_rate:,.0f}"),
        ("batched rels/s (whole load)", f"{overall_rate:,.0f}"),
        ("per-row rels/s (5k sample)", f"{per_row_rate:,.0f}"),
        ("ratio batched / per-row", f"{ratio:,.1f}x  (whole load: {overall_rate / per_row_rate:,.1f}x)"),
        (
            "second load",
            f"{again['seconds']:.1f} s, created {again['nodes_created']} nodes / "
            f"{again['relationships_created']} rels, counts unchanged: {idempotent}",
        ),
    ]
    if ceiling:
        rows.append(
            (
                "plain CREATE rels/s (ceiling)",
                f"{ceiling:,.0f}  (batched MERGE load reaches {batched_rate / ceiling:.0%} of it)",
            )
        )
    width = max(len(k) for k, _ in rows)
    print()
    print(f"{'measure':<{width}} | value")
    print(f"{'-' * width}-+-{'-' * 60}")
    for key, value in rows:
        print(f"{key:<{width}} | {value}")
    ok = overall_rate >= 20_000 and overall_rate / per_row_rate >= 30 and idempotent
    print(f"\nbars (>= 20,000 rels/s and >= 30x per-row, on the whole load; idempotent): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
