"""OUTPERFORMS and COMPARED_WITH: "X outperforms Y", "compared with Y, X ...", "X vs. Y".

"Our model outperforms X" is OUTPERFORMS from the paper's proposed system (resolved by the caller, as for
the proposed system's EVALUATED_ON in benchmarks.find_own). An OUTPERFORMS stated with its margin ("X improves by 3.2 points over Y", "X outperforms Y by 3.2%") keeps
it as the relation's value and unit; the graph gives it to the relationship as `delta`.

Comparisons are stated with a small closed set of verbs and prepositions, so
gap patterns are precise; a negated comparison ("does not outperform") has a
word the patterns do not allow and so never matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kgbuild.models import Relation
from kgbuild.relate.pairs import FILLER, OTHERS, SYSTEMS, pair_relations, pattern, spaced
from kgbuild.relate.sentences import Sentence, Slot
from kgbuild.schema import Label, RelType
from kgbuild.vocab import DECIMAL

_BEAT = r"(?:outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?|exceed(?:s|ed|ing)?|improves (?:up)?on|(?:is |are )?(?:better|stronger) than)"
_APPOSITION = r"(?:\( <m> \) )?(?:, )?(?:(?:which|that) )?"
_GROUP = r"(?:(?:models?|methods?|approaches|baselines?|systems?|such as|including|like|e\.g\.|:|,) )*"

# "improves by 3.2 points over X", "gains up to 2.1% over X"
_BY_MARGIN = (
    r"(?:improv\S*|gain\S*|boost\S*) (?:\S+ ){0,4}?by (?:up to |about |around |nearly |almost |over "
    r"|more than )?\+?" + DECIMAL + r" (?:(?:% |(?:<m> )?(?:absolute |relative )?(?:points? |pp ))(?:\S+ )?)?"
)

PATTERNS = [
    pattern(
        "comparison:outperforms",
        RelType.OUTPERFORMS,
        SYSTEMS,
        SYSTEMS,
        _APPOSITION + FILLER + _BEAT + " " + FILLER + _GROUP + OTHERS,
        0.85,
    ),
    pattern(
        "comparison:improves-by-over",
        RelType.OUTPERFORMS,
        SYSTEMS,
        SYSTEMS,
        _APPOSITION + FILLER + _BY_MARGIN + r"(?:over|upon|than) " + FILLER + _GROUP + OTHERS,
        0.8,
    ),
    pattern(
        "comparison:outperformed-by",
        RelType.OUTPERFORMS,
        SYSTEMS,
        SYSTEMS,
        _APPOSITION + r"(?:is |are |was |were )" + FILLER + r"outperformed by " + FILLER + OTHERS,
        0.8,
        head_is_left=False,
    ),
    pattern(
        "comparison:compared-with",
        RelType.COMPARED_WITH,
        SYSTEMS,
        SYSTEMS,
        _APPOSITION + r"(?:(?:when|as) )?(?:compared|comparing|comparison) (?:to|with|against) " + FILLER + OTHERS,
        0.75,
    ),
    pattern("comparison:versus", RelType.COMPARED_WITH, SYSTEMS, SYSTEMS, r"(?:vs\.?|versus) ", 0.8),
    pattern(
        "comparison:on-par",
        RelType.COMPARED_WITH,
        SYSTEMS,
        SYSTEMS,
        _APPOSITION
        + r"(?:is |are |performs |remains )?"
        + FILLER
        + r"(?:comparable|competitive|on par|on-par) (?:to|with) "
        + FILLER
        + OTHERS,
        0.75,
    ),
    pattern(
        "comparison:compare-x-with-y",
        RelType.COMPARED_WITH,
        SYSTEMS,
        SYSTEMS,
        r"(?:(?:models?|methods?|approaches) )?(?:with|to|against|and) " + FILLER + OTHERS,
        0.7,
        before=r"\b(?:compare|compares|compared|comparing|comparison (?:of|between)) " + FILLER + "$",
    ),
    pattern(
        "comparison:compared-with-y-x",
        RelType.COMPARED_WITH,
        SYSTEMS,
        SYSTEMS,
        r"(?:(?:models?|methods?|approaches|baselines?) )?, (?:our |the proposed )?",
        0.7,
        before=r"\b(?:compared|comparing|relative) (?:to|with|against) " + FILLER + "$",
    ),
]


_NUMBER = re.compile(r"\+?" + DECIMAL)
_APPROXIMATE = {"up", "to", "about", "around", "nearly", "almost", "over", "more", "than", "roughly", "approximately"}
_MARGIN_UNIT = {"%", "points", "point", "pp", "percentage", "absolute", "relative"}
_AFTER_BEATEN = 6  # tokens after the outperformed system where "by <margin>" may follow ("X outperforms Y by 3.2%")


def _margin(sentence: Sentence, start: int, end: int) -> tuple[str, str | None] | None:
    """(value, unit) of the first "by <number> [unit]" in Doc tokens [start, end): "by 3.2 points", "by up to
    2.1%", "by 1.5 BLEU points" (a metric mention is part of the unit)."""
    doc = sentence.field.doc
    metric_tokens = {
        i for slot in sentence.slots if slot.label == Label.METRIC for i in range(slot.span.start, slot.span.end)
    }
    for i in range(start, end - 1):
        if doc[i].lower_ != "by":
            continue
        number = i + 1
        while number < end and doc[number].lower_ in _APPROXIMATE:
            number += 1
        if number >= end or not _NUMBER.fullmatch(doc[number].text):
            return None
        last = number + 1
        while last < end and last < number + 5 and (doc[last].lower_ in _MARGIN_UNIT or last in metric_tokens):
            last += 1
        return doc[number].text.lstrip("+"), doc[number + 1 : last].text or None
    return None


