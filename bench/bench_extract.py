"""Extraction throughput of both pipelines: the encoder (default) and the CNN (--fast).

    python bench/bench_extract.py                      # both pipelines, 1 and 2 workers, on the corpus

"Tokens" are spaCy tokens of the normalised title + abstract. Each (pipeline, workers) run is a fresh
process, so its peak RSS (the largest of the process and its workers) is its own. In the encoder's
1-worker run, 60 papers are extracted and then their windows sent through the bare ONNX forward pass
(what the pipeline asks of it: logits and hidden states), three times in alternation: the ratio of the
fastest of each is what everything around the encoder costs (issue 21's limit: 1.3). spacy.blank("en") + sentencizer over the
same texts is the floor; ratios within one run stay meaningful on a loaded machine (load is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from itertools import chain, repeat

import spacy

from kgbuild.extract import extract_papers, load_pipeline
from kgbuild.read import read_papers
from kgbuild.text import normalise


def corpus_repeated(paths: list[str], min_tokens: int) -> tuple[list, int]:
    papers = list(read_papers(paths))
    tokenizer = spacy.blank("en").tokenizer
    per_pass = sum(len(tokenizer(normalise(text).text)) for p in papers for text in (p.title, p.abstract))
    passes = max(1, -(-min_tokens // per_pass))
    return list(chain.from_iterable(repeat(papers, passes))), per_pass * passes


def blank_tokens_per_second(papers: list) -> float:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    texts = (normalise(text).text for p in papers for text in (p.title, p.abstract))
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=256))
    return tokens / (time.perf_counter() - started)


def pipeline_over_forward(papers: list, repeats: int = 3) -> dict:
    """The encoder pipeline's time over its bare ONNX forward pass on the windows it cuts from the same texts,
    timed in alternation (a machine's changing load hits both alike), the fastest of `repeats` each."""
    component = load_pipeline().get_pipe("kgbuild_encoder_ner")
    texts = [normalise(text).text for p in papers for text in (p.title, p.abstract)]
    encs, items = component.tagger.windows(texts, [component.source] * len(texts))
    pipeline, forward = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        sum(1 for _ in extract_papers(papers))
        pipeline.append(time.perf_counter() - started)
        started = time.perf_counter()
        component.tagger.forward(encs, items, hidden=True)
        forward.append(time.perf_counter() - started)
    return {
        "sample_papers": len(papers),
        "window_pieces": sum(end - start + 3 for _, start, end, _ in items),
        "pipeline_seconds": [round(x, 1) for x in pipeline],
        "forward_seconds": [round(x, 1) for x in forward],
        "pipeline_over_forward": round(min(pipeline) / min(forward), 3),
    }


def one_run(fast: bool, workers: int, corpus: list[str], min_tokens: int) -> dict:
    """One pipeline at one worker count (run in its own process, for its peak RSS)."""
    papers, tokens = corpus_repeated(corpus, min_tokens)
    if workers == 1:  # loading and the first batch's warm-up are not extraction (workers load their own)
        sum(1 for _ in extract_papers(papers[:8], fast=fast))
    started = time.perf_counter()
    mentions = sum(len(e.mentions) for e in extract_papers(papers, workers=workers, fast=fast))
    seconds = time.perf_counter() - started
    row = {
        "pipeline": "fast (CNN)" if fast else "encoder",
        "workers": workers,
        "papers": len(papers),
        "tokens": tokens,
        "mentions": mentions,
        "seconds": round(seconds, 1),
        "tokens_per_s": round(tokens / seconds),
    }
    if workers == 1:
        row["blank_tokens_per_s"] = round(blank_tokens_per_second(papers))
        if not fast:
            row |= pipeline_over_forward(papers[:60])
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    row["peak_rss_mb"] = round(peak_kb / 1024)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="+", default=["/work/shared/corpus"])
    parser.add_argument("--tokens", type=int, default=0, help="encoder: at least this many tokens (default: one pass)")
    parser.add_argument("--fast-tokens", type=int, default=300_000, help="--fast: at least this many tokens")
    parser.add_argument("--one", nargs=2, metavar=("PIPELINE", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        fast = args.one[0] == "fast"
        print(json.dumps(one_run(fast, int(args.one[1]), args.corpus, args.fast_tokens if fast else args.tokens)))
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    rows = {}
    for pipeline in ("encoder", "fast"):
        for workers in (1, 2):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    pipeline,
                    str(workers),
                    "--corpus",
                    *args.corpus,
                    "--tokens",
                    str(args.tokens),
                    "--fast-tokens",
                    str(args.fast_tokens),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rows[pipeline, workers] = row = json.loads(out.splitlines()[-1])
            print(json.dumps(row), flush=True)
    encoder, fast = rows["encoder", 1], rows["fast", 1]
    print(
        f"encoder: {encoder['tokens_per_s']:,} tokens/s (1 worker), {rows['encoder', 2]['tokens_per_s']:,} (2 workers); "
        f"pipeline / bare ONNX forward {encoder['pipeline_over_forward']:.2f}x; "
        f"peak RSS {encoder['peak_rss_mb']} / {rows['encoder', 2]['peak_rss_mb']} MB"
    )
    print(
        f"fast:    {fast['tokens_per_s']:,} tokens/s (1 worker), {rows['fast', 2]['tokens_per_s']:,} (2 workers); "
        f"peak RSS {fast['peak_rss_mb']} / {rows['fast', 2]['peak_rss_mb']} MB"
    )
    print(
        f"ratios: fast / encoder {fast['tokens_per_s'] / encoder['tokens_per_s']:.1f}x; "
        f"encoder / blank spaCy {encoder['tokens_per_s'] / encoder['blank_tokens_per_s']:.3f}; "
        f"fast / blank spaCy {fast['tokens_per_s'] / fast['blank_tokens_per_s']:.3f}; load average now "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
