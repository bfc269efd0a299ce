"""The embedded LadybugDB store and the named queries (on it and, when a server can run, on Neo4j)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from graph_fixtures import NASTY_NAMES, NASTY_TITLE, fixture_graph
from kgbuild.graph.model import Graph, Node, Relationship
from kgbuild.queries import UnknownQueryError, load_query, named_queries
from kgbuild.schema import load_schema
from kgbuild.sinks.embedded import EmbeddedStore, StoreExistsError

PARAMETERS = {
    "top_datasets": {"limit": 3},
    "top_entities": {"limit": 5},
    "models_on_dataset": {"dataset": "mmlu", "min_score": 0.5},
    "proposed_per_year": {},
    "entity": {"name": "llama"},
    "entity_relationships": {"name": "VICUNA"},
    "papers_mentioning": {"name": "Vicuna"},
    "fine_tuned_from": {"model": "Llama"},
    "results_on_dataset": {"dataset": "superglue"},
    "proposed_by_paper": {"paper": "VICUNA: an open chatbot", "min_score": 0.5},
    "base_models": {"name": "vicuna", "min_score": 0.5},
    "outperforms": {"name": "Vicuna", "min_score": 0.5},
    "system_uses": {"name": "vicuna", "min_score": 0.5},
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return fixture_graph(nasty=True)


@pytest.fixture(scope="module")
def store(graph, tmp_path_factory):
    with EmbeddedStore(tmp_path_factory.mktemp("store") / "graph.lbug") as store:
        store.load(graph)
        yield store


def test_counts_equal_the_graph(store, graph):
    assert store.counts() == {"nodes": graph.node_counts(), "relationships": graph.relationship_counts()}


def test_every_node_reads_back_unchanged(store, graph):
    schema = load_schema()
    for label, spec in schema.nodes.items():
        names = [prop.name for prop in spec.properties]
        _, rows = store.query(f"MATCH (n:{label}) RETURN " + ", ".join(f"n.`{name}`" for name in names))
        stored = sorted((dict(zip(names, row)) for row in rows), key=lambda props: props[spec.key])
        expected = sorted(
            ({name: node.properties.get(name) for name in names} for node in graph.nodes if node.label == label),
            key=lambda props: props[spec.key],
        )
        assert stored == expected, label


def test_every_relationship_reads_back_unchanged(store, graph):
    schema = load_schema()
    for rel_type, spec in schema.relationships.items():
        names = [prop.name for prop in spec.properties]
        _, rows = store.query(
            f"MATCH (a)-[r:{rel_type}]->(b) RETURN a.id, b.id, " + ", ".join(f"r.`{name}`" for name in names)
        )
        stored = sorted(rows)
        expected = sorted(
            [rel.start, rel.end, *(rel.properties.get(name) for name in names)]
            for rel in graph.relationships
            if rel.type == rel_type
        )
        assert stored == expected, rel_type


def test_nasty_values_load_and_read_back_unchanged(store):
    for name in NASTY_NAMES:
        _, rows = store.query("MATCH (m:Model) WHERE m.name = $name RETURN m.name, m.aliases", {"name": name})
        assert rows == [[name, [name]]]
    _, rows = store.query("MATCH (p:Paper) WHERE p.id = $id RETURN p.title", {"id": "fixture:nasty 'id' `x`"})
    assert rows == [[NASTY_TITLE]]
    _, rows = store.query(load_query("entity"), {"name": "}) DETACH DELETE n //"})
    assert [row[1] for row in rows] == ["}) DETACH DELETE n //"]


def test_list_edge_cases_round_trip(tmp_path):
    lists = [
        [],
        [""],
        ["", ""],
        ["", "a", ""],
        ["%22", "%25", '"', "%", "$1 \\1 (x)"],
        ["a,b", "[c]", "{d}", "  padded  ", "'q'", "\\", "new\nline\r\n"],
    ]
    graph = Graph(
        nodes=[
            Node(
                label="Model",
                id=f"Model:{index}",
                properties={"name": f"m{index}", "aliases": value, "mention_count": 0, "paper_count": 0},
            )
            for index, value in enumerate(lists)
        ]
        + [Node(label="Paper", id="p", properties={"title": "", "abstract": "x", "source": "s"})]
    )
    with EmbeddedStore(tmp_path / "lists.lbug") as store:
        store.load(graph)
        _, rows = store.query("MATCH (m:Model) RETURN m.aliases, m.full_name ORDER BY m.id")
        assert rows == [[value, None] for value in lists]
        assert store.query("MATCH (p:Paper) RETURN p.title, p.year")[1] == [["", None]]


def test_list_elements_with_the_reserved_separators_are_refused(tmp_path):
    graph = Graph(
        nodes=[
            Node(
                label="Model",
                id="Model:x",
                properties={"name": "x", "aliases": ["a\ufdd2b"], "mention_count": 0, "paper_count": 0},
            )
        ]
    )
    with pytest.raises(ValueError, match="U\\+FDD1 or U\\+FDD2"):
        EmbeddedStore(tmp_path / "reserved.lbug").load(graph)
    assert list(tmp_path.iterdir()) == []


def test_existing_store_is_refused_then_replaced_and_kept_when_a_load_fails(tmp_path, graph):
    path = tmp_path / "graph.lbug"
    small = Graph(nodes=[Node(label="Paper", id="p", properties={"abstract": "x", "source": "s"})])
    with EmbeddedStore(path) as store:
        store.load(small)
        with pytest.raises(StoreExistsError, match="replace=True"):
            store.load(graph)
        dangling = Graph(
            nodes=small.nodes,
            relationships=[
                Relationship(
                    type="MENTIONS",
                    start="p",
                    start_label="Paper",
                    end="Model:missing",
                    end_label="Model",
                    properties={
                        "support": 1,
                        "score": 0.5,
                        "papers": ["p"],
                        "evidence": [],
                        "count": 1,
                        "texts": ["m"],
                    },
                )
            ],
        )
        with pytest.raises(RuntimeError):
            store.load(dangling, replace=True)
        assert store.counts()["nodes"] == {"Paper": 1}  # the old store is untouched
        store.close()
        (tmp_path / "graph.lbug.wal").write_bytes(b"a crashed writer's log of the old store")
        store.load(graph, replace=True)
        assert store.counts()["nodes"] == graph.node_counts()
    assert [entry.name for entry in tmp_path.iterdir()] == ["graph.lbug"]  # no temporary files left


def test_query_without_a_store_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="kgbuild build"):
        EmbeddedStore(tmp_path / "none.lbug").query("RETURN 1")


# --- named queries -----------------------------------------------------------------------


def _matches(props: dict, wanted: str) -> bool:
    wanted = wanted.lower()
    return props["name"].lower() == wanted or any(alias.lower() == wanted for alias in props.get("aliases", []))


def expected_rows(graph: Graph, name: str, parameters: dict) -> list[list]:
    """What each named query must answer, computed from the Graph in plain Python."""
    nodes = {node.id: node for node in graph.nodes}
    props = {node.id: node.properties for node in graph.nodes}
    rels = defaultdict(list)
    for rel in graph.relationships:
        rels[rel.type].append(rel)
    entities = {node.id for node in graph.nodes if node.label in load_schema().entity_labels}

    if name == "top_datasets":
        papers = defaultdict(set)
        for rel in rels["MENTIONS"]:
            if rel.end_label == "Dataset":
                papers[rel.end].add(rel.start)
        ranked = sorted(papers, key=lambda d: (-len(papers[d]), d))[: parameters["limit"]]
        return [[d, props[d]["name"], len(papers[d])] for d in ranked]
    if name == "top_entities":
        papers = defaultdict(set)
        for rel in rels["MENTIONS"]:
            papers[rel.end].add(rel.start)
        ranked = sorted(papers, key=lambda e: (-len(papers[e]), e))[: parameters["limit"]]
        return [[e, props[e]["name"], len(papers[e])] for e in ranked]

    def scored(rel_type: str) -> list[Relationship]:
        return [r for r in rels[rel_type] if r.properties["score"] >= parameters["min_score"]]

    if name == "models_on_dataset":
        datasets = {i for i in entities if nodes[i].label == "Dataset" and _matches(props[i], parameters["dataset"])}
        support = {(r.start, r.end): r.properties["support"] for r in scored("EVALUATED_ON") if r.end in datasets}
        measured = {r.start: r.end for r in rels["MEASURED_ON"] if r.end in datasets}
        results = defaultdict(list)
        for r in scored("ACHIEVES"):
            if r.end in measured:
                results[r.start, measured[r.end]].append(props[r.end])
        rows = [
            [
                m,
                props[m]["name"],
                d,
                support.get((m, d), 0),
                result["value"],
                result.get("unit"),
                result.get("metric"),
                result["paper_id"],
            ]
            for m, d in set(support) | set(results)
            for result in results[m, d]
        ]
        rows += [
            [m, props[m]["name"], d, count, None, None, None, None]
            for (m, d), count in support.items()
            if not results[m, d]
        ]
        return sorted(rows, key=lambda row: (row[0], row[2], row[7] or "", row[6] or "", row[4] or "", row[5] or ""))
    if name == "proposed_by_paper":
        return sorted(
            [
                r.start,
                props[r.start]["title"],
                r.end,
                props[r.end]["name"],
                r.properties["score"],
                r.properties["evidence"],
            ]
            for r in scored("PROPOSES")
            if parameters["paper"] in (r.start,) or props[r.start]["title"].lower() == parameters["paper"].lower()
        )
    if name == "base_models":
        return sorted(
            [
                r.start,
                rel_type,
                r.end,
                props[r.end]["name"],
                r.properties["support"],
                r.properties["score"],
                r.properties["papers"],
            ]
            for rel_type in ("FINE_TUNED_FROM", "BASED_ON")
            for r in scored(rel_type)
            if _matches(props[r.start], parameters["name"])
        )
    if name == "outperforms":
        return sorted(
            [
                r.start,
                r.end,
                props[r.end]["name"],
                r.properties.get("delta"),
                r.properties["support"],
                r.properties["score"],
                r.properties["papers"],
            ]
            for r in scored("OUTPERFORMS")
            if _matches(props[r.start], parameters["name"])
        )
    if name == "system_uses":
        return sorted(
            [
                r.start,
                r.end,
                props[r.end]["name"],
                r.properties["support"],
                r.properties["score"],
                r.properties["papers"],
            ]
            for r in scored("USES")
            if r.start in entities and _matches(props[r.start], parameters["name"])
        )
    if name == "proposed_per_year":
        papers = defaultdict(set)
        for r in rels["PROPOSES"]:
            if r.end_label in ("Method", "Model") and "year" in props[r.start]:
                papers[props[r.start]["year"], r.end].add(r.start)
        return [[year, e, props[e]["name"], len(papers[year, e])] for year, e in sorted(papers)]
    if name == "entity":
        return [
            [
                e,
                props[e]["name"],
                props[e].get("full_name"),
                props[e]["aliases"],
                props[e]["alias_counts"],
                props[e]["mention_count"],
                props[e]["paper_count"],
            ]
            for e in sorted(entities)
            if _matches(props[e], parameters["name"])
        ]
    if name == "papers_mentioning":
        return sorted(
            [
                r.start,
                props[r.start]["title"],
                props[r.start].get("year"),
                r.end,
                r.properties["count"],
                r.properties["texts"],
                r.properties["evidence"],
            ]
            for r in rels["MENTIONS"]
            if _matches(props[r.end], parameters["name"])
        )
    if name == "fine_tuned_from":
        return sorted(
            [r.start, props[r.start]["name"], r.end, r.properties["support"], r.properties["papers"]]
            for r in rels["FINE_TUNED_FROM"]
            if _matches(props[r.end], parameters["model"])
        )
    if name == "results_on_dataset":
        system = {r.end: r.start for r in rels["ACHIEVES"]}
        title = {r.end: props[r.start]["title"] for r in rels["REPORTS"]}
        rows = []
        for r in rels["MEASURED_ON"]:
            if r.end_label == "Dataset" and _matches(props[r.end], parameters["dataset"]):
                result = props[r.start]
                rows.append(
                    [
                        system[r.start],
                        props[system[r.start]]["name"],
                        result["value"],
                        result.get("unit"),
                        result.get("metric"),
                        result["paper_id"],
                        title.get(r.start),
                        result["evidence"],
                    ]
                )
        return sorted(rows, key=lambda row: (row[0], row[5], row[4] or "", row[2]))
    if name == "entity_relationships":
        rows = []
        for direction in ("out", "in"):
            for rel_type in load_schema().relationships:
                block = []
                for r in rels[rel_type]:
                    mine, other = (r.start, r.end) if direction == "out" else (r.end, r.start)
                    if mine in entities and _matches(props[mine], parameters["name"]):
                        shown = props[other].get("name", props[other].get("title", props[other].get("value")))
                        block.append(
                            [
                                mine,
                                direction,
                                rel_type,
                                other,
                                shown,
                                r.properties["support"],
                                r.properties["score"],
                                r.properties["papers"],
                            ]
                        )
                rows += sorted(block, key=lambda row: (row[0], row[3]))
        return rows
    raise AssertionError(f"no expectation for query {name}")


def test_every_named_query_has_a_header_parameters_and_a_total_order():
    queries = named_queries()
    assert set(queries) == set(PARAMETERS)
    for name, cypher in queries.items():
        header = [line for line in cypher.splitlines() if line.startswith("//")]
        assert header and any("Parameters:" in line for line in header), name
        assert set(re.findall(r"\$(\w+)", cypher)) == set(PARAMETERS[name]), name
        assert "ORDER BY" in cypher, name


def test_unknown_query_name_lists_the_names():
    with pytest.raises(UnknownQueryError, match="available: base_models, entity, entity_relationships"):
        load_query("top_dataset")


def test_entity_relationships_covers_every_schema_type_and_direction_of_entities():
    schema = load_schema()
    blocks = set(re.findall(r"'(out|in)' AS direction, '(\w+)' AS relationship", load_query("entity_relationships")))
    expected = {("out", t) for t, spec in schema.relationships.items() if set(spec.sources) & set(schema.entity_labels)}
    expected |= {("in", t) for t, spec in schema.relationships.items() if set(spec.targets) & set(schema.entity_labels)}
    assert blocks == expected


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_named_query_answers_on_the_fixture(store, graph, name):
    columns, rows = store.query(load_query(name), PARAMETERS[name])
    expected = expected_rows(graph, name, PARAMETERS[name])
    assert rows, f"{name} found nothing on the fixture; the test would prove nothing"
    assert rows == expected
    assert len(columns) == len(rows[0])


def test_named_queries_answer_the_same_on_neo4j(store, graph, neo4j_sink):
    neo4j_sink.load(graph)
    for name, cypher in named_queries().items():
        columns, rows = neo4j_sink.query(cypher, PARAMETERS[name])
        assert (list(columns), [list(row) for row in rows]) == store.query(cypher, PARAMETERS[name]), name
