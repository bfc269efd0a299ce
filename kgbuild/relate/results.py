"""HAS_RESULT: a reported number, tied to the system that scored it and where.

A number counts as a result when it carries a unit ("90.6%", "3.2 BLEU
points"), is a decimal right next to a metric mention ("BLEU from 8.3 to
1.4"), or a decimal reported "on" a dataset ("scores 84.1 on GSM8K and 32.5
on MATH"). Numbers that describe something else are skipped: the comparator side
of "90.6% vs. 89.8%" or "from 8.3"; shares, savings and ranges ("10% of the
data", "only 0.3%", "60% less parameters", "20% training data", "by
8-24%"); numbers inside mentions. A margin ("surpasses Y by 3.6%", "by 1.3%
and 3.6%", "12.5% ahead of Y", "+1.1%") keeps its unit with " margin"
appended, so a Result never passes a difference off as a score. A number in a
clause about costs ("reduce annotation costs ... 31%", "training time
decreased by 14%") is a saving, not a score, unless a metric is named next to
it.

The tail is the dataset (else task) the number is "on" - paired in order
when the sentence says "respectively", after the numbers or before them ("on
A and B, with 12.5% and 4.1% ... respectively") - else the nearest dataset
before it that is not training data ("trained on X") nor the thing compared
against ("~6% over the prior model Med-Gemini"). A task is a tail only when
the number is stated in it ("80.5% accuracy in video category
classification") or it names a benchmark ("on the Commonsense Reasoning
benchmark"): a setting before the number ("In zero-shot experiments, ...")
is not what the number was measured on. A number with its own "on X" whose X
is no mention ("84.1% on GSM8K and 32.5% on MATH", MATH not found) has no
tail: the dataset before it belongs to another number. A cost ("training
time", FLOPs, memory, latency) is never a result's metric.

The head is the first system named in the number's clause that is neither
the thing compared against ("than Y", "outperforming Y") nor where it was
measured ("19% improvement on MMLU") nor followed by "we" ("upon BART
backbone, we achieve"), and it must be a name (a name-shaped word:
"Flan-PaLM", "ERNIE 3.0"): a technique phrase before a number describes a
setting or a cost ("in few-shot learning ... +9.4%", "reduce human
annotation costs by 31%"), not the system that scored it. When no system is
named and the sentence speaks of the authors' own system ("our model", "its
English version", "we"), the head is the system the paper proposes if the
caller knows it by name: the evidence sentence then holds the tail, the
number and the anaphor, not the head's name (source "results:anaphora").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Token

from kgbuild.extract.named import name_shape
from kgbuild.models import Relation, ResultRelation
from kgbuild.relate.pairs import SYSTEMS
from kgbuild.relate.sentences import Sentence, Slot
from kgbuild.schema import Label
from kgbuild.vocab import COST_MEASURE, DATASET_NOUNS, DECIMAL, TRAINING, with_plurals

_NUMBER = re.compile(r"[+\-~]?" + DECIMAL)
_SKIP_AFTER_PREVIOUS = {"vs.", "vs", "versus", "from", "than", "of", "only", "just"}
_NOT_A_SCORE_AFTER = {
    "of",
    "less",
    "fewer",
    "more",
    "smaller",
    "larger",
    "faster",
    "slower",
    "cheaper",
    "training",
    "data",
    "labeled",
    "labelled",
}
_GAIN = {"gain", "gains", "improvement", "improvements", "increase", "reduction", "boost", "points", "point"}
_GAIN_MODIFIER = {"absolute", "relative", "average"}
_MARGIN = re.compile(r"\bby (?:up to |over |about |around |at least |nearly |almost |more than )?$")
# A bare decimal next to a metric is a score only if nothing but a function word or punctuation follows.
_AFTER_BARE_DECIMAL = {"on", "in", "for", "and", "to", "with", "than", "vs.", "at", "across", "over", "respectively"}
_COMPARATOR = {
    "than",
    "over",
    "vs.",
    "vs",
    "versus",
    "against",
    "outperforms",
    "outperforming",
    "outperformed",
    "surpassing",
    "surpasses",
    "surpassed",
    "beats",
    "beating",
    "to",
    "with",
}
_MEASURED_AT = {"on", "across"}
_COMPARED_AT = _COMPARATOR - {"to", "with"}  # before a dataset: "~6% over X" (but "on par with X", "up to X")
_BENCHMARK_SHAPE = re.compile(r"[a-z][A-Z]|\d")  # CompMix-IR, GSM8K; not NLP, QA, "zero-shot experiments"
_BENCHMARK_NOUN = DATASET_NOUNS | with_plurals("leaderboard")
_MARGIN_AFTER = {"ahead", "higher", "better", "above", "over"}
_REPORTING = re.compile(r"(?:achiev|scor|reach|obtain|attain|record|report)(?:e|es|ed|s|ing)?")
_COORDINATION = {"and", ",", "or"}
# A clause that saves: its verbs, and what is saved (vocab.COST_MEASURE, "reduce annotation costs ... 31%").
_SAVING = {
    "reduce",
    "reduces",
    "reduced",
    "reducing",
    "decrease",
    "decreases",
    "decreased",
    "decreasing",
    "savings",
    "escalations",
}
_CLAUSE_JOINERS = {"and", "but", "while", "whereas", "which", "yet"}
_TRAINED = re.compile(TRAINING)
_ANAPHOR = re.compile(
    r"\b(?:our|we|its|it|the (?:proposed |resulting |final )?(?:model|method|approach|framework|system)"
    r"|this (?:model|method|approach|framework|system))\b"
)
_MAX_DISTANCE = 25  # tokens between a dataset/task and the number after it
_ON = {"on", "in", "across", "for", "at"}  # not "over": "5% over X" compares with X
_TAIL_LABELS = (Label.DATASET, Label.TASK)


@dataclass(frozen=True)
class _Number:
    token: Token
    unit: str | None
    last: int  # index of the number's last token (its unit's, if any)


def _unit(sentence: Sentence, token: Token) -> tuple[str | None, int] | None:
    """(unit as written, index of the last unit token), or None when the number is not a score."""
    doc, end = sentence.field.doc, sentence.span.end
    after = token.i + 1
    if after < end and doc[after].text == "%":
        return _percent(sentence, after)
    metric = next((slot for slot in _metrics(sentence) if slot.span.start == after), None)
    if metric is not None and metric.span.end < end and doc[metric.span.end].lower_ in ("points", "point"):
        return f"{metric.span.text} {doc[metric.span.end].text}", metric.span.end
    if after < end and doc[after].lower_ in ("points", "pp"):
        return doc[after].text, after
    if _is_a_bare_decimal_score(sentence, token, metric_follows=metric is not None):
        return None, token.i
    return None


def _percent(sentence: Sentence, percent: int) -> tuple[str, int]:
    """The unit of a number followed by "%" at `percent`: "%", or "% " and the gain words that follow it."""
    doc = sentence.field.doc
    words = [t.lower_ for t in doc[percent + 1 : min(percent + 4, sentence.span.end)]]
    for width in (3, 2, 1):
        # "1.1% gain", "6.36% relative improvement", "1.1% average accuracy gain" (a metric inside)
        if (
            len(words) >= width
            and words[width - 1] in _GAIN
            and all(
                word in _GAIN_MODIFIER or _is_metric_word(sentence, percent + 1 + i)
                for i, word in enumerate(words[: width - 1])
            )
        ):
            return "% " + " ".join(t.text for t in doc[percent + 1 : percent + 1 + width]), percent + width
    return "%", percent


def _is_a_bare_decimal_score(sentence: Sentence, token: Token, metric_follows: bool) -> bool:
    """A decimal without a unit is a score next to a metric ("BLEU from 8.3 to 1.4") or reported on a dataset
    ("scores 84.1 on GSM8K"), when what follows it is a metric, a function word or punctuation."""
    doc, end = sentence.field.doc, sentence.span.end
    after = token.i + 1
    bare = after >= end or not doc[after].is_alpha or doc[after].lower_ in _AFTER_BARE_DECIMAL or metric_follows
    return (
        "." in token.text
        and bare
        and (_near_metric(sentence, token.i, 4) is not None or _reported_on_a_dataset(sentence, token))
    )


def _reported_on_a_dataset(sentence: Sentence, token: Token) -> bool:
    """ "X scores 84.1 on GSM8K and 32.5 on MATH": a decimal right before "on <dataset>" in a clause that
    reports a result is a score, though no metric is named."""
    doc = sentence.field.doc
    on = token.i + 1
    if on >= sentence.span.end or doc[on].lower_ not in _MEASURED_AT:
        return False
    dataset = on + 1 + (on + 1 < sentence.span.end and doc[on + 1].lower_ == "the")
    return any(slot.span.start == dataset and slot.label == Label.DATASET for slot in sentence.slots) and any(
        _REPORTING.fullmatch(t.lower_) for t in doc[_clause_start(sentence, token.i) : token.i]
    )


def _metrics(sentence: Sentence) -> list[Slot]:
    """The sentence's metric mentions that can score a result: not a cost ("training time", "FLOPs"), though
    label_rules.py keeps one reported as an evaluation measure a Metric ("in terms of accuracy and latency")."""
    return [slot for slot in sentence.slots if slot.label == Label.METRIC and not COST_MEASURE.search(slot.span.text)]


def _is_metric_word(sentence: Sentence, position: int) -> bool:
    return any(slot.span.start <= position < slot.span.end for slot in _metrics(sentence))


def _near_metric(sentence: Sentence, position: int, distance: int = 8) -> Slot | None:
    metrics = _metrics(sentence)
    nearest = min(metrics, key=lambda slot: abs(slot.span.start - position), default=None)
    return nearest if nearest is not None and abs(nearest.span.start - position) <= distance else None


def _numbers(sentence: Sentence) -> list[_Number]:
    """The sentence's numbers that report a score, each with its unit (" margin" appended to a difference)."""
    doc = sentence.field.doc
    found: list[_Number] = []
    for token in sentence.span:
        if not _may_be_a_score(sentence, token):
            continue
        unit = _unit(sentence, token)
        if unit is None or (unit[1] + 1 < sentence.span.end and doc[unit[1] + 1].lower_ in _NOT_A_SCORE_AFTER):
            continue  # no unit, or "10% of the data", "60% less parameters": a share or a saving, not a score
        unit_text, last = unit
        if _about_costs(sentence, token.i):
            continue
        if unit_text is not None and _is_a_margin(sentence, token, last, found):
            unit_text += " margin"
        found.append(_Number(token, unit_text, last))
    _share_the_last_unit(sentence, found)
    return found


