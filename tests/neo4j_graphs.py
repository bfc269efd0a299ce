"""Small, realistic test graphs for the graph sinks, built from examples/corpus without the
real extract/link stages: regex mentions of a fixed list of names -> Mention/Entity ->
Relations -> kgbuild.graph.build.build_graph.

Entity names are canonical (fixed per entity), aliases/alias_counts/mention_count/paper_count
are computed from the mentions exactly as the Neo4j sink recomputes them (aliases by count
descending, ties alphabetical), so a graph built from corpus A+B equals A loaded then B.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

from kgbuild.graph.build import build_graph
from kgbuild.graph.model import Graph, Node, Relationship
from kgbuild.models import Entity, ExtractedPaper, Mention, Paper, Relation
from kgbuild.read import read_papers

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"

# label -> canonical name -> surface forms (regex alternatives, matched case-sensitively)
NAMES: dict[str, dict[str, list[str]]] = {
    "Model": {
        "GPT-4": ["GPT-4", "GPT4"], "ChatGPT": ["ChatGPT"], "GPT-3.5": ["GPT-3.5"], "GPT-3": ["GPT-3"],
        "LLaMA-2": ["LLaMA-2", "Llama 2", "Llama-2", "LLaMA 2"], "LLaMA": ["LLaMA", "Llama"],
        "BERT": ["BERT"], "T5": ["T5"], "CLIP": ["CLIP"], "Mistral": ["Mistral"], "Vicuna": ["Vicuna"],
        "Stable Diffusion": ["Stable Diffusion"],
    },
    "Method": {
        "RLHF": ["RLHF"], "LoRA": ["LoRA"], "chain-of-thought": ["chain-of-thought", "Chain-of-Thought", "CoT"],
        "instruction tuning": ["instruction tuning", "instruction-tuning", "Instruction tuning"],
        "Transformer": ["Transformer", "transformer"], "diffusion model": ["diffusion model", "diffusion models"],
        "retrieval-augmented generation": ["retrieval-augmented generation", "RAG"],
    },
    "Dataset": {
        "ImageNet": ["ImageNet"], "COCO": ["COCO", "MS-COCO"], "MMLU": ["MMLU"], "GSM8K": ["GSM8K"],
        "HumanEval": ["HumanEval"], "SQuAD": ["SQuAD"],
    },
    "Metric": {"accuracy": ["accuracy", "Accuracy"], "BLEU": ["BLEU"], "F1": ["F1"], "ROUGE": ["ROUGE"]},
    "Task": {
        "question answering": ["question answering", "Question Answering"], "summarization": ["summarization"],
        "code generation": ["code generation"], "machine translation": ["machine translation"],
        "image generation": ["image generation", "text-to-image generation"],
    },
}
FULL_NAMES = {
    "RLHF": "reinforcement learning from human feedback",
    "retrieval-augmented generation": "retrieval-augmented generation",
    "chain-of-thought": "chain-of-thought prompting",
}
_SENTENCE = re.compile(r"[^.!?]+[.!?]?")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\s?%")


def entity_id(label: str, name: str) -> str:
    return f"{label}:" + re.sub(r"[^a-z0-9]+", "", name.lower())


@cache
def _patterns() -> list[tuple[re.Pattern, str, str]]:
    patterns = []
    for label, names in NAMES.items():
        for name, forms in names.items():
            alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            patterns.append((re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])"), label, name))
    return patterns


@cache
def corpus_papers() -> tuple[Paper, ...]:
    return tuple(read_papers([str(CORPUS)]))


def mentions_of(paper: Paper) -> list[Mention]:
    mentions: list[Mention] = []
    for field in ("title", "abstract"):
        text = getattr(paper, field)
        taken: list[tuple[int, int]] = []
        found = []
        for pattern, label, name in _patterns():
            for match in pattern.finditer(text):
                if any(match.start() < e and s < match.end() for s, e in taken):
                    continue
                taken.append((match.start(), match.end()))
                found.append((match.start(), match.end(), match.group(), label, name))
        for start, end, surface, label, name in sorted(found):
            sentence = sum(1 for m in _SENTENCE.finditer(text[:start])) - 1 if start else 0
            mentions.append(Mention(field=field, start=start, end=end, text=surface, label=label, score=0.9,
                                    source="test-regex", sentence=max(sentence, 0),
                                    entity_id=entity_id(label, name)))
    return mentions


def relations_of(paper: Paper, mentions: list[Mention]) -> list[Relation]:
    relations: list[Relation] = []
    title_mentions = [i for i, m in enumerate(mentions) if m.field == "title"]
    if title_mentions:
        relations.append(Relation(type="PROPOSES", head="paper", tail=title_mentions[0], score=0.7,
                                  field="title", evidence=(0, len(paper.title)), source="test-rule"))
    used = set()
    for sentence in _SENTENCE.finditer(paper.abstract):
        start, end = sentence.span()
        inside = [i for i, m in enumerate(mentions) if m.field == "abstract" and start <= m.start < end]
        systems = [i for i in inside if mentions[i].label in ("Model", "Method")]
        datasets = [i for i in inside if mentions[i].label == "Dataset"]
        metrics = [i for i in inside if mentions[i].label == "Metric"]
        tasks = [i for i in inside if mentions[i].label == "Task"]
        for d in datasets:
            if mentions[d].entity_id not in used:
                used.add(mentions[d].entity_id)
                relations.append(Relation(type="USES", head="paper", tail=d, score=0.6,
                                          evidence=(start, end), source="test-rule"))
        for s in systems[:2]:
            for d in datasets[:2]:
                relations.append(Relation(type="EVALUATED_ON", head=s, tail=d, score=0.8,
                                          evidence=(start, end), source="test-rule"))
        number = _NUMBER.search(sentence.group())
        if systems and (datasets or tasks) and number:
            relations.append(Relation(type="HAS_RESULT", head=systems[0], tail=(datasets + tasks)[0], score=0.75,
                                      evidence=(start, end), source="test-rule",
                                      metric=metrics[0] if metrics else None,
                                      value=number.group().rstrip("% ").strip(), unit="%"))
        if len(systems) >= 2 and "outperform" in sentence.group():
            relations.append(Relation(type="OUTPERFORMS", head=systems[0], tail=systems[1], score=0.65,
                                      evidence=(start, end), source="test-rule"))
    return relations


def entities_for(extracted: list[ExtractedPaper]) -> list[Entity]:
    texts: dict[str, Counter] = defaultdict(Counter)
    papers: dict[str, set[str]] = defaultdict(set)
    info: dict[str, tuple[str, str]] = {}
    long_forms: dict[str, bool] = defaultdict(bool)
    for paper in extracted:
        lowered = (paper.title + " " + paper.abstract).lower()
        for mention in paper.mentions:
            texts[mention.entity_id][mention.text] += 1
            papers[mention.entity_id].add(paper.paper_id)
            name = next(n for n, forms in NAMES[mention.label].items() if entity_id(mention.label, n) == mention.entity_id)
            info[mention.entity_id] = (mention.label, name)
            if name in FULL_NAMES and FULL_NAMES[name] in lowered:
                long_forms[mention.entity_id] = True
    entities = []
    for eid, counter in sorted(texts.items()):
        label, name = info[eid]
        ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        entities.append(Entity(
            id=eid, label=label, name=name, full_name=FULL_NAMES[name] if long_forms[eid] else None,
            aliases=[a for a, _ in ordered], alias_counts=[f"{a}\t{c}" for a, c in ordered],
            mention_count=sum(counter.values()), paper_count=len(papers[eid]),
        ))
    return entities


def extract(papers) -> list[ExtractedPaper]:
    out = []
    for paper in papers:
        mentions = mentions_of(paper)
        out.append(ExtractedPaper.of(paper, mentions, relations_of(paper, mentions)))
    return out


def corpus_graph(papers=None) -> Graph:
    """The test graph of `papers` (default: the whole example corpus)."""
    extracted = extract(corpus_papers() if papers is None else papers)
    entities = entities_for(extracted)
    variants = [(entity_id("Model", "LLaMA-2"), entity_id("Model", "LLaMA"))]
    known = {e.id for e in entities}
    return build_graph(extracted, entities, [v for v in variants if v[0] in known and v[1] in known])


def split_corpus() -> tuple[tuple[Paper, ...], tuple[Paper, ...]]:
    """Two disjoint halves of the corpus whose entities overlap (even / odd positions)."""
    papers = corpus_papers()
    return papers[0::2], papers[1::2]


NASTY = [
    'He said "hi"', "it's", "back`tick`", "}) DETACH DELETE n //", "line\nbreak\r\nand\ttab",
    "MATCH (n) DETACH DELETE n", "\\\"escaped\\\"", "émoji 🚀 ünïcode", "$param {id: 1}", "a;b|c,d",
]


def nasty_graph() -> Graph:
    """A graph whose ids, names, titles and list values contain quotes, backticks, Cypher, newlines."""
    nodes: list[Node] = []
    rels: list[Relationship] = []
    for i, text in enumerate(NASTY):
        paper_id = f"nasty:{i}:{text}"
        nodes.append(Node(label="Paper", id=paper_id, properties={
            "title": text, "abstract": f"Abstract with {text} inside.", "source": f"nasty.txt:{i}"}))
        eid = f"Method:{text}"
        nodes.append(Node(label="Method", id=eid, properties={
            "name": text, "full_name": text + " (full)", "aliases": [text], "alias_counts": [f"{text}\t1"],
            "mention_count": 1, "paper_count": 1, "label_disagreements": 0}))
        rels.append(Relationship(type="MENTIONS", start=paper_id, start_label="Paper", end=eid, end_label="Method",
                                 properties={"support": 1, "score": 0.5, "papers": [paper_id],
                                             "evidence": [f'{{"paper": "{paper_id}", "text": {text!r}}}'],
                                             "count": 1, "texts": [text]}))
    return Graph(nodes=nodes, relationships=rels)
