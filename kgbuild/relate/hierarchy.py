"""SUBCLASS_OF and PART_OF, only where the sentence states them.

"Xs such as Y and Z", "Y is a kind of X" and an introduced name's definition ("we
propose Y: a coarse-grained X") state membership of a class;
"X consists of Y", "the Y module of X", "integrate Y into X", and "the Y
layers in X" or "X with Y" when Y names a component, state parts (2-fold CV
on SciER train, end to end: "in"/"of" 35 stated, .60 right; "with" 22, .64;
without the component test .53 and .40).
Subclasses stay within one label family (systems, datasets), parts within
systems: a dataset is not a part of a method.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kgbuild.models import Relation
from kgbuild.relate.pairs import FILLER, OTHERS, SYSTEMS, pair_relations, pattern, spaced
from kgbuild.relate.sentences import Sentence, Slot
from kgbuild.schema import Label, RelType
from kgbuild.vocab import METHOD_NOUNS, NETWORK_NOUNS, TRAINING, TUNING, alternatives, with_plurals

_ABBREVIATION = r"(?:\( <m> \) )?"
_EXAMPLES = (
    r"(?:, |\( )?(?:such as|including|like|e\.g\. ,?|especially|particularly|namely|for example ,?|for instance ,?) "
)
_KIND = r"(?:type|kind|variant|form|class|family|instance|example|special case|member)s?"
_PART_WORDS = "module|layer|component|block|head|branch|encoder|decoder|unit"
_PART = rf"(?:{_PART_WORDS})s?"
# Hearst's "Xs such as Y" needs a plural class: "pre-training, such as BERT" gives an example, not a kind.
_PLURAL = r"[a-z]s$"
# What a system is built of; "X in Y" and "Y with X" state a part only when X names one ("the attention layers in
# the Transformer", "a CNN with batch normalization"), not for any method ("LoRA in LLMs").
_COMPONENT = (
    rf"(?i)(?:{_PART_WORDS}|normali[sz]ation|connection|pooling|attention|decay|momentum|loss|activation|relu"
    r"|dropout|kernel|filter|gate|backbone|classifier|regressor|crf|embedding|convolution)s?$"
)
_KIND_OF = re.compile(_KIND + " of")
# A definition right after a name the authors introduce ("we propose X: a ...") or a title opens with.
_INTRODUCED = r"(?:^|\b(?:propose|proposes|present|presents|introduce|introduces)(?: \S+){0,2} )$"
_NAME = r"^(?:\S*[A-Z]\S*[A-Z0-9]|[A-Z][a-z]+)\S*$"  # "QuuxDiff", "CP-CLIP", "Frido": one name-like word
# Not a language model's acronym: "we propose MiniPLM, a KD framework for pre-training LMs" makes no LM of MiniPLM.
_CLASS_HEAD = rf"(?i){alternatives(with_plurals('model', 'transformer') | NETWORK_NOUNS | METHOD_NOUNS)}$"
# "compared with other transfer learning methods like ELMo": a comparison's baselines, described, not classified.
_BASELINES = re.compile(
    r"\b(?:other|state-of-the-art|existing|previous|prior|competing|baseline|three|two|four|several) (?:\S+ )?$"
)
_PREPOSITIONS = {"of", "for", "in", "on", "with", "to", "through", "from", "by"}
# "combine X with Y", "compare X with Y", "replace X with Y" join two wholes, not a whole and its part.
_NOT_JOINED = (
    rf"^(?!.*\b(?:combin|compar|replac|pair|contrast|integrat|augment|equip|{TRAINING}|{TUNING})\S* (?:\S+ )?$)"
)

PATTERNS = [
    *(
        pattern(
            "hierarchy:such-as",
            RelType.SUBCLASS_OF,
            labels,
            labels,
            _ABBREVIATION + _EXAMPLES + OTHERS,
            0.7,
            head_is_left=False,
            left_text=_PLURAL,
        )
        for labels in (SYSTEMS, (Label.DATASET,))
    ),
    *(
        pattern("hierarchy:and-other", RelType.SUBCLASS_OF, labels, labels, r"(?:, )?(?:and|or) other ", 0.75)
        for labels in (SYSTEMS, (Label.DATASET,))
    ),
    *(
        pattern(
            "hierarchy:kind-of",
            RelType.SUBCLASS_OF,
            labels,
            labels,
            _ABBREVIATION + r"(?:, |is |are )(?:a|an|one) (?:\S+ ){0,2}?" + _KIND + r" of " + FILLER,
            0.8,
        )
        for labels in (SYSTEMS, (Label.DATASET,))
    ),
    # "we propose QuuxDiff: a coarse-grained diffusion model": the name's definition says what class it is of
    pattern(
        "hierarchy:defined-as",
        RelType.SUBCLASS_OF,
        SYSTEMS,
        SYSTEMS,
        r"(?:: |, )(?:a|an) (?:\S+ ){0,3}?",
        0.75,
        before=_INTRODUCED,
        left_text=_NAME,
        right_text=_CLASS_HEAD,
    ),
    pattern(
        "hierarchy:consists-of",
        RelType.PART_OF,
        SYSTEMS,
        SYSTEMS,
        _ABBREVIATION
        + r"(?:, |\( )?(?:(?:which|that) )?(?:consists of|consisting of|is composed of|composed of|comprises|comprising|contains|containing) "
        + FILLER
        + OTHERS,
        0.75,
        head_is_left=False,
    ),
    pattern(
        "hierarchy:part-of", RelType.PART_OF, SYSTEMS, SYSTEMS, r"(?:\S+ )?" + _PART + r" (?:of|in) " + FILLER, 0.7
    ),
    pattern(
        "hierarchy:x-in-y",
        RelType.PART_OF,
        SYSTEMS,
        SYSTEMS,
        r"(?:in|of) (?:the |our |a |an |each |every )?",
        0.7,
        left_text=_COMPONENT,
    ),
    pattern(
        "hierarchy:y-with-x",
        RelType.PART_OF,
        SYSTEMS,
        SYSTEMS,
        r"(?:a |an |the )?with (?:a |an |the )?",
        0.7,
        head_is_left=False,
        before=_NOT_JOINED,
        right_text=_COMPONENT,
    ),
    pattern(
        "hierarchy:integrated-into",
        RelType.PART_OF,
        SYSTEMS,
        SYSTEMS,
        r"into " + FILLER,
        0.7,
        before=r"\b(?:integrat|incorporat|insert|plug|embedd?|add)\S* " + FILLER + "$",
    ),
]


def names_a_class(sentence: Sentence, slot: Slot) -> bool:
    """Whether a mention, the class or the member of a SUBCLASS_OF, is where the sentence puts one.

    Not the object of a preposition ("KD methods of BERT, such as BERT-PKD": the class is "KD methods"; "e.g.
    from AlexNet to GoogLeNet"), except "a form of X"; not a description of baselines ("other", "existing",
    "three state-of-the-art object detectors, including CornerNet"). 2-fold CV on SciER train (extractor and
    classifier trained on the other half), all SUBCLASS_OF: 36 stated, .56 right -> 29, .66 (19 right, 1 lost).
    Dropping a class cut short of its head noun ("feature extraction" of "feature extraction backbones such as
    VGG") was tried and made it worse (.43): SciER annotates "CNN" of "CNN models such as AlexNet".
    """
    before = spaced(sentence.before(slot))
    preceding = before.split()[-2:]
    if _BASELINES.search(before):
        return False
    return not (preceding and preceding[-1] in _PREPOSITIONS and not _KIND_OF.fullmatch(" ".join(preceding)))


def find(sentence: Sentence) -> Iterator[Relation]:
    slots = {slot.mention: slot for slot in sentence.slots}
    for relation in pair_relations(sentence, PATTERNS):
        assert isinstance(relation.tail, int)  # pair_relations joins two mentions
        if relation.type != RelType.SUBCLASS_OF or names_a_class(sentence, slots[relation.tail]):
            yield relation
