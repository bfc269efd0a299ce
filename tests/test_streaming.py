"""The graph streams out (issue 23, item 1): the streamed graph is the in-memory graph, its memory does
not grow with the papers, every sink writes the same from it, and a killed load reruns to a clean result."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
import weakref
from pathlib import Path

import networkx as nx
import pytest

from graph_fixtures import corpus_papers, extract, graph_inputs
from helpers import CORPUS, run_cli
from kgbuild.graph import stream
from kgbuild.graph.build import build_graph
from kgbuild.graph.stream import StreamedGraph
from kgbuild.models import ExtractedPaper
from kgbuild.pipeline import link_extracted, read_extracted
from kgbuild.read import read_papers
from kgbuild.schema import load_schema
from kgbuild.sinks import embedded
from kgbuild.sinks.embedded import EmbeddedStore
from kgbuild.sinks.export import export_csv, export_jsonl
from kgbuild.sinks.graphml import write_graphml
from kgbuild.sinks.neo4j_import import export_neo4j_import

EXTRACTED_PAPERS = 60  # of the example corpus, extracted for real by the CLI tests


def _inputs():
    return graph_inputs([extract(paper) for paper in corpus_papers()])


def canonical(graph) -> dict:
    """Counts, and every node and relationship with its properties, in a sorted form."""
    nodes = sorted(json.dumps([n.label, n.id, n.properties], sort_keys=True) for n in graph.nodes)
    rels = sorted(
        json.dumps([r.type, r.start, r.start_label, r.end, r.end_label, r.properties], sort_keys=True)
        for r in graph.relationships
    )
    return {
        "nodes": graph.node_counts(),
        "relationships": graph.relationship_counts(),
        "node_hash": hashlib.sha256("\n".join(nodes).encode()).hexdigest(),
        "relationship_hash": hashlib.sha256("\n".join(rels).encode()).hexdigest(),
        "node_rows": nodes,
        "relationship_rows": rels,
    }


@pytest.mark.parametrize("run_bytes, fan_in", [(stream.RUN_BYTES, stream.FAN_IN), (1, 3)])
def test_streamed_graph_is_the_in_memory_graph(run_bytes, fan_in, monkeypatch):
    """Same nodes, relationships, properties (papers, evidence in order, support, score, mention and paper
    counts), with one sorted run, or with one run per row merged 3 at a time."""
    monkeypatch.setattr(stream, "RUN_BYTES", run_bytes)
    monkeypatch.setattr(stream, "FAN_IN", fan_in)
    papers, entities, variants = _inputs()
    papers = list(_copies(papers, 3))  # every relationship between entities stated by 3+ papers
    streamed = StreamedGraph.build(iter(papers), entities, variants)
    reference = build_graph(papers, entities, variants)
    assert canonical(streamed) == canonical(reference)
    aggregated = [
        rel for rel in streamed.relationships if {rel.start_label, rel.end_label}.isdisjoint({"Paper", "Result"})
    ]
    assert len(aggregated) >= 8 and all(rel.properties["support"] >= 3 for rel in aggregated)
    assert canonical(streamed) == canonical(reference)  # read again: the streamed graph is re-iterable


def test_the_built_graph_keeps_nothing_of_the_linker(extracted):
    """Once built, the graph is its files and counts: the linker's statistics (which the entities are read
    from) are freed before the sinks run, and the entity nodes still come back, first, with their counts."""
    from kgbuild.link import Linker
    from kgbuild.pipeline import Spool, finish_linking

    spool = Spool(read_extracted(str(extracted)))
    linker = Linker()
    for paper in spool:
        linker.observe(paper)
    corpus = finish_linking(linker, spool)
    expected = canonical(build_graph(list(corpus.papers), corpus.entities, corpus.variant_pairs))
    graph = corpus.graph()
    freed = weakref.ref(linker)
    del linker, corpus
    gc.collect()
    assert freed() is None
    assert canonical(graph) == expected
    entity_labels = load_schema().entity_labels
    first = [node.label in entity_labels for node in graph.nodes]
    assert first == sorted(first, reverse=True) and sum(first) == sum(
        graph.node_counts()[label] for label in entity_labels
    )


def _copies(papers: list[ExtractedPaper], copies: int):
    """The papers `copies` times over, each copy a different paper (own id), made one at a time."""
    for copy in range(copies):
        for paper in papers:
            yield paper.model_copy(update={"paper_id": f"{paper.paper_id}#{copy}"})


def _peak(build, papers, copies: int) -> int:
    tracemalloc.start()
    try:
        graph = build(_copies(papers, copies))
        return tracemalloc.get_traced_memory()[1], graph
    finally:
        tracemalloc.stop()


def test_streamed_graph_memory_does_not_grow_with_the_papers(monkeypatch):
    """Peak traced memory of the streamed build grows by under 2% of what the in-memory build's grows by
    from 2x to 12x the papers (measured: ~12 B against ~3.9 KB per paper; what grows is the evidence of
    the few relationships every copy states again, which one relationship must hold)."""
    monkeypatch.setattr(stream, "RUN_BYTES", 8 << 10)
    monkeypatch.setattr(stream, "FAN_IN", 4)
    papers, entities, variants = _inputs()
    _peak(lambda ps: StreamedGraph.build(ps, entities, variants), papers, 1)  # imports and caches
    streamed_2, graph_2 = _peak(lambda ps: StreamedGraph.build(ps, entities, variants), papers, 2)
    streamed_12, graph_12 = _peak(lambda ps: StreamedGraph.build(ps, entities, variants), papers, 12)
    assert graph_12.node_counts()["Paper"] == 6 * graph_2.node_counts()["Paper"]
    in_memory_2, _ = _peak(lambda ps: build_graph(ps, entities, variants), papers, 2)
    in_memory_12, _ = _peak(lambda ps: build_graph(ps, entities, variants), papers, 12)
    assert streamed_12 - streamed_2 < 0.02 * (in_memory_12 - in_memory_2), (streamed_2, streamed_12)


def _sorted_lines(path: Path) -> list[str]:
    return sorted(path.read_text(encoding="utf-8").splitlines())


def _graphml(path: Path):
    network = nx.read_graphml(path, force_multigraph=True)
    return (
        sorted((node, json.dumps(data, sort_keys=True)) for node, data in network.nodes(data=True)),
        sorted((u, v, json.dumps(data, sort_keys=True)) for u, v, data in network.edges(data=True)),
    )


def test_every_sink_writes_the_same_from_the_stream_as_from_the_graph(tmp_path, monkeypatch):
    """JSONL, CSV, neo4j-import, GraphML and the embedded store (its tables copied 50 rows at a time)."""
    monkeypatch.setattr(embedded, "ROWS_PER_COPY", 50)
    papers, entities, variants = _inputs()
    graphs = {
        "streamed": StreamedGraph.build(iter(papers), entities, variants),
        "memory": build_graph(papers, entities, variants),
    }
    written = {}
    for name, graph in graphs.items():
        out = tmp_path / name
        out.mkdir()
        export_jsonl(graph, out / "graph.jsonl")
        export_csv(graph, out / "csv")
        command = export_neo4j_import(graph, out / "import")
        write_graphml(graph, out / "graph.graphml")
        with EmbeddedStore(out / "graph.lbdb") as store:
            store.load(graph)
            rows = store.query("MATCH (p:Paper)-[m:MENTIONS]->(e) RETURN p.id, e.id, m.count, m.texts, m.evidence")[1]
            counts = store.counts()
        assert counts == {"nodes": graph.node_counts(), "relationships": graph.relationship_counts()}
        written[name] = {
            "jsonl": _sorted_lines(out / "graph.jsonl"),
            "csv": {path.name: _sorted_lines(path) for path in sorted((out / "csv").glob("*.csv"))},
            "import": {path.name: _sorted_lines(path) for path in sorted((out / "import").glob("*.csv"))},
            "command": command.replace(str(out), "OUT"),
            "graphml": _graphml(out / "graph.graphml"),
            "store": (counts, sorted(map(json.dumps, rows))),
        }
    for kind in written["memory"]:
        assert written["streamed"][kind] == written["memory"][kind], kind


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A real `kgbuild extract` of EXTRACTED_PAPERS corpus papers."""
    directory = tmp_path_factory.mktemp("extracted")
    corpus = directory / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for index, paper in enumerate(read_papers([str(CORPUS)])):
            if index == EXTRACTED_PAPERS:
                break
            handle.write(json.dumps({"id": paper.id, "title": paper.title, "abstract": paper.abstract}) + "\n")
    result = run_cli("extract", str(corpus), "-o", str(directory / "extracted.jsonl"), "-q")
    assert result.returncode == 0, result.stderr
    return directory / "extracted.jsonl"


