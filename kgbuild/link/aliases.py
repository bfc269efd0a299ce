"""The curated alias table: kgbuild/data/aliases.yaml plus an optional user file of the same format."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from kgbuild.link.keys import match_key
from kgbuild.read.errors import InputError


@dataclass(frozen=True)
class CuratedEntry:
    name: str
    full_name: str | None


@dataclass
class AliasTable:
    """`canonical` maps the key of every listed spelling to the key of its entry's `name`."""

    canonical: dict[str, str] = field(default_factory=dict)
    entries: dict[str, CuratedEntry] = field(default_factory=dict)

    def add(self, name: str, full_name: str | None, aliases: list[str], origin: str) -> None:
        """Add one entry; a spelling already claimed by another entry is an error (the table must stay one-to-one)."""
        key = match_key(name)
        for spelling in [name, *([full_name] if full_name else []), *aliases]:
            claimed = self.canonical.get(match_key(spelling))
            if claimed is not None and claimed != key:
                raise InputError(f"{origin}: {spelling!r} is already an alias of {self.entries[claimed].name!r}")
            self.canonical[match_key(spelling)] = key
        self.entries[key] = CuratedEntry(name=name, full_name=full_name)

    def resolve(self, key: str) -> str:
        return self.canonical.get(key, key)


def _read(table: AliasTable, text: str, origin: str) -> None:
    for entry in yaml.safe_load(text) or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise InputError(f"{origin}: every entry needs a `name` string, got {entry!r}")
        table.add(entry["name"], entry.get("full_name"), list(entry.get("aliases") or []), origin)


def load_aliases(path: str | Path | None = None) -> AliasTable:
    """The shipped table, extended by the user file at `path` when given."""
    table = AliasTable()
    _read(table, resources.files("kgbuild.data").joinpath("aliases.yaml").read_text(encoding="utf-8"), "aliases.yaml")
    if path is not None:
        _read(table, Path(path).read_text(encoding="utf-8"), str(path))
    return table
