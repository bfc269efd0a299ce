"""End to end on the corpus: `kgbuild build` into every sink, the extract contract, and reloads.

Only the tests marked neo4j (those using the neo4j_server fixture, see conftest.py) need a Neo4j server;
`pytest tests/test_build.py -m "not neo4j"` runs the rest without one."""

from __future__ import annotations

import json
import os
from collections import Counter

import igraph
import networkx as nx
import pytest

from helpers import REPO, run_cli
from kgbuild.schema import ENTITY_LABELS
from kgbuild.sinks.embedded import EmbeddedStore
from kgbuild.sinks.neo4j import Neo4jSink

EXAMPLES = REPO / "examples" / "corpus"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example corpus built once into extracted.jsonl, GraphML and the embedded store."""
    out = tmp_path_factory.mktemp("build")
    result = run_cli("build", str(EXAMPLES), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


def _neo4j_env(server) -> dict[str, str]:
    return {"NEO4J_PASSWORD": server.password, "NEO4J_USERNAME": server.user}


def _neo4j_counts(server) -> dict[str, dict[str, int]]:
    with Neo4jSink(server.uri, server.user, server.password, server.database) as sink:
        return sink.counts()


def _store_counts(out) -> dict[str, dict[str, int]]:
    with EmbeddedStore(out / "graph.lbdb") as store:
        return store.counts()


def test_counts_are_identical_in_graphml_and_the_embedded_store(built):
    graphml = nx.read_graphml(built / "graph.graphml", force_multigraph=True)
    graphml_nodes = Counter(label for _, label in graphml.nodes(data="label"))
    graphml_rels = Counter(rel_type for _, _, rel_type in graphml.edges(data="type"))
    store_counts = _store_counts(built)
    store_nodes, store_rels = store_counts["nodes"], store_counts["relationships"]
    assert dict(graphml_nodes) == store_nodes
    assert dict(graphml_rels) == store_rels
    assert store_nodes["Paper"] == 336
    assert {"Method", "Model", "Dataset", "Metric", "Task"} <= set(store_nodes)
    assert store_rels["MENTIONS"] > 1000 and store_rels["PROPOSES"] > 50
    # every Result is whole: one system, one dataset or task, one paper
    assert store_nodes["Result"] == store_rels["ACHIEVES"] == store_rels["MEASURED_ON"] == store_rels["REPORTS"]
    as_igraph = igraph.Graph.Read_GraphML(str(built / "graph.graphml"))
    assert (as_igraph.vcount(), as_igraph.ecount()) == (graphml.number_of_nodes(), graphml.number_of_edges())


def test_loading_the_build_into_neo4j_twice_gives_the_counts_of_the_embedded_store(built, neo4j_server):
    with Neo4jSink(neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database) as sink:
        sink.clear()
    load = ("load", str(built / "extracted.jsonl"), "--neo4j", neo4j_server.uri, "-q")
    for _ in range(2):  # the second load merges into the first: no count changes
        result = run_cli(*load, env=_neo4j_env(neo4j_server))
        assert result.returncode == 0, result.stderr
        assert _neo4j_counts(neo4j_server) == _store_counts(built)


def test_build_writes_neo4j_too(tmp_path, neo4j_server):
    # a small input: the build --neo4j wiring, not the corpus (loaded above)
    papers = tmp_path / "papers.jsonl"
    papers.write_text(
        json.dumps({"id": "a", "text": "We propose FooNet, fine-tuned from BERT, and evaluate it on SQuAD."})
        + "\n"
        + json.dumps({"id": "b", "text": "GPT-4 reaches 86.4% accuracy on MMLU."})
        + "\n",
        encoding="utf-8",
    )
    with Neo4jSink(neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database) as sink:
        sink.clear()
    out = tmp_path / "out"
    result = run_cli(
        "build", str(papers), "--out", str(out), "--neo4j", neo4j_server.uri, "-q", env=_neo4j_env(neo4j_server)
    )
    assert result.returncode == 0, result.stderr
    counts = _neo4j_counts(neo4j_server)
    assert counts == _store_counts(out) and counts["nodes"]["Paper"] == 2


def test_extract_output_follows_the_documented_contract(built):
    papers = [json.loads(line) for line in (built / "extracted.jsonl").read_text().splitlines()]
    assert len(papers) == 336
    mention_keys = {"field", "start", "end", "text", "label", "score", "source", "sentence", "entity_id"}
    relation_types = Counter()
    for paper in papers:
        assert {"paper_id", "title", "mentions", "relations"} <= set(paper)
        for mention in paper["mentions"]:
            assert set(mention) == mention_keys
            text = paper["title"] if mention["field"] == "title" else paper["abstract"]
            assert text[mention["start"] : mention["end"]] == mention["text"]
            assert 0 <= mention["score"] <= 1
        for relation in paper["relations"]:
            relation_types[relation["type"]] += 1
            for end in (relation["head"], relation["tail"]):
                assert end == "paper" or 0 <= end < len(paper["mentions"])
            start, end = relation["evidence"]
            assert 0 <= start < end
    assert relation_types["PROPOSES"] > 50


def test_extract_reads_id_and_text_records_from_stdin():
    record = {"id": "my-paper", "text": "We evaluate GPT-4 and BERT on the SQuAD dataset and report F1."}
    result = run_cli("extract", "-", stdin=(json.dumps(record) + "\n").encode())
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["paper_id"] == "my-paper" and line["title"] == ""
    found = {(m["text"], m["label"]) for m in line["mentions"]}
    # "SQuAD" (SciERC's and the CNN's span) or "SQuAD dataset" (SciER's, the encoder's): a Dataset either way
    assert any(label == "Dataset" and text.startswith("SQuAD") for text, label in found), found
    # "Label:key": the entity's label, which is the mention's unless the linker's vote chose another
    ids = [m["entity_id"].partition(":") for m in line["mentions"]]
    assert all(label in ENTITY_LABELS and colon and key for label, colon, key in ids), ids


def test_query_runs_on_the_built_store(built):
    out = built
    result = run_cli(
        "query", "--db", str(out / "graph.lbdb"), "--name", "top_datasets", "--param", "limit=3", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3 and rows[0]["papers"] >= rows[-1]["papers"] >= 1
    raw = run_cli(
        "query",
        "--db",
        str(out / "graph.lbdb"),
        "MATCH (p:Paper) WHERE p.title = $t RETURN p.id AS id",
        "--param",
        "t=ERNIE 3.0: Large-scale Knowledge Enhanced Pre-training for Language Understanding and Generation",
        "--format",
        "csv",
    )
    assert raw.returncode == 0 and len(raw.stdout.splitlines()) == 2


def test_neo4j_without_password_is_one_line_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    result = run_cli(
        "query", "--target", "neo4j", "--neo4j", "bolt://127.0.0.1:1", "MATCH (n) RETURN n", env=env, clear_env=True
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "NEO4J_PASSWORD" in result.stderr


def _rows(out, cypher: str, **parameters) -> list[list]:
    with EmbeddedStore(out / "graph.lbdb") as store:
        return store.query(cypher, parameters)[1]


def test_stated_facts_of_the_corpus_are_in_the_graph(built):
    out = built
    # the entity's name is its most frequent spelling in the corpus ("LLaMA", "Llama"): compared without case
    assert _rows(
        out, "MATCH (m:Model)-[:FINE_TUNED_FROM]->(b:Model) WHERE m.name = $name RETURN lower(b.name)", name="AlpaCare"
    ) == [["llama"]]
    proposers = _rows(
        out, "MATCH (p:Paper)-[:PROPOSES]->(d:Dataset) WHERE d.name = $name RETURN p.abstract", name="MedInstruct-52k"
    )
    assert len(proposers) == 1 and proposers[0][0].startswith("Instruction-finetuning (IFT) has become crucial")
    results = _rows(
        out,
        "MATCH (m)-[:ACHIEVES]->(r:Result)-[:MEASURED_ON]->(d:Dataset), (p:Paper)-[:REPORTS]->(r) "
        "WHERE m.name = $model AND d.name = $dataset RETURN r.value, r.unit, p.title",
        model="ERNIE 3.0",
        dataset="SuperGLUE",
    )
    assert ["90.6", "%"] in [row[:2] for row in results]
    assert all(row[2].startswith("ERNIE 3.0:") for row in results)
