"""Schema checks: a relation leaves this stage only if schema/graph.yaml allows its endpoints.

HAS_RESULT is not an edge of the graph: the graph stores a result as a Result
node joined by ACHIEVES (system -> Result), MEASURED_ON (Result -> dataset/task) and
MEASURED_BY (Result -> metric), so those are the edges it is checked against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from kgbuild.models import Relation, ResultRelation
from kgbuild.schema import Label, RelType, load_schema

PAPER = Label.PAPER


def endpoint_label(end: int | Literal["paper"], labels: Sequence[str]) -> str:
    return PAPER if end == "paper" else labels[end]


def allowed(relation: Relation, labels: Sequence[str]) -> bool:
    """True when every edge the relation becomes in the graph is allowed by the schema."""
    relationships = load_schema().relationships
    head, tail = endpoint_label(relation.head, labels), endpoint_label(relation.tail, labels)
    if relation.type == ResultRelation.HAS_RESULT:
        metric_ok = relation.metric is None or relationships[RelType.MEASURED_BY].allows(
            Label.RESULT, labels[relation.metric]
        )
        return (
            relationships[RelType.ACHIEVES].allows(head, Label.RESULT)
            and relationships[RelType.MEASURED_ON].allows(Label.RESULT, tail)
            and metric_ok
        )
    spec = relationships.get(relation.type)
    return spec is not None and spec.allows(head, tail)
