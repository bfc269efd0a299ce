"""Synthetic, realistic kgbuild Graphs for the graph-out benchmarks (GraphML, embedded store, Neo4j).

    from graph_gen import generate_graph
    graph = generate_graph(nodes=100_000, rels=300_000, seed=0)

Exactly `nodes` nodes: 30% papers, 5% results, the rest entities (Model 30%, Method 25%,
Dataset 20%, Task 15%, Metric 10%) with Zipf-like popularity. Exactly `rels` relationships:
every result is wired like the graph builder does it (ACHIEVES, MEASURED_ON, REPORTS, and
MEASURED_BY for most), ~80% of the rest are MENTIONS (count/texts), the others spread over the
remaining schema types and their allowed endpoint pairs. Properties look like build.py's:
ids "Label:key", evidence as JSON strings per paper, papers lists. Deterministic for a seed.
"""

from __future__ import annotations

import json
import random

from kgbuild.graph.model import Graph, Node, Relationship
from kgbuild.schema import load_schema

ENTITY_SHARES = {"Model": 0.30, "Method": 0.25, "Dataset": 0.20, "Task": 0.15, "Metric": 0.10}
RESULT_TYPES = ("ACHIEVES", "MEASURED_ON", "MEASURED_BY", "REPORTS")
_WORDS = (
    "neural",
    "graph",
    "sparse",
    "vision",
    "language",
    "deep",
    "robust",
    "fast",
    "latent",
    "diffusion",
    "contrastive",
    "retrieval",
    "agent",
    "token",
    "prompt",
    "kernel",
    "bayesian",
    "causal",
    "mixture",
    "federated",
)
_UNITS = ("%", "%", "BLEU points", None)


