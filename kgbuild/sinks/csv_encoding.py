"""The one CSV encoding of kgbuild's files for other programs (LadybugDB COPY, neo4j-admin import, CSV export).

RFC 4180, one line per row, fields by schema type:
- absent (None): an empty, unquoted field, which every reader here takes as null / absent;
- string: always quoted, a quote doubled, so `""` is the empty string and a value may hold commas,
  quotes and line breaks;
- integer, float (by repr), boolean (true/false): bare;
- string[]: CSV has no lists, so each sink passes how its reader wants a list as one string
  (`encode_list`; returning None writes the list as absent).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kgbuild.graph.model import PropertyValue

ListEncoder = Callable[[list[str]], "str | None"]


def csv_field(value: Any, spec_type: str, encode_list: ListEncoder) -> str:
    """`value` is a property value of schema type `spec_type` (kgbuild.graph.model checked it) or None."""
    if value is None:
        return ""
    if spec_type == "string[]":
        value = encode_list(value)
        if value is None:
            return ""
    elif spec_type == "boolean":
        return "true" if value else "false"
    elif spec_type == "float":
        return repr(float(value))
    elif spec_type == "integer":
        return str(int(value))
    return '"' + value.replace('"', '""') + '"'


def csv_line(values: Sequence[PropertyValue | None], types: Sequence[str], encode_list: ListEncoder) -> str:
    """One row: `values[i]` encoded as schema type `types[i]`, with its line end."""
    return ",".join(csv_field(value, spec_type, encode_list) for value, spec_type in zip(values, types)) + "\n"


def header_line(names: Sequence[str]) -> str:
    """A header row (every name a quoted string)."""
    return csv_line(names, ["string"] * len(names), encode_list=lambda value: None)
