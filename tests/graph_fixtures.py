"""Realistic test Graphs for the graph sinks (Neo4j, neo4j-admin import, embedded store, GraphML,
JSON Lines and CSV exports), built without the extractor or linker: the stand-in extractor's
(tests/standin.py) mentions of a fixed table of names (NAMES) in examples/corpus (the same files as
/work/shared/corpus), each given its canonical name's entity id (ENTITY_OF_FORM), rule-of-thumb
relations between the mentions of a sentence, entities counted from the mentions, all passed
through kgbuild.graph.build.build_graph.

    graph = corpus_graph()                 # the example corpus
    graph = corpus_graph(first)            # some of its papers: first, second = split_corpus()
    graph = fixture_graph()                # corpus + hand-written papers whose relations the named queries must find
    graph = fixture_graph(nasty=True)      # + a paper whose id, title and model names are hostile strings
    graph = nasty_graph()                  # a bare Graph of NASTY_NAMES papers and methods

Entity names are canonical (fixed per entity); aliases and alias_counts are counted from the
mentions as the Neo4j sink recomputes them (by count descending, ties alphabetical), so the graph
of corpus A+B equals A loaded then B.
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
from standin import NameTable, mention_at, sentence_spans

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"

# label -> canonical name -> surface forms matched case-sensitively as whole words
NAMES: dict[str, dict[str, list[str]]] = {
    "Model": {
        "GPT-4": ["GPT-4", "GPT4"],
        "ChatGPT": ["ChatGPT"],
        "GPT-3.5": ["GPT-3.5"],
        "GPT-3": ["GPT-3"],
        "LLaMA-2": ["LLaMA-2", "Llama 2", "Llama-2", "LLaMA 2"],
        "LLaMA": ["LLaMA", "Llama"],
        "BERT": ["BERT"],
        "T5": ["T5"],
        "CLIP": ["CLIP"],
        "Alpaca": ["Alpaca"],
        "Vicuna": ["Vicuna"],
        "Mistral": ["Mistral"],
        "Stable Diffusion": ["Stable Diffusion"],
    },
    "Method": {
        "LoRA": ["LoRA"],
        "RLHF": ["RLHF"],
        "chain-of-thought": ["chain-of-thought", "Chain-of-Thought", "CoT"],
        "instruction tuning": ["instruction tuning", "instruction-tuning", "Instruction tuning"],
        "Transformer": ["Transformer", "transformer"],
        "diffusion model": ["diffusion model", "diffusion models"],
        "retrieval-augmented generation": ["retrieval-augmented generation", "RAG"],
    },
    "Dataset": {
        "ImageNet": ["ImageNet"],
        "COCO": ["COCO", "MS-COCO"],
        "MMLU": ["MMLU"],
        "SuperGLUE": ["SuperGLUE"],
        "CIFAR-10": ["CIFAR-10"],
        "GSM8K": ["GSM8K"],
        "HumanEval": ["HumanEval"],
        "SQuAD": ["SQuAD"],
    },
    "Metric": {"accuracy": ["accuracy", "Accuracy"], "F1": ["F1"], "BLEU": ["BLEU"], "ROUGE": ["ROUGE"]},
    "Task": {
        "question answering": ["question answering", "Question Answering"],
        "summarization": ["summarization"],
        "code generation": ["code generation"],
        "machine translation": ["machine translation"],
        "image generation": ["image generation", "text-to-image generation"],
    },
}
# canonical name -> full name, given to the entity when a paper mentioning it spells it out
FULL_NAMES = {
    "RLHF": "reinforcement learning from human feedback",
    "retrieval-augmented generation": "retrieval-augmented generation",
    "chain-of-thought": "chain-of-thought prompting",
}
VARIANTS = [(("Model", "LLaMA-2"), ("Model", "LLaMA"))]  # (variant, family)

# Hand-written papers: (id, date, title, abstract, relations as (type, head text, tail text[, metric, value, unit])).
# "paper" as head means the paper itself.
HAND_WRITTEN = [
    (
        "fixture:alpaca",
        "2023-03-13",
        "Alpaca: a strong instruction-following model",
        "We propose Alpaca, fine-tuned from LLaMA. Alpaca reaches 61.3% accuracy on MMLU.",
        [
            ("PROPOSES", "paper", "Alpaca"),
            ("FINE_TUNED_FROM", "Alpaca", "LLaMA"),
            ("EVALUATED_ON", "Alpaca", "MMLU"),
            ("HAS_RESULT", "Alpaca", "MMLU", "accuracy", "61.3", "%"),
        ],
    ),
    (
        "fixture:vicuna",
        "2023-06-01",
        "Vicuna: an open chatbot",
        "We propose Vicuna, fine-tuned from LLaMA with LoRA. "
        "Vicuna scores 58.2% accuracy on MMLU and 40.1 F1 on SuperGLUE. Vicuna outperforms Alpaca by 3.1 points.",
        [
            ("PROPOSES", "paper", "Vicuna"),
            ("FINE_TUNED_FROM", "Vicuna", "LLaMA"),
            ("EVALUATED_ON", "Vicuna", "MMLU"),
            ("EVALUATED_ON", "Vicuna", "SuperGLUE"),
            ("HAS_RESULT", "Vicuna", "MMLU", "accuracy", "58.2", "%"),
            ("HAS_RESULT", "Vicuna", "SuperGLUE", "F1", "40.1", None),
            ("USES", "paper", "LoRA"),
            ("USES", "Vicuna", "LoRA"),
            ("OUTPERFORMS", "Vicuna", "Alpaca", None, "3.1", "points"),
        ],
    ),
    (
        "fixture:lora",
        "2021-06-17",
        "LoRA: low-rank adaptation",
        "We propose LoRA and evaluate BERT with LoRA on SuperGLUE, reaching 89.9% accuracy.",
        [
            ("PROPOSES", "paper", "LoRA"),
            ("EVALUATED_ON", "BERT", "SuperGLUE"),
            ("HAS_RESULT", "BERT", "SuperGLUE", "accuracy", "89.9", "%"),
        ],
    ),
    (
        "fixture:cifar",
        "2021-01-05",
        "Image classification with CLIP",
        "CLIP is evaluated on CIFAR-10 and ImageNet. CLIP reaches 95.6% accuracy on CIFAR-10.",
        [
            ("EVALUATED_ON", "CLIP", "CIFAR-10"),
            ("EVALUATED_ON", "CLIP", "ImageNet"),
            ("HAS_RESULT", "CLIP", "CIFAR-10", "accuracy", "95.6", "%"),
        ],
    ),
]

# Names and titles that every sink must keep byte for byte: model names of the nasty paper of
# fixture_graph(nasty=True), method names and paper titles of nasty_graph(). test_neo4j expects
# the fifth (index 4) to hold a newline, a CRLF and a tab.
NASTY_NAMES = [
    'He said "hi"',
    "it's",
    "back`tick`",
    "}) DETACH DELETE n //",
    "line\nbreak\r\nand\ttab",
    "MATCH (n) DETACH DELETE n",
    '\\"escaped\\"',
    "émoji 🚀 ünïcode",
    "$param {id: 1}",
    "a;b|c,d",
    'O\'Brien "quoted" net',
    "back`tick`model",
    "multi\nline\r\nmodel",
    "back\\slash \\' mix",
    "ünïcödé ✓ 模型",
    "{a: 1}, [b]",
]
NASTY_TITLE = "Title with 'single', \"double\", `back`, }) DETACH DELETE n //\nand a second line"

_PERCENTAGE = re.compile(r"\b(\d+(?:\.\d+)?)\s?%")


def entity_id(label: str, name: str) -> str:
    return f"{label}:" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# entity id -> (label, canonical name), for every entity a test paper may mention
CANONICAL = {entity_id(label, name): (label, name) for label, names in NAMES.items() for name in names}
CANONICAL |= {entity_id("Model", name): ("Model", name) for name in NASTY_NAMES}
# surface form -> its entity id: the fixtures' stand-in for the linker
ENTITY_OF_FORM = {
    form: entity_id(label, name) for label, names in NAMES.items() for name, forms in names.items() for form in forms
}
STANDIN = NameTable({form: label for label, names in NAMES.items() for forms in names.values() for form in forms})


def regex_mentions(paper: Paper) -> list[Mention]:
    """The stand-in extractor's mentions of NAMES, each with the entity id of its canonical name."""
    return [found.model_copy(update={"entity_id": ENTITY_OF_FORM[found.text]}) for found in STANDIN.mentions(paper)]