def _may_be_a_score(sentence: Sentence, token: Token) -> bool:
    """A number outside the mentions that is not the comparator side ("vs. 89.8%", "from 8.3", unless a metric
    is what it is "of") nor an end of a range."""
    doc = sentence.field.doc
    if not _NUMBER.fullmatch(token.text) or any(s.span.start <= token.i < s.span.end for s in sentence.slots):
        return False
    if (
        token.i > sentence.span.start
        and doc[token.i - 1].lower_ in _SKIP_AFTER_PREVIOUS
        and not _score_of_a_metric(sentence, token.i)
    ):
        return False
    # "by 8-24%": a range, neither end of it a score
    return not (
        token.i - 2 >= sentence.span.start and doc[token.i - 1].text in ("-", "–") and doc[token.i - 2].like_num
    )


def _is_a_margin(sentence: Sentence, token: Token, last: int, found: list[_Number]) -> bool:
    """The number is a difference, not a score: "by 3.6%", "12.5% ahead of Y", "by 1.3% and 3.6%" (coordinated
    with a margin before it), "+1.1% averaged gain"."""
    doc = sentence.field.doc
    preceding = " ".join(t.lower_ for t in doc[max(sentence.span.start, token.i - 4) : token.i]) + " "
    following = doc[last + 1].lower_ if last + 1 < sentence.span.end else ""
    coordinated = (
        bool(found)
        and found[-1].unit is not None
        and found[-1].unit.endswith(" margin")
        and all(t.lower_ in _COORDINATION for t in doc[found[-1].last + 1 : token.i])
    )
    signed = token.text.startswith("+")
    return bool(_MARGIN.search(preceding) or following in _MARGIN_AFTER or coordinated or signed)


