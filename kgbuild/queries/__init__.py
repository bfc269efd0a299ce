"""Named Cypher queries: kgbuild/queries/NAME.cypher, one query per file.

Each file starts with `//` comment lines saying what the query answers, its
parameters and its columns. The queries are written in the Cypher subset that
both LadybugDB (the embedded store) and Neo4j 5 accept, take every value as a
parameter, and end in a total ORDER BY, so both stores give equal answers.

    cypher = load_query("top_datasets")
    columns, rows = store.query(cypher, {"limit": 10})
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from kgbuild.errors import KgbuildError


class UnknownQueryError(KgbuildError, LookupError):
    """No bundled query has that name; the message lists the names there are."""


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