def rule_relations(paper: Paper, mentions: list[Mention]) -> list[Relation]:
    """Relations guessed from co-occurrence: the paper PROPOSES its first title mention, then sentence by sentence."""
    relations = []
    title_mentions = [i for i, m in enumerate(mentions) if m.field == "title"]
    if title_mentions:
        relations.append(
            Relation(
                type="PROPOSES",
                head="paper",
                tail=title_mentions[0],
                score=0.7,
                field="title",
                evidence=(0, len(paper.title)),
                source="rule",
            )
        )
    used_datasets: set[str] = set()
    for span in sentence_spans(paper.abstract):
        relations += _sentence_relations(paper.abstract, span, mentions, used_datasets)
    return relations


def _sentence_relations(
    abstract: str, span: tuple[int, int], mentions: list[Mention], used_datasets: set[str]
) -> list[Relation]:
    """The paper USES each dataset (once per paper), the first two systems (models, methods) are EVALUATED_ON
    the first two datasets, the first system HAS_RESULT a percentage, the first OUTPERFORMS the second."""
    start, end = span
    sentence = abstract[start:end]
    inside = [i for i, m in enumerate(mentions) if m.field == "abstract" and start <= m.start < end]
    systems = [i for i in inside if mentions[i].label in ("Model", "Method")]
    datasets = [i for i in inside if mentions[i].label == "Dataset"]
    metrics = [i for i in inside if mentions[i].label == "Metric"]
    tasks = [i for i in inside if mentions[i].label == "Task"]

    def relation(rel_type: str, head: int | str, tail: int, score: float, **result) -> Relation:
        return Relation(type=rel_type, head=head, tail=tail, score=score, evidence=span, source="rule", **result)

    relations = []
    for dataset in datasets:
        if mentions[dataset].entity_id not in used_datasets:
            used_datasets.add(mentions[dataset].entity_id)
            relations.append(relation("USES", "paper", dataset, 0.6))
    relations += [relation("EVALUATED_ON", system, dataset, 0.8) for system in systems[:2] for dataset in datasets[:2]]
    percentage = _PERCENTAGE.search(sentence)
    if systems and (datasets or tasks) and percentage:
        relations.append(
            relation(
                "HAS_RESULT",
                systems[0],
                (datasets + tasks)[0],
                0.75,
                metric=metrics[0] if metrics else None,
                value=percentage.group(1),
                unit="%",
            )
        )
    if len(systems) >= 2 and "outperform" in sentence:
        relations.append(relation("OUTPERFORMS", systems[0], systems[1], 0.65))
    return relations


