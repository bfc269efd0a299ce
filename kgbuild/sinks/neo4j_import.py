"""Bulk export for `neo4j-admin database import full`: CSV files plus the exact command line.

For graphs too big for transactional loading into a fresh database (the import tool
writes the store files directly; the target database must be stopped / not exist).

Files written into `directory`:
  nodes_<Label>.csv          header  id:ID(<Label>),name,...,mention_count:long,aliases:string[],...,:LABEL
  rels_<TYPE>_<Start>_<End>.csv  header  :START_ID(<Start>),:END_ID(<End>),:TYPE,support:long,...
  import-command.txt         the command (also returned), and README.md explaining it.
  kgbuild-manifest.json      sizes and hashes of the above, written last (see kgbuild.outputs).
Each file is written to a temporary and renamed into place; a file kgbuild did not write is
not replaced unless the OutputSet passed allows it.

Each label has its own ID space (the schema makes `id` unique per label, not globally).
Fields are RFC 4180 quoted ("" for a quote; newlines inside quotes, hence
--multiline-fields=true). Arrays are joined with the array delimiter: ';' unless some
element contains ';', then the first of a few rarely used characters that no element
contains (U+001F unit separator, ...); the command line names it. Empty lists and absent
values are written as empty unquoted fields, which the import tool treats as absent.
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from pathlib import Path

from kgbuild.graph.model import Graph
from kgbuild.outputs import OutputSet, output_set
from kgbuild.schema import load_schema

_CSV_TYPES = {"string": "", "integer": ":long", "float": ":double", "boolean": ":boolean", "string[]": ":string[]"}
_DELIMITER_CANDIDATES = [";", "|", "\u001f", "\u001e", "\u001d", "\u0007"]


def _array_delimiter(graph: Graph) -> str:
    used: set[str] = set()
    for item in (*graph.nodes, *graph.relationships):
        for value in item.properties.values():
            if isinstance(value, list):
                for element in value:
                    used.update(c for c in _DELIMITER_CANDIDATES if c in element)
    for candidate in _DELIMITER_CANDIDATES:
        if candidate not in used:
            return candidate
    raise ValueError("every candidate array delimiter occurs inside some list value")


def _delimiter_argument(delimiter: str) -> str:
    return delimiter if delimiter.isprintable() and delimiter not in " \t" else f"U+{ord(delimiter):04X}"


class _Writer:
    """csv writer that quotes every non-empty field and leaves absent values as bare empty fields."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def row(self, fields: list[str | None]) -> None:
        self.handle.write(",".join("" if f is None else '"' + f.replace('"', '""') + '"' for f in fields) + "\n")


def _cell(value, kind: str, delimiter: str) -> str | None:
    if value is None:
        return None
    if kind == "string[]":
        if not value:  # the import tool has no empty array (even a quoted "" is read as absent)
            return None
        return delimiter.join(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "float":
        return repr(float(value))
    return str(value)


def export_neo4j_import(graph: Graph, directory: str | Path, database: str = "neo4j",
                        admin: str = "neo4j-admin", outputs: OutputSet | None = None) -> str:
    """Write the CSVs for `graph` into `directory`; return the `neo4j-admin database import full` command.
    The files are committed with `outputs` when given, else together with a manifest in `directory`."""
    out = Path(directory).resolve()
    with output_set(outputs, manifest_dir=out) as owner:
        return _export(graph, out, database, admin, owner)


def _export(graph: Graph, out: Path, database: str, admin: str, outputs: OutputSet) -> str:
    schema = load_schema()
    delimiter = _array_delimiter(graph)
    arguments: list[str] = []

    by_label: dict[str, list] = defaultdict(list)
    for node in graph.nodes:
        by_label[schema.node_label(node.label)].append(node)
    for label, nodes in sorted(by_label.items()):
        spec = schema.nodes[label]
        props = [p for p in spec.properties if p.name != spec.key]
        path = out / f"nodes_{label}.csv"
        with open(outputs.claim(path, "file"), "w", encoding="utf-8", newline="") as handle:
            writer = _Writer(handle)
            writer.row([f"{spec.key}:ID({label})", *(p.name + _CSV_TYPES[p.type] for p in props), ":LABEL"])
            seen: set[str] = set()
            for node in nodes:
                if node.id in seen:  # the import tool rejects duplicate ids; the graph may repeat a node
                    continue
                seen.add(node.id)
                writer.row([node.id, *(_cell(node.properties.get(p.name), p.type, delimiter) for p in props), label])
        arguments.append(f"--nodes={label}={path}")

    by_type: dict[tuple[str, str, str], list] = defaultdict(list)
    for rel in graph.relationships:
        by_type[(schema.relationship_type(rel.type), rel.start_label, rel.end_label)].append(rel)
    for (rel_type, start, end), rels in sorted(by_type.items()):
        props = list(schema.relationships[rel_type].properties)
        path = out / f"rels_{rel_type}_{start}_{end}.csv"
        with open(outputs.claim(path, "file"), "w", encoding="utf-8", newline="") as handle:
            writer = _Writer(handle)
            writer.row([f":START_ID({start})", f":END_ID({end})", ":TYPE",
                        *(p.name + _CSV_TYPES[p.type] for p in props)])
            for rel in rels:
                writer.row([rel.start, rel.end, rel_type,
                            *(_cell(rel.properties.get(p.name), p.type, delimiter) for p in props)])
        arguments.append(f"--relationships={rel_type}={path}")

    command = shlex.join([
        admin, "database", "import", "full", database,
        f"--array-delimiter={_delimiter_argument(delimiter)}", "--delimiter=,", "--quote=\"",
        "--multiline-fields=true", "--overwrite-destination=true", *arguments,
    ])
    outputs.claim(out / "import-command.txt", "file").write_text(command + "\n", encoding="utf-8")
    outputs.claim(out / "README.md", "file").write_text(
        "# Neo4j bulk import\n\n"
        "Written by kgbuild (`kgbuild.sinks.neo4j_import`). Stop the Neo4j server (or use a database\n"
        f"that is not running), run the command below, then start Neo4j and `CREATE DATABASE {database}`\n"
        "if it is not the default one. Afterwards run schema/constraints.cypher (the Neo4j sink does\n"
        "this on its first load). `--overwrite-destination=true` REPLACES the database.\n\n"
        f"```sh\n{command}\n```\n",
        encoding="utf-8",
    )
    return command
