"""Where a model comes from: FINE_TUNED_FROM, BASED_ON (its parent) and TRAINED_ON (its data).

"We fine-tune LLaMA ... to develop AlpaCare", "X, fine-tuned from Y",
"X is built on Y", "X trained on D". Fine-tuning between two models is
FINE_TUNED_FROM; the same statement between methods (the schema allows
FINE_TUNED_FROM only Model -> Model) is the weaker BASED_ON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kgbuild.models import Relation
from kgbuild.relate.pairs import FILLER, OTHERS, SYSTEMS, TRAIN, pair_relations, pattern
from kgbuild.relate.sentences import Sentence
from kgbuild.schema import Label, RelType
from kgbuild.vocab import FINE_TUNING, PRETRAINING

_APPOSITION = r"(?:\( <m> \) )?(?:, )?(?:(?:which|that) )?(?:is |are |was |were |has been )?"
_TUNE_TO_DEVELOP = r"(?:\S+ ){0,8}?to (?:develop|obtain|create|build|produce|get|derive|construct) " + FILLER
_TUNE_BEFORE = r"\b(?:" + FINE_TUNING + r"\S*|(?:further |continually )" + PRETRAINING + r"\S*) " + FILLER + "$"
_TUNED_FROM = (
    r"(?:a |an )?(?:"
    + FINE_TUNING
    + r"ed|initiali[sz]ed|distilled|further trained) (?:version |variant |model )?(?:of|from|with) "
    + FILLER
)
_BUILT_ON = (
    r"(?:based on|built (?:up)?on|builds (?:up)?on|extends|extending|an extension of|derived from|a variant of|adapted from|inspired by|a modification of) "
    + FILLER
)

PATTERNS = [
    pattern(
        "derivation:tune-to-develop",
        RelType.FINE_TUNED_FROM,
        (Label.MODEL,),
        (Label.MODEL,),
        _TUNE_TO_DEVELOP,
        0.85,
        head_is_left=False,
        before=_TUNE_BEFORE,
    ),
    pattern(
        "derivation:tune-to-develop",
        RelType.BASED_ON,
        SYSTEMS,
        SYSTEMS,
        _TUNE_TO_DEVELOP,
        0.75,
        head_is_left=False,
        before=_TUNE_BEFORE,
    ),
    pattern(
        "derivation:tuned-from",
        RelType.FINE_TUNED_FROM,
        (Label.MODEL,),
        (Label.MODEL,),
        _APPOSITION + _TUNED_FROM,
        0.85,
    ),
    pattern("derivation:tuned-from", RelType.BASED_ON, SYSTEMS, SYSTEMS, _APPOSITION + _TUNED_FROM, 0.75),
    pattern("derivation:built-on", RelType.BASED_ON, SYSTEMS, SYSTEMS, _APPOSITION + _BUILT_ON, 0.75),
    pattern(
        "derivation:trained-on",
        RelType.TRAINED_ON,
        SYSTEMS,
        (Label.DATASET,),
        _APPOSITION + TRAIN + r" (?:\S+ ){0,3}?(?:on|with|using|from) " + FILLER + OTHERS,
        0.75,
    ),
    pattern(
        "derivation:d-trained-x",
        RelType.TRAINED_ON,
        (Label.DATASET,),
        SYSTEMS,
        r"(?:- ?)?" + PRETRAINING + r"ed (?:\S+ )?",
        0.75,
        head_is_left=False,
    ),
    pattern(
        "derivation:train-x-on",
        RelType.TRAINED_ON,
        SYSTEMS,
        (Label.DATASET,),
        r"(?:(?:models?|networks?) )?(?:\S+ ){0,2}?(?:on|with|using) " + FILLER + OTHERS,
        0.7,
        before=r"\b" + TRAIN + " (?:our |their |its )?" + FILLER + "$",
    ),
]


# What a model is trained on when the "dataset" is a machine: "trained on ... a Tesla A100 device", "on Huawei's
# Ascend server" (the extractor labels such names Dataset; both TRAINED_ON of a judged corpus sample were these).
_MACHINE = re.compile(
    r"^(?:'s )?(?:\S+ )?(?:device|devices|server|servers|gpu|gpus|tpu|tpus|cluster|clusters|machine|machines|hardware)\b"
)


def _on_a_machine(sentence: Sentence, relation: Relation) -> bool:
    tail = next(slot for slot in sentence.slots if slot.mention == relation.tail)
    return relation.type == RelType.TRAINED_ON and _MACHINE.match(sentence.after(tail)) is not None


def find(sentence: Sentence) -> Iterator[Relation]:
    yield from (relation for relation in pair_relations(sentence, PATTERNS) if not _on_a_machine(sentence, relation))
