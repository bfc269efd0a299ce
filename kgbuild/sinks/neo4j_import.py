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
Fields are encoded by kgbuild.sinks.csv_encoding (strings RFC 4180 quoted, "" for a quote, newlines
inside quotes, hence --multiline-fields=true; numbers and booleans bare). Arrays are joined with the array delimiter: ';' unless some
element contains ';', then the first of a few rarely used characters that no element
contains (U+001F unit separator, ...); the command line names it. Empty lists and absent
values are written as empty unquoted fields, which the import tool treats as absent.
"""

from __future__ import annotations

import itertools
import shlex
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from kgbuild.graph.model import GraphSource, Node, Relationship
from kgbuild.outputs import OutputSet, output_set
from kgbuild.schema import load_schema
from kgbuild.sinks.csv_encoding import csv_line, header_line

_CSV_TYPES = {"string": "", "integer": ":long", "float": ":double", "boolean": ":boolean", "string[]": ":string[]"}
_DELIMITER_CANDIDATES = [";", "|", "\u001f", "\u001e", "\u001d", "\u0007"]


def _array_delimiter(graph: GraphSource) -> str:
    used: set[str] = set()
    items: itertools.chain[Node | Relationship] = itertools.chain(graph.nodes, graph.relationships)
    for item in items:
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


def export_neo4j_import(
    graph: GraphSource,
    directory: str | Path,
    database: str = "neo4j",
    admin: str = "neo4j-admin",
    outputs: OutputSet | None = None,
) -> str:
    """Write the CSVs for `graph` into `directory`; return the `neo4j-admin database import full` command.
    The files are committed with `outputs` when given, else together with a manifest in `directory`."""
    out = Path(directory).resolve()
    with output_set(outputs, manifest_dir=out) as owner:
        return _export(graph, out, database, admin, owner)


def _export(graph: GraphSource, out: Path, database: str, admin: str, outputs: OutputSet) -> str:
    """Two passes over the graph (the array delimiter, then the rows), each file written as its rows come."""
    schema = load_schema()
    delimiter = _array_delimiter(graph)
    node_files: dict[str, tuple[TextIO, list, set[str]]] = {}
    rel_files: dict[tuple[str, str, str], tuple[TextIO, list]] = {}

    def encode_list(value: list[str]) -> str | None:
        return delimiter.join(value) if value else None  # the import tool has no empty array (even "" is absent)

    with ExitStack() as files:

        def open_csv(path: Path, header: list[str]) -> TextIO:
            handle = files.enter_context(open(outputs.claim(path, "file"), "w", encoding="utf-8", newline=""))
            handle.write(header_line(header))
            return handle

        for node in graph.nodes:
            label = schema.node_label(node.label)
            if label not in node_files:
                spec = schema.nodes[label]
                props = [p for p in spec.properties if p.name != spec.key]
                header = [f"{spec.key}:ID({label})", *(p.name + _CSV_TYPES[p.type] for p in props), ":LABEL"]
                node_files[label] = (open_csv(out / f"nodes_{label}.csv", header), props, set())
            handle, props, seen = node_files[label]
            if node.id in seen:  # the import tool rejects duplicate ids; a Graph may repeat a node
                continue
            seen.add(node.id)
            handle.write(
                csv_line(
                    [node.id, *(node.properties.get(p.name) for p in props), label],
                    ["string", *(p.type for p in props), "string"],
                    encode_list,
                )
            )

        for rel in graph.relationships:
            group = (schema.relationship_type(rel.type), rel.start_label, rel.end_label)
            if group not in rel_files:
                rel_type, start, end = group
                props = list(schema.relationships[rel_type].properties)
                header = [
                    f":START_ID({start})",
                    f":END_ID({end})",
                    ":TYPE",
                    *(p.name + _CSV_TYPES[p.type] for p in props),
                ]
                rel_files[group] = (open_csv(out / f"rels_{rel_type}_{start}_{end}.csv", header), props)
            handle, props = rel_files[group]
            handle.write(
                csv_line(
                    [rel.start, rel.end, group[0], *(rel.properties.get(p.name) for p in props)],
                    ["string", "string", "string", *(p.type for p in props)],
                    encode_list,
                )
            )

    arguments = [f"--nodes={label}={out / f'nodes_{label}.csv'}" for label in sorted(node_files)]
    arguments += [
        f"--relationships={rel_type}={out / f'rels_{rel_type}_{start}_{end}.csv'}"
        for rel_type, start, end in sorted(rel_files)
    ]
    command = shlex.join(
        [
            admin,
            "database",
            "import",
            "full",
            database,
            f"--array-delimiter={_delimiter_argument(delimiter)}",
            "--delimiter=,",
            '--quote="',
            "--multiline-fields=true",
            "--overwrite-destination=true",
            *arguments,
        ]
    )
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
