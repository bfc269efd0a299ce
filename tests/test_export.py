"""JSON Lines and CSV exports: documented shapes, and the graph comes back from them unchanged."""

from __future__ import annotations

import csv
import json

import pytest

from graph_fixtures import NASTY_NAMES, NASTY_TITLE, fixture_graph
from kgbuild.graph.model import Graph, Node, Relationship
from kgbuild.schema import load_schema
from kgbuild.sinks.export import export_csv, export_jsonl


@pytest.fixture(scope="module")
def graph() -> Graph:
    return fixture_graph(nasty=True)


def test_jsonl_is_nodes_then_relationships_and_rebuilds_the_graph(graph, tmp_path):
    path = tmp_path / "graph.jsonl"
    export_jsonl(graph, path)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]
    assert len(records) == len(graph.nodes) + len(graph.relationships)
    kinds = [record["kind"] for record in records]
    assert kinds == ["node"] * len(graph.nodes) + ["relationship"] * len(graph.relationships)
    assert set(records[0]) == {"kind", "label", "id", "properties"}
    assert set(records[-1]) == {"kind", "type", "start", "start_label", "end", "end_label", "properties"}

    nodes = [Node(**{k: v for k, v in record.items() if k != "kind"}) for record in records if record["kind"] == "node"]
    rels = [
        Relationship(**{k: v for k, v in record.items() if k != "kind"})
        for record in records
        if record["kind"] == "relationship"
    ]
    assert Graph(nodes=nodes, relationships=rels) == graph


def test_jsonl_keeps_nasty_strings_on_one_line(graph, tmp_path):
    path = tmp_path / "graph.jsonl"
    export_jsonl(graph, path)
    lines = path.read_bytes().split(b"\n")
    assert len([line for line in lines if line]) == len(graph.nodes) + len(graph.relationships)
    paper = next(json.loads(line) for line in lines if b"fixture:nasty" in line and b'"kind": "node"' in line)
    assert paper["properties"]["title"] == NASTY_TITLE


def _typed(cell: str, spec_type: str):
    if cell == "":
        return None
    return {"string": str, "integer": int, "float": float, "boolean": lambda c: c == "true", "string[]": json.loads}[
        spec_type
    ](cell)


def test_csv_has_one_file_per_label_and_type_and_rebuilds_every_value(graph, tmp_path):
    export_csv(graph, tmp_path)
    schema = load_schema()
    expected_files = (
        {f"node_{label}.csv" for label in schema.nodes}
        | {f"rel_{t}.csv" for t in schema.relationships}
        | {"kgbuild-manifest.json"}
    )
    assert {path.name for path in tmp_path.iterdir()} == expected_files

    for label, spec in schema.nodes.items():
        with open(tmp_path / f"node_{label}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == [prop.name for prop in spec.properties]
        read = [{prop.name: _typed(cell, prop.type) for prop, cell in zip(spec.properties, row)} for row in rows[1:]]
        expected = [
            {prop.name: node.properties.get(prop.name) for prop in spec.properties}
            for node in graph.nodes
            if node.label == label
        ]
        # An empty cell cannot tell an empty string from an absent one (documented).
        assert read == [{k: (None if v == "" else v) for k, v in props.items()} for props in expected], label

    for rel_type, spec in schema.relationships.items():
        with open(tmp_path / f"rel_{rel_type}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == ["start", "start_label", "end", "end_label", *(prop.name for prop in spec.properties)]
        read = [row[:4] + [_typed(cell, prop.type) for prop, cell in zip(spec.properties, row[4:])] for row in rows[1:]]
        expected = [
            [
                rel.start,
                rel.start_label,
                rel.end,
                rel.end_label,
                *(rel.properties.get(prop.name) for prop in spec.properties),
            ]
            for rel in graph.relationships
            if rel.type == rel_type
        ]
        assert read == expected, rel_type


def test_csv_keeps_nasty_names(graph, tmp_path):
    export_csv(graph, tmp_path)
    with open(tmp_path / "node_Model.csv", encoding="utf-8", newline="") as handle:
        names = {row["name"] for row in csv.DictReader(handle)}
    assert set(NASTY_NAMES) <= names
