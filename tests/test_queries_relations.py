"""The five relation questions of issue 22, asked with the named queries of a graph built from corpus papers
by the real extractor: which systems were evaluated on a dataset (and with what score), what a paper proposes,
what a model was fine-tuned from, what a system outperforms (with the margin), what a system uses. Each on the
embedded store; the same answers from Neo4j (neo4j_server fixture)."""

from __future__ import annotations

from functools import cache

import pytest

from helpers import CORPUS
from kgbuild.graph.model import Graph
from kgbuild.queries import MIN_RELATION_SCORE, load_query, with_defaults
from kgbuild.read import read_papers
from kgbuild.sinks.embedded import EmbeddedStore

# The corpus papers asked about, by the start of their abstract.
_OPENINGS = (
    "Solving complex mathematical problems via system-2 reasoning",  # EIT
    "Instruction-finetuning (IFT) has become crucial",  # AlpaCare
    "Large pre-trained models (LPMs) have demonstrated exceptional performance",  # SVFit
    "In this paper, we propose KnowCoder, a Large Language Model",  # KnowCoder
)


@cache
def corpus_graph() -> tuple[Graph, dict[str, str]]:
    """The graph of the _OPENINGS papers, and their ids by the opening."""
    from kgbuild.extract import extract_papers
    from kgbuild.pipeline import link_extracted
    from kgbuild.relate import relate

    papers = [paper for paper in read_papers([str(CORPUS)]) if paper.abstract.startswith(_OPENINGS)]
    ids = {opening: paper.id for paper in papers for opening in _OPENINGS if paper.abstract.startswith(opening)}
    assert len(ids) == len(_OPENINGS), ids
    return link_extracted(extract_papers(papers, relate=relate)).graph(), ids


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    graph, _ = corpus_graph()
    with EmbeddedStore(tmp_path_factory.mktemp("store") / "graph.lbug") as store:
        store.load(graph)
        yield store


def ask(store, query: str, **parameters) -> list[dict]:
    cypher = load_query(query)
    columns, rows = store.query(cypher, with_defaults(cypher, parameters))
    return [dict(zip(columns, row)) for row in rows]


QUESTIONS = [
    ("models_on_dataset", {"dataset": "GSM8K"}),
    ("proposed_by_paper", {"paper": "Instruction-finetuning (IFT) has become crucial"}),
    ("base_models", {"name": "AlpaCare"}),
    ("outperforms", {"name": "SVFit"}),
    ("system_uses", {"name": "KnowCoder"}),
]


def _parameters(parameters: dict) -> dict:
    """A paper is asked about by its id (the graph's), here found by its abstract's opening."""
    _, ids = corpus_graph()
    return {key: ids.get(value, value) for key, value in parameters.items()}


def test_which_systems_were_evaluated_on_gsm8k_and_with_what_score(store):
    rows = ask(store, "models_on_dataset", dataset="gsm8k")
    assert ("EIT", 1, "84.1", "%") in {
        (row["system"], row["evaluated_on_papers"], row["value"], row["unit"]) for row in rows
    }, rows


def test_what_did_the_alpacare_paper_propose(store):
    rows = ask(store, "proposed_by_paper", **_parameters({"paper": _OPENINGS[1]}))
    assert {"AlpaCare", "MedInstruct-52k"} <= {row["entity"] for row in rows}, rows
    assert all(row["score"] >= MIN_RELATION_SCORE and row["evidence"] for row in rows)


def test_what_was_alpacare_fine_tuned_from(store):
    rows = ask(store, "base_models", name="alpacare")
    assert [(row["relationship"], row["base"]) for row in rows] == [("FINE_TUNED_FROM", "LLaMA")], rows


def test_what_does_svfit_outperform(store):
    rows = ask(store, "outperforms", name="SVFit")
    assert "LoRA" in {row["other"] for row in rows}, rows


def test_what_does_knowcoder_use(store):
    rows = ask(store, "system_uses", name="knowcoder")
    assert "two-phase learning" in {row["used"] for row in rows}, rows


def test_relations_scored_below_min_score_are_left_out_by_default(store):
    """Every relationship keeps its score; a query shows those under $min_score (default MIN_RELATION_SCORE)
    only when asked with a lower one."""
    graph, _ = corpus_graph()
    paper = _parameters({"paper": _OPENINGS[1]})["paper"]
    scores = {r.end: r.properties["score"] for r in graph.relationships if r.type == "PROPOSES" and r.start == paper}
    assert len(set(scores.values())) > 1, scores  # else no bar between them could be tested
    bar = max(scores.values())
    shown = {row["entity_id"] for row in ask(store, "proposed_by_paper", paper=paper, min_score=bar)}
    assert shown == {entity for entity, score in scores.items() if score >= bar} != set(scores)
    assert with_defaults(load_query("proposed_by_paper"), {"paper": paper}) == {
        "paper": paper,
        "min_score": MIN_RELATION_SCORE,
    }
    assert with_defaults(load_query("proposed_by_paper"), {"paper": paper, "min_score": 0})["min_score"] == 0


def test_the_answers_are_the_same_on_neo4j(store, neo4j_sink):
    graph, _ = corpus_graph()
    neo4j_sink.load(graph)
    for name, parameters in QUESTIONS:
        cypher = load_query(name)
        arguments = with_defaults(cypher, _parameters(parameters))
        expected = store.query(cypher, arguments)
        columns, rows = neo4j_sink.query(cypher, arguments)
        assert (list(columns), [list(row) for row in rows]) == expected, name
        assert expected[1], f"{name} found nothing on the corpus papers; the comparison would prove nothing"