def hand_written_relations(paper: ExtractedPaper, specs: list[tuple]) -> list[Relation]:
    """Relations of a hand-written paper, each anchored on the first abstract mention of its names,
    with the sentence of its tail as evidence."""

    def index(text: str) -> int | str:
        if text == "paper":
            return "paper"
        return next(i for i, m in enumerate(paper.mentions) if m.field == "abstract" and m.text == text)

    relations = []
    for rel_type, head, tail, *result in specs:
        head_index, tail_index = index(head), index(tail)
        anchor = paper.mentions[tail_index].start
        evidence = next(span for span in sentence_spans(paper.abstract) if span[0] <= anchor < span[1])
        fields = {}
        if result:  # a HAS_RESULT's metric, value and unit; an OUTPERFORMS's margin (no metric)
            metric, value, unit = result
            fields = {"metric": index(metric) if metric else None, "value": value, "unit": unit}
        relations.append(
            Relation(
                type=rel_type,
                head=head_index,
                tail=tail_index,
                score=0.8,
                evidence=evidence,
                source="hand-written",
                **fields,
            )
        )
    return relations


def entities_of(papers: list[ExtractedPaper]) -> list[Entity]:
    """One Entity per mentioned id, aliases by count then text (mention and paper counts come from build_graph)."""
    surfaces: dict[str, Counter] = defaultdict(Counter)
    full_names: dict[str, str] = {}
    for paper in papers:
        text = f"{paper.title} {paper.abstract}".lower()
        for mention in paper.mentions:
            surfaces[mention.entity_id][mention.text] += 1
            full_name = FULL_NAMES.get(CANONICAL[mention.entity_id][1])
            if full_name and full_name in text:
                full_names[mention.entity_id] = full_name
    entities = []
    for identifier, counts in sorted(surfaces.items()):
        label, name = CANONICAL[identifier]
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        entities.append(
            Entity(
                id=identifier,
                label=label,
                name=name,
                full_name=full_names.get(identifier),
                aliases=[alias for alias, _ in ranked],
                alias_counts=[f"{alias}\t{count}" for alias, count in ranked],
            )
        )
    return entities


def graph_inputs(
    papers: list[ExtractedPaper],
) -> tuple[list[ExtractedPaper], list[Entity], list[tuple[str, str]]]:
    """What build_graph and StreamedGraph.build take: the papers, their entities and the VARIANTS pairs among them."""
    entities = entities_of(papers)
    known = {entity.id for entity in entities}
    variants = [(entity_id(*variant), entity_id(*family)) for variant, family in VARIANTS]
    return papers, entities, [pair for pair in variants if set(pair) <= known]


