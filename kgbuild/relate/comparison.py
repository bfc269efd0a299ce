"""OUTPERFORMS and COMPARED_WITH: "X outperforms Y", "compared with Y, X ...", "X vs. Y".

Comparisons are stated with a small closed set of verbs and prepositions, so
gap patterns are precise; a negated comparison ("does not outperform") has a
word the patterns do not allow and so never matches.
"""

from __future__ import annotations

from collections.abc import Iterator

from kgbuild.models import Relation
from kgbuild.relate.pairs import FILLER, OTHERS, SYSTEMS, pair_relations, pattern
from kgbuild.relate.sentences import Sentence

_BEAT = r"(?:outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?|exceed(?:s|ed|ing)?|improves (?:up)?on|(?:is |are )?(?:better|stronger) than)"
_APPOSITION = r"(?:\( <m> \) )?(?:, )?(?:(?:which|that) )?"
_GROUP = r"(?:(?:models?|methods?|approaches|baselines?|systems?|such as|including|like|e\.g\.|:|,) )*"

PATTERNS = [
    pattern("comparison:outperforms", "OUTPERFORMS", SYSTEMS, SYSTEMS,
            _APPOSITION + FILLER + _BEAT + " " + FILLER + _GROUP + OTHERS, 0.85),
    pattern("comparison:outperformed-by", "OUTPERFORMS", SYSTEMS, SYSTEMS,
            _APPOSITION + r"(?:is |are |was |were )" + FILLER + r"outperformed by " + FILLER + OTHERS, 0.8,
            head_is_left=False),
    pattern("comparison:compared-with", "COMPARED_WITH", SYSTEMS, SYSTEMS,
            _APPOSITION + r"(?:(?:when|as) )?(?:compared|comparing|comparison) (?:to|with|against) " + FILLER + OTHERS,
            0.75),
    pattern("comparison:versus", "COMPARED_WITH", SYSTEMS, SYSTEMS, r"(?:vs\.?|versus) ", 0.8),
    pattern("comparison:on-par", "COMPARED_WITH", SYSTEMS, SYSTEMS,
            _APPOSITION + r"(?:is |are |performs |remains )?" + FILLER
            + r"(?:comparable|competitive|on par|on-par) (?:to|with) " + FILLER + OTHERS, 0.75),
    pattern("comparison:compare-x-with-y", "COMPARED_WITH", SYSTEMS, SYSTEMS,
            r"(?:(?:models?|methods?|approaches) )?(?:with|to|against|and) " + FILLER + OTHERS, 0.7,
            before=r"\b(?:compare|compares|compared|comparing|comparison (?:of|between)) " + FILLER + "$"),
    pattern("comparison:compared-with-y-x", "COMPARED_WITH", SYSTEMS, SYSTEMS,
            r"(?:(?:models?|methods?|approaches|baselines?) )?, (?:our |the proposed )?", 0.7,
            before=r"\b(?:compared|comparing|relative) (?:to|with|against) " + FILLER + "$"),
]


def find(sentence: Sentence) -> Iterator[Relation]:
    yield from pair_relations(sentence, PATTERNS)
