"""EVALUATED_ON (system -> dataset) and BENCHMARK_FOR (dataset -> task).

Evaluation is stated as a result verb or noun followed by "on D"
("X achieves state-of-the-art results on D", "we evaluate X on D"), or as
"experiments on D show that X ..."; a dataset serves a task as "D for T",
"T benchmarks such as D", "the T dataset D".
"""

from __future__ import annotations

from collections.abc import Iterator

from kgbuild.models import Relation
from kgbuild.relate.pairs import FILLER, OTHERS, SYSTEMS, pair_relations, pattern
from kgbuild.relate.sentences import Sentence

_APPOSITION = r"(?:\( <m> \) )?(?:, )?(?:(?:which|that) )?"
_RESULT_WORD = (r"(?:achiev\S*|obtain\S*|reach\S*|attain\S*|sets?|establish\S*|yield\S*|scor\S*|perform\S*|results?"
                r"|accuracy|state-of-the-art|sota|outperform\S*|surpass\S*|rank\S*|improv\S*|gains?|evaluat\S*|tested)")
_DATASET_NOUN = r"(?:(?:dataset|benchmark|corpus|corpora|suite|testbed|collection|leaderboard)s? )?"

PATTERNS = [
    pattern("benchmarks:x-result-on-d", "EVALUATED_ON", SYSTEMS, ("Dataset",),
            _APPOSITION + r"(?=(?:\S+ )*" + _RESULT_WORD + r" )(?:\S+ ){0,8}?(?:on|across|over) " + FILLER + OTHERS, 0.7),
    pattern("benchmarks:evaluate-x-on-d", "EVALUATED_ON", SYSTEMS, ("Dataset",),
            r"(?:\S+ ){0,3}?(?:on|using|against) " + FILLER + OTHERS, 0.7,
            before=r"\b(?:evaluat|test|benchmark|assess|validat)\S* " + FILLER + "$"),
    pattern("benchmarks:on-d-x-achieves", "EVALUATED_ON", ("Dataset",), SYSTEMS,
            _DATASET_NOUN + r"(?:(?:show|demonstrate|indicate|reveal|confirm)s? (?:that )?|, )" + FILLER + r"(?:our |proposed )*",
            0.65, head_is_left=False, before=r"\b(?:experiments|results|evaluations?) (?:\S+ )?(?:on|with) " + FILLER + "$"),
    pattern("benchmarks:d-for-t", "BENCHMARK_FOR", ("Dataset",), ("Task",),
            _APPOSITION + _DATASET_NOUN + r"(?:, )?(?:(?:a|an|the) (?:\S+ ){0,3}?" + _DATASET_NOUN + r")?"
            r"(?:for|(?:designed|used|built|proposed|collected) for|to (?:evaluate|assess|measure|benchmark)) (?:the )?(?:task of )?" + FILLER,
            0.7),
    pattern("benchmarks:t-datasets-such-as-d", "BENCHMARK_FOR", ("Task",), ("Dataset",),
            r"(?:task )?(?:dataset|benchmark|corpus|corpora|suite)s? " + _APPOSITION
            + r"(?:(?:such as|including|like|e\.g\. ,?|namely|:) )?" + FILLER + OTHERS, 0.7, head_is_left=False),
]


def find(sentence: Sentence) -> Iterator[Relation]:
    yield from pair_relations(sentence, PATTERNS)