def _share_the_last_unit(sentence: Sentence, found: list[_Number]) -> None:
    """In a coordination the margin or gain word follows only the last number, and holds for every one:
    "12.5% and 4.1% ahead of Y", "6.36% and 54.23% relative improvements". Rewrites found in place."""
    doc = sentence.field.doc
    for i, number in enumerate(found[:-1]):
        rest = found[i + 1 :]
        coordinated = all(
            t.lower_ in _COORDINATION for a, b in zip(found[i:], rest) for t in doc[a.last + 1 : b.token.i]
        )
        if not coordinated or number.unit is None or rest[-1].unit is None or number.unit.endswith(" margin"):
            continue
        if rest[-1].unit.endswith(" margin"):
            found[i] = _Number(number.token, number.unit + " margin", number.last)
        elif number.unit == "%" and rest[-1].unit.startswith("% "):
            found[i] = _Number(number.token, rest[-1].unit, number.last)


def _score_of_a_metric(sentence: Sentence, position: int) -> bool:
    """ "an accuracy of 84.1%": the number after "of" is a score when a metric is what it is "of" (a "ratio of
    50%" or "a total of 5%" is not)."""
    return sentence.field.doc[position - 1].lower_ == "of" and any(
        slot.span.end == position - 1 for slot in _metrics(sentence)
    )


