"""Scale benchmark: `kgbuild build` (and `kgbuild load` of its extract) on N synthetic abstracts.

    python bench/bench_scale.py [--sizes 10000,100000] [--workdir /tmp/kgbuild-scale] [--engine ray]
                                [--stages build,load] [--seed 0] [--fast] [--grow-from EXTRACT]

For each size N it writes N distinct synthetic-but-realistic abstracts (corpus-N.jsonl in --workdir,
kept and reused), then runs as subprocesses, one at a time:
  build  `kgbuild build corpus-N.jsonl -o out-N` (read, extract, link, graph out: the whole job;
         `--engine` is passed through)
  load   `kgbuild load out-N/extracted.jsonl --db --graphml` (link + graph out alone, on build's extract;
         extraction is a streaming map, so graph out is where memory could grow)
and prints for each: wall time, papers/s, peak RSS (the child's own, from wait4), the output counts,
then the ratios 100k/10k (or last/first size) of time and peak RSS, and the RSS slope in KB per paper.

With `--grow-from POOL_EXTRACT`, a load stage whose extract is missing gets one grown from a smaller
build's extract (bench/grow_extract.py: the pool's papers repeated with fresh ids and renamed systems),
which is how `load` is measured at 1M papers without hours of extraction.

The abstracts: 4-8 sentences drawn at random from ../shared/data/eval texts (gold entity spans known),
a fresh id and title per paper. Names are renamed so the number of entities grows as in a real
literature: each paper names one system of its own (a fresh name, so entities grow with the papers)
and a name in a drawn sentence is, with probability 0.3, replaced by the system of an earlier paper
(drawn with a preference for recent ones, which makes popular names).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from grow_extract import grow

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "data" / "eval"
SOURCES = ["gsap_folds0-7.jsonl", "scier_train.jsonl", "scierc_train.jsonl", "tdmsci_train.jsonl"]
NAME_LABELS = {"Method", "Model", "Dataset"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_SYLLABLES = ["ka", "ro", "vi", "ne", "tu", "mal", "zor", "qui", "bel", "dra", "ox", "len", "fi", "sa", "ter", "gu"]


def _sentences() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(sentence, [(start, end, label) of its gold names]) from the eval texts."""
    pool = []
    for source in SOURCES:
        with open(EVAL / source, encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                text, entities = record["text"], record.get("entities", [])
                start = 0
                for piece in [*_SENTENCE_END.split(text)]:
                    begin = text.index(piece, start)
                    end = begin + len(piece)
                    start = end
                    if not 40 <= len(piece) <= 400:
                        continue
                    names = [
                        (e["start"] - begin, e["end"] - begin, e["label"])
                        for e in entities
                        if begin <= e["start"]
                        and e["end"] <= end
                        and e["label"] in NAME_LABELS
                        and any(c.isupper() or c.isdigit() for c in e["text"])
                    ]
                    pool.append((piece, sorted(names)))
    return pool


def _fresh_name(number: int) -> str:
    """A system name no text has: CamelCase syllables for the number, then a version ('Kavine-3')."""
    word, rest = "", number
    for _ in range(3):
        word += _SYLLABLES[rest % len(_SYLLABLES)]
        rest //= len(_SYLLABLES)
    return word.capitalize() + ("" if rest == 0 else f"-{rest}")


def write_corpus(path: Path, papers: int, seed: int) -> None:
    rng = random.Random(seed)
    pool = _sentences()
    systems: list[str] = []
    temporary = path.with_suffix(".part")
    with open(temporary, "w", encoding="utf-8") as out:
        for number in range(papers):
            own = _fresh_name(number)
            chosen = [pool[rng.randrange(len(pool))] for _ in range(rng.randint(4, 8))]
            sentences = [
                f"We propose {own}, a new approach." if rng.random() < 0.5 else f"In this paper we introduce {own}."
            ]
            for text, names in chosen:
                for start, end, _label in reversed(names):
                    if rng.random() < 0.3 and systems:
                        # recent systems more often: the newest ~sqrt of them carry half the draws
                        back = int(len(systems) ** rng.random())
                        text = text[:start] + systems[-back] + text[end:]
                sentences.append(text)
            sentences.append(f"{own} is available online.")
            systems.append(own)
            title = f"{own}: {chosen[0][0][:80].rstrip('.')}"
            out.write(
                json.dumps(
                    {"id": f"synthetic:{seed}:{number:08d}", "title": title, "abstract": " ".join(sentences)},
                    ensure_ascii=False,
                )
                + "\n"
            )
    temporary.replace(path)


def run(command: list[str], env: dict | None = None) -> dict:
    """Run a command; its wall time and its own peak RSS (wait4 gives this child's rusage alone)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    stderr_lines = []
    for line in process.stderr:
        stderr_lines.append(line)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{''.join(stderr_lines[-20:])}")
    return {
        "wall": wall,
        "rss_mb": usage.ru_maxrss / 1024,
        "cpu": usage.ru_utime + usage.ru_stime,
        "stderr": "".join(stderr_lines),
    }


def _counts(manifest_dir: Path | None, stderr: str) -> str:
    """Node and relationship totals: from build's manifest, else from the count table on stderr."""
    if manifest_dir is not None and (manifest_dir / "kgbuild-manifest.json").exists():
        counts = json.loads((manifest_dir / "kgbuild-manifest.json").read_text())["counts"]
        return f"{sum(counts['nodes'].values()):,} nodes, {sum(counts['relationships'].values()):,} rels"

    def total(kind: str) -> int:  # rows of the table: │ node │ Dataset │ 146 │
        return sum(int(m.group(1).replace(",", "")) for m in re.finditer(rf"{kind}\W+\w+\W+([\d,]+)", stderr))

    nodes, rels = total("node"), total("relationship")
    return f"{nodes:,} nodes, {rels:,} rels"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated paper counts")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kgbuild-scale"))
    parser.add_argument("--engine", help="passed to `kgbuild build --engine` (e.g. ray)")
    parser.add_argument("--stages", default="build,load", help="comma-separated, from build, load")
    parser.add_argument("--seed", type=int, default=0)
    # The encoder extracts ~5k tokens/s here: 100k abstracts would take hours; memory is the sinks' question.
    parser.add_argument("--fast", action="store_true", help="build with the CNN pipeline (`kgbuild build --fast`)")
    parser.add_argument("--grow-from", type=Path, help="extract to grow a missing load-stage extract from")
    args = parser.parse_args()
    kgbuild = str(Path(sys.executable).parent / "kgbuild")
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.sizes.split(",")]
    stages = args.stages.split(",")
    results: dict[tuple[str, int], dict] = {}
    for size in sizes:
        corpus = args.workdir / f"corpus-{size}.jsonl"
        if not corpus.exists() and "build" in stages:
            write_corpus(corpus, size, args.seed)
        out = args.workdir / (
            f"out-{size}" + (f"-{args.engine}" if args.engine else "") + ("-fast" if args.fast else "")
        )
        for stage in stages:
            if stage == "build":
                command = [kgbuild, "build", str(corpus), "-o", str(out)]
                if args.engine:
                    command += ["--engine", args.engine]
                if args.fast:
                    command.append("--fast")
                manifest_dir = out
            elif stage == "load":
                extracted = out / "extracted.jsonl"
                if not extracted.exists() and args.grow_from:
                    out.mkdir(parents=True, exist_ok=True)
                    grow(args.grow_from, size, extracted)
                if not extracted.exists():
                    raise SystemExit(f"{extracted} missing: run the build stage for {size} first")
                command = [
                    kgbuild,
                    "load",
                    str(extracted),
                    "--db",
                    str(args.workdir / f"load-{size}.lbdb"),
                    "--graphml",
                    str(args.workdir / f"load-{size}.graphml"),
                    "--replace",
                ]
                manifest_dir = None
            else:
                raise SystemExit(f"unknown stage {stage!r}")
            result = run(command)
            result["counts"] = _counts(manifest_dir, result["stderr"])
            results[stage, size] = result
            print(
                f"{stage:5} N={size:>9,}  wall {result['wall']:8.1f} s  cpu {result['cpu']:8.1f} s  "
                f"{size / result['wall']:8.1f} papers/s  peak RSS {result['rss_mb']:8.1f} MB  {result['counts']}",
                flush=True,
            )
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for stage in stages:
            a, b = results.get((stage, small)), results.get((stage, large))
            if a and b:
                slope = (b["rss_mb"] - a["rss_mb"]) * 1024 / (large - small)
                print(
                    f"{stage:5} {large:,}/{small:,}: time x{b['wall'] / a['wall']:.2f} (papers x{large / small:.0f}), "
                    f"peak RSS x{b['rss_mb'] / a['rss_mb']:.2f}, slope {slope:.2f} KB/paper"
                )


if __name__ == "__main__":
    main()
