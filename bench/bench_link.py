"""Linker scale benchmark: time and peak memory for N and 10*N synthetic mentions.

    python bench/bench_link.py [--mentions N]     # default N = 100_000, so 10*N = 1M
    python bench/bench_link.py --extract EXTRACTED --papers 10000,40000 [--trace]

Papers are generated, never stored: each pass regenerates the same stream from
its seed, as a real two-pass run re-reads a spool. Names follow a heavy-tailed
(Pareto) popularity, so distinct names grow sub-linearly with the corpus as in
real literature, and come with what the linker must handle: versions and sizes
(GPT-3 / GPT-3.5, LLaMA-2-7B), case/hyphen/space variants (GPT-4, gpt4,
GPT 4), plural heads, and one abbreviation definition per paper
("Sparse Graph Attention (SGA)", sometimes with a conflicting long form,
sometimes the short form used without a definition).

Each size runs in a fresh subprocess; memory is the peak resident set
(ru_maxrss) minus the resident set before linking started.

With --extract, the linker observes the first N papers of a `kgbuild extract` file (e.g. the synthetic
extract of bench/bench_scale.py) and finishes, for each N: the growth of the resident set after pass 1
and after finish() (what it returned still held), the peak resident set, and the growth per paper between
the first and last N. --trace reports tracemalloc's bytes per entity instead (slower, same sizes).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from itertools import islice

MENTIONS_PER_PAPER = 20
FAMILIES = ["GPT", "LLaMA", "BERT", "RoBERTa", "T5", "mT5", "ResNet", "ViT", "CLIP", "Mistral", "Qwen", "OPT"]
DATASETS = ["CIFAR", "SQuAD", "ImageNet", "GLUE", "MMLU", "COCO", "WMT"]
WORDS = (
    "sparse graph attention neural retrieval contrastive latent diffusion token routing adaptive "
    "hierarchical prompt memory policy reward vision language speech tabular causal"
).split()


def _name(rng: random.Random) -> tuple[str, str]:
    """One (surface, label): heavy-tailed choice of a family or dataset, version/size and a spelling variant."""
    rank = int(rng.paretovariate(1.1))
    if rng.random() < 0.6:
        family = FAMILIES[rank % len(FAMILIES)] + (str(rank // len(FAMILIES)) if rank >= len(FAMILIES) else "")
        version = rng.choice(["", "-2", "-3", "-3.5", "-4"])
        size = rng.choice(["", "", "-7B", "-13B", "-70B", " 1.5B"])
        surface = family + version + size
        label = "Model"
    else:
        surface = DATASETS[rank % len(DATASETS)] + f"-{10 * (1 + rank // len(DATASETS))}"
        label = "Dataset"
    variant = rng.random()
    if variant < 0.1:
        surface = surface.lower()
    elif variant < 0.2:
        surface = surface.replace("-", " ")
    elif variant < 0.25:
        surface = surface.replace("-", "")
    return surface, label


def _phrase(rng: random.Random) -> str:
    rank = int(rng.paretovariate(1.1))
    words = [WORDS[(rank * (index + 3)) % len(WORDS)] for index in range(2 + rank % 3)]
    return " ".join(words) + (" model" if rng.random() < 0.5 else " models")


def papers(count: int, seed: int) -> Iterator:
    from kgbuild.models import ExtractedPaper, Mention

    rng = random.Random(seed)
    for number in range(count):
        long = _phrase(rng).title()
        short = "".join(word[0] for word in long.split()).upper()
        if rng.random() < 0.05:  # the same short form with another long form
            long = "Alternative " + long
        if rng.random() < 0.3:  # uses the short form without defining it
            parts, spans = [f"We study {short}. "], [(len("We study "), short, "Method")]
        else:
            parts, spans = [f"We propose {long} ({short}). "], [(len("We propose "), long, "Method")]
        offset = len(parts[0])
        for _ in range(MENTIONS_PER_PAPER - 1):
            surface, label = _name(rng) if rng.random() < 0.8 else (short, "Method")
            sentence = f"Compared with {surface}, it is better. "
            spans.append((offset + len("Compared with "), surface, label))
            parts.append(sentence)
            offset += len(sentence)
        mentions = [
            Mention(
                field="abstract",
                start=start,
                end=start + len(surface),
                text=surface,
                label=label,
                score=rng.random(),
                source="bench",
                sentence=0,
            )
            for start, surface, label in spans
        ]
        yield ExtractedPaper(
            paper_id=f"p{number}", title="", abstract="".join(parts), source="bench", mentions=mentions
        )


def run_once(mentions: int) -> dict:
    from kgbuild.link import Linker

    count = mentions // MENTIONS_PER_PAPER
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    linker = Linker()
    for paper in papers(count, seed=1):
        linker.observe(paper)
    entities, variant_pairs = linker.finish()
    linked = 0
    for paper in papers(count, seed=1):
        linked += sum(mention.entity_id is not None for mention in linker.resolve(paper).mentions)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return {
        "mentions": count * MENTIONS_PER_PAPER,
        "linked": linked,
        "keys": len(linker.nodes),
        "entities": len(entities),
        "variant_pairs": len(variant_pairs),
        "seconds": round(seconds, 2),
        "peak_mib": round(peak_kib / 1024, 1),
    }


def _resident_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def run_extract(path: str, count: int, trace: bool) -> dict:
    """Pass 1 and finish() over the first `count` papers of an extract: memory after each (see the docstring)."""
    import gc

    from kgbuild.link import Linker
    from kgbuild.models import ExtractedPaper

    gc.collect()
    resident = _resident_mib()
    if trace:
        tracemalloc.start()
    linker = Linker()
    with open(path, encoding="utf-8") as lines:
        for line in islice(lines, count):
            linker.observe(ExtractedPaper.model_validate_json(line))
    gc.collect()
    after_pass_1 = tracemalloc.get_traced_memory()[0] if trace else _resident_mib() - resident
    entities, variant_pairs = linker.finish()
    gc.collect()
    after_finish = tracemalloc.get_traced_memory()[0] if trace else _resident_mib() - resident
    result = {
        "papers": count,
        "keys": len(linker.nodes),
        "entities": len(entities),
        "variant_pairs": len(variant_pairs),
    }
    if trace:
        result["pass_1_bytes_per_entity"] = round(after_pass_1 / len(entities))
        result["finish_bytes_per_entity"] = round(after_finish / len(entities))
    else:
        result["pass_1_mib"] = round(after_pass_1, 1)
        result["finish_mib"] = round(after_finish, 1)
        result["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000, help="N; the benchmark runs N and 10*N")
    parser.add_argument("--extract", help="link the papers of this `kgbuild extract` file instead")
    parser.add_argument("--papers", default="10000,40000", help="with --extract: the sizes, comma-separated")
    parser.add_argument("--trace", action="store_true", help="with --extract: tracemalloc bytes per entity")
    parser.add_argument("--once", type=int, help=argparse.SUPPRESS)  # internal: one size in this process
    args = parser.parse_args()
    if args.once:
        result = run_extract(args.extract, args.once, args.trace) if args.extract else run_once(args.once)
        print(json.dumps(result))
        return
    if args.extract:
        sizes = [int(size) for size in args.papers.split(",")]
        results = []
        for size in sizes:
            command = [sys.executable, __file__, "--once", str(size), "--extract", args.extract]
            output = subprocess.run(
                command + (["--trace"] if args.trace else []), check=True, capture_output=True, text=True
            )
            results.append(json.loads(output.stdout))
            print(results[-1], flush=True)
        if not args.trace and len(results) > 1:
            first, last = results[0], results[-1]
            slope = (last["peak_mib"] - first["peak_mib"]) * 1024 / (last["papers"] - first["papers"])
            print(f"peak resident set: {slope:.2f} KB more per paper")
        return
    results = []
    for size in (args.mentions, 10 * args.mentions):
        output = subprocess.run(
            [sys.executable, __file__, "--once", str(size)], check=True, capture_output=True, text=True
        )
        results.append(json.loads(output.stdout))
        print(results[-1], flush=True)
    small, large = results
    print(
        f"10x mentions: time x{large['seconds'] / small['seconds']:.2f}, "
        f"peak memory x{large['peak_mib'] / max(small['peak_mib'], 0.1):.2f}, "
        f"distinct keys x{large['keys'] / small['keys']:.2f}"
    )


if __name__ == "__main__":
    main()
