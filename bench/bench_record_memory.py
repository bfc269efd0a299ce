"""Peak memory of `kgbuild extract` on one huge record: does it grow linearly with the record's length?

    python bench/bench_record_memory.py                          # 10k, 30k, 100k characters
    python bench/bench_record_memory.py --sizes 5000,10000,20000 --limit-gb 4 --timeout 300

One record per run, its long text in the title or in the abstract, of three kinds:
"mixed" recombines sentences of the GSAP abstracts (shipped with the evaluation
data, /work/shared/data/eval) in a seeded random order, as a long real text
reads; "repeated" is one sentence repeated (issue 20's case), the worst case for
rules that relate every occurrence of a name to every other; "unstopped" is the
mixed text without its full stops, one sentence as long as the record, the worst
case for rules that relate every mention of a sentence to every other.

Each run is a fresh `python -m kgbuild extract` (the Python running this script)
under an address-space limit and a timeout, so a regression cannot take the
machine down; its peak resident set comes from os.wait4. A tiny record in the
same run is the baseline (Python, spaCy and the models loaded). Printed: MB over
the baseline, seconds, and the slope in MB per 10k characters between the
smallest and the largest size. A record the reader skips (a title over its
length limit) is shown as such; to measure extraction of long titles anyway, run
this script with PYTHONPATH pointing at a tree whose reader has no title limit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL_TEXTS = REPO.parent / "shared" / "data" / "eval" / "gsap_folds0-7.jsonl"
REPEATED_SENTENCE = "We evaluate BERT on SQuAD and GLUE. "
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def mixed_text(chars: int, seed: int = 0) -> str:
    """`chars` characters of GSAP abstract sentences, recombined in a seeded random order."""
    with EVAL_TEXTS.open(encoding="utf-8") as source:
        sentences = [sentence for line in source for sentence in _SENTENCE_END.split(json.loads(line)["text"])]
    rng = random.Random(seed)
    parts, length = [], 0
    while length < chars:
        sentence = rng.choice(sentences) + " "
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[:chars]


def repeated_text(chars: int) -> str:
    return (REPEATED_SENTENCE * (chars // len(REPEATED_SENTENCE) + 1))[:chars]


def unstopped_text(chars: int) -> str:
    return mixed_text(chars).replace(". ", " ; ")[:chars]


TEXTS = {"mixed": mixed_text, "repeated": repeated_text, "unstopped": unstopped_text}


def run(record: dict, limit_bytes: int, timeout: float) -> tuple[float | None, float, str]:
    """(peak RSS in MB or None if the run failed, seconds, how it ended) of `kgbuild extract` on one record."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "record.jsonl"
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

        started = time.perf_counter()
        with (Path(directory) / "stderr").open("w+b") as stderr:
            command = [sys.executable, "-m", "kgbuild", "extract", "-q", str(path), "-o", str(Path(directory) / "out")]
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, preexec_fn=limit)
            killer = threading.Timer(timeout, process.kill)
            killer.start()
            # wait4, not Popen.wait: it returns this child's own peak resident set (ru_maxrss, KB on Linux)
            _, status, usage = os.wait4(process.pid, 0)
            killer.cancel()
            process.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.perf_counter() - started
            stderr.seek(0)
            last = (stderr.read().decode(errors="replace").strip().splitlines() or [""])[-1]
            output = Path(directory) / "out"
            extracted = output.exists() and output.stat().st_size > 0
    if process.returncode == -signal.SIGKILL and seconds >= timeout:
        return None, seconds, f"killed after the {timeout:.0f} s timeout"
    if process.returncode != 0:
        return None, seconds, f"exit {process.returncode}: {last[:90]}"
    if not extracted:  # e.g. a title over the reader's length limit: nothing was extracted to measure
        return None, seconds, "nothing extracted (the reader skipped the record)"
    return usage.ru_maxrss / 1024, seconds, "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000", help="comma-separated characters per record")
    parser.add_argument("--fields", default="title,abstract")
    parser.add_argument("--kinds", default=",".join(TEXTS))
    parser.add_argument("--limit-gb", type=float, default=4.0, help="address-space limit per run")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    limit_bytes = int(args.limit_gb * 2**30)

    baseline, seconds, status = run(
        {"id": "tiny", "title": "BERT", "abstract": "We evaluate BERT on SQuAD."}, limit_bytes, args.timeout
    )
    if baseline is None:
        sys.exit(f"baseline run failed: {status}")
    print(f"load average {os.getloadavg()[0]:.2f}; limit {args.limit_gb:g} GB address space, {args.timeout:.0f} s")
    print(f"baseline (tiny record): {baseline:.0f} MB peak RSS, {seconds:.1f} s\n")
    print(f"{'field':<9} {'kind':<9} {'chars':>8} {'peak MB':>8} {'over MB':>8} {'seconds':>8}  status")
    for field in args.fields.split(","):
        for kind in args.kinds.split(","):
            over = {}
            for size in sizes:
                text = TEXTS[kind](size)
                record = {"id": f"{field}-{kind}-{size}", "title": "A title", "abstract": "An abstract."}
                record[field] = text
                peak, seconds, status = run(record, limit_bytes, args.timeout)
                if peak is not None:
                    over[size] = peak - baseline
                shown = f"{peak:8.0f} {peak - baseline:8.0f}" if peak is not None else f"{'-':>8} {'-':>8}"
                print(f"{field:<9} {kind:<9} {size:>8} {shown} {seconds:8.1f}  {status}", flush=True)
            if len(over) >= 2:
                low, high = min(over), max(over)
                slope = (over[high] - over[low]) / (high - low) * 10_000
                print(f"{field:<9} {kind:<9} slope {slope:.1f} MB per 10k characters ({low:,} to {high:,})\n")
            else:
                print(f"{field:<9} {kind:<9} slope: fewer than two sizes ran\n")


if __name__ == "__main__":
    main()
