"""RawRecord: one record as a format parser found it, before identity and dedup."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawRecord:
    line: int
    abstract: str
    title: str = ""
    given_id: str | None = None
    date: str | None = None
    authors_count: int | None = None
    id_fields: dict[str, str] = field(default_factory=dict)
