"""Grow a bench_scale extract to N papers without extracting again: for `kgbuild load` at 1M papers.

    python bench/grow_extract.py POOL_EXTRACT --papers 1000000 -o extracted-1000000.jsonl

Extracting a million synthetic abstracts takes hours here (~100 papers/s with --fast on 2 cores), while
`load`'s memory and time depend on what it is given, not on how it was made. So paper i of the output is
paper (i mod P) of the pool (a `bench_scale.py --stages build` extract of P papers), copy c = i div P, with:
- a fresh id and, in copy c > 0, every synthetic system name (bench_scale's CamelCase syllable names,
  "Kavine-3") replaced by another name of the same length, the same within a copy and different
  across copies: offsets, sentences and evidence spans stay valid, each copy names new systems (so
  entities grow with the papers as in the pool), and no two abstracts or titles are equal (the reader
  would merge them);
- everything else as extracted: the real words of the pool's sentences, labels, scores, relations.
Copy 0 is the pool itself, so the first P papers load exactly as the pool does.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

# bench_scale's _fresh_name: three of its syllables, capitalised, then an optional version ("-3")
_SYLLABLES = re.compile("(?:ka|ro|vi|ne|tu|mal|zor|qui|bel|dra|ox|len|fi|sa|ter|gu){3}")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{5,8}\b")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_STEP = 104_729  # a prime: copies walk through the names of each length without meeting soon


def renamed(word: str, copy: int) -> str:
    """`word` (letters only) shifted by `copy` steps in base 26, same length, capitalised like it."""
    value = 0
    for char in word.lower():
        value = value * 26 + _ALPHABET.index(char)
    value = (value + copy * _STEP) % 26 ** len(word)
    letters = []
    for _ in word:
        value, digit = divmod(value, 26)
        letters.append(_ALPHABET[digit])
    return "".join(reversed(letters)).capitalize()


def _rename_text(text: str, copy: int) -> str:
    def rename(match: re.Match) -> str:
        word = match.group()
        return renamed(word, copy) if _SYLLABLES.fullmatch(word.lower()) else word

    return _CAPITALISED.sub(rename, text)


def grown_record(record: dict, copy: int) -> dict:
    """Copy `copy` of a pool record (a parsed ExtractedPaper line)."""
    if copy == 0:
        return record
    grown = dict(record)
    grown["paper_id"] = f"{record['paper_id']}:copy{copy}"
    grown["title"] = _rename_text(record["title"], copy)
    grown["abstract"] = _rename_text(record["abstract"], copy)
    grown["mentions"] = [{**mention, "text": _rename_text(mention["text"], copy)} for mention in record["mentions"]]
    return grown


def grow(pool_path: Path, papers: int, out_path: Path) -> None:
    with open(pool_path, encoding="utf-8") as lines:
        pool = [json.loads(line) for line in lines]
    temporary = out_path.with_suffix(".part")
    with open(temporary, "w", encoding="utf-8") as out:
        for number in range(papers):
            copy, index = divmod(number, len(pool))
            out.write(json.dumps(grown_record(pool[index], copy), ensure_ascii=False) + "\n")
    temporary.replace(out_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pool", type=Path, help="a bench_scale build's extracted.jsonl")
    parser.add_argument("--papers", type=int, required=True)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    grow(args.pool, args.papers, args.output)


if __name__ == "__main__":
    main()
