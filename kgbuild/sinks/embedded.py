"""The default graph store: an embedded LadybugDB (the maintained Kùzu fork) database file.

Layout, all derived from schema/graph.yaml: one node table per node label (every
schema property as a typed column, primary key = the label's key) and one rel
table per relationship type holding every allowed (FROM, TO) label pair, with
the common relationship properties plus the type's own. Property types map to
STRING / INT64 / DOUBLE / BOOLEAN / STRING[].

`load` builds the store from scratch with the bulk path: one CSV file per node
label and per (type, FROM, TO) pair, each read by one `COPY ... FROM (LOAD ...)`.
It builds into a temporary file next to `path` and renames it into place only
when every table loaded, so a failed build leaves the previous store as it was
(kgbuild.outputs: the path is locked while building, so a second concurrent load
fails at once). An existing store is refused unless `replace=True`, and a file
that is not a kgbuild store is refused unless the OutputSet allows it (`--replace`).

    store = EmbeddedStore("graph.lbug")
    store.load(graph, replace=True)
    columns, rows = store.query("MATCH (d:Dataset) WHERE d.name = $name RETURN d.id", {"name": "MMLU"})
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, cast

import ladybug

from kgbuild.errors import KgbuildError
from kgbuild.graph.model import GraphSource
from kgbuild.outputs import OutputSet, output_set, remove_stale_system_temporaries, temporary_prefix
from kgbuild.schema import GraphSchema, PropertySpec, RelType, load_schema
from kgbuild.sinks.csv_encoding import csv_line

LADYBUG_TYPES = {
    "string": "STRING",
    "integer": "INT64",
    "float": "DOUBLE",
    "boolean": "BOOLEAN",
    "string[]": "STRING[]",
}
# Rows per COPY statement: a COPY holds ~3x its CSV in memory while it runs (measured: the 32 MB Paper
# CSV of 30k papers peaked 100 MB above the process), so a big table is copied in parts.
ROWS_PER_COPY = 50_000
# Rel tables stored in the forward direction only (queries still match them both ways, by a scan).
# MENTIONS is most of the graph's relationships, and each COPY appended to a rel table stored both ways
# rewrites the backward lists of every entity its rows reach, i.e. of nearly the whole table: at 100k
# papers that made the load's peak 996 MB (668 MB forward only) and its COPYs take 330 s (176 s)
# (docs/scale.md, "Memory").
FORWARD_ONLY = frozenset({RelType.MENTIONS})
# How each type is read from the load CSVs: a list travels encoded in one STRING cell (see _DECODE_LIST).
_CSV_TYPES = {**LADYBUG_TYPES, "string[]": "STRING"}

# The CSV dialect COPY reads: RFC 4180 quoting ("" inside quoted fields), quoted
# newlines (which the parallel reader rejects), and no header.
_CSV_OPTIONS = "(HEADER=false, PARALLEL=false, ESCAPE='\"')"

# A STRING[] value travels as one STRING cell, each element wrapped in U+FDD1 ... U+FDD2
# (Unicode noncharacters, reserved for a program's internal use), and becomes a list again
# with regexp_extract_all on load. Ladybug's own CSV list syntax cannot carry arbitrary
# strings (it keeps element quotes and has no escape), string_split drops empty elements,
# and a list_transform lambda inside COPY exhausts Ladybug 0.22's buffer pool.
_OPEN, _CLOSE = "\ufdd1", "\ufdd2"
_DECODE_LIST = f"regexp_extract_all({{column}}, '{_OPEN}([^{_CLOSE}]*){_CLOSE}', 1)"


class StoreExistsError(KgbuildError, FileExistsError):
    """The store file already exists and `replace` was not given."""


def _encode_list(value: list[str]) -> str:
    """A STRING[] value as one STRING cell (see _DECODE_LIST)."""
    if any(_OPEN in element or _CLOSE in element for element in value):
        raise ValueError(f"list element in {value!r} contains U+FDD1 or U+FDD2, which the store reserves")
    return "".join(_OPEN + element + _CLOSE for element in value)


def _copy_statement(table: str, csv_path: Path, types: list[str], pair: tuple[str, str] | None = None) -> str:
    """COPY table FROM (LOAD the CSV with explicit column types, decoding STRING[] columns).

    Columns are positional (c0, c1, ...) so property names never need quoting here;
    COPY maps them onto the table's columns in order.
    """
    path_text = str(csv_path)
    if "'" in path_text or "\\" in path_text:
        raise ValueError(f"temporary CSV path {path_text!r} cannot be quoted in a COPY statement; set TMPDIR")
    columns = ", ".join(f"c{i} {_CSV_TYPES[spec_type]}" for i, spec_type in enumerate(types))
    returns = ", ".join(
        _DECODE_LIST.format(column=f"c{i}") if spec_type == "string[]" else f"c{i}" for i, spec_type in enumerate(types)
    )
    statement = f"COPY {table} FROM (LOAD WITH HEADERS ({columns}) FROM '{path_text}' {_CSV_OPTIONS} RETURN {returns})"
    if pair:
        statement += f" (from='{pair[0]}', to='{pair[1]}')"
    return statement


def _columns(specs: tuple[PropertySpec, ...]) -> str:
    return ", ".join(f"`{spec.name}` {LADYBUG_TYPES[spec.type]}" for spec in specs)


def schema_statements(schema: GraphSchema) -> list[str]:
    """DDL for the whole store: node tables, then rel tables (which reference them)."""
    statements = [
        f"CREATE NODE TABLE {label}({_columns(spec.properties)}, PRIMARY KEY(`{spec.key}`))"
        for label, spec in schema.nodes.items()
    ]
    for rel_type, spec in schema.relationships.items():
        pairs = ", ".join(f"FROM {start} TO {end}" for start, end in spec.pairs)
        storage = " WITH (storage_direction = 'fwd')" if rel_type in FORWARD_ONLY else ""
        statements.append(f"CREATE REL TABLE {rel_type}({pairs}, {_columns(spec.properties)}){storage}")
    return statements


class EmbeddedStore:
    """A LadybugDB file at `path`: `load` (re)builds it, `query` and `counts` read it."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._database: ladybug.Database | None = None
        self._connection: ladybug.Connection | None = None

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._database is not None:
            assert self._connection is not None  # opened together with the database
            self._connection.close()
            self._database.close()
            self._database = self._connection = None

    def load(self, graph: GraphSource, *, replace: bool = False, outputs: OutputSet | None = None) -> None:
        """Build the store from `graph`; an existing store is replaced only when `replace`.

        With `outputs`, the new store is renamed into place when that set is committed; without,
        at the end of this call (and a file that is not a kgbuild store is replaced only when `replace`)."""
        self.close()
        with output_set(outputs, replace=replace) as owner:
            # A write-ahead log left by a crashed writer of the old store must not be replayed onto the new one.
            building = owner.claim(self.path, "store", companions=(self.path.name + ".wal",))
            if self.path.exists() and not replace:  # checked under the claim's lock
                raise StoreExistsError(
                    f"{self.path} already exists; rebuild it with replace=True (kgbuild load --replace)"
                )
            remove_stale_system_temporaries()
            with tempfile.TemporaryDirectory(prefix=temporary_prefix("csv")) as csv_dir:
                _build(building, graph, Path(csv_dir))

    def _connect(self) -> ladybug.Connection:
        if self._connection is None:
            if not self.path.is_file():
                raise FileNotFoundError(f"no graph store at {self.path}; build one first (kgbuild build)")
            self._database = ladybug.Database(str(self.path), read_only=True)
            self._connection = ladybug.Connection(self._database)
        return self._connection

    def query(self, cypher: str, parameters: dict[str, Any] | None = None) -> tuple[list[str], list[list]]:
        """Run one read query with its values passed as parameters: (column names, rows).

        The store is opened read-only, which refuses writes to it; statements that touch
        files (COPY, LOAD FROM, ...) are refused before they run. Any failure is a QueryError."""
        from kgbuild.queries import QueryError, refuse_file_access

        refuse_file_access(cypher)
        try:
            result = self._connect().execute(cypher, parameters or {})
        except RuntimeError as error:  # how ladybug reports every store, parser and runtime error
            raise QueryError(f"{self.path}: {str(error).splitlines()[0]}") from None
        if isinstance(result, list):  # "A; B": ladybug ran each statement and returns a result per statement
            for each in result:
                each.close()
            raise QueryError(f"one statement per query, not {len(result)} (separated by ';')")
        try:
            # ladybug types a row as a list or a dict; it returns lists unless asked for dicts
            return result.get_column_names(), cast(list[list], result.get_all())
        finally:
            result.close()

    def counts(self) -> dict[str, dict[str, int]]:
        """{"nodes": per label, "relationships": per type}, non-zero only, like Graph and Neo4jSink."""
        schema = load_schema()
        nodes = {
            label: self.query(f"MATCH (n:{schema.node_label(label)}) RETURN count(n)")[1][0][0]
            for label in schema.nodes
        }
        relationships = {
            rel_type: self.query(f"MATCH ()-[r:{schema.relationship_type(rel_type)}]->() RETURN count(r)")[1][0][0]
            for rel_type in schema.relationships
        }
        return {
            "nodes": {k: v for k, v in sorted(nodes.items()) if v},
            "relationships": {k: v for k, v in sorted(relationships.items()) if v},
        }