def _graph_from_jsonl(path: Path):
    """A graph exported as JSON Lines, read back into the shape canonical() takes."""
    from kgbuild.graph.model import Graph, Node, Relationship

    nodes, relationships = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.pop("kind") == "node":
            nodes.append(Node(**record))
        else:
            relationships.append(Relationship(**record))
    return Graph(nodes=nodes, relationships=relationships)


def test_cli_export_is_the_graph_built_in_memory(extracted, tmp_path):
    """`kgbuild export` (linker pass 1, then the papers streamed into the graph on disk) gives the graph
    the in-memory builder makes of the same linked papers."""
    result = run_cli("export", str(extracted), "--format", "jsonl", "-o", str(tmp_path / "graph.jsonl"), "-q")
    assert result.returncode == 0, result.stderr
    corpus = link_extracted(read_extracted(str(extracted)))
    reference = build_graph(list(corpus.papers), corpus.entities, corpus.variant_pairs)
    assert reference.node_counts()["Paper"] == EXTRACTED_PAPERS
    assert canonical(_graph_from_jsonl(tmp_path / "graph.jsonl")) == canonical(reference)


def _store_contents(path: Path) -> dict:
    with EmbeddedStore(path) as store:
        nodes = store.query("MATCH (n) RETURN label(n), n.id ORDER BY label(n), n.id")[1]
        rels = store.query(
            "MATCH (a)-[r]->(b) RETURN label(r), a.id, b.id, r.support, r.score, r.papers, r.evidence "
            "ORDER BY label(r), a.id, b.id"
        )[1]
        entities = store.query("MATCH (e:Method) RETURN e.id, e.mention_count, e.paper_count ORDER BY e.id")[1]
        return {"counts": store.counts(), "nodes": nodes, "relationships": rels, "entities": entities}


