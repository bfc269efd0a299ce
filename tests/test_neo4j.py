"""The Neo4j sink against a real Neo4j 5.26 server (see conftest.neo4j_server)."""

from __future__ import annotations

import json
import socket
import time

import pytest

from graph_fixtures import NASTY_NAMES as NASTY
from graph_fixtures import corpus_graph, nasty_graph, split_corpus
from kgbuild.graph.model import Graph
from kgbuild.sinks.neo4j import Neo4jConnectionError, Neo4jSink, node_query, relationship_query

SET_LIKE = ("papers", "evidence")  # merged as sets by incremental loads: compare ignoring order


def _norm(props: dict, sets: bool) -> str:
    out = {}
    for key, value in props.items():
        if isinstance(value, list):
            value = sorted(value) if sets and key in SET_LIKE else list(value)
        out[key] = value
    return json.dumps(out, sort_keys=True, ensure_ascii=False)


def db_snapshot(sink: Neo4jSink, sets: bool = False) -> tuple[list, list]:
    """Every graph node (labels, properties) and relationship (type, endpoints, properties) in the DB
    (the loads' own KgbuildLoad records left out)."""
    _, nodes = sink.query("MATCH (n) WHERE NOT n:KgbuildLoad RETURN labels(n), properties(n)")
    _, rels = sink.query("MATCH (a)-[r]->(b) RETURN type(r), labels(a), a.id, labels(b), b.id, properties(r)")
    return (
        sorted((tuple(sorted(labels)), _norm(props, sets)) for labels, props in nodes),
        sorted((t, tuple(sa), a, tuple(sb), b, _norm(props, sets)) for t, sa, a, sb, b, props in rels),
    )


def graph_snapshot(graph: Graph, sets: bool = False) -> tuple[list, list]:
    return (
        sorted(((n.label,), _norm(n.properties, sets)) for n in graph.nodes),
        sorted(
            (r.type, (r.start_label,), r.start, (r.end_label,), r.end, _norm(r.properties, sets))
            for r in graph.relationships
        ),
    )


@pytest.fixture(scope="module")
def full_graph() -> Graph:
    return corpus_graph()


def test_load_matches_graph_exactly(neo4j_sink, full_graph):
    report = neo4j_sink.load(full_graph)
    assert neo4j_sink.counts() == {"nodes": full_graph.node_counts(), "relationships": full_graph.relationship_counts()}
    assert report["nodes_created"] == len(full_graph.nodes)
    assert report["relationships_created"] == len(full_graph.relationships)
    assert db_snapshot(neo4j_sink) == graph_snapshot(full_graph)
    assert "Result" in full_graph.node_counts() and "VARIANT_OF" in full_graph.relationship_counts()


def test_constraints_created(neo4j_sink, full_graph):
    neo4j_sink.load(full_graph)
    _, rows = neo4j_sink.query("SHOW CONSTRAINTS YIELD name RETURN name")
    assert {"paper_id", "method_id", "result_id"} <= {r[0] for r in rows}
    _, rows = neo4j_sink.query("SHOW INDEXES YIELD name RETURN name")
    assert {"method_name", "task_name"} <= {r[0] for r in rows}


def test_second_load_changes_nothing(neo4j_sink, full_graph):
    neo4j_sink.load(full_graph)
    before = db_snapshot(neo4j_sink)
    report = neo4j_sink.load(full_graph)
    assert report["nodes_created"] == 0 and report["relationships_created"] == 0
    assert db_snapshot(neo4j_sink) == before


