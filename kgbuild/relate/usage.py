"""USES (what a system or the paper builds on) and ADDRESSES (the task a system is for).

"X uses Y as its retriever", "Y is used in X", "we adopt a T5 encoder",
"X for T", "T methods such as X". The paper itself is the head when the
authors are the subject ("we adopt ..."), which no mention pair can express.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kgbuild.models import Relation
from kgbuild.relate.pairs import FILLER, OTHERS, SYSTEMS, pair_relations, pattern, spaced
from kgbuild.relate.sentences import Sentence
from kgbuild.schema import Label, RelType
from kgbuild.vocab import PRETRAINING, SYSTEM_NOUNS, alternatives

_APPOSITION = r"(?:\( <m> \) )?(?:, )?(?:(?:which|that) )?"
_USE = r"(?:uses|use|adopts|adopt|employs|employ|utili[sz]es|utili[sz]e|leverages|leverage|incorporates|integrates|relies on|rely on)"
_USED = r"(?:is |are |was |were |can be |be )?(?:used|adopted|employed|utili[sz]ed|leveraged|applied) "
_SYSTEM_NOUN = rf"(?:{alternatives(SYSTEM_NOUNS)} )?"
_PURPOSE = (
    r"(?:for|to (?:solve|address|tackle|handle|improve|perform|enable)|(?:is |are |was )?(?:designed|proposed|developed"
    r"|tailored|specialized|specialised|optimized|dedicated) (?:for|to)) "
)

PATTERNS = [
    pattern(
        "usage:x-uses-y",
        RelType.USES,
        SYSTEMS,
        (*SYSTEMS, Label.DATASET),
        _APPOSITION + FILLER + _USE + " " + FILLER + OTHERS,
        0.75,
    ),
    pattern(
        "usage:y-used-in-x",
        RelType.USES,
        (*SYSTEMS, Label.DATASET),
        SYSTEMS,
        _APPOSITION + _USED + r"(?:in|by|within|inside) " + FILLER,
        0.7,
        head_is_left=False,
    ),
    pattern("usage:y-based-x", RelType.USES, SYSTEMS, SYSTEMS, r"-based ", 0.7, head_is_left=False),
    pattern(
        "usage:x-for-t",
        RelType.ADDRESSES,
        SYSTEMS,
        (Label.TASK,),
        _APPOSITION + _SYSTEM_NOUN + _PURPOSE + r"(?:the )?(?:task of )?" + FILLER,
        0.7,
    ),
    pattern(
        "usage:t-methods-such-as-x",
        RelType.ADDRESSES,
        (Label.TASK,),
        SYSTEMS,
        r"(?:\S+ )?" + alternatives(SYSTEM_NOUNS) + " "
        r"(?:, )?(?:such as |like |including |e\.g\. ,? )?" + OTHERS,
        0.7,
        head_is_left=False,
    ),
    pattern(
        "usage:t-using-x",
        RelType.ADDRESSES,
        (Label.TASK,),
        SYSTEMS,
        r"(?:using|via|based on) " + FILLER,
        0.65,
        head_is_left=False,
    ),
    pattern(
        "usage:apply-x-to-t",
        RelType.ADDRESSES,
        SYSTEMS,
        (Label.TASK,),
        r"(?:\S+ )?to " + FILLER,
        0.7,
        before=r"\bappl(?:y|ies|ied|ying) " + FILLER + "$",
    ),
]
# "we adopt a T5 encoder": the authors build on it; the object may follow a few modifiers.
_AUTHORS_USE = re.compile(
    r"\bwe (?:(?:first|then|also|further|instead|directly|simply|additionally|mainly|can|will) ){0,2}(?:"
    + _USE
    + r"|build (?:up)?on|start from|rely on|employ) "
    + FILLER
    + r"(?:"
    + PRETRAINING
    + r"ed |off-the-shelf |frozen |open-source )*"
    + OTHERS
    + "$"
)


def find(sentence: Sentence) -> Iterator[Relation]:
    yield from pair_relations(sentence, PATTERNS)
    for slot in sentence.slots:
        if slot.label in (*SYSTEMS, Label.DATASET) and _AUTHORS_USE.search(spaced(sentence.before(slot))):
            yield sentence.relation(RelType.USES, "paper", slot.mention, 0.7, "usage:we-use")
