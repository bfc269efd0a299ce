"""Label-rules component: the types a reader of the graph notices, decided after the resolver (issue 21.5).

The training gold disagrees with what users mean by the labels: SciREX and SciERC call costs Metrics
("training time" 60 times, "computational cost" 87 in SciREX train), the NER and the Papers-with-Code lexicon
call benchmarks tasks or systems ("MMLU" a Method, "Kinetics-400" a Model, the lexicon has MMLU as a Task).
These rules say what the graph means, in one place, on the resolver's `doc.ents`:

1. Benchmarks and their splits are Datasets, and so is every other mention of the same words in the text:
   - a known benchmark (`BENCHMARKS`), alone or with a split or version ("Kinetics-400", "ImageNet-1k",
     "MMLU-Pro", "HumanEval+");
   - a name something is scored on: "84.1% on GSM8K and 32.5% on MATH", "19% improvement on MMLU", "6.90 pp
     on MMLU", "top-1 accuracy of 87.1% on Kinectics-400" (a number, a unit or a gain, then "on"; not
     "results on", which SciER dev says of systems: "Our results on AlexNet"; and a Model only after a number
     or unit: "a 12% improvement on BERT" is over BERT);
   - a name the text defines as data: "SciRIFF is the first dataset ...", "SIB-200 -- a large-scale
     open-sourced benchmark dataset", "VTG-IT-120K, a high-quality and comprehensive instruction tuning
     dataset", "MERIT, the first multilingual dataset" (the first kind noun after the article decides,
     named.head_label);
   - a name between two Datasets in a list ("out-of-domain tasks (ChemProt, RCT, IMDB, Amazon)", "fsPASCAL,
     fsCOCO and FSS-1000").
2. A cost is no Metric where nothing measures it: "require additional training time", "incur high
   computational costs", "reduce the memory footprint" (the `COST_MEASURE` words) are dropped; an abstract
   names a cost there to say what is spent or saved, not what was evaluated. It stays a Metric when reported as
   an evaluation measure: a number next to it in its sentence ("with 33% of training time", "training time
   decreased by 14%", "35.4G FLOPs in computational cost"), a comparison ("a higher inference speed than"),
   or an evaluation cue before it or the list of measures it ends ("in terms of accuracy and latency",
   "measured by", "metrics such as"). A complexity stays a Metric: algorithms are analysed and compared by
   it, and the gold that annotates metrics says so every time ("time complexity", "computational
   complexity": SciERC train 10 of 10, TDMSci 2 of 2).
3. A Model is one trained artefact: an acronym's plural names a class of them ("GPTs", "GANs"), a Method as
   "LLMs" is (named.py).

A relabelled mention's source is "label_rules" (its score stays the resolver's): a title's name takes the
label its abstract's rules gave it over the title's own cue (mentions.py; "SciRIFF: A Resource to ...").

Only names change label by rule 1: "math" is a field, "MATH" a benchmark, and a class of models ("VLMs",
named.system_name) is no dataset.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc, Span

from kgbuild.extract.doc_views import sentence_starts, token_texts
from kgbuild.extract.mentions import labelled
from kgbuild.extract.named import head_label, system_name
from kgbuild.link.keys import singular
from kgbuild.schema import Label
from kgbuild.vocab import COST_MEASURE, DECIMAL, SYSTEM_LABELS

SOURCE = "label_rules"

# Benchmarks and standard evaluation sets that abstracts name bare ("on MMLU"), as written. A split or version
# may follow (_SPLIT). Upper-case words that are also English words (MATH, ARC, DROP, RACE) match as written
# only; the others whatever their case ("Big-Bench", "BIG-bench").
BENCHMARKS = frozenset(
    {
        # language models
        "MMLU",
        "CMMLU",
        "MATH",
        "GSM8K",
        "HumanEval",
        "MBPP",
        "BIG-bench",
        "BBH",
        "ARC",
        "HellaSwag",
        "TruthfulQA",
        "WinoGrande",
        "PIQA",
        "SIQA",
        "BoolQ",
        "DROP",
        "GPQA",
        "AGIEval",
        "AlpacaEval",
        "MT-Bench",
        "Arena-Hard",
        "IFEval",
        "LiveCodeBench",
        "SWE-bench",
        "AIME",
        "SVAMP",
        "AQuA",
        "MathQA",
        "StrategyQA",
        "CommonsenseQA",
        "OpenBookQA",
        "TriviaQA",
        "HotpotQA",
        "Natural Questions",
        "SQuAD",
        "GLUE",
        "SuperGLUE",
        "XNLI",
        "MNLI",
        "SNLI",
        "SST-2",
        "CoQA",
        "RACE",
        "LAMBADA",
        "WikiText",
        "MedQA",
        "MedMCQA",
        "PubMedQA",
        "MultiMedQA",
        "MS MARCO",
        "BEIR",
        # vision, video, speech
        "ImageNet",
        "CIFAR",
        "MNIST",
        "COCO",
        "MS COCO",
        "MSCOCO",
        "Kinetics",
        "UCF101",
        "HMDB51",
        "ADE20K",
        "Cityscapes",
        "LVIS",
        "Visual Genome",
        "Flickr30k",
        "VQAv2",
        "GQA",
        "TextVQA",
        "OK-VQA",
        "LAION",
        "CC3M",
        "CC12M",
        "YFCC",
        "CelebA",
        "FFHQ",
        "LSUN",
        "LibriSpeech",
        "Something-Something",
    }
)
_AS_WRITTEN = frozenset({"MATH", "ARC", "DROP", "RACE"})
_FOLDED = {name.lower(): name for name in BENCHMARKS if name not in _AS_WRITTEN}
# A split, size or version after a benchmark's name: "-400", "-1k", "-21K", " v2", "-Pro", "+", " Hard".
_SPLIT = re.compile(rf"(?:[- ]?(?:{DECIMAL}[kKM]?|v{DECIMAL}|Pro|Hard|Lite|Redux|Verified|\+))*")

# What reports a cost as an evaluation measure, right before it or before the list of measures it ends:
# "in terms of accuracy and latency", "measured by memory", "metrics such as BLEU, latency".
_EVALUATION_CUES = (
    ("terms", "of"),
    ("measured", "by"),
    ("measured", "in"),
    ("metrics", "such", "as"),
    ("metrics", "including"),
    ("metrics", "like"),
    ("metrics", ":"),
    ("metric", ":"),
)
# A measurement near a cost: a decimal or a number with a unit ("35.4G", "14", "%"), not an enumeration "(1)".
_MEASUREMENT = re.compile(rf"{DECIMAL}(?:[KMGT]|x|\u00d7|times)?")
_MEASURE_UNITS = frozenset({"%", "x", "\u00d7", "times", "hours", "ms", "s", "seconds", "gb", "mb", "flops"})
_MEASURED_REACH = 6  # tokens either side of the cost
# A number ("84.1"), a unit or a gain, then "on": what the name right after was scored on.
_UNITS = frozenset({"%", "pp", "points", "point"})
_GAINS = frozenset({"improvement", "improvements", "gain", "gains", "boost", "accuracy", "score", "scores"})
_SYSTEMS_AND_TASKS = SYSTEM_LABELS | {Label.TASK}
_DEFINING = frozenset({",", ":", "-", "--", "\u2014", "\u2013", "is"})
_ARTICLES = frozenset({"a", "an", "the"})
_DEFINITION_REACH = 10  # tokens after the article
_PHRASE_END = frozenset({".", ";", "(", ")", "that", "which", "for", "of", "to", "with", "in", "on", "from", "by"})
_LIST_JOINERS = frozenset({",", "and", "or"})
_FAMILY = frozenset({"family", "families", "series"})


def benchmark(text: str) -> bool:
    """A known benchmark, alone or with a split or version ("Kinetics-400", "ImageNet-1k", "MMLU-Pro")."""
    for end in range(len(text), 0, -1):
        base = text[:end]
        if (base in _AS_WRITTEN or base.lower() in _FOLDED) and _SPLIT.fullmatch(text, end):
            return True
    return False


def _scored_on(words: list[str], ent: Span) -> bool:
    """The name follows "<number, unit or gain> on": "84.1% on X", "19% improvement on X". A model only after
    a number or unit: "a 12% improvement on BERT" improves on BERT."""
    start = ent.start
    if start < 2 or words[start - 1].lower() != "on":
        return False
    before = words[start - 2].lower()
    return before in _UNITS or before.replace(".", "", 1).isdigit() or (before in _GAINS and ent.label_ != Label.MODEL)


def _defined_as_data(words: list[str], ent: Span, starts: set[int]) -> bool:
    """What follows the name defines it as data: "X is the first dataset", "X -- a ... benchmark dataset", and
    "X: A ... Dataset" when X starts its sentence (not "T2Vs Meet VLMs: A Scalable Multimodal Dataset")."""
    i = ent.end
    if i < len(words) and words[i] in _DEFINING and (words[i] != ":" or ent.start in starts):
        i += 1
    if i == ent.end or i >= len(words) or words[i].lower() not in _ARTICLES:
        return False
    for j in range(i + 1, min(i + 1 + _DEFINITION_REACH, len(words))):
        word = words[j]
        if word.lower() in _PHRASE_END:
            return False
        kind = head_label(word)
        if kind is not None:  # the first kind noun decides, unless it modifies a compound ("dataset-agnostic")
            return kind == Label.DATASET and (j + 1 == len(words) or words[j + 1] != "-")
    return False


def _joined(words: list[str], first: Span, second: Span) -> bool:
    return first.end < second.start and all(word.lower() in _LIST_JOINERS for word in words[first.end : second.start])


def _listed_between_data(ents: list[Span], k: int, words: list[str]) -> bool:
    """The k-th mention is inside a list of Datasets, one on either side ("ChemProt, RCT, IMDB"; not "BCO and
    AIME", "VKA and FKA", "ImageNet or MIT Places classification network": one neighbour is too few), and the
    list is no list of systems ("the Llama, Llama-2, and Falcon families": the NER's Llama and Falcon)."""
    if not (
        0 < k < len(ents) - 1
        and ents[k - 1].label_ == Label.DATASET
        and ents[k + 1].label_ == Label.DATASET
        and _joined(words, ents[k - 1], ents[k])
        and _joined(words, ents[k], ents[k + 1])
    ):
        return False
    last = k + 1
    while last + 1 < len(ents) and _joined(words, ents[last], ents[last + 1]):
        last += 1
    after = words[ents[last].end].lower() if ents[last].end < len(words) else ""
    return after not in _FAMILY and head_label(after) in (None, Label.DATASET)


def _names_data(ents: list[Span], k: int, words: list[str], starts: set[int]) -> bool:
    """Rule 1 for the k-th mention, a Method, Model or Task. A known benchmark as written ("Kinetics", not the
    field "kinetics"); otherwise a name of one system ("MMLU", not the class "VLMs", named.system_name)."""
    ent = ents[k]
    if ent.text.islower():
        return False
    if benchmark(ent.text):
        return True
    return system_name(ent[0].text) and (
        _scored_on(words, ent) or _defined_as_data(words, ent, starts) or _listed_between_data(ents, k, words)
    )


def _acronym_plural(text: str) -> bool:
    """ "GPTs", "GANs": an acronym with a plural "s" (not "NorGLMs", a name of its own)."""
    return text[:-1].isupper() and singular(text) == text[:-1]


def _reported_as_evaluation(words: list[str], span: Span, measures: set[int], sentence: range) -> bool:
    """A measured cost: an evaluation cue before it or before the list of measures it ends (`measures`: their
    tokens), "than" right after it, or a measurement within `_MEASURED_REACH` tokens in its sentence."""
    i = span.start
    while i > 0 and (i - 1 in measures or words[i - 1].lower() in _LIST_JOINERS):
        i -= 1
    before = [word.lower() for word in words[max(0, i - 3) : i]]
    if any(tuple(before[-len(cue) :]) == cue for cue in _EVALUATION_CUES):
        return True
    if span.end < len(words) and words[span.end] == "than":
        return True
    near = range(max(sentence.start, span.start - _MEASURED_REACH), min(sentence.stop, span.end + _MEASURED_REACH))
    return any(
        _MEASUREMENT.fullmatch(words[j])
        and (
            "." in words[j] or not words[j].isdigit() or (j + 1 < len(words) and words[j + 1].lower() in _MEASURE_UNITS)
        )
        for j in near
    )


def _sentence_of(span: Span, sentences: list[int], length: int) -> range:
    """Token range of the sentence `span` starts in (`sentences`: sentence starts)."""
    k = bisect_right(sentences, span.start) - 1
    return range(sentences[k] if k >= 0 else 0, sentences[k + 1] if k + 1 < len(sentences) else length)


class LabelRules:
    """Relabels or drops the resolver's mentions by the rules in the module docstring; stateless."""

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        if not ents:
            return doc
        words = token_texts(doc)
        measures = {i for span in ents if span.label_ == Label.METRIC for i in range(span.start, span.end)}
        sentences = sentence_starts(doc)
        starts = set(sentences)
        datasets = {
            span.text
            for k, span in enumerate(ents)
            if span.label_ in _SYSTEMS_AND_TASKS and _names_data(ents, k, words, starts)
        }
        kept = []
        for span in ents:
            if span.label_ in _SYSTEMS_AND_TASKS and span.text in datasets:
                span = labelled(span, Label.DATASET, span._.kgbuild_score, SOURCE)
            elif span.label_ == Label.MODEL and _acronym_plural(span.text):
                span = labelled(span, Label.METHOD, span._.kgbuild_score, SOURCE)
            elif (
                span.label_ == Label.METRIC
                and COST_MEASURE.search(span.text)
                and span[-1].lower_ != "complexity"
                and not _reported_as_evaluation(words, span, measures, _sentence_of(span, sentences, len(doc)))
            ):
                continue
            kept.append(span)
        doc.set_ents(kept, default="outside")
        return doc


@Language.factory("kgbuild_label_rules")
def make_label_rules(nlp: Language, name: str) -> LabelRules:
    return LabelRules()