def test_incremental_load_merges_corpora(neo4j_sink):
    first, second = split_corpus()
    graph_a, graph_b = corpus_graph(first), corpus_graph(second)
    assert not {n.id for n in graph_a.nodes if n.label == "Paper"} & {n.id for n in graph_b.nodes if n.label == "Paper"}
    shared = {n.id for n in graph_a.nodes if n.label != "Paper"} & {n.id for n in graph_b.nodes if n.label != "Paper"}
    assert len(shared) > 10

    neo4j_sink.load(graph_a)
    neo4j_sink.load(graph_b)
    combined = corpus_graph(first + second)
    # A then B == one graph built from A+B: entities counted once, counts/aliases combined,
    # relationship papers/evidence merged (order aside), support = number of papers.
    assert db_snapshot(neo4j_sink, sets=True) == graph_snapshot(combined, sets=True)
    assert neo4j_sink.counts() == {"nodes": combined.node_counts(), "relationships": combined.relationship_counts()}

    entity = max(shared, key=lambda eid: next(n.properties["paper_count"] for n in combined.nodes if n.id == eid))
    a_count = next(n.properties["mention_count"] for n in graph_a.nodes if n.id == entity)
    b_count = next(n.properties["mention_count"] for n in graph_b.nodes if n.id == entity)
    _, rows = neo4j_sink.query(
        "MATCH (p:Paper)-[m:MENTIONS]->(e {id: $id}) RETURN e.mention_count, e.paper_count, count(p)", {"id": entity}
    )
    assert rows == [(a_count + b_count, rows[0][2], rows[0][2])]

    # still idempotent after merging: loading either half again changes nothing
    merged = db_snapshot(neo4j_sink)
    neo4j_sink.load(graph_a)
    neo4j_sink.load(graph_b)
    assert db_snapshot(neo4j_sink) == merged


def test_full_name_kept_when_new_graph_has_none(neo4j_sink, full_graph):
    neo4j_sink.load(full_graph)
    entity = next(n for n in full_graph.nodes if n.properties.get("full_name"))
    stripped = Graph(
        nodes=[
            n.model_copy(update={"properties": {k: v for k, v in n.properties.items() if k != "full_name"}})
            for n in full_graph.nodes
        ],
        relationships=full_graph.relationships,
    )
    neo4j_sink.load(stripped)
    _, rows = neo4j_sink.query("MATCH (e {id: $id}) RETURN e.full_name", {"id": entity.id})
    assert rows == [(entity.properties["full_name"],)]


def test_hostile_strings_load_unchanged_and_touch_nothing_else(neo4j_sink, full_graph):
    neo4j_sink.load(full_graph)
    before = db_snapshot(neo4j_sink)
    nasty = nasty_graph()
    neo4j_sink.load(nasty)
    neo4j_sink.load(nasty)
    after = db_snapshot(neo4j_sink)
    nasty_nodes, nasty_rels = graph_snapshot(nasty)
    assert sorted(before[0] + nasty_nodes) == after[0]
    assert sorted(before[1] + nasty_rels) == after[1]
    for text in NASTY:
        _, rows = neo4j_sink.query(
            "MATCH (p:Paper {title: $t})-[m:MENTIONS]->(e:Method {name: $t}) RETURN p.id, e.aliases, m.texts",
            {"t": text},
        )
        assert rows == [(f"nasty:{NASTY.index(text)}:{text}", [text], [text])]


def test_queries_come_from_schema_only():
    with pytest.raises(ValueError):
        node_query("Paper) DETACH DELETE n //")
    with pytest.raises(ValueError):
        relationship_query("MENTIONS]->() DELETE r //", "Paper", "Method")
    with pytest.raises(ValueError):
        relationship_query("MENTIONS", "Method", "Paper")  # endpoints not allowed by the schema
    assert "$rows" in node_query("Method") and "'" not in node_query("Paper")


def test_routing_uri_works(neo4j_server, full_graph):
    uri = neo4j_server.uri.replace("bolt://", "neo4j://")
    with Neo4jSink(uri, neo4j_server.user, neo4j_server.password, neo4j_server.database) as sink:
        sink.clear()
        sink.load(full_graph)
        assert sink.counts()["nodes"] == full_graph.node_counts()


def test_from_env(monkeypatch, neo4j_server):
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    with Neo4jSink.from_env(database=neo4j_server.database) as sink:
        assert sink.query("RETURN 1 + $x AS y", {"x": 1}) == (["y"], [(2,)])
    monkeypatch.delenv("NEO4J_PASSWORD")
    with pytest.raises(Neo4jConnectionError, match="NEO4J_PASSWORD"):
        Neo4jSink.from_env()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_unreachable_server_fails_fast(scheme):
    began = time.monotonic()
    with pytest.raises(Neo4jConnectionError) as error:
        with Neo4jSink(f"{scheme}://127.0.0.1:{_closed_port()}", "neo4j", "whatever-password"):
            pass
    assert time.monotonic() - began < 10
    message = str(error.value)
    assert "\n" not in message and "cannot reach Neo4j" in message