def _with_margin(sentence: Sentence, relation: Relation, slots: dict[int, Slot]) -> Relation:
    """An OUTPERFORMS with the margin it is stated by, as value and unit: between the two ("X improves by 3.2
    points over Y") or right after the one outperformed ("X outperforms Y by 3.2%")."""
    assert isinstance(relation.head, int) and isinstance(relation.tail, int)  # pair_relations joins two mentions
    head, tail = slots[relation.head], slots[relation.tail]
    if relation.type != RelType.OUTPERFORMS or head.span.start > tail.span.start:
        return relation
    after = min(tail.span.end + _AFTER_BEATEN, sentence.span.end)
    margin = _margin(sentence, head.span.end, tail.span.start) or _margin(sentence, tail.span.end, after)
    return relation.model_copy(update={"value": margin[0], "unit": margin[1]}) if margin else relation


def find(sentence: Sentence) -> Iterator[Relation]:
    slots = {slot.mention: slot for slot in sentence.slots}
    for relation in pair_relations(sentence, PATTERNS):
        yield _with_margin(sentence, relation, slots)


# "our model outperforms GPT-3", "the proposed approach surpasses X": the paper's own system, not named here
# ("our PANDA outperforms X" is the pair rule's).
_OWN_BEATS = re.compile(
    r"(?:^|\b)(?:our|the proposed)(?: (?!<m>)\S+){1,3} " + FILLER + _BEAT + " " + FILLER + _GROUP + OTHERS + "$"
)
_NOT = re.compile(r"\b(?:not|never|cannot|n't|neither|nor|fails? to)\b")
ANAPHORA = "comparison:anaphora"  # like benchmarks and results: the head is resolved outside the sentence


def find_own(sentence: Sentence, proposed: int | None) -> Iterator[Relation]:
    """OUTPERFORMS from the paper's own system (`proposed`, a mention index) to the systems "our model" beats,
    with the margin when one follows ("our approach outperforms GPT-4 by 9%")."""
    if proposed is None:
        return
    for slot in sentence.slots:
        before = spaced(sentence.before(slot))
        if slot.label in SYSTEMS and slot.mention != proposed and _OWN_BEATS.search(before) and not _NOT.search(before):
            relation = sentence.relation(RelType.OUTPERFORMS, proposed, slot.mention, 0.6, ANAPHORA)
            after = min(slot.span.end + _AFTER_BEATEN, sentence.span.end)
            margin = _margin(sentence, slot.span.end, after)
            yield relation.model_copy(update={"value": margin[0], "unit": margin[1]}) if margin else relation
