"""Load schema/graph.yaml: the one description of the graph every sink obeys.

Labels and relationship types that reach a Cypher string come only from here
(see `node_label` / `relationship_type`), so user data can never become a label.
Code names them through `Label`, `RelType` and `BookkeepingLabel`, never as string
literals, so a misspelt name fails in mypy or at import instead of in the graph;
`load_schema` refuses a graph.yaml that has drifted from these enums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

import yaml

PROPERTY_TYPES = ("string", "integer", "float", "boolean", "string[]")


class Label(StrEnum):
    """The node labels of schema/graph.yaml, in its order."""

    PAPER = "Paper"
    METHOD = "Method"
    MODEL = "Model"
    DATASET = "Dataset"
    METRIC = "Metric"
    TASK = "Task"
    RESULT = "Result"


class BookkeepingLabel(StrEnum):
    """The labels schema/graph.yaml's `bookkeeping` writes next to the graph."""

    KGBUILD_LOAD = "KgbuildLoad"


class RelType(StrEnum):
    """The relationship types of schema/graph.yaml, in its order."""

    MENTIONS = "MENTIONS"
    PROPOSES = "PROPOSES"
    USES = "USES"
    EVALUATED_ON = "EVALUATED_ON"
    TRAINED_ON = "TRAINED_ON"
    FINE_TUNED_FROM = "FINE_TUNED_FROM"
    BASED_ON = "BASED_ON"
    OUTPERFORMS = "OUTPERFORMS"
    ADDRESSES = "ADDRESSES"
    BENCHMARK_FOR = "BENCHMARK_FOR"
    COMPARED_WITH = "COMPARED_WITH"
    PART_OF = "PART_OF"
    SUBCLASS_OF = "SUBCLASS_OF"
    VARIANT_OF = "VARIANT_OF"
    ACHIEVES = "ACHIEVES"
    MEASURED_ON = "MEASURED_ON"
    MEASURED_BY = "MEASURED_BY"
    REPORTS = "REPORTS"


# graph.yaml's entity_labels: the labels a mention can carry.
EntityLabel = Literal[Label.METHOD, Label.MODEL, Label.DATASET, Label.METRIC, Label.TASK]
ENTITY_LABELS: tuple[EntityLabel, ...] = get_args(EntityLabel)


@dataclass(frozen=True)
class PropertySpec:
    name: str
    type: str
    required: bool = False


@dataclass(frozen=True)
class NodeSpec:
    label: str
    key: str
    properties: tuple[PropertySpec, ...]


@dataclass(frozen=True)
class RelationshipSpec:
    type: str
    pairs: tuple[tuple[str, str], ...]  # the allowed (start label, end label) pairs
    properties: tuple[PropertySpec, ...]

    def allows(self, start_label: str, end_label: str) -> bool:
        return (start_label, end_label) in self.pairs

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(start for start, _ in self.pairs))

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(end for _, end in self.pairs))


@dataclass(frozen=True)
class GraphSchema:
    nodes: dict[str, NodeSpec]
    relationships: dict[str, RelationshipSpec]
    entity_labels: tuple[str, ...]
    bookkeeping: dict[str, NodeSpec] = field(default_factory=dict)  # labels written next to the graph

    def bookkeeping_label(self, label: str) -> str:
        if label not in self.bookkeeping:
            raise ValueError(
                f"unknown bookkeeping label {label!r}; schema/graph.yaml defines {sorted(self.bookkeeping)}"
            )
        return label

    def node_label(self, label: str) -> str:
        if label not in self.nodes:
            raise ValueError(f"unknown node label {label!r}; schema/graph.yaml defines {sorted(self.nodes)}")
        return label

    def relationship_type(self, rel_type: str) -> str:
        if rel_type not in self.relationships:
            raise ValueError(
                f"unknown relationship type {rel_type!r}; schema/graph.yaml defines {sorted(self.relationships)}"
            )
        return rel_type

    def constraint_statements(self) -> list[str]:
        """Neo4j DDL: a uniqueness constraint on every node key (bookkeeping too), an index on entity names."""
        statements = [
            f"CREATE CONSTRAINT {label.lower()}_{spec.key} IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.{spec.key} IS UNIQUE;"
            for label, spec in {**self.nodes, **self.bookkeeping}.items()
        ]
        statements += [
            f"CREATE INDEX {label.lower()}_name IF NOT EXISTS FOR (n:{label}) ON (n.name);"
            for label in self.entity_labels
        ]
        return statements


def _properties(raw: dict) -> tuple[PropertySpec, ...]:
    specs = []
    for name, spec in raw.items():
        if spec["type"] not in PROPERTY_TYPES:
            raise ValueError(f"schema property {name!r} has unknown type {spec['type']!r}")
        specs.append(PropertySpec(name, spec["type"], bool(spec.get("required", False))))
    return tuple(specs)


def _endpoint_pairs(rel_type: str, spec: dict) -> tuple[tuple[str, str], ...]:
    """Every `from` label with every `to` label, or, where that would allow nonsense, the listed `pairs`."""
    if ("pairs" in spec) == ("from" in spec or "to" in spec):
        raise ValueError(f"relationship {rel_type} needs either from/to or pairs, not both")
    if "pairs" in spec:
        return tuple((start, end) for start, end in spec["pairs"])
    return tuple((start, end) for start in spec["from"] for end in spec["to"])


def schema_text(name: str) -> str:
    """A file of schema/: from the source checkout when run from one, else the installed copy."""
    checkout = Path(__file__).resolve().parent.parent / "schema" / name
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    return resources.files("kgbuild.schema_files").joinpath(name).read_text(encoding="utf-8")


def _check_enums(raw: dict) -> None:
    """The enums code names the schema by must list what graph.yaml lists, in its order."""
    for name, listed, enum in (
        ("nodes", list(raw["nodes"]), Label),
        ("bookkeeping", list(raw.get("bookkeeping", {})), BookkeepingLabel),
        ("relationships", list(raw["relationships"]), RelType),
        ("entity_labels", list(raw["entity_labels"]), ENTITY_LABELS),
    ):
        if listed != [str(member) for member in enum]:
            raise ValueError(
                f"schema/graph.yaml {name} {listed} differ from kgbuild.schema's {[str(member) for member in enum]}"
            )


@cache
def load_schema() -> GraphSchema:
    raw = yaml.safe_load(schema_text("graph.yaml"))
    _check_enums(raw)
    nodes = {
        label: NodeSpec(label, spec["key"], _properties(spec["properties"])) for label, spec in raw["nodes"].items()
    }
    bookkeeping = {
        label: NodeSpec(label, spec["key"], _properties(spec["properties"]))
        for label, spec in raw.get("bookkeeping", {}).items()
    }
    common = _properties(raw["relationship_common"])
    relationships = {}
    for rel_type, spec in raw["relationships"].items():
        pairs = _endpoint_pairs(rel_type, spec)
        for label in {label for pair in pairs for label in pair}:
            if label not in nodes:
                raise ValueError(f"relationship {rel_type} names unknown label {label!r}")
        relationships[rel_type] = RelationshipSpec(rel_type, pairs, common + _properties(spec.get("properties", {})))
    return GraphSchema(nodes, relationships, tuple(raw["entity_labels"]), bookkeeping)