def test_unroutable_host_fails_within_10s():
    began = time.monotonic()
    with pytest.raises(Neo4jConnectionError):
        with Neo4jSink("bolt://10.255.255.1:7687", "neo4j", "whatever-password"):
            pass
    assert time.monotonic() - began < 10


def test_wrong_password_fails_fast(neo4j_server):
    began = time.monotonic()
    with pytest.raises(Neo4jConnectionError) as error:
        with Neo4jSink(neo4j_server.uri, neo4j_server.user, "definitely-wrong", neo4j_server.database):
            pass
    assert time.monotonic() - began < 10
    assert "\n" not in str(error.value) and "credentials" in str(error.value)
    # Neo4j may lock the account briefly after failed logins; wait until the right password works again
    deadline = time.monotonic() + 30
    while True:
        try:
            with Neo4jSink(neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database):
                break
        except Neo4jConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


QUERY_ARGUMENTS = {  # values tried for each named-query parameter (names and aliases from the test graph)
    "name": ["GPT-4", "llama", "CoT", "chain-of-thought", "COCO", "accuracy", "question answering", "no such thing"],
    "model": ["LLaMA", "llama 2", "GPT-3"],
    "dataset": ["COCO", "ms-coco", "ImageNet", "MMLU"],
    "limit": [3, 100],
    "paper": ["fixture:alpaca", "vicuna: an open chatbot", "no such paper"],
    "min_score": [0.5, 0.0],
}


def test_missing_database_is_a_connection_error(neo4j_server):
    with pytest.raises(Neo4jConnectionError) as error:
        with Neo4jSink(neo4j_server.uri, neo4j_server.user, neo4j_server.password, "nosuchdb"):
            pass
    assert "\n" not in str(error.value) and "nosuchdb" in str(error.value)


def test_named_queries_agree_with_embedded_store(neo4j_sink, full_graph, tmp_path):
    import itertools
    import re

    from kgbuild.queries import named_queries
    from kgbuild.sinks.embedded import EmbeddedStore

    neo4j_sink.load(full_graph)
    store = EmbeddedStore(tmp_path / "graph.lbug")
    store.load(full_graph, replace=True)
    checked = non_empty = 0
    try:
        for name, cypher in named_queries().items():
            params = sorted(set(re.findall(r"\$([A-Za-z_]\w*)", re.sub(r"^\s*//.*$", "", cypher, flags=re.M))))
            assert set(params) <= set(QUERY_ARGUMENTS), f"{name}: no test values for {params}"
            for values in itertools.product(*(QUERY_ARGUMENTS[p] for p in params)):
                arguments = dict(zip(params, values))
                expected = store.query(cypher, arguments)
                got = neo4j_sink.query(cypher, arguments)
                assert _rows(got) == _rows(expected), f"{name} {arguments}"
                checked += 1
                non_empty += bool(expected[1])
    finally:
        store.close()
    assert checked >= len(named_queries()) and non_empty >= len(named_queries()) - 1


def _rows(result) -> tuple[list, list]:
    """Columns and rows in order (every named query ends in a total ORDER BY), as JSON."""
    columns, rows = result
    return list(columns), [json.dumps(list(r), sort_keys=True, default=str, ensure_ascii=False) for r in rows]


# -- neo4j-admin import export -----------------------------------------------------------------


def _hostile_corpus_graph(full_graph: Graph) -> Graph:
    nasty = nasty_graph()
    return Graph(nodes=full_graph.nodes + nasty.nodes, relationships=full_graph.relationships + nasty.relationships)


