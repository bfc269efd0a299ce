"""Domain vocabulary: the words and patterns every stage reads ML prose with, each written once.

extract, link and relate ask the same questions of a word - is it a kind of
dataset, a system noun, a training verb, a size? - and used to answer each with
its own list. The answers live here; a stage takes the groups it needs and
adds only what is particular to its rule, next to the rule. The schema's
labels stay in kgbuild.schema: this module only groups them.

Lists of nouns hold their plurals: a head noun is matched as written ("the X
datasets"), never stemmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kgbuild.schema import Label

# The labels of systems, the things that are trained, run and scored: a model and a method are one kind of
# thing (the NER and most gold sets do not tell them apart), so rules that ask "is it a system?" take both.
SYSTEM_LABELS = frozenset({Label.METHOD, Label.MODEL})

_IRREGULAR_PLURALS = {"corpus": "corpora"}


def plurals(*singulars: str) -> frozenset[str]:
    """The English plurals of the words ("approach" -> "approaches", "strategy" -> "strategies")."""
    words = set()
    for word in singulars:
        if word in _IRREGULAR_PLURALS:
            words.add(_IRREGULAR_PLURALS[word])
        elif word.endswith(("ch", "sh", "s", "x")):
            words.add(word + "es")
        elif word.endswith("y") and word[-2:-1] not in "aeiou":
            words.add(word[:-1] + "ies")
        else:
            words.add(word + "s")
    return frozenset(words)


def with_plurals(*singulars: str) -> frozenset[str]:
    """The words and their plurals."""
    return frozenset(singulars) | plurals(*singulars)


def alternatives(words: Iterable[str]) -> str:
    """A regular expression matching any of `words` (longest first, so "datasets" is not read as "dataset")."""
    return "(?:" + "|".join(sorted(words, key=lambda word: (-len(word), word))) + ")"


# Head nouns: what the noun a name stands next to says it is ("the X dataset", "X, a framework that").
# Why one list each: named.head_label types a name by them, label_rules reads definitions by them, the relation
# rules read "on D benchmarks" and "X framework" by them; a word added to one kind is added for every stage.
_DATASET_NOUNS = ("dataset", "benchmark", "corpus", "suite")
DATASET_PLURALS = plurals(*_DATASET_NOUNS)
DATASET_NOUNS = frozenset(_DATASET_NOUNS) | DATASET_PLURALS
MODEL_NOUNS = with_plurals("model", "llm", "lm", "checkpoint", "backbone", "variant")
METHOD_NOUNS = with_plurals("method", "framework", "approach", "algorithm", "technique")
# Nouns of a system's make-up: a span ending in one names a kind of model ("vision-language transformer").
NETWORK_NOUNS = with_plurals("network", "architecture")
ARCHITECTURE_NOUNS = NETWORK_NOUNS | with_plurals("transformer", "encoder", "decoder")
# Every noun a system is called by ("the X framework", "T methods such as X").
SYSTEM_NOUNS = MODEL_NOUNS | METHOD_NOUNS | ARCHITECTURE_NOUNS | with_plurals("system", "pipeline")

# Generic heads of a technique's parts and procedures ("self-attention mechanism", "contrastive loss").
TECHNIQUE_NOUNS = with_plurals(
    "mechanism", "objective", "strategy", "procedure", "paradigm", "scheme", "loss", "layer", "module"
)

# Numbers as written in abstracts: "7", "1.3", "84.1".
DECIMAL = r"\d+(?:\.\d+)?"
# A size: a count with its multiplier, and a byte unit ("70B", "1.3B", "52k", "4TB"); it says how big, not which.
SIZE = DECIMAL + r"[KMBTkmbt][Bb]?"
# A parameter count ("7B", "350M", "1.5T"): the part of a checkpoint's name that says which size of a family it is.
PARAMETER_COUNT = DECIMAL + r"\s?[BbMmTt]"  # "7B", "7 B" (a space before the unit in some names)
# Size words of checkpoints ("BERT-base", "T5-large", "GPT-2 XL"): a variant of the family, not another model.
SIZE_WORDS = frozenset({"base", "large", "small", "tiny", "mini", "medium", "xl", "xxl", "huge", "giant"})

# Training verbs, as a stem every stage inflects as it needs: "pre-train", "pretrained", "fine-tuning",
# "finetuned", "instruction-tuned", "distilled". A model comes from data or from another model by these.
PRETRAINING = r"(?:pre-?)?train"
FINE_TUNING = r"(?:fine-?tun|finetun|instruction-tun)"
TRAINING = r"(?:" + PRETRAINING + "|" + FINE_TUNING + r"|distill)"
# Tuning said bare: "we tune X", "instruction tuning", "tuned for"; hyper-parameter tuning too, so rules that
# take it ask for a model next to it.
TUNING = r"tun"
# A model's past, as a participle: "pre-trained", "fine-tuned", "finetuned", "distilled", "trained".
TRAINED = TRAINING + "ed"

# What a cost is measured in: such a "metric" ("training time", "GPU memory", "FLOPs") says what was spent, and a
# number next to one is a saving, not a score (label_rules drops such a Metric, results such a Result).
COST_MEASURE = re.compile(
    r"\b(?:time|times|memory|latency|flops?|costs?|speed|throughput|energy|parameters|"
    r"gpu hours?|runtime|footprint|overhead|requirements|consumption)\b",
    re.IGNORECASE,
)
