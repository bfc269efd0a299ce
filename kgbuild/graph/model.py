"""The typed graph every sink writes: Node and Relationship, checked against schema/.

A Node or Relationship that names a label, type, property or endpoint pair the
schema does not define cannot be constructed, so no sink ever sees one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Protocol

from pydantic import BaseModel, Field, model_validator

from kgbuild.schema import PropertySpec, load_schema

PropertyValue = str | int | float | bool | list[str]

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "float": (float, int),
    "boolean": (bool,),
    "string[]": (list,),
}


def _check_properties(owner: str, specs: tuple[PropertySpec, ...], values: dict[str, PropertyValue | None]) -> None:
    allowed = {spec.name: spec for spec in specs}
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"{owner}: properties {sorted(unknown)} are not in schema/graph.yaml")
    for spec in specs:
        value = values.get(spec.name)
        if value is None:
            if spec.required:
                raise ValueError(f"{owner}: required property {spec.name!r} is missing")
            continue
        if isinstance(value, bool) and spec.type != "boolean":
            raise ValueError(f"{owner}.{spec.name}: expected {spec.type}, got a boolean")
        if not isinstance(value, _PYTHON_TYPES[spec.type]):
            raise ValueError(f"{owner}.{spec.name}: expected {spec.type}, got {type(value).__name__}")


class Node(BaseModel):
    label: str
    id: str
    properties: dict[str, PropertyValue | None] = Field(default_factory=dict)  # None = absent

    @model_validator(mode="after")
    def _matches_schema(self) -> Node:
        spec = load_schema().nodes.get(self.label)
        if spec is None:
            raise ValueError(f"unknown node label {self.label!r}")
        self.properties = {k: v for k, v in self.properties.items() if v is not None}
        self.properties[spec.key] = self.id
        _check_properties(self.label, spec.properties, self.properties)
        return self


class Relationship(BaseModel):
    type: str
    start: str
    start_label: str
    end: str
    end_label: str
    properties: dict[str, PropertyValue | None] = Field(default_factory=dict)  # None = absent

    @model_validator(mode="after")
    def _matches_schema(self) -> Relationship:
        spec = load_schema().relationships.get(self.type)
        if spec is None:
            raise ValueError(f"unknown relationship type {self.type!r}")
        if not spec.allows(self.start_label, self.end_label):
            raise ValueError(f"{self.type} does not allow ({self.start_label})->({self.end_label})")
        self.properties = {k: v for k, v in self.properties.items() if v is not None}
        _check_properties(self.type, spec.properties, self.properties)
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        return self.type, self.start, self.end


class Graph(BaseModel):
    nodes: list[Node] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)

    def node_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(node.label for node in self.nodes).items()))

    def relationship_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(rel.type for rel in self.relationships).items()))


class GraphSource(Protocol):
    """What every sink reads: a Graph in memory, or a StreamedGraph (kgbuild.graph.stream) on disk.
    `nodes` and `relationships` can be iterated more than once; a sink never needs them all at once."""

    nodes: Iterable[Node]
    relationships: Iterable[Relationship]

    def node_counts(self) -> dict[str, int]: ...

    def relationship_counts(self) -> dict[str, int]: ...
