"""Realistic Graphs for the graph-out sinks (GraphML, embedded store, exports), built without
the extractor or linker: regex mentions of a fixed list of names in examples/corpus (the same
papers as /work/shared/corpus), plus a few hand-written papers whose relations the named
queries must find, all passed through kgbuild.graph.build.build_graph.

    graph = fixture_graph()                # corpus + hand-written papers
    graph = fixture_graph(nasty=True)      # + names/titles with quotes, backticks, newlines, Cypher
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

from kgbuild.graph.build import build_graph
from kgbuild.graph.model import Graph
from kgbuild.models import Entity, ExtractedPaper, Mention, Paper, Relation
from kgbuild.read import read_papers

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"

# label -> canonical name -> surface forms matched case-sensitively as whole words
NAMES: dict[str, dict[str, list[str]]] = {
    "Model": {
        "GPT-4": ["GPT-4"], "ChatGPT": ["ChatGPT"], "LLaMA": ["LLaMA", "Llama"], "BERT": ["BERT"],
        "T5": ["T5"], "CLIP": ["CLIP"], "Alpaca": ["Alpaca"], "Vicuna": ["Vicuna"],
    },
    "Method": {"LoRA": ["LoRA"], "RLHF": ["RLHF"], "Transformer": ["Transformer", "transformer"]},
    "Dataset": {
        "ImageNet": ["ImageNet"], "COCO": ["COCO", "MS-COCO"], "MMLU": ["MMLU"], "SuperGLUE": ["SuperGLUE"],
        "CIFAR-10": ["CIFAR-10"], "GSM8K": ["GSM8K"],
    },
    "Metric": {"accuracy": ["accuracy", "Accuracy"], "F1": ["F1"], "BLEU": ["BLEU"]},
    "Task": {"question answering": ["question answering"], "summarization": ["summarization"]},
}

# Hand-written papers: (id, date, title, abstract, relations as (type, head text, tail text[, metric, value, unit])).
# "paper" as head means the paper itself.
HAND_WRITTEN = [
    ("fixture:alpaca", "2023-03-13", "Alpaca: a strong instruction-following model",
     "We propose Alpaca, fine-tuned from LLaMA. Alpaca reaches 61.3% accuracy on MMLU.",
     [("PROPOSES", "paper", "Alpaca"), ("FINE_TUNED_FROM", "Alpaca", "LLaMA"),
      ("EVALUATED_ON", "Alpaca", "MMLU"), ("HAS_RESULT", "Alpaca", "MMLU", "accuracy", "61.3", "%")]),
    ("fixture:vicuna", "2023-06-01", "Vicuna: an open chatbot",
     "We propose Vicuna, fine-tuned from LLaMA with LoRA. "
     "Vicuna scores 58.2% accuracy on MMLU and 40.1 F1 on SuperGLUE.",
     [("PROPOSES", "paper", "Vicuna"), ("FINE_TUNED_FROM", "Vicuna", "LLaMA"), ("EVALUATED_ON", "Vicuna", "MMLU"),
      ("EVALUATED_ON", "Vicuna", "SuperGLUE"), ("HAS_RESULT", "Vicuna", "MMLU", "accuracy", "58.2", "%"),
      ("HAS_RESULT", "Vicuna", "SuperGLUE", "F1", "40.1", None), ("USES", "paper", "LoRA")]),
    ("fixture:lora", "2021-06-17", "LoRA: low-rank adaptation",
     "We propose LoRA and evaluate BERT with LoRA on SuperGLUE, reaching 89.9% accuracy.",
     [("PROPOSES", "paper", "LoRA"), ("EVALUATED_ON", "BERT", "SuperGLUE"),
      ("HAS_RESULT", "BERT", "SuperGLUE", "accuracy", "89.9", "%")]),
    ("fixture:cifar", "2021-01-05", "Image classification with CLIP",
     "CLIP is evaluated on CIFAR-10 and ImageNet. CLIP reaches 95.6% accuracy on CIFAR-10.",
     [("EVALUATED_ON", "CLIP", "CIFAR-10"), ("EVALUATED_ON", "CLIP", "ImageNet"),
      ("HAS_RESULT", "CLIP", "CIFAR-10", "accuracy", "95.6", "%")]),
]

# Names and titles that must survive every sink byte for byte.
NASTY_NAMES = ["O'Brien \"quoted\" net", "back`tick`model", "}) DETACH DELETE n //", "multi\nline\r\nmodel",
               "back\\slash \\' mix", "ünïcödé ✓ 模型", "{a: 1}, [b]"]
NASTY_TITLE = "Title with 'single', \"double\", `back`, }) DETACH DELETE n //\nand a second line"


def entity_id(label: str, name: str) -> str:
    return f"{label}:" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _surface_patterns() -> list[tuple[re.Pattern, str, str]]:
    patterns = []
    for label, names in NAMES.items():
        for name, forms in names.items():
            for form in forms:
                patterns.append((re.compile(rf"(?<![\w-]){re.escape(form)}(?![\w-])"), label, name))
    return patterns


def _mentions(paper: Paper, source: str, patterns) -> list[Mention]:
    found: dict[tuple[str, int], Mention] = {}
    for field in ("title", "abstract"):
        text = getattr(paper, field)
        for pattern, label, name in patterns:
            for match in pattern.finditer(text):
                key = (field, match.start())
                if key not in found or len(found[key].text) < len(match.group()):
                    found[key] = Mention(
                        field=field, start=match.start(), end=match.end(), text=match.group(), label=label,
                        score=0.9, source=source, sentence=text.count(".", 0, match.start()),
                        entity_id=entity_id(label, name),
                    )
    return sorted(found.values(), key=lambda m: (m.field, m.start))


def _relations(paper: ExtractedPaper, specs: list[tuple]) -> list[Relation]:
    """Relations of a hand-written paper, each anchored on the first abstract mention of its names."""
    def index(text: str) -> int | str:
        if text == "paper":
            return "paper"
        return next(i for i, m in enumerate(paper.mentions) if m.field == "abstract" and m.text == text)

    relations = []
    for rel_type, head, tail, *result in specs:
        head_index, tail_index = index(head), index(tail)
        anchor = paper.mentions[tail_index].start
        start = paper.abstract.rfind(". ", 0, anchor)
        start = 0 if start < 0 else start + 2
        end = paper.abstract.find(". ", anchor)
        end = len(paper.abstract) if end < 0 else end + 1
        fields = {}
        if result:
            metric, value, unit = result
            fields = {"metric": index(metric), "value": value, "unit": unit}
        relations.append(Relation(type=rel_type, head=head_index, tail=tail_index, score=0.8,
                                  evidence=(start, end), source="fixture", **fields))
    return relations


def _entities(papers: list[ExtractedPaper], canonical: dict[str, tuple[str, str]]) -> list[Entity]:
    """One Entity per mentioned id (canonical: id -> (label, name)), aliases by count then text."""
    surfaces: dict[str, Counter] = {}
    papers_of: dict[str, set[str]] = {}
    for paper in papers:
        for mention in paper.mentions:
            surfaces.setdefault(mention.entity_id, Counter())[mention.text] += 1
            papers_of.setdefault(mention.entity_id, set()).add(paper.paper_id)
    entities = []
    for identifier, counts in sorted(surfaces.items()):
        label, name = canonical[identifier]
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        entities.append(Entity(
            id=identifier, label=label, name=name, aliases=[alias for alias, _ in ranked],
            alias_counts=[f"{alias}\t{count}" for alias, count in ranked],
            mention_count=sum(counts.values()), paper_count=len(papers_of[identifier]),
        ))
    return entities


def _nasty_paper(patterns) -> ExtractedPaper:
    """A paper whose id, title and model names contain quotes, backticks, newlines and Cypher."""
    abstract = " ".join(f"We compare {name} on MMLU." for name in NASTY_NAMES)
    paper = Paper(id="fixture:nasty 'id' `x`", title=NASTY_TITLE, abstract=abstract, date="2024-02",
                  source="fixture:nasty")
    mentions = []
    for name in NASTY_NAMES:
        start = abstract.index(name)
        mentions.append(Mention(field="abstract", start=start, end=start + len(name), text=name, label="Model",
                                score=0.9, source="fixture", sentence=0, entity_id=entity_id("Model", name)))
    return ExtractedPaper.of(paper, mentions + _mentions(paper, "fixture", patterns))


@cache
def fixture_graph(nasty: bool = False) -> Graph:
    patterns = _surface_patterns()
    papers = []
    for index, paper in enumerate(read_papers([str(CORPUS)])):
        # The corpus has no dates; spread the papers over 2019-2024 so per-year queries have data.
        dated = paper.model_copy(update={"date": f"{2019 + index % 6}-01-01", "year": None})
        papers.append(ExtractedPaper.of(dated, _mentions(dated, "regex", patterns)))
    for identifier, date, title, abstract, specs in HAND_WRITTEN:
        paper = Paper(id=identifier, title=title, abstract=abstract, date=date, source=identifier)
        extracted = ExtractedPaper.of(paper, _mentions(paper, "regex", patterns))
        extracted.relations = _relations(extracted, specs)
        papers.append(extracted)
    canonical = {entity_id(label, name): (label, name) for label, names in NAMES.items() for name in names}
    if nasty:
        papers.append(_nasty_paper(patterns))
        canonical.update({entity_id("Model", name): ("Model", name) for name in NASTY_NAMES})
    return build_graph(papers, _entities(papers, canonical))