def _about_costs(sentence: Sentence, position: int) -> bool:
    """Is the number at `position` a saving ("reduce annotation costs ..., e.g., 31%")? Not if a metric is near."""
    doc = sentence.field.doc
    clause = doc[max(_clause_start(sentence, position), position - 10) : position]
    return (
        any(t.lower_ in _SAVING or COST_MEASURE.fullmatch(t.text) for t in clause)
        and _near_metric(sentence, position, 4) is None
    )


def _is_training_data(sentence: Sentence, slot: Slot) -> bool:
    doc = sentence.field.doc
    return any(_TRAINED.match(t.lower_) for t in doc[max(sentence.span.start, slot.span.start - 4) : slot.span.start])


def _tail(sentence: Sentence, number: _Number, next_number: int) -> Slot | None:
    doc = sentence.field.doc
    for slot in sentence.slots:
        if number.last < slot.span.start < next_number and slot.label in _TAIL_LABELS:
            between = {t.lower_ for t in doc[number.last + 1 : slot.span.start]}
            if slot.span.start - number.last <= 8 and between & _ON:
                return slot
    if _measured_on_something_else(sentence, number, next_number):
        return None
    position = number.token.i
    before = [
        slot
        for slot in sentence.slots
        if (slot.label == Label.DATASET or _names_a_benchmark(sentence, slot))
        and position - _MAX_DISTANCE <= slot.span.start < position
        and not _is_training_data(sentence, slot)
        and not _compared_against(sentence, slot)
    ]
    return max(before, default=None, key=lambda slot: (slot.label == Label.DATASET, slot.span.start))


def _measured_on_something_else(sentence: Sentence, number: _Number, next_number: int) -> bool:
    """ "... and 32.5% on MATH": the number says where it was measured, and that is no mention here."""
    doc = sentence.field.doc
    following = doc[number.last + 1 : min(number.last + 4, next_number, sentence.span.end)]
    return any(
        t.lower_ in _MEASURED_AT and (t.i + 1 >= sentence.span.end or doc[t.i + 1].lower_ != "average")
        for t in following
    )


