"""EVALUATED_ON (system -> dataset) and BENCHMARK_FOR (dataset -> task).

Evaluation is stated as a result verb or noun followed by "on D"
("X achieves state-of-the-art results on D", "we evaluate X on D"), as
"experiments on D show that X ...", or as "the accuracy of X on D"; a
dataset serves a task as "D for T", "T benchmarks such as D", "the T dataset D".

Abstracts mostly state their own evaluation without naming the system again:
"Extensive experiments on D and E show ...", "we evaluate our model on D".
With no named system in the sentence, that is EVALUATED_ON from the paper's
proposed system (resolved by the caller, as for results), at a lower score
than a named statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kgbuild.extract.named import system_name
from kgbuild.models import Relation
from kgbuild.relate.pairs import FILLER, OTHERS, SYSTEMS, pair_relations, pattern, spaced
from kgbuild.relate.sentences import Sentence, Slot
from kgbuild.schema import Label, RelType
from kgbuild.vocab import DATASET_NOUNS, TRAINED, alternatives, with_plurals

_APPOSITION = r"(?:\( <m> \) )?(?:, )?(?:(?:which|that) )?"
_RESULT_WORD = (
    r"(?:achiev\S*|obtain\S*|reach\S*|attain\S*|sets?|establish\S*|yield\S*|scor\S*|perform\S*|results?"
    r"|accuracy|state-of-the-art|sota|outperform\S*|surpass\S*|rank\S*|improv\S*|gains?|evaluat\S*|tested"
    r"|validated|verified)"
)
# What datasets are called in "on D benchmarks", "on two public testbeds: A and B".
_TESTBEDS = DATASET_NOUNS | with_plurals("testbed")
_DATASET_NOUN = rf"(?:{alternatives(_TESTBEDS | with_plurals('collection', 'leaderboard'))} )?"
# The datasets announced as a list: "on two public benchmarks: A and B", "on five benchmarks, namely T on A and
# B, U on C" (a task named before its datasets is passed over: its datasets are the system's too).
_ANNOUNCED = (
    rf"(?:(?:\S+ ){{0,3}}?{alternatives(_TESTBEDS)} (?:: |, )?"
    r"(?:(?:namely|including|such as|i\.e\. ,?) )?)?"
)

PATTERNS = [
    pattern(
        "benchmarks:x-result-on-d",
        RelType.EVALUATED_ON,
        SYSTEMS,
        (Label.DATASET,),
        _APPOSITION
        + r"(?=(?:\S+ )*"
        + _RESULT_WORD
        + r" )(?:\S+ ){0,8}?(?:on|across|over) "
        + FILLER
        + _ANNOUNCED
        + r"(?:(?:<m> (?:on|in)|<m>|,|and|or|\( <m> \)|\(|\)) )*",
        0.7,
    ),
    pattern(
        "benchmarks:evaluate-x-on-d",
        RelType.EVALUATED_ON,
        SYSTEMS,
        (Label.DATASET,),
        r"(?:\S+ ){0,3}?(?:on|using|against) " + FILLER + OTHERS,
        0.7,
        before=r"\b(?:evaluat|test|benchmark|assess|validat)\S* " + FILLER + "$",
    ),
    pattern(
        "benchmarks:on-d-x-achieves",
        RelType.EVALUATED_ON,
        (Label.DATASET,),
        SYSTEMS,
        _DATASET_NOUN
        + r"(?:(?:show|demonstrate|indicate|reveal|confirm)s? (?:that )?|, )"
        + FILLER
        + r"(?:our |proposed )*",
        0.65,
        head_is_left=False,
        before=r"\b(?:experiments|results|evaluations?) (?:\S+ )?(?:on|with) " + FILLER + "$",
    ),
    pattern(
        "benchmarks:score-of-x-on-d",
        RelType.EVALUATED_ON,
        SYSTEMS,
        (Label.DATASET,),
        r"(?:on|across) " + FILLER + OTHERS,
        0.7,
        before=r"(?:\b(?:accuracy|performance|results?|scores?)|<m>) of (?:the |our )?(?:original |proposed )?$",
    ),
    pattern(
        "benchmarks:d-for-t",
        RelType.BENCHMARK_FOR,
        (Label.DATASET,),
        (Label.TASK,),
        _APPOSITION + _DATASET_NOUN + r"(?:, )?(?:(?:a|an|the) (?:\S+ ){0,3}?" + _DATASET_NOUN + r")?"
        r"(?:for|(?:designed|used|built|proposed|collected) for|to (?:evaluate|assess|measure|benchmark)) (?:the )?(?:task of )?"
        + FILLER,
        0.7,
    ),
    pattern(
        "benchmarks:t-datasets-such-as-d",
        RelType.BENCHMARK_FOR,
        (Label.TASK,),
        (Label.DATASET,),
        rf"(?:task )?{alternatives(DATASET_NOUNS)} "
        + _APPOSITION
        + r"(?:(?:such as|including|like|e\.g\. ,?|namely|:) )?"
        + FILLER
        + OTHERS,
        0.7,
        head_is_left=False,
    ),
]


_OWN_SYSTEM = r"(?:it|them|our (?:\S+ ){0,3}?|the (?:proposed|resulting) (?:\S+ ){0,3}?|this (?:\S+ ){0,2}?)"
_ON_DATASETS = r"(?:\S+ ){0,3}?(?:on|across|over|using) (?:\S+ ){0,3}?" + OTHERS + "$"
_OWN_EVALUATION = re.compile(
    r"(?:^|\b(?:extensive|comprehensive|our|empirical|experimental|further|the) )(?:experiments|evaluations?|results) "
    + _ON_DATASETS
    + r"|\bwe (?:\S+ )?(?:evaluate|test|benchmark|validate|assess)d? "
    + _OWN_SYSTEM
    + _ON_DATASETS
    + r"|\b(?:our|the proposed) (?:\S+ ){0,3}?(?:is|are|was|were|has been|have been) (?:\S+ )?"
    r"(?:evaluated|tested|benchmarked|validated|assessed) "
    + _ON_DATASETS
    # "we achieved state-of-the-art FID scores on five benchmarks, namely T on A and B", "our model achieves ..."
    + r"|(?:^|\b(?:we|it) |\b"
    + _OWN_SYSTEM
    + r")(?:\S+ )?(?:achiev|obtain|attain|reach|establish|set)\S* "
    r"(?:\S+ ){0,6}?(?:on|across) " + FILLER + _ANNOUNCED + r"(?:(?:<m> (?:on|in)|<m>|,|and|or|\( <m> \)) )*$"
)
ANAPHORA = "benchmarks:anaphora"  # like results: the head is resolved outside the sentence


# Words that can say how a dataset serves a task ("D for T", "T on D", "D is a T benchmark", "a suite for
# analyzing T", "T datasets such as D"); a gap with none of them only lists the two ("T and efficient D").
_RELATING = {
    "for",
    "on",
    "in",
    "of",
    "to",
    "across",
    "over",
    "with",
    "including",
    "like",
    "as",
    "namely",
    "such",
    "e.g.",
    ":",
    "is",
    "are",
    "was",
    "using",
    "at",
    "solving",
    "targets",
    "evaluating",
    "assessing",
}
_DATA_NOUNS = DATASET_NOUNS | {"task", "tasks"}
# A clause, training (vocab.TRAINED) or a definition between the two: the sentence says something else about them.
_TRAINED = re.compile(TRAINED)
_UNRELATING = {
    "whether",
    "that",
    "which",
    "when",
    "where",
    "while",
    "short",
    "stands",
}
# A reported value (a decimal, a percentage, a signed gain), not a count ("7,186 classes for classification").
_VALUE = re.compile(r"[+\-~]?\d+\.\d+%?|[+\-~]?\d+%|[+\-~]\d+")


def states_benchmark(sentence: Sentence, dataset: Slot, task: Slot) -> bool:
    """Can the words between a dataset and a task state BENCHMARK_FOR? The pair classifier reads a bag of gap
    words, so it pairs a dataset with a task the sentence only lists next to it. Not when another task lies
    between them (the nearer one is meant: "scene-graph-to-image on COCO and Visual Genome"; one listed
    with the task or its abbreviation in brackets stands where it does), a number does ("gain up to 23.1% improvement in T": a result), a clause,
    training or a definition does ("trained on other datasets such as D", "D (short for T ...)"), a second
    "on" does ("T on A and B, U on C and D": D is U's), or nothing relates them ("T and efficient D", "ELEVATER benchmarks and T benchmarks")."""
    left, right = sorted((dataset, task), key=lambda slot: slot.span.start)
    if any(
        slot.label == Label.TASK
        and left.span.end <= slot.span.start
        and slot.span.end <= right.span.start
        and not _same_place(sentence, slot, task)
        for slot in sentence.slots
    ):
        return False
    words = spaced(sentence.gap(left, right)).split()  # citations dropped: "PASCAL VOC [5] was ..."
    if any(_VALUE.fullmatch(word) or _TRAINED.fullmatch(word) for word in words) or set(words) & _UNRELATING:
        return False
    if words.count("on") > 1:
        return False
    return (
        not words
        or bool(set(words) & _RELATING)
        or bool(set(words) & _DATA_NOUNS)
        and words[-1] not in ("and", "or", ",")
    )


def _same_place(sentence: Sentence, other: Slot, task: Slot) -> bool:
    """Does another task stand where `task` does: its bracketed abbreviation ("question answering (QA)") or
    listed with it ("for object class recognition and semantic segmentation")?"""
    if sentence.field.doc[other.span.start - 1].text == "(":
        return True
    first, second = sorted((other, task), key=lambda slot: slot.span.start)
    return set(spaced(sentence.gap(first, second)).split()) <= {",", "and", "or"}


def _names_a_system(sentence: Sentence) -> bool:
    return any(slot.label in SYSTEMS and any(system_name(token.text) for token in slot.span) for slot in sentence.slots)


def find(sentence: Sentence) -> Iterator[Relation]:
    yield from pair_relations(sentence, PATTERNS)


def find_own(sentence: Sentence, proposed: int | None) -> Iterator[Relation]:
    """EVALUATED_ON from the paper's own system (`proposed`, a mention index) to the datasets of its experiments."""
    if proposed is None or _names_a_system(sentence):
        return
    for slot in sentence.slots:
        if slot.label == Label.DATASET and _OWN_EVALUATION.search(spaced(sentence.before(slot))):
            yield sentence.relation(RelType.EVALUATED_ON, proposed, slot.mention, 0.6, ANAPHORA)
