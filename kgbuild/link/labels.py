"""Type decision: one label per name, by the evidence of all its mentions."""

from __future__ import annotations

from kgbuild.models import ENTITY_LABELS, EntityLabel


def decide_label(weights: dict[EntityLabel, float], counts: dict[EntityLabel, int]) -> EntityLabel:
    """The label with the largest summed extractor score, then the most mentions.

    Remaining ties go to the earlier label in ENTITY_LABELS, so the decision
    never depends on the order papers were read in.
    """
    return max(weights, key=lambda label: (round(weights[label], 9), counts[label], -ENTITY_LABELS.index(label)))