def _without_empty_lists(snapshot):
    """The import tool cannot express an empty array: such properties come back absent."""

    def strip(props: str) -> str:
        return json.dumps({k: v for k, v in json.loads(props).items() if v != []}, sort_keys=True, ensure_ascii=False)

    nodes, rels = snapshot
    return sorted((label, strip(p)) for label, p in nodes), sorted((*r[:-1], strip(r[-1])) for r in rels)


def test_import_csvs_parse_back(tmp_path, full_graph):
    import csv
    import shlex

    from kgbuild.sinks.neo4j_import import export_neo4j_import

    graph = _hostile_corpus_graph(full_graph)
    command = export_neo4j_import(graph, tmp_path)
    argv = shlex.split(command)
    assert argv[:5] == ["neo4j-admin", "database", "import", "full", "neo4j"]
    assert "--overwrite-destination=true" in argv and "--multiline-fields=true" in argv
    assert (tmp_path / "import-command.txt").read_text().strip() == command
    delimiter_arg = next(a.split("=", 1)[1] for a in argv if a.startswith("--array-delimiter="))
    delimiter = chr(int(delimiter_arg[2:], 16)) if delimiter_arg.startswith("U+") else delimiter_arg
    assert delimiter != ";"  # the hostile strings contain ';', so another delimiter was chosen

    file_args = [a.split("=", 2)[1:] for a in argv if a.startswith(("--nodes=", "--relationships="))]
    files = dict(file_args)
    nodes = {}
    for label in graph.node_counts():
        with open(files[label], encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        header = rows[0]
        assert header[0] == f"id:ID({label})" and header[-1] == ":LABEL"
        for row in rows[1:]:
            nodes[row[0]] = dict(zip(header, row))
    assert len(nodes) == len(graph.nodes)
    for node in graph.nodes:
        row = nodes[node.id]
        for key, value in node.properties.items():
            column = next(h for h in row if h.split(":")[0] == key)
            if column.endswith("string[]"):
                assert (row[column].split(delimiter) if row[column] else []) == value
            elif column.endswith(":long"):
                assert int(row[column]) == value
            elif column.endswith(":double"):
                assert float(row[column]) == value
            else:
                assert row[column] == value
    rel_rows = 0
    for rel_type in graph.relationship_counts():
        for name, path in file_args:
            if name == rel_type:
                with open(path, encoding="utf-8", newline="") as handle:
                    rows = list(csv.reader(handle))
                assert rows[0][:3] == [rows[0][0], rows[0][1], ":TYPE"] and rows[0][0].startswith(":START_ID(")
                assert {r[2] for r in rows[1:]} == {rel_type}
                rel_rows += len(rows) - 1
    assert rel_rows == len(graph.relationships)
    texts = [r for r in graph.relationships if r.type == "MENTIONS" and r.start.startswith("nasty:4:")]
    assert texts and texts[0].properties["texts"] == ["line\nbreak\r\nand\ttab"]


def test_import_tool_loads_the_export(tmp_path, full_graph, neo4j_java):
    """Run the real `neo4j-admin database import full` (Neo4j's AdminTool from the test launcher's
    classpath) on the export, start a server on the imported store, compare with the graph."""
    import os
    import shlex
    import subprocess

    from kgbuild.sinks.neo4j_import import export_neo4j_import
    from neo4j_server import JVM_OPTS, LIB, build_launcher, serving_store

    jar = build_launcher()
    graph = _hostile_corpus_graph(full_graph)
    home = tmp_path / "home"
    (home / "conf").mkdir(parents=True)
    command = shlex.split(export_neo4j_import(graph, tmp_path / "csv"))
    assert command[0] == "neo4j-admin"
    classpath = f"{jar}{os.pathsep}{LIB / '*'}"
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    done = subprocess.run(
        ["java", *JVM_OPTS, "-cp", classpath, "org.neo4j.cli.AdminTool", *command[1:]],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )  # import.report lands in cwd
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "IMPORT DONE" in done.stdout + done.stderr

    with (
        serving_store(home, "import-test-pw", JVM_OPTS, timeout=120) as uri,
        Neo4jSink(uri, "neo4j", "import-test-pw") as sink,
    ):
        assert _without_empty_lists(db_snapshot(sink)) == _without_empty_lists(graph_snapshot(graph))


def test_entity_stats_are_recomputed_from_the_database(neo4j_sink, full_graph):
    """Every entity of the loaded graph gets mention_count/paper_count/aliases/alias_counts recomputed
    from its MENTIONS in the database; running the recompute again changes nothing, also when a
    MENTIONS key is repeated (the MERGE combines the copies)."""
    from kgbuild.graph.model import Relationship
    from kgbuild.schema import load_schema
    from kgbuild.sinks.neo4j import recompute_query

    nasty = nasty_graph()
    mention = next(r for r in full_graph.relationships if r.type == "MENTIONS")
    repeated = Relationship(
        **{**mention.model_dump(), "properties": {**mention.properties, "count": 1, "texts": ["zz repeated alias"]}}
    )
    graph = Graph(
        nodes=full_graph.nodes + nasty.nodes, relationships=full_graph.relationships + nasty.relationships + [repeated]
    )
    report = neo4j_sink.load(graph)
    assert report["entities_recomputed"] == sum(1 for n in graph.nodes if n.label in load_schema().entity_labels)
    before = db_snapshot(neo4j_sink)
    for label in load_schema().entity_labels:
        neo4j_sink._write(recompute_query(label), ids=[n.id for n in graph.nodes if n.label == label])
    assert db_snapshot(neo4j_sink) == before
    assert neo4j_sink.load(graph)["nodes_created"] == 0
    assert db_snapshot(neo4j_sink) == before


class _CountedSource:
    """A GraphSource over `graph` that counts the nodes and relationships drawn in the current pass."""

    def __init__(self, graph: Graph) -> None:
        self._graph, self.drawn = graph, {"nodes": 0, "relationships": 0}
        self.nodes, self.relationships = self._Pass(self, "nodes"), self._Pass(self, "relationships")

    class _Pass:
        def __init__(self, source, kind: str) -> None:
            self._source, self._kind = source, kind

        def __iter__(self):
            self._source.drawn[self._kind] = 0
            for item in getattr(self._source._graph, self._kind):
                self._source.drawn[self._kind] += 1
                yield item

    def node_counts(self) -> dict[str, int]:
        return self._graph.node_counts()

    def relationship_counts(self) -> dict[str, int]:
        return self._graph.relationship_counts()


def test_load_streams_the_graph_holding_a_batch_per_statement(neo4j_sink, full_graph, monkeypatch):
    """Rows are sent as they are drawn from the graph: at any write, the rows drawn and not yet sent are
    fewer than a batch per statement (node label / relationship pattern), never the whole graph; with
    5-row batches the database still equals the graph, and a second load changes nothing."""
    source = _CountedSource(full_graph)
    write, held, sent = neo4j_sink._write, {"nodes": [], "relationships": []}, {"nodes": 0, "relationships": 0}

    def recording(query, **parameters):
        kind = "relationships" if "MERGE (a)-[" in query else "nodes" if "MERGE (n:" in query else None
        if kind:
            sent[kind] += len(parameters["rows"])
            held[kind].append(source.drawn[kind] - sent[kind])
        return write(query, **parameters)

    monkeypatch.setattr(neo4j_sink, "batch_size", 5)
    monkeypatch.setattr(neo4j_sink, "_write", recording)
    neo4j_sink.load(source)
    patterns = {(r.type, r.start_label, r.end_label) for r in full_graph.relationships}
    assert len(full_graph.relationships) > 3 * 5 * (len(patterns) + 1)  # so holding them all would fail
    assert sent["relationships"] == len(full_graph.relationships)
    assert max(held["relationships"]) < 5 * (len(patterns) + 1)
    assert max(held["nodes"]) < 5 * (len(full_graph.node_counts()) + neo4j_sink.workers)
    assert db_snapshot(neo4j_sink) == graph_snapshot(full_graph)
    report = neo4j_sink.load(source)
    assert report["nodes_created"] == 0 and report["relationships_created"] == 0
    assert db_snapshot(neo4j_sink) == graph_snapshot(full_graph)
