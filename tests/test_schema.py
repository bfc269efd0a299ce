"""schema/ is the single source of truth: the pydantic models and the Neo4j DDL must agree with it."""

from __future__ import annotations

import typing

import pytest

from kgbuild.graph.model import Node, Relationship
from kgbuild.models import ENTITY_LABELS, Entity, Paper, Result
from kgbuild.schema import load_schema, schema_text

_SCHEMA_TYPE = {str: "string", int: "integer", float: "float", bool: "boolean"}


def _schema_type(annotation) -> str:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is list:
        return "string[]"
    if args:
        return _schema_type(args[0])
    return _SCHEMA_TYPE[annotation]


def _model_properties(model, exclude=()) -> dict[str, str]:
    return {name: _schema_type(field.annotation) for name, field in model.model_fields.items() if name not in exclude}


@pytest.mark.parametrize(
    ("label", "model", "exclude"),
    [
        ("Paper", Paper, ()),
        ("Result", Result, ()),
        *[(label, Entity, ("label",)) for label in ENTITY_LABELS],
    ],
)
def test_pydantic_models_match_schema_nodes(label, model, exclude):
    spec = load_schema().nodes[label]
    assert _model_properties(model, exclude) == {p.name: p.type for p in spec.properties}


def test_entity_labels_agree():
    assert load_schema().entity_labels == ENTITY_LABELS
    assert set(typing.get_args(typing.get_type_hints(Entity)["label"])) == set(ENTITY_LABELS)


def test_constraints_file_is_generated_from_the_schema():
    lines = [line for line in schema_text("constraints.cypher").splitlines() if line and not line.startswith("//")]
    assert lines == load_schema().constraint_statements()
    assert all(f"(n:{label})" in schema_text("constraints.cypher") for label in load_schema().nodes)


def test_graph_model_rejects_what_the_schema_does_not_define():
    with pytest.raises(ValueError, match="unknown node label"):
        Node(label="Person", id="x")
    with pytest.raises(ValueError, match="not in schema"):
        Node(
            label="Task", id="Task:qa", properties={"name": "QA", "mention_count": 1, "paper_count": 1, "colour": "red"}
        )
    with pytest.raises(ValueError, match="does not allow"):
        Relationship(
            type="BENCHMARK_FOR",
            start="a",
            start_label="Model",
            end="b",
            end_label="Task",
            properties={"support": 1, "score": 1.0, "papers": [], "evidence": []},
        )
    with pytest.raises(ValueError, match="unknown relationship type"):
        Relationship(type="DETACH_DELETE", start="a", start_label="Paper", end="b", end_label="Task")


def test_every_relationship_endpoint_is_a_known_label():
    schema = load_schema()
    for spec in schema.relationships.values():
        assert set(spec.sources) | set(spec.targets) <= set(schema.nodes)
        assert {p.name for p in spec.properties} >= {"support", "score", "papers", "evidence"}


def test_kind_relations_stay_within_a_kind():
    """SUBCLASS_OF and PART_OF list their endpoint pairs: a dataset is no kind, nor part, of a network."""
    relationships = load_schema().relationships
    assert relationships["SUBCLASS_OF"].allows("Model", "Method")  # AlexNet, a CNN
    assert relationships["SUBCLASS_OF"].allows("Dataset", "Dataset")
    assert not relationships["SUBCLASS_OF"].allows("Dataset", "Method")
    assert not relationships["PART_OF"].allows("Method", "Dataset")
    assert relationships["USES"].allows("Paper", "Dataset")  # from/to still means every combination