@contextmanager
def _session(path: Path) -> Iterator[ladybug.Connection]:
    # One thread for the load: each COPY thread builds its own in-memory node group, so two threads peak
    # 90-160 MB higher at 10k-40k papers, for the same wall time on 2 cores (docs/scale.md, "Memory").
    # Queries open the store separately (read-only) with every core.
    database = ladybug.Database(str(path), max_num_threads=1)
    connection = ladybug.Connection(database)
    try:
        yield connection
    finally:
        connection.close()
        database.close()


def _build(path: Path, graph: GraphSource, work: Path) -> None:
    schema = load_schema()
    with _session(path) as connection:
        for statement in schema_statements(schema):
            connection.execute(statement)
        for table, csv_path, types, pair in _write_tables(graph, schema, work):
            connection.execute(_copy_statement(table, csv_path, types, pair))


CopyPlan = tuple[str, Path, list[str], tuple[str, str] | None]  # table, CSV, column types, (FROM, TO) for rels


class _Tables:
    """CSVs of at most ROWS_PER_COPY rows per table, each opened when its first row comes; rows are
    written as they come (the graph may be a stream), so memory holds one row, not a table, and one
    COPY a part of it."""

    def __init__(self, work: Path):
        self._work = work
        self._open: dict[str, tuple[TextIO, int]] = {}  # table file name -> (its CSV, rows written)
        self.plans: list[CopyPlan] = []

    def write(self, name: str, table: str, types: list[str], pair: tuple[str, str] | None, row: list) -> None:
        handle, rows = self._open.get(name, (None, 0))
        if handle is None or rows == ROWS_PER_COPY:
            if handle is not None:
                handle.close()
            csv_path = self._work / f"{name}-{len(self.plans)}.csv"
            handle, rows = csv_path.open("w", encoding="utf-8", newline=""), 0
            self.plans.append((table, csv_path, types, pair))
        handle.write(csv_line(row, types, _encode_list))
        self._open[name] = (handle, rows + 1)

    def close(self) -> None:
        for handle, _ in self._open.values():
            handle.close()


def _write_tables(graph: GraphSource, schema: GraphSchema, work: Path) -> list[CopyPlan]:
    """Write one CSV per node label and per (type, FROM, TO) pair; return what to COPY from each,
    node tables first (relationships need their endpoints)."""
    node_types = {label: [spec.type for spec in node.properties] for label, node in schema.nodes.items()}
    rel_types = {
        rel_type: ["string", "string", *(spec.type for spec in rel.properties)]
        for rel_type, rel in schema.relationships.items()
    }
    tables = _Tables(work)
    try:
        for node in graph.nodes:
            specs = schema.nodes[node.label].properties
            tables.write(
                f"node_{node.label}",
                node.label,
                node_types[node.label],
                None,
                [node.properties.get(spec.name) for spec in specs],
            )
        for rel in graph.relationships:
            specs = schema.relationships[rel.type].properties
            tables.write(
                f"rel_{rel.type}_{rel.start_label}_{rel.end_label}",
                rel.type,
                rel_types[rel.type],
                (rel.start_label, rel.end_label),
                [rel.start, rel.end, *(rel.properties.get(spec.name) for spec in specs)],
            )
    finally:
        tables.close()
    return tables.plans
