"""Plain-file exports of the Graph: JSON Lines and one CSV per node label / relationship type.

JSON Lines (`export_jsonl`), UTF-8, one object per line, every node first, then every relationship:
    {"kind": "node", "label": "Model", "id": "Model:gpt-4", "properties": {"id": "Model:gpt-4", "name": "GPT-4", ...}}
    {"kind": "relationship", "type": "EVALUATED_ON", "start": "Model:gpt-4", "start_label": "Model",
     "end": "Dataset:mmlu", "end_label": "Dataset", "properties": {"support": 2, "papers": [...], ...}}
`properties` holds the schema properties that are present, with their JSON types (string[] as arrays).

CSV (`export_csv`), UTF-8, RFC 4180 quoting, a header row, one file per schema label and type
(header only when the graph has none):
    node_<Label>.csv          the label's schema properties, in schema order
    rel_<TYPE>.csv            start, start_label, end, end_label, then the type's properties
An empty cell is an absent property (or an empty string); string[] cells hold a JSON array;
booleans are true/false. The directory also gets kgbuild-manifest.json (see kgbuild.outputs).

Every file is written to a temporary and renamed into place (kgbuild.outputs); a file kgbuild
did not write is not replaced unless the OutputSet passed allows it.
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from pathlib import Path

from kgbuild.graph.model import Graph, PropertyValue
from kgbuild.outputs import OutputSet, output_set, written
from kgbuild.schema import load_schema


def export_jsonl(graph: Graph, path: str | os.PathLike[str], outputs: OutputSet | None = None) -> None:
    with written(path, "jsonl", outputs) as temporary, open(temporary, "w", encoding="utf-8", newline="\n") as out:
        for node in graph.nodes:
            record = {"kind": "node", "label": node.label, "id": node.id, "properties": node.properties}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for rel in graph.relationships:
            record = {
                "kind": "relationship", "type": rel.type, "start": rel.start, "start_label": rel.start_label,
                "end": rel.end, "end_label": rel.end_label, "properties": rel.properties,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def csv_cell(value: PropertyValue | None) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([csv_cell(value) for value in row] for row in rows)


def export_csv(graph: Graph, directory: str | os.PathLike[str], outputs: OutputSet | None = None) -> None:
    """Write the CSVs into `directory`, committed with `outputs` when given, else with a manifest there."""
    directory = Path(directory)
    with output_set(outputs, manifest_dir=directory) as owner:
        _export_csv(graph, directory, owner)


def _export_csv(graph: Graph, directory: Path, outputs: OutputSet) -> None:
    schema = load_schema()

    nodes = defaultdict(list)
    for node in graph.nodes:
        nodes[node.label].append(node)
    for label, spec in schema.nodes.items():
        names = [prop.name for prop in spec.properties]
        rows = [[node.properties.get(name) for name in names] for node in nodes[label]]
        _write_csv(outputs.claim(directory / f"node_{label}.csv", "file"), names, rows)

    relationships = defaultdict(list)
    for rel in graph.relationships:
        relationships[rel.type].append(rel)
    for rel_type, spec in schema.relationships.items():
        names = [prop.name for prop in spec.properties]
        rows = [
            [rel.start, rel.start_label, rel.end, rel.end_label, *(rel.properties.get(name) for name in names)]
            for rel in relationships[rel_type]
        ]
        header = ["start", "start_label", "end", "end_label", *names]
        _write_csv(outputs.claim(directory / f"rel_{rel_type}.csv", "file"), header, rows)
