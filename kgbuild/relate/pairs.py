"""Pair patterns: `<mention A> words <mention B>` inside one sentence.

Most relations in abstracts are stated by the few words between the two
mentions ("X outperforms Y", "D dataset for T", "X, such as Y"). Without a
parser the gap is the most reliable signal, so a pattern is a regular
expression that must match the *whole* gap (written as words each followed by
one space, mentions as `<m>`); that keeps patterns strict and precise, at the
cost of recall on long-distance statements, which we accept (precision first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kgbuild.models import Relation
from kgbuild.relate.sentences import Sentence, Slot
from kgbuild.schema import RelType
from kgbuild.vocab import SYSTEM_LABELS, TRAINING

SYSTEMS = SYSTEM_LABELS  # the labels a pattern's system end may carry
# Other mentions coordinated between the two ends: "X, Y and Z", "LLMs ( LLM )".
OTHERS = r"(?:(?:<m>|,|and|or|\( <m> \)|\(|\)) )*"
# Words that say nothing about the relation: articles, hedges, adverbs.
FILLER = r"(?:(?:the|a|an|also|further|significantly|consistently|substantially|largely|greatly|even|still|clearly|all|both|several|many|strong|popular|recent|previous|prior|existing|state-of-the-art|competitive|other|various|well-known|widely-used|standard|baseline|baselines|of|current|leading|best|vanilla|conventional|naive|original) )*"
TRAIN = r"(?:continually |further )?" + TRAINING + r"(?:ed|e|es|s|ing)?"
_CITATION = re.compile(r"\[ [^\[\]<]* \] |\( (?:[^()<]* )?(?:et al\.|\d{4}[a-z]?) [^()<]*\) ")
MAX_GAP_WORDS = 14
# A pattern matches the whole gap, so a negation inside it ("X does not use Y") never matches; one just
# before the first mention ("Neither A nor X uses Y") would, so it is checked there.
_NEGATED = re.compile(r"\b(?:neither|nor|not|never|cannot|n't)\b (?:\S+ ){0,3}$")


@dataclass(frozen=True)
class PairPattern:
    source: str
    type: RelType
    left: frozenset[str]  # allowed labels of the earlier mention
    right: frozenset[str]
    gap: re.Pattern[str]
    score: float
    head_is_left: bool = True
    before: re.Pattern[str] | None = None  # searched in the sentence words before the left mention
    left_text: re.Pattern[str] | None = None  # searched in the left mention's own text
    right_text: re.Pattern[str] | None = None

    def matches(self, left: Slot, right: Slot, gap: str, before: str) -> bool:
        return (
            left.label in self.left
            and right.label in self.right
            and self.gap.fullmatch(gap) is not None
            and (self.before is None or self.before.search(before) is not None)
            and (self.left_text is None or self.left_text.search(left.span.text) is not None)
            and (self.right_text is None or self.right_text.search(right.span.text) is not None)
        )


def pattern(
    source: str,
    type_: RelType,
    left: Iterable[str],
    right: Iterable[str],
    gap: str,
    score: float,
    head_is_left: bool = True,
    before: str | None = None,
    left_text: str | None = None,
    right_text: str | None = None,
) -> PairPattern:
    return PairPattern(
        source,
        type_,
        frozenset(left),
        frozenset(right),
        re.compile(gap),
        score,
        head_is_left,
        re.compile(before) if before else None,
        re.compile(left_text) if left_text else None,
        re.compile(right_text) if right_text else None,
    )


def spaced(words: str) -> str:
    """Words as patterns see them: each followed by one space, citations dropped."""
    return _CITATION.sub("", words + " " if words else "")


def pair_relations(sentence: Sentence, patterns: list[PairPattern]) -> Iterator[Relation]:
    """Every (earlier, later) mention pair of the sentence whose gap a pattern matches; first pattern wins."""
    slots = sentence.slots
    for i, left in enumerate(slots):
        before = spaced(sentence.before(left))
        if _NEGATED.search(before):
            continue
        for right in slots[i + 1 :]:
            gap = spaced(sentence.gap(left, right))
            if len(gap.split()) > MAX_GAP_WORDS:
                break
            for rule in patterns:
                if rule.matches(left, right, gap, before):
                    head, tail = (left, right) if rule.head_is_left else (right, left)
                    yield sentence.relation(rule.type, head.mention, tail.mention, rule.score, rule.source)
                    break
