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
Cells as kgbuild.sinks.csv_encoding writes them: an empty unquoted cell is an absent property, strings
are quoted (`""` is the empty string), string[] cells hold a JSON array, booleans are true/false. The directory also gets kgbuild-manifest.json (see kgbuild.outputs).

Every file is written to a temporary and renamed into place (kgbuild.outputs); a file kgbuild
did not write is not replaced unless the OutputSet passed allows it.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from kgbuild.graph.model import GraphSource
from kgbuild.outputs import OutputSet, output_set, written
from kgbuild.schema import load_schema
from kgbuild.sinks.csv_encoding import csv_line, header_line


def export_jsonl(graph: GraphSource, path: str | os.PathLike[str], outputs: OutputSet | None = None) -> None:
    with written(path, "jsonl", outputs) as temporary, open(temporary, "w", encoding="utf-8", newline="\n") as out:
        for node in graph.nodes:
            record = {"kind": "node", "label": node.label, "id": node.id, "properties": node.properties}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for rel in graph.relationships:
            record = {
                "kind": "relationship",
                "type": rel.type,
                "start": rel.start,
                "start_label": rel.start_label,
                "end": rel.end,
                "end_label": rel.end_label,
                "properties": rel.properties,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _json_list(value: list[str]) -> str:
    return json.dumps(value, ensure_ascii=False)


def export_csv(graph: GraphSource, directory: str | os.PathLike[str], outputs: OutputSet | None = None) -> None:
    """Write the CSVs into `directory`, committed with `outputs` when given, else with a manifest there."""
    directory = Path(directory)
    with output_set(outputs, manifest_dir=directory) as owner:
        _export_csv(graph, directory, owner)


def _export_csv(graph: GraphSource, directory: Path, outputs: OutputSet) -> None:
    """Every schema label's and type's file opened at once (header only when the graph has none), and
    rows written as they come: the graph may be a stream."""
    schema = load_schema()
    with ExitStack() as files:

        def open_csv(name: str, header: list[str]) -> TextIO:
            handle = files.enter_context(
                outputs.claim(directory / name, "file").open("w", encoding="utf-8", newline="")
            )
            handle.write(header_line(header))
            return handle

        node_files = {
            label: (open_csv(f"node_{label}.csv", [p.name for p in spec.properties]), spec.properties)
            for label, spec in schema.nodes.items()
        }
        rel_files = {
            rel_type: (
                open_csv(
                    f"rel_{rel_type}.csv",
                    ["start", "start_label", "end", "end_label", *(p.name for p in spec.properties)],
                ),
                spec.properties,
            )
            for rel_type, spec in schema.relationships.items()
        }
        for node in graph.nodes:
            handle, props = node_files[node.label]
            handle.write(csv_line([node.properties.get(p.name) for p in props], [p.type for p in props], _json_list))
        for rel in graph.relationships:
            handle, props = rel_files[rel.type]
            handle.write(
                csv_line(
                    [rel.start, rel.start_label, rel.end, rel.end_label, *(rel.properties.get(p.name) for p in props)],
                    ["string"] * 4 + [p.type for p in props],
                    _json_list,
                )
            )
