"""GraphML sink: read back with networkx and python-igraph; counts, types and values survive."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections import Counter

import igraph
import networkx as nx
import pytest

from graph_fixtures import NASTY_NAMES, NASTY_TITLE, fixture_graph
from kgbuild.graph.model import Graph, Node, Relationship
from kgbuild.schema import load_schema
from kgbuild.sinks.graphml import write_graphml

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
PYTHON_TYPES = {"string": str, "string[]": str, "integer": int, "float": float, "boolean": bool}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    graph = fixture_graph(nasty=True)
    path = tmp_path_factory.mktemp("graphml") / "graph.graphml"
    write_graphml(graph, path)
    return graph, path


def _expected(value, spec_type: str):
    return json.dumps(value, ensure_ascii=False) if spec_type == "string[]" else value


def test_networkx_reads_every_node_and_edge_with_typed_values(written):
    graph, path = written
    schema = load_schema()
    network = nx.read_graphml(path, force_multigraph=True)
    assert network.number_of_nodes() == len(graph.nodes)
    assert network.number_of_edges() == len(graph.relationships)

    for node in graph.nodes:
        spec = schema.nodes[node.label]
        data = network.nodes[node.id]
        expected = {
            p.name: _expected(node.properties[p.name], p.type)
            for p in spec.properties
            if p.name != spec.key and p.name in node.properties
        }
        assert data == {"label": node.label, **expected}
        for prop in spec.properties:  # the type, not only the value, survives
            if prop.name in data:
                assert type(data[prop.name]) is PYTHON_TYPES[prop.type], (node.id, prop.name)

    edges = {(u, v, data["type"]): data for u, v, data in network.edges(data=True)}
    assert len(edges) == len(graph.relationships)
    for rel in graph.relationships:
        data = edges[rel.start, rel.end, rel.type]
        assert isinstance(data["support"], int) and isinstance(data["score"], float)
        assert json.loads(data["papers"]) == rel.properties["papers"]
        assert json.loads(data["evidence"]) == rel.properties["evidence"]
        if rel.type == "MENTIONS":
            assert data["count"] == rel.properties["count"] and json.loads(data["texts"]) == rel.properties["texts"]


def test_absent_properties_are_not_written(written):
    graph, path = written
    network = nx.read_graphml(path, force_multigraph=True)
    entity = next(node for node in graph.nodes if node.label == "Model")
    assert "full_name" not in entity.properties and "full_name" not in network.nodes[entity.id]
    assert all(
        value is not None and value != ""
        for _, data in network.nodes(data=True)
        for key, value in data.items()
        if key not in ("title",)
    )  # titles may legitimately be empty strings


def test_nasty_strings_round_trip_exactly(written):
    _, path = written
    network = nx.read_graphml(path, force_multigraph=True)
    names = {data.get("name") for _, data in network.nodes(data=True)}
    assert set(NASTY_NAMES) <= names
    assert network.nodes["fixture:nasty 'id' `x`"]["title"] == NASTY_TITLE
    model = next(data for _, data in network.nodes(data=True) if data.get("name") == "multi\nline\r\nmodel")
    assert json.loads(model["aliases"]) == ["multi\nline\r\nmodel"]


def test_igraph_reads_counts_labels_types_and_values(written):
    graph, path = written
    read = igraph.Graph.Read_GraphML(str(path))
    assert read.vcount() == len(graph.nodes) and read.ecount() == len(graph.relationships)
    assert read.is_directed()
    assert Counter(read.vs["label"]) == Counter(graph.node_counts())
    assert Counter(read.es["type"]) == Counter(graph.relationship_counts())
    by_id = {vertex["id"]: vertex for vertex in read.vs}
    assert set(by_id) == {node.id for node in graph.nodes}
    for node in graph.nodes:
        vertex = by_id[node.id]
        for name, value in node.properties.items():
            if name == "id":
                continue
            if isinstance(value, list):
                assert json.loads(vertex[name]) == value
            elif isinstance(value, (int, float)):
                assert vertex[name] == value  # igraph keeps every number as a float
            else:
                assert vertex[name] == value
        if "year" not in node.properties:
            assert math.isnan(vertex["year"])
    assert set(NASTY_NAMES) <= set(read.vs["name"])


def test_keys_are_named_typed_from_the_schema_and_unique(written):
    _, path = written
    keys = ET.parse(path).getroot().findall(f"{GRAPHML}key")
    ids = [key.get("id") for key in keys]
    assert len(ids) == len(set(ids))
    declared = {(key.get("for"), key.get("attr.name")): (key.get("id"), key.get("attr.type")) for key in keys}
    assert declared["node", "label"] == ("label", "string")
    assert declared["edge", "type"] == ("type", "string")
    assert declared["node", "year"] == ("year", "long")
    assert declared["node", "aliases"] == ("aliases", "string")
    assert declared["node", "score"] == ("score", "double")
    assert declared["edge", "score"] == ("edge_score", "double")
    assert declared["edge", "support"] == ("support", "long")
    assert declared["edge", "evidence"] == ("edge_evidence", "string")


def test_schema_gives_each_attribute_name_one_type_per_scope():
    """GraphML keys are per (name, scope); a name with two types would need two keys with one id."""
    schema = load_schema()
    for specs in (
        [p for spec in schema.nodes.values() for p in spec.properties],
        [p for spec in schema.relationships.values() for p in spec.properties],
    ):
        types = {}
        for prop in specs:
            assert types.setdefault(prop.name, prop.type) == prop.type, prop.name


def test_two_relationship_types_between_one_pair_are_two_edges(tmp_path):
    schema_props = {"support": 1, "score": 0.5, "papers": ["p"], "evidence": []}
    graph = Graph(
        nodes=[
            Node(label="Model", id="Model:a", properties={"name": "A", "mention_count": 1, "paper_count": 1}),
            Node(label="Model", id="Model:b", properties={"name": "B", "mention_count": 2, "paper_count": 1}),
        ],
        relationships=[
            Relationship(
                type=t, start="Model:a", start_label="Model", end="Model:b", end_label="Model", properties=schema_props
            )
            for t in ("BASED_ON", "OUTPERFORMS")
        ],
    )
    path = tmp_path / "pair.graphml"
    write_graphml(graph, path)
    network = nx.read_graphml(path, force_multigraph=True)
    assert sorted(data["type"] for _, _, data in network.edges(data=True)) == ["BASED_ON", "OUTPERFORMS"]
    assert igraph.Graph.Read_GraphML(str(path)).ecount() == 2
    assert json.loads(next(iter(network.edges(data=True)))[2]["evidence"]) == []


def test_control_characters_xml_cannot_hold_become_replacement_characters(tmp_path):
    graph = Graph(
        nodes=[
            Node(
                label="Model",
                id="Model:x",
                properties={"name": "a\x00b\x0cc\td", "aliases": ["a\x00b"], "mention_count": 1, "paper_count": 1},
            )
        ]
    )
    path = tmp_path / "control.graphml"
    write_graphml(graph, path)
    data = nx.read_graphml(path).nodes["Model:x"]
    assert data["name"] == "a\ufffdb\ufffdc\td"
    assert json.loads(data["aliases"]) == ["a\x00b"]  # JSON escapes it, so the list is exact


def test_elements_are_the_bytes_elementtree_writes():
    """The writer formats each node and edge itself (ElementTree's per-element tostring was a third of `load`);
    the bytes must stay those networkx's writer gets from ElementTree, nasty strings included."""
    from kgbuild.sinks.graphml import _element, _NamedKeyWriter

    values = [*NASTY_NAMES, NASTY_TITLE, "", "tab\there", 'say "x" & <y>', "a\r\nb"]
    data = {"label": "Model", **{f"p{k}": value for k, value in enumerate(values)}, "n": 3, "x": 0.5, "b": True}
    ours, reference = _NamedKeyWriter(set()), _NamedKeyWriter(set())
    for tag, attributes in (("node", {"id": 'a "b" <c> & d\te\nf'}), ("edge", {"source": "s", "target": "t"})):
        expected = reference.myElement(tag, **attributes)
        for name, value in data.items():
            expected.append(reference.add_data(name, type(value), str(value), tag))
        assert _element(ours, tag, tag, attributes, data) == ET.tostring(expected, encoding="utf-8")
    assert ours.keys == reference.keys
