"""Bulk import benchmark: `kgbuild export --format neo4j-import` + `neo4j-admin database import full`.

    python bench/bench_neo4j_import.py EXTRACTED.jsonl [--workdir DIR] [--heap 2g] [--incremental]

1. export: `kgbuild export EXTRACTED --format neo4j-import -o DIR/import` (wall, peak RSS).
2. import: the command the export wrote (import-command.txt), run as Neo4j's AdminTool from the
   Maven artifacts of tests/neo4j_server (`neo4j-admin` is that class in the distribution) into a
   fresh NEO4J_HOME (wall).
3. check: a server started on the imported store; node and relationship counts read back per label
   and type must equal the export's (kgbuild-manifest.json counts).
4. --incremental: the same extract loaded with `kgbuild load --neo4j` (the idempotent UNWIND MERGE
   path) into an empty database of a fresh server (wall, client peak RSS), counts checked the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "neo4j_server"))

from bench_scale import run  # noqa: E402

from kgbuild.sinks.neo4j import Neo4jSink  # noqa: E402
from neo4j_server import LIB, build_launcher, jvm_options, running_neo4j, serving_store  # noqa: E402

PASSWORD = "bench-import-pw"


def _server_counts(uri: str) -> dict:
    with Neo4jSink(uri, "neo4j", PASSWORD) as sink:
        return sink.counts()


def _imported_counts(home: Path, heap: str) -> dict:
    """Start the launcher on the imported store and read the counts back."""
    with serving_store(home, PASSWORD, jvm_options(heap, fast_start=True)) as uri:
        return _server_counts(uri)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extracted", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--heap", default="2g", help="JVM heap of the import tool and the servers")
    parser.add_argument("--incremental", action="store_true", help="also time `kgbuild load --neo4j`")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kgbuild-bench-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    kgbuild = str(Path(sys.executable).parent / "kgbuild")

    out = workdir / "import"
    exported = run([kgbuild, "export", str(args.extracted), "--format", "neo4j-import", "-o", str(out), "--replace"])
    expected = json.loads((out / "kgbuild-manifest.json").read_text())["counts"]
    print(
        f"export   wall {exported['wall']:7.1f} s  peak RSS {exported['rss_mb']:7.1f} MB  "
        f"{sum(expected['nodes'].values()):,} nodes, {sum(expected['relationships'].values()):,} relationships"
    )

    jar = build_launcher()
    home = workdir / "home"
    (home / "conf").mkdir(parents=True, exist_ok=True)
    command = shlex.split((out / "import-command.txt").read_text())
    environment = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    started = time.perf_counter()
    done = subprocess.run(
        [
            "java",
            *jvm_options(args.heap, fast_start=False),
            "-cp",
            f"{jar}{os.pathsep}{LIB / '*'}",
            "org.neo4j.cli.AdminTool",
            *command[1:],
        ],
        env=environment,
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or "IMPORT DONE" not in done.stdout + done.stderr:
        raise SystemExit(f"import failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    print(f"import   wall {seconds:7.1f} s  (neo4j-admin database import full, heap {args.heap})")
    counts = _imported_counts(home, args.heap)
    print(f"check    counts read back {'EQUAL' if counts == expected else 'DIFFERENT'} to the export's")
    if counts != expected:
        print(json.dumps({"server": counts, "export": expected}, indent=1))

    if args.incremental:
        with running_neo4j(password=PASSWORD, heap=args.heap, pagecache="1g", fast_start=False) as server:
            loaded = run(
                [kgbuild, "load", str(args.extracted), "--neo4j", server.uri, "-q"],
                env={**os.environ, "NEO4J_PASSWORD": PASSWORD},
            )
            counts = _server_counts(server.uri)
        rels = sum(expected["relationships"].values())
        print(
            f"merge    wall {loaded['wall']:7.1f} s  client peak RSS {loaded['rss_mb']:7.1f} MB  "
            f"{rels / loaded['wall']:,.0f} relationships/s  counts {'EQUAL' if counts == expected else 'DIFFERENT'}"
        )


if __name__ == "__main__":
    main()
