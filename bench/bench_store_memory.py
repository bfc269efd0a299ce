"""Where the memory of a graph write goes: link, stream the graph, then each COPY into the embedded store.

    python bench/bench_store_memory.py EXTRACTED --papers 10000 [--threads 0]
    python bench/bench_store_memory.py EXTRACTED --papers 40000 [--threads 0]

Run once per size (a fresh process, so each peak is its own): links the first N papers of a `kgbuild
extract` file, streams the graph onto disk, writes the store's COPY files, then runs each COPY and
prints this process's RSS and peak RSS after each stage and after each COPY of 1 MB or more. The
slope between two sizes, stage by stage, shows which part grows with the papers (docs/scale.md).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from itertools import islice
from pathlib import Path

import ladybug

from kgbuild.pipeline import link_extracted, read_extracted
from kgbuild.schema import load_schema
from kgbuild.sinks import embedded


def _memory() -> str:
    with open("/proc/self/status", encoding="ascii") as status:
        rss_kb = int(status.read().split("VmRSS:")[1].split()[0])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"RSS {rss_kb / 1024:7.0f} MB  peak {peak_mb:7.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extracted", help="a `kgbuild extract` JSONL file")
    parser.add_argument("--papers", type=int, required=True, help="link and write the first N papers")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="LadybugDB max_num_threads (kgbuild loads with 1; 0: LadybugDB's default)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"start                                    {_memory()}", flush=True)
    corpus = link_extracted(islice(read_extracted(args.extracted), args.papers))
    print(f"linked ({len(corpus.entities):,} entities)".ljust(41) + _memory(), flush=True)
    graph = corpus.graph()
    del corpus  # as in `kgbuild load`: the sinks start with nothing of the linker left but the graph's files
    print(f"graph streamed to disk                   {_memory()}", flush=True)
    schema = load_schema()
    with tempfile.TemporaryDirectory(prefix="bench-store-") as work:
        database = ladybug.Database(str(Path(work) / "store.lbdb"), max_num_threads=args.threads)
        connection = ladybug.Connection(database)
        for statement in embedded.schema_statements(schema):
            connection.execute(statement)
        print(f"store opened                             {_memory()}", flush=True)
        plans = embedded._write_tables(graph, schema, Path(work))
        print(f"COPY files written ({len(plans)})".ljust(41) + _memory(), flush=True)
        for table, csv_path, types, pair in plans:
            connection.execute(embedded._copy_statement(table, csv_path, types, pair))
            size = csv_path.stat().st_size / 1e6
            if size >= 1:
                print(f"COPY {csv_path.name:30} {size:5.1f} MB {_memory()}", flush=True)
        connection.close()
        database.close()
    print(f"done in {time.perf_counter() - started:.0f} s".ljust(41) + _memory(), flush=True)


if __name__ == "__main__":
    main()