def test_load_killed_while_streaming_then_rerun_equals_a_clean_load(extracted, tmp_path):
    """kill -9 while the graph streams to disk or the store is written: no store is left, and the rerun
    gives the store a clean load gives."""
    clean = tmp_path / "clean.lbdb"
    result = run_cli("load", str(extracted), "--db", str(clean), "-q")
    assert result.returncode == 0, result.stderr

    temporary_dir = tmp_path / "tmp"
    temporary_dir.mkdir()
    store = tmp_path / "store" / "graph.lbdb"
    store.parent.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kgbuild", "load", str(extracted), "--db", str(store), "-q"],
        env=environment,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not any(path.name.startswith("kgbuild-graph-") for path in temporary_dir.iterdir()):
        assert process.poll() is None, "the load ended before its graph was streamed"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not store.exists()
    assert any(path.name.startswith("kgbuild-graph-") for path in temporary_dir.iterdir())  # the dead run's

    result = run_cli("load", str(extracted), "--db", str(store), "-q", env={"TMPDIR": str(temporary_dir)})
    assert result.returncode == 0, result.stderr
    assert _store_contents(store) == _store_contents(clean)
    assert not any(path.name.startswith("kgbuild-graph-") for path in temporary_dir.iterdir())  # cleaned up


def _copied_extract(extracted: Path, path: Path, copies: int) -> Path:
    """`extracted` `copies` times over, each copy other papers (id, title and abstract end differ)."""
    lines = extracted.read_text(encoding="utf-8").splitlines()
    with open(path, "w", encoding="utf-8") as out:
        for copy in range(copies):
            for line in lines:
                paper = json.loads(line)
                paper["paper_id"] += f"#{copy}"
                paper["title"] += f" ({copy})"
                paper["abstract"] += f" ({copy})"  # after every offset
                out.write(json.dumps(paper) + "\n")
    return path


def _neo4j_contents(sink) -> dict:
    from kgbuild.schema import load_schema

    bookkeeping = load_schema().bookkeeping_label("KgbuildLoad")
    nodes = sink.query(f"MATCH (n) WHERE NOT n:{bookkeeping} RETURN labels(n), properties(n)")[1]
    rels = sink.query("MATCH (a)-[r]->(b) RETURN type(r), a.id, b.id, properties(r)")[1]
    return {
        "counts": sink.counts(),
        "nodes": sorted(json.dumps(row, sort_keys=True) for row in nodes),
        "relationships": sorted(json.dumps(row, sort_keys=True) for row in rels),
    }


def test_neo4j_load_killed_midway_then_rerun_equals_a_clean_load(extracted, neo4j_sink, neo4j_server, tmp_path):
    """kill -9 while `kgbuild load --neo4j` writes (some papers are in the database), rerun: the database
    holds what one clean load gives, and no load is left unfinished."""
    bigger = _copied_extract(extracted, tmp_path / "bigger.jsonl", 10)
    environment = {"NEO4J_PASSWORD": neo4j_server.password, "NEO4J_USERNAME": neo4j_server.user}
    if neo4j_server.database:
        environment["NEO4J_DATABASE"] = neo4j_server.database
    load = ["load", str(bigger), "--neo4j", neo4j_server.uri, "-q"]
    result = run_cli(*load, env=environment)
    assert result.returncode == 0, result.stderr
    clean = _neo4j_contents(neo4j_sink)
    assert clean["counts"]["nodes"]["Paper"] > 5 * EXTRACTED_PAPERS  # (the reader's same-paper rule merges a few)

    neo4j_sink.clear()
    process = subprocess.Popen(
        [sys.executable, "-m", "kgbuild", *load], env={**os.environ, **environment}, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while not neo4j_sink.query("MATCH (p:Paper) RETURN count(p) > 0")[1][0][0]:
        assert process.poll() is None, "the load ended before any paper was written"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert neo4j_sink.incomplete_loads()

    result = run_cli(*load, env=environment)
    assert result.returncode == 0, result.stderr
    assert _neo4j_contents(neo4j_sink) == clean
    assert neo4j_sink.incomplete_loads() == []