def _graph_of(papers: list[ExtractedPaper]) -> Graph:
    return build_graph(*graph_inputs(papers))


@cache
def corpus_papers() -> tuple[Paper, ...]:
    """The example corpus; it has no dates, so they are spread over 2019-2024 for per-year queries to have data."""
    return tuple(
        Paper.model_validate({**paper.model_dump(), "date": f"{2019 + index % 6}-01-01", "year": None})
        for index, paper in enumerate(read_papers([str(CORPUS)]))
    )


def split_corpus() -> tuple[tuple[Paper, ...], tuple[Paper, ...]]:
    """Two disjoint halves of the corpus whose entities overlap (even / odd positions)."""
    papers = corpus_papers()
    return papers[0::2], papers[1::2]


def extract(paper: Paper) -> ExtractedPaper:
    """`paper` with the stand-in's mentions and rule relations."""
    mentions = regex_mentions(paper)
    return ExtractedPaper.of(paper, mentions, rule_relations(paper, mentions))


def corpus_graph(papers: tuple[Paper, ...] | None = None) -> Graph:
    """The graph of `papers` (default: the whole example corpus) with regex mentions and rule relations."""
    return _graph_of([extract(paper) for paper in (corpus_papers() if papers is None else papers)])


def _hand_written_papers() -> list[ExtractedPaper]:
    papers = []
    for identifier, date, title, abstract, specs in HAND_WRITTEN:
        paper = Paper(id=identifier, title=title, abstract=abstract, date=date, source=identifier)
        extracted = ExtractedPaper.of(paper, regex_mentions(paper))
        extracted.relations = hand_written_relations(extracted, specs)
        papers.append(extracted)
    return papers


def _nasty_paper() -> ExtractedPaper:
    """A paper whose id and title are hostile and whose abstract compares each NASTY_NAMES model on MMLU."""
    sentences = [f"We compare {name} on MMLU." for name in NASTY_NAMES]
    abstract = " ".join(sentences)
    paper = Paper(
        id="fixture:nasty 'id' `x`", title=NASTY_TITLE, abstract=abstract, date="2024-02", source="fixture:nasty"
    )
    name_offset = len("We compare ")
    sentence_starts = [sum(len(sentence) + 1 for sentence in sentences[:i]) for i in range(len(sentences))]
    models = [
        mention_at("abstract", abstract, start + name_offset, name, "Model", "hand-written").model_copy(
            update={"entity_id": entity_id("Model", name)}
        )
        for start, name in zip(sentence_starts, NASTY_NAMES)
    ]
    return ExtractedPaper.of(paper, models + regex_mentions(paper))


@cache
def fixture_graph(nasty: bool = False) -> Graph:
    """corpus_graph() plus the HAND_WRITTEN papers, and with nasty=True a paper of hostile strings."""
    papers = [extract(paper) for paper in corpus_papers()] + _hand_written_papers()
    if nasty:
        papers.append(_nasty_paper())
    return _graph_of(papers)


def nasty_graph() -> Graph:
    """A graph, not built by build_graph, whose paper ids and titles, method names and MENTIONS texts are
    NASTY_NAMES: paper nasty:{i}:{name} mentions Method:{name}."""
    nodes: list[Node] = []
    relationships: list[Relationship] = []
    for i, text in enumerate(NASTY_NAMES):
        paper_id, method_id = f"nasty:{i}:{text}", f"Method:{text}"
        nodes.append(
            Node(
                label="Paper",
                id=paper_id,
                properties={"title": text, "abstract": f"Abstract with {text} inside.", "source": f"nasty.txt:{i}"},
            )
        )
        nodes.append(
            Node(
                label="Method",
                id=method_id,
                properties={
                    "name": text,
                    "full_name": text + " (full)",
                    "aliases": [text],
                    "alias_counts": [f"{text}\t1"],
                    "mention_count": 1,
                    "paper_count": 1,
                    "label_disagreements": 0,
                },
            )
        )
        relationships.append(
            Relationship(
                type="MENTIONS",
                start=paper_id,
                start_label="Paper",
                end=method_id,
                end_label="Method",
                properties={
                    "support": 1,
                    "score": 0.5,
                    "papers": [paper_id],
                    "evidence": [f'{{"paper": "{paper_id}", "text": {text!r}}}'],
                    "count": 1,
                    "texts": [text],
                },
            )
        )
    return Graph(nodes=nodes, relationships=relationships)
