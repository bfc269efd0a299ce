"""Named Cypher queries (kgbuild/queries/NAME.cypher, one query per file) and the read-only guard.

Each file starts with `//` comment lines saying what the query answers, then
`// Parameters: $name (type) -- meaning.` (or `none.`) and `// Columns: a, b (note), c.`,
possibly continued on further `//` lines. The queries are written in the Cypher
subset that both LadybugDB (the embedded store) and Neo4j 5 accept, take every
value as a parameter, and end in a total ORDER BY, so both stores give equal answers.
A query about relations takes `$min_score`, which `with_defaults` sets to MIN_RELATION_SCORE.

    cypher = load_query("top_datasets")
    columns, rows = store.query(cypher, {"limit": 10})
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kgbuild.errors import KgbuildError
from kgbuild.schema import Label, RelType

# The graph keeps every relation with its score and evidence; the named queries leave out relationships scored
# below this unless given another $min_score (0 shows all). A calibrated score is the probability that a
# relation is right, so below 0.5 it is more likely wrong than right (the pair classifier's weak guesses; every
# rule states its relations at 0.6 or more).
MIN_RELATION_SCORE = 0.5
DEFAULT_PARAMETERS = {"min_score": MIN_RELATION_SCORE}


class UnknownQueryError(KgbuildError, LookupError):
    """No bundled query has that name; the message lists the names there are."""


class QueryError(KgbuildError):
    """A store refused or failed a query (syntax, unknown function, a refused write, ...): one line."""


@cache
def named_queries() -> dict[str, str]:
    """name -> Cypher text (comment header included), for every bundled query."""
    files = resources.files(__name__)
    return {
        entry.name.removesuffix(".cypher"): entry.read_text(encoding="utf-8")
        for entry in sorted(files.iterdir(), key=lambda entry: entry.name)
        if entry.name.endswith(".cypher")
    }


def load_query(name: str) -> str:
    queries = named_queries()
    if name not in queries:
        raise UnknownQueryError(f"no named query {name!r}; available: {', '.join(queries)}")
    return queries[name]


@dataclass(frozen=True)
class QueryHeader:
    """What a named query's comment header says: its purpose, parameters (name -> meaning) and columns."""

    description: str
    parameters: dict[str, str]
    columns: list[str]


_HEADER_KEY = re.compile(r"^(Parameters|Columns):\s*", re.MULTILINE)


def query_header(name: str) -> QueryHeader:
    comment = "\n".join(
        line.removeprefix("//").strip() for line in load_query(name).splitlines() if line.startswith("//")
    )
    parts = _HEADER_KEY.split(comment)  # [description, key, text, key, text, ...]
    sections = {key: " ".join(text.split()) for key, text in zip(parts[1::2], parts[2::2])}
    parameters = {
        match[1]: re.sub(r"^\((.*?)\)\s*--\s*", r"\1: ", match[2].strip(" ."))
        for match in re.finditer(r"\$(\w+)\s*([^$]*)", sections.get("Parameters", ""))
    }
    columns = [column.strip(" .") for column in re.sub(r"\([^)]*\)", "", sections.get("Columns", "")).split(",")]
    return QueryHeader(" ".join(parts[0].split()), parameters, [column for column in columns if column])


# What is not Cypher code: string literals ('...' or "...", backslash escapes), comments and
# `quoted` names. Blanking them leaves only keywords, names and $parameters to look at.
_NOT_CODE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`(?:[^`]|``)*`|//[^\n]*|/\*.*?\*/", re.DOTALL)


def _code(cypher: str) -> str:
    return _NOT_CODE.sub(" ", cypher)


def parameter_names(cypher: str) -> set[str]:
    """The $parameters a statement uses (not counting text inside strings or comments)."""
    return set(re.findall(r"\$(\w+)", _code(cypher)))


def missing_parameters(cypher: str, parameters: dict) -> list[str]:
    return sorted(parameter_names(cypher) - set(parameters))


def with_defaults(cypher: str, parameters: dict) -> dict:
    """`parameters` plus the DEFAULT_PARAMETERS the statement uses and they do not set."""
    used = parameter_names(cypher)
    return {**{name: value for name, value in DEFAULT_PARAMETERS.items() if name in used}, **parameters}


# Clauses of LadybugDB's Cypher that read or write files, the network or other databases.
# Its read-only open mode refuses writes to the store itself but still runs COPY ... TO
# (writes a file), LOAD FROM (reads any file) and EXPORT DATABASE, so they are refused here.
_FILE_CLAUSES = ("COPY", "LOAD", "ATTACH", "INSTALL", "UNINSTALL", "EXPORT", "IMPORT", "USE")
# The table functions a read-only query may CALL: catalog introspection, none reads files.
_CALLABLE = {
    "show_tables",
    "table_info",
    "show_functions",
    "show_indexes",
    "show_macros",
    "show_sequences",
    "show_connection",
    "show_loaded_extensions",
    "show_official_extensions",
    "show_warnings",
    "show_graphs",
    "show_projected_graphs",
    "show_attached_databases",
    "db_version",
    "storage_version",
    "catalog_version",
    "current_setting",
}
_WORD = re.compile(r"(?<![.$\w])([A-Za-z_]\w*)")


def refuse_file_access(cypher: str) -> None:
    """Raise QueryError if the statement uses a clause that touches files (embedded store dialect).

    A name after `.` (a property) or `$` (a parameter) is not a clause; a property or
    alias spelled like a clause is written in backticks."""
    code = _code(cypher)
    for match in _WORD.finditer(code):
        word = match[1].upper()
        if word in _FILE_CLAUSES:
            raise QueryError(f"{word} is refused: kgbuild query is read-only and does not touch files")
        if word == "CALL":
            called = re.match(r"\s*(\w+)", code[match.end() :])
            if called is None or called[1].lower() not in _CALLABLE:
                name = called[1] if called else "a subquery"
                raise QueryError(
                    f"CALL {name} is refused: kgbuild query only calls catalog functions "
                    f"({', '.join(sorted(_CALLABLE))})"
                )


def top_entities_per_label(store, labels: list[str], limit: int) -> dict[str, list[dict]]:
    """The `limit` entities of each label mentioned by the most papers: {label: [{entity_id, entity, papers}]}.

    One query per label (portable Cypher cannot rank within groups); `labels` come from
    the schema (GraphSchema.node_label), never from a user."""
    ranked = {}
    for label in labels:
        columns, rows = store.query(
            f"MATCH (p:{Label.PAPER})-[:{RelType.MENTIONS}]->(e:{label}) "
            "RETURN e.id AS entity_id, e.name AS entity, count(DISTINCT p) AS papers "
            "ORDER BY papers DESC, entity_id LIMIT $limit",
            {"limit": limit},
        )
        ranked[label] = [dict(zip(columns, row)) for row in rows]
    return ranked
