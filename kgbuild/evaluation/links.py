"""Link evaluation: pairwise "same entity" decisions on gold mentions.

Input: a gold JSONL file in the unified format of /work/shared/data (one
document per line: `text`, `entities`, `clusters` indexing into `entities`).
The linker runs on the gold mentions (each gold entity becomes a Mention with
score 1.0, label from the gold), over all documents of the file as one corpus.

Which pairs are counted:
- The *evaluated mentions* of a document are those in at least one gold
  cluster (SciER: both ends of a Synonym-Of relation; SciERC: coreference
  clusters restricted to the kept labels). Unclustered mentions are not judged,
  because the gold says nothing about them.
- Every unordered pair of evaluated mentions within one document is judged.
  Pairs across documents are not judged (the gold has no cross-document links).
- Gold positive: the two mentions are in one gold *component* — the transitive
  closure, within the document, of cluster membership and of identical surface
  text (kgbuild.text.fold). The closure is needed because SciER annotates
  Synonym-Of between single occurrences: "RCN" defined once and repeated in
  four Synonym-Of pairs would otherwise count the identical strings "RCN" as
  different entities.
- Predicted positive: the linker gave both mentions the same entity_id.
Precision = TP / predicted positives, recall = TP / gold positives.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

from networkx.utils import UnionFind

from kgbuild.link import Linker
from kgbuild.models import ExtractedPaper, Mention, TextField
from kgbuild.text import fold

_EXAMPLES = 10


def gold_papers(gold_path: str | Path) -> Iterator[tuple[ExtractedPaper, list[list[int]]]]:
    """Each gold document as an ExtractedPaper of its gold mentions, with its clusters."""
    with open(gold_path, encoding="utf-8") as lines:
        for line in lines:
            document = json.loads(line)
            mentions = [
                Mention(
                    field=TextField.ABSTRACT,
                    start=entity["start"],
                    end=entity["end"],
                    text=entity["text"],
                    label=entity["label"],
                    score=1.0,
                    source="gold",
                    sentence=0,
                )
                for entity in document["entities"]
            ]
            paper = ExtractedPaper(
                paper_id=document["id"],
                title="",
                abstract=document["text"],
                source=document["source"],
                mentions=mentions,
            )
            yield paper, document["clusters"]


def _gold_components(paper: ExtractedPaper, clusters: list[list[int]]) -> dict[int, str]:
    components = UnionFind()
    clustered = sorted({index for cluster in clusters for index in cluster})
    for cluster in clusters:
        for index in cluster[1:]:
            components.union(str(cluster[0]), str(index))
    by_text: dict[str, int] = {}
    for index in clustered:
        first = by_text.setdefault(fold(paper.mentions[index].text), index)
        components.union(str(first), str(index))
    return {index: components[str(index)] for index in clustered}


def evaluate_links(gold_path: str | Path, aliases_path: str | Path | None = None) -> dict:
    """Pairwise precision/recall of the linker on the gold file; see the module docstring."""
    documents = list(gold_papers(gold_path))
    linker = Linker(aliases_path=aliases_path)
    for paper, _ in documents:
        linker.observe(paper)
    linker.finish()
    counts = {"tp": 0, "fp": 0, "fn": 0, "pairs": 0, "documents": len(documents), "mentions": 0}
    false_merges: list[dict] = []
    missed: list[dict] = []
    for paper, clusters in documents:
        linked = linker.resolve(paper)
        components = _gold_components(paper, clusters)
        counts["mentions"] += len(components)
        for first, second in itertools.combinations(sorted(components), 2):
            gold = components[first] == components[second]
            predicted = linked.mentions[first].entity_id == linked.mentions[second].entity_id
            counts["pairs"] += 1
            if gold and predicted:
                counts["tp"] += 1
                continue
            if gold == predicted:
                continue
            example = {
                "document": paper.paper_id,
                "first": (paper.mentions[first].text, linked.mentions[first].entity_id),
                "second": (paper.mentions[second].text, linked.mentions[second].entity_id),
            }
            if predicted:
                counts["fp"] += 1
                false_merges.append(example)
            else:
                counts["fn"] += 1
                missed.append(example)
    predicted_positives = counts["tp"] + counts["fp"]
    gold_positives = counts["tp"] + counts["fn"]
    return {
        "gold": str(gold_path),
        **counts,
        "precision": counts["tp"] / predicted_positives if predicted_positives else 1.0,
        "recall": counts["tp"] / gold_positives if gold_positives else 1.0,
        "false_merges": _distinct(false_merges),
        "missed": _distinct(missed),
    }


def _distinct(examples: list[dict]) -> list[dict]:
    """One example per distinct pair of surface texts, so a repeated name does not fill the report."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for example in examples:
        texts = tuple(sorted((example["first"][0], example["second"][0])))
        if texts not in seen:
            seen.add(texts)
            kept.append(example)
    return kept


def format_links_report(result: dict) -> str:
    """A short human-readable report of evaluate_links' result."""
    lines = [
        f"Link evaluation on {result['gold']}: {result['documents']} documents, "
        f"{result['mentions']} clustered mentions, {result['pairs']} within-document pairs",
        f"pairwise precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
        f"(TP {result['tp']}, FP {result['fp']}, FN {result['fn']})",
    ]
    for title, key in (
        ("false merges (predicted same, gold different)", "false_merges"),
        ("missed links (gold same, predicted different)", "missed"),
    ):
        examples = result[key]
        lines.append(f"{title}: {len(examples)} distinct text pairs" + (", e.g." if examples else ""))
        for example in examples[:_EXAMPLES]:
            (first, first_id), (second, second_id) = example["first"], example["second"]
            lines.append(f"  {first!r} [{first_id}]  vs  {second!r} [{second_id}]")
    return "\n".join(lines)