def _names_a_benchmark(sentence: Sentence, slot: Slot) -> bool:
    """A task mention that names the benchmark a number was measured on: "the Commonsense Reasoning benchmark",
    or a name no task is written as ("outperforms ... on CompMix-IR", the extractor unsure it is a dataset)."""
    doc = sentence.field.doc
    return slot.label == Label.TASK and (
        _BENCHMARK_SHAPE.search(slot.span.text) is not None
        or (slot.span.end < sentence.span.end and doc[slot.span.end].lower_ in _BENCHMARK_NOUN)
    )


def _compared_against(sentence: Sentence, slot: Slot) -> bool:
    """Is the nearest preposition before `slot` one of comparison ("~6% over the prior model Med-Gemini")?"""
    doc = sentence.field.doc
    for token in reversed(doc[max(sentence.span.start, slot.span.start - 6) : slot.span.start]):
        if token.like_num or token.lower_ in _ON:
            return False
        if token.lower_ in _COMPARED_AT:
            return True
    return False


def _respective_tails(sentence: Sentence, numbers: list[_Number]) -> list[Slot] | None:
    """ "1.3% and 3.6% on CIFAR100 and ImageNet-R, respectively": the i-th number goes with the i-th dataset."""
    if len(numbers) < 2 or "respectively" not in {t.lower_ for t in sentence.span}:
        return None
    after = [slot for slot in sentence.slots if slot.span.start > numbers[-1].last and slot.label in _TAIL_LABELS]
    if len(after) == len(numbers):
        return after
    before = [slot for slot in sentence.slots if slot.span.end <= numbers[0].token.i and slot.label in _TAIL_LABELS]
    return before[-len(numbers) :] if len(before) >= len(numbers) and not after else None


def _clause_start(sentence: Sentence, position: int) -> int:
    """Start of the clause holding token `position`: after the last ";", ", and", ", but", ... before it."""
    doc = sentence.field.doc
    start = sentence.span.start
    for i in range(sentence.span.start, position):
        if doc[i].text == ";" or (doc[i].text == "," and i + 1 < position and doc[i + 1].lower_ in _CLAUSE_JOINERS):
            start = i + 1
    return start


def _head(sentence: Sentence, position: int) -> Slot | None:
    doc = sentence.field.doc
    clause = _clause_start(sentence, position)
    for slot in sentence.slots:
        if slot.span.start >= position:
            return None
        preceding = {t.lower_ for t in doc[max(clause, slot.span.start - 5) : slot.span.start]}
        measured_at = {t.lower_ for t in doc[max(clause, slot.span.start - 2) : slot.span.start]} & _MEASURED_AT
        authors_speak = any(t.lower_ == "we" for t in doc[slot.span.end : position])  # "upon BART backbone, we achieve"
        if (
            slot.span.start >= clause
            and slot.label in SYSTEMS
            and not preceding & _COMPARATOR
            and not measured_at
            and not authors_speak
            and any(name_shape(token.text) for token in slot.span)
        ):
            return slot
    return None


def find(sentence: Sentence, proposed: int | None) -> Iterator[Relation]:
    """HAS_RESULT relations of one sentence; `proposed` is the paper's own system (mention index) if known."""
    numbers = _numbers(sentence)
    respective = _respective_tails(sentence, numbers)
    for i, number in enumerate(numbers):
        next_number = numbers[i + 1].token.i if i + 1 < len(numbers) else sentence.span.end
        tail = respective[i] if respective else _tail(sentence, number, next_number)
        if tail is None:
            continue
        metric = _near_metric(sentence, number.token.i)
        result = (metric.mention if metric else None, number.token.text, number.unit)  # metric, value, unit
        head = _head(sentence, number.token.i)
        if head is not None:
            yield sentence.relation(
                ResultRelation.HAS_RESULT, head.mention, tail.mention, 0.75, "results:named", *result
            )
        elif proposed is not None and _ANAPHOR.search(
            sentence.span[: number.token.i - sentence.span.start].text.lower()
        ):
            yield sentence.relation(ResultRelation.HAS_RESULT, proposed, tail.mention, 0.6, "results:anaphora", *result)
