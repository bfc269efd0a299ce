"""Graph-out benchmark: time writing one generated graph to each sink.

    python bench/bench_graph_out.py [--nodes 100000] [--rels 300000] [--seed 0] [--keep DIR]

Parts (each takes the Graph and a scratch directory, returns what it measured):
  graphml   write_graphml, then the file size
  embedded  EmbeddedStore.load (schema DDL + bulk COPY), then counts checked against the Graph
A further sink (e.g. Neo4j) is one more entry in PARTS and, if it needs options, one more flag.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from graph_gen import generate_graph  # noqa: E402

from kgbuild.graph.model import Graph  # noqa: E402
from kgbuild.sinks.embedded import EmbeddedStore  # noqa: E402
from kgbuild.sinks.graphml import write_graphml  # noqa: E402


def bench_graphml(graph: Graph, scratch: Path) -> dict[str, str]:
    path = scratch / "graph.graphml"
    started = time.perf_counter()
    write_graphml(graph, path)
    seconds = time.perf_counter() - started
    return {"seconds": f"{seconds:.1f}", "size": f"{path.stat().st_size / 2**20:.0f} MiB"}


def bench_embedded(graph: Graph, scratch: Path) -> dict[str, str]:
    with EmbeddedStore(scratch / "graph.lbug") as store:
        started = time.perf_counter()
        store.load(graph, replace=True)
        seconds = time.perf_counter() - started
        loaded_right = store.counts() == {"nodes": graph.node_counts(), "relationships": graph.relationship_counts()}
    if not loaded_right:
        raise SystemExit("embedded store counts differ from the graph's")
    rate = len(graph.relationships) / seconds
    return {
        "seconds": f"{seconds:.1f}",
        "size": f"{(scratch / 'graph.lbug').stat().st_size / 2**20:.0f} MiB",
        "rate": f"{rate:,.0f} relationships/s",
    }


PARTS: dict[str, Callable[[Graph, Path], dict[str, str]]] = {"graphml": bench_graphml, "embedded": bench_embedded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--rels", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, from {', '.join(PARTS)}")
    parser.add_argument("--keep", type=Path, help="write the outputs here instead of a deleted temporary directory")
    args = parser.parse_args()

    started = time.perf_counter()
    graph = generate_graph(args.nodes, args.rels, args.seed)
    print(
        f"generate  {len(graph.nodes):,} nodes, {len(graph.relationships):,} relationships "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="kgbuild-bench-") as temporary:
        scratch = args.keep or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        for name in args.parts.split(","):
            measured = PARTS[name](graph, scratch)
            print(f"{name:<9} " + "  ".join(f"{key} {value}" for key, value in measured.items()), flush=True)


if __name__ == "__main__":
    main()
