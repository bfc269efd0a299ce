"""Extraction throughput: the corpus repeated to N tokens, our pipeline next to spaCy's floor.

    python bench/bench_extract.py                      # >= 500k tokens, one process
    python bench/bench_extract.py --workers 2          # also 1 vs 2 processes on >= 1M tokens

"Tokens" are spaCy tokens of the normalised title + abstract. The reference is
spacy.blank("en") + sentencizer over the same texts in the same run, so the
ratio stays meaningful on a loaded machine (the load average is printed too).
"""

from __future__ import annotations

import argparse
import os
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
    passes = -(-min_tokens // per_pass)
    return list(chain.from_iterable(repeat(papers, passes))), per_pass * passes


def blank_tokens_per_second(papers: list) -> float:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    texts = (normalise(text).text for p in papers for text in (p.title, p.abstract))
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=256))
    return tokens / (time.perf_counter() - started)


def extract_seconds(papers: list, workers: int) -> float:
    started = time.perf_counter()
    mentions = sum(len(e.mentions) for e in extract_papers(papers, workers=workers))
    seconds = time.perf_counter() - started
    print(f"  {workers} worker(s): {len(papers)} papers, {mentions} mentions, {seconds:.1f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="+", default=["/work/shared/corpus"])
    parser.add_argument("--tokens", type=int, default=500_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--parallel-tokens", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    load_pipeline()  # loading is not extraction
    papers, tokens = corpus_repeated(args.corpus, args.tokens)
    blank = blank_tokens_per_second(papers)
    ours = tokens / extract_seconds(papers, 1)
    print(f"tokens: {tokens}")
    print(f"kgbuild extract: {ours:,.0f} tokens/s (1 process)")
    print(f"spacy.blank('en') + sentencizer: {blank:,.0f} tokens/s")
    print(f"ratio extract / blank: {ours / blank:.3f}")
    if args.workers > 1:
        papers, tokens = corpus_repeated(args.corpus, args.parallel_tokens)
        one = extract_seconds(papers, 1)
        many = extract_seconds(papers, args.workers)
        print(f"{tokens} tokens: 1 worker {tokens / one:,.0f} tokens/s, {args.workers} workers "
              f"{tokens / many:,.0f} tokens/s, speed-up {one / many:.2f}x")


if __name__ == "__main__":
    main()
