"""Incremental Neo4j load benchmark: `kgbuild load EXTRACT --neo4j URI` (the idempotent UNWIND MERGE path).

    python bench/bench_neo4j_load.py EXTRACTED.jsonl [--sizes 10000,50000] [--twice] [--heap 2g]
                                     [--workdir DIR]

For each size N, the first N papers of EXTRACTED (written once to DIR/extract-N.jsonl) are loaded into
an emptied database of one Neo4j server (the Maven launcher of tests/neo4j_server, throughput JVM):
wall time, peak RSS of the kgbuild process (wait4), and the node/relationship counts read back from
the server compared with the graph's (the count table `load` prints). --twice loads the same
extract again: it must change no count (idempotent). Then the RSS slope between the first and the
last size in KB per paper. Run it with PYTHONPATH=OTHER_CHECKOUT to measure another version.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "neo4j_server"))

from bench_scale import run  # noqa: E402

from kgbuild.sinks.neo4j import Neo4jSink  # noqa: E402
from neo4j_server import running_neo4j  # noqa: E402

PASSWORD = "bench-load-pw"


def _graph_counts(stderr: str) -> dict:
    """The count table `kgbuild load` prints: rows like │ node │ Dataset │ 1,346 │."""
    counts: dict[str, dict[str, int]] = {"nodes": {}, "relationships": {}}
    for kind, name, number in re.findall(r"(node|relationship)\W+(\w+)\W+([\d,]+)", stderr):
        counts["nodes" if kind == "node" else "relationships"][name] = int(number.replace(",", ""))
    return counts


def _head(extracted: Path, papers: int, workdir: Path) -> Path:
    path = workdir / f"extract-{papers}.jsonl"
    if not path.exists():
        with open(extracted, encoding="utf-8") as lines, open(path.with_suffix(".part"), "w", encoding="utf-8") as out:
            out.writelines(itertools.islice(lines, papers))
        path.with_suffix(".part").replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extracted", type=Path)
    parser.add_argument("--sizes", default="10000,50000", help="comma-separated paper counts")
    parser.add_argument("--twice", action="store_true", help="load each size a second time (idempotence)")
    parser.add_argument("--heap", default="2g", help="JVM heap of the server")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kgbuild-bench-load")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.sizes.split(",")]
    environment = {**os.environ, "NEO4J_PASSWORD": PASSWORD}
    peaks = {}
    with (
        running_neo4j(password=PASSWORD, heap=args.heap, pagecache="1g", fast_start=False) as server,
        Neo4jSink(server.uri, "neo4j", PASSWORD) as sink,
    ):
        for size in sizes:
            extract = _head(args.extracted, size, args.workdir)
            sink.clear()
            for attempt in ("first", "second")[: 1 + args.twice]:
                result = run(
                    [sys.executable, "-m", "kgbuild", "load", str(extract), "--neo4j", server.uri], env=environment
                )
                expected, counts = _graph_counts(result["stderr"]), sink.counts()
                peaks.setdefault(size, result["rss_mb"])
                print(
                    f"N={size:>7,} {attempt:6} load  wall {result['wall']:7.1f} s  cpu {result['cpu']:7.1f} s  "
                    f"peak RSS {result['rss_mb']:7.1f} MB  {sum(counts['nodes'].values()):,} nodes, "
                    f"{sum(counts['relationships'].values()):,} relationships read back: "
                    f"{'EQUAL' if counts == expected else 'DIFFERENT'} to the graph's",
                    flush=True,
                )
                if counts != expected:
                    print(f"  server {counts}\n  graph  {expected}", flush=True)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        slope = (peaks[large] - peaks[small]) * 1024 / (large - small)
        print(
            f"peak RSS {peaks[small]:.1f} MB at {small:,} papers, {peaks[large]:.1f} MB at {large:,}: "
            f"slope {slope:.2f} KB/paper"
        )


if __name__ == "__main__":
    main()