class _Generator:
    def __init__(self, nodes: int, rels: int, seed: int):
        self.rng = random.Random(seed)
        self.target_rels = rels
        self.papers = [f"title:{i:016x}" for i in range(int(nodes * 0.30))]
        n_results = int(nodes * 0.05)
        n_entities = nodes - len(self.papers) - n_results
        self.entities: dict[str, list[str]] = {}
        self.names: dict[str, str] = {}
        self.nodes: list[Node] = []
        self.relationships: list[Relationship] = []
        self.seen: set[tuple[str, str, str]] = set()
        remaining = n_entities
        for index, (label, share) in enumerate(ENTITY_SHARES.items()):
            count = remaining if index == len(ENTITY_SHARES) - 1 else int(n_entities * share)
            remaining -= count
            self.entities[label] = [f"{label}:{self._name(label, i).lower()}" for i in range(count)]
        self.results = [f"Result:{i:016x}" for i in range(n_results)]
        self.result_papers = {result: self.rng.choice(self.papers) for result in self.results}

    def _name(self, label: str, index: int) -> str:
        words = _WORDS[index % len(_WORDS)].capitalize() + _WORDS[(index // len(_WORDS)) % len(_WORDS)].capitalize()
        return f"{words}-{label[:2]}{index}"

    def _popular(self, label: str) -> str:
        """An entity of `label`, a few of them far more often than the rest (Zipf-like)."""
        members = self.entities[label]
        if self.rng.random() < 0.3:
            return members[min(int(self.rng.paretovariate(1.1)) - 1, len(members) - 1)]
        return self.rng.choice(members)

    def _evidence(self, paper: str, text: str) -> str:
        start = self.rng.randrange(0, 1200)
        sentence = f"We evaluate {text} and report consistent gains over strong baselines on standard benchmarks."
        return json.dumps(
            {
                "paper": paper,
                "field": "abstract",
                "start": start,
                "end": start + len(sentence),
                "text": sentence,
                "source": "bench",
            },
            ensure_ascii=False,
        )

    def _add(
        self, rel_type: str, start: tuple[str, str], end: tuple[str, str], papers: list[str], text: str, **extra
    ) -> bool:
        key = (rel_type, start[1], end[1])
        if key in self.seen or start[1] == end[1]:
            return False
        self.seen.add(key)
        self.relationships.append(
            Relationship(
                type=rel_type,
                start=start[1],
                start_label=start[0],
                end=end[1],
                end_label=end[0],
                properties={
                    "support": len(papers),
                    "score": round(self.rng.uniform(0.3, 1.0), 4),
                    "papers": papers,
                    "evidence": [self._evidence(paper, text) for paper in papers],
                    **extra,
                },
            )
        )
        return True

    def _result_relationships(self) -> None:
        for result in self.results:
            if len(self.relationships) + 4 > self.target_rels:
                return
            paper = self.result_papers[result]
            system = (label := self.rng.choice(("Model", "Method")), self._popular(label))
            dataset = ("Dataset", self._popular("Dataset"))
            self._add("ACHIEVES", system, ("Result", result), [paper], "the system")
            self._add("MEASURED_ON", ("Result", result), dataset, [paper], "the dataset")
            self._add("REPORTS", ("Paper", paper), ("Result", result), [paper], "the result")
            if self.rng.random() < 0.7:
                self._add("MEASURED_BY", ("Result", result), ("Metric", self._popular("Metric")), [paper], "the metric")

    def _mentions(self, count: int) -> None:
        labels, weights = list(ENTITY_SHARES), list(ENTITY_SHARES.values())
        while len(self.relationships) < count:
            paper = self.rng.choice(self.papers)
            label = self.rng.choices(labels, weights)[0]
            entity = self._popular(label)
            name = entity.split(":", 1)[1]
            texts = [name if self.rng.random() < 0.8 else name.upper() for _ in range(self.rng.choice((1, 1, 1, 2, 3)))]
            self._add("MENTIONS", ("Paper", paper), (label, entity), [paper], name, count=len(texts), texts=texts)

    def _other_relationships(self) -> None:
        schema = load_schema()
        types = [t for t in schema.relationships if t not in ("MENTIONS", *RESULT_TYPES)]
        while len(self.relationships) < self.target_rels:
            spec = schema.relationships[self.rng.choice(types)]
            start_label, end_label = self.rng.choice(spec.pairs)
            start = self.rng.choice(self.papers) if start_label == "Paper" else self._popular(start_label)
            papers = self.rng.sample(self.papers, self.rng.choice((1, 1, 1, 2, 3)))
            self._add(spec.type, (start_label, start), (end_label, self._popular(end_label)), papers, spec.type.lower())

    def _nodes(self) -> None:
        rng = self.rng
        for index, paper in enumerate(self.papers):
            year = 2015 + index % 10
            words = " ".join(rng.choice(_WORDS) for _ in range(6))
            self.nodes.append(
                Node(
                    label="Paper",
                    id=paper,
                    properties={
                        "title": f"{words.capitalize()}: towards {rng.choice(_WORDS)} learning",
                        "abstract": (f"We study {words}. " * 12).strip(),
                        "date": f"{year}-{1 + index % 12:02d}",
                        "year": year,
                        "authors_count": 1 + index % 12,
                        "source": f"bench/corpus.jsonl:{index + 1}",
                    },
                )
            )
        for label, members in self.entities.items():
            for index, entity in enumerate(members):
                name = self._name(label, index)
                aliases = [name, name.upper()] if index % 3 == 0 else [name]
                mentions = [rng.randint(1, 50) for _ in aliases]
                self.nodes.append(
                    Node(
                        label=label,
                        id=entity,
                        properties={
                            "name": name,
                            "full_name": f"{name} full name" if index % 5 == 0 else None,
                            "aliases": aliases,
                            "alias_counts": [f"{alias}\t{count}" for alias, count in zip(aliases, mentions)],
                            "mention_count": sum(mentions),
                            "paper_count": max(1, sum(mentions) // 2),
                            "label_disagreements": index % 4,
                        },
                    )
                )
        for result in self.results:
            value = f"{rng.uniform(10, 99):.1f}"
            self.nodes.append(
                Node(
                    label="Result",
                    id=result,
                    properties={
                        "value": value,
                        "unit": rng.choice(_UNITS),
                        "metric": rng.choice(("accuracy", "F1", "BLEU", None)),
                        "paper_id": self.result_papers[result],
                        "evidence": f"Our model reaches {value} on the benchmark.",
                        "score": round(rng.uniform(0.3, 1.0), 4),
                    },
                )
            )

    def graph(self) -> Graph:
        self._result_relationships()
        self._mentions(len(self.relationships) + int((self.target_rels - len(self.relationships)) * 0.8))
        self._other_relationships()
        self._nodes()
        return Graph(nodes=self.nodes, relationships=self.relationships)


def generate_graph(nodes: int = 100_000, rels: int = 300_000, seed: int = 0) -> Graph:
    return _Generator(nodes, rels, seed).graph()
