"""The label rules (kgbuild/extract/label_rules.py, issue 21.5) on sentences of the example corpus.

Each unit test gives the component the mentions the resolver gave that sentence in the corpus run before the
rules existed (the wrong labels are quoted from it), and checks what a reader of the graph expects instead.
The last tests run the shipped pipelines on the corpus itself.
"""

from __future__ import annotations

import re

import pytest
import spacy

import kgbuild.extract.resolve  # noqa: F401 - registers the span extensions the resolver writes
from helpers import CORPUS
from kgbuild.extract import extract_papers, load_pipeline
from kgbuild.extract.label_rules import SOURCE, LabelRules, benchmark
from kgbuild.read import read_papers

_NLP = spacy.blank("en")


def _ruled(text: str, mentions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(text, label) of the mentions after the rules; `mentions` are (words, label), each the first whole-word
    occurrence after the previous one."""
    doc = _NLP(text)
    ents, at = [], 0
    for words, label in mentions:
        start_char = re.compile(rf"(?<!\w){re.escape(words)}(?!\w)").search(text, at).start()
        span = doc.char_span(start_char, start_char + len(words), label)
        assert span is not None, words
        span._.kgbuild_score, span._.kgbuild_source = 0.5, "ner"
        ents.append(span)
        at = start_char + len(words)
    doc.set_ents(ents)
    doc = LabelRules()(doc)
    assert all(ent._.kgbuild_score == 0.5 for ent in doc.ents)
    changed = {(ent.start, ent.end) for ent in doc.ents if ent._.kgbuild_source == SOURCE}
    assert changed == {(ent.start, ent.end) for ent in doc.ents if (ent.text, ent.label_) not in mentions}
    return [(ent.text, ent.label_) for ent in doc.ents]


def test_benchmarks_scored_on_are_datasets():
    text = (
        "This simple technique allows us to improve up to 6.90 pp on MMLU, 8.26 pp on GSM8K, and 6.17 pp on "
        "HumanEval relative to the base data mix for a 7B model trained for 1 trillion tokens."
    )
    assert _ruled(text, [("MMLU", "Method"), ("GSM8K", "Dataset"), ("HumanEval", "Dataset")]) == [
        ("MMLU", "Dataset"),
        ("GSM8K", "Dataset"),
        ("HumanEval", "Dataset"),
    ]


def test_math_the_benchmark_is_a_dataset_and_every_mention_of_it_too():
    text = (
        "Mathematical reasoning is a challenging task. In experiments, EIT achieves an accuracy of 84.1% on "
        "GSM8K and 32.5% on MATH, surpassing state-of-the-art fine-tuning and prompting methods. MATH remains "
        "hard."
    )
    assert _ruled(
        text, [("EIT", "Method"), ("accuracy", "Metric"), ("GSM8K", "Dataset"), ("MATH", "Method"), ("MATH", "Method")]
    ) == [("EIT", "Method"), ("accuracy", "Metric"), ("GSM8K", "Dataset"), ("MATH", "Dataset"), ("MATH", "Dataset")]


def test_a_split_of_a_benchmark_is_a_dataset_even_misspelt():
    text = (
        "In fully-supervised settings, our approach achieves a top-1 accuracy of 87.1% on Kinectics-400, "
        "while using 12 times fewer FLOPs compared with Swin-L and Swin-B."
    )
    assert _ruled(text, [("top-1 accuracy", "Metric"), ("Kinectics-400", "Model"), ("Swin-L", "Model")]) == [
        ("top-1 accuracy", "Metric"),
        ("Kinectics-400", "Dataset"),
        ("Swin-L", "Model"),
    ]


@pytest.mark.parametrize(
    ("text", "is_benchmark"),
    [
        ("Kinetics-400", True),
        ("ImageNet-1k", True),
        ("ImageNet-21K", True),
        ("MMLU-Pro", True),
        ("HumanEval+", True),
        ("Big-Bench", True),
        ("CIFAR-100", True),
        ("MATH", True),
        ("math", False),
        ("Math", False),
        ("MMLU ProfMed", False),
        ("ImageNet-pretrained", False),
        ("GSM8K-Aug", False),
        ("KineticsNet", False),
    ],
)
def test_benchmark_names_and_their_splits(text, is_benchmark):
    assert benchmark(text) is is_benchmark


def test_a_name_the_text_defines_as_a_dataset_is_one_everywhere_in_the_text():
    text = (
        "We present SciRIFF (Scientific Resource for Instruction-Following and Finetuning), a dataset of 137K "
        "demonstrations. While instruction-following resources are available in specific domains such as "
        "clinical medicine and chemistry, SciRIFF is the first dataset focused on extracting and synthesizing "
        "information from research literature."
    )
    assert _ruled(text, [("SciRIFF", "Method"), ("SciRIFF", "Method")]) == [
        ("SciRIFF", "Dataset"),
        ("SciRIFF", "Dataset"),
    ]


def test_a_dataset_defined_after_a_dash_or_with_a_compound_head():
    created = (
        "In this paper, we created SIB-200 -- a large-scale open-sourced benchmark dataset for topic "
        "classification in 200 languages and dialects."
    )
    assert _ruled(created, [("SIB-200", "Model")]) == [("SIB-200", "Dataset")]
    introduced = (
        "To address these needs, we first introduce VTG-IT-120K, a high-quality and comprehensive "
        "instruction tuning dataset that covers 4 tasks."
    )
    assert _ruled(introduced, [("VTG-IT-120K", "Method")]) == [("VTG-IT-120K", "Dataset")]


def test_a_name_defined_as_a_model_or_method_stays_one():
    text = (
        "To address this challenge, we propose a clinical trial foundation model named Panacea, designed to "
        "handle multiple tasks. Panacea: A foundation model for clinical trial search, summarization, design, "
        "and recruitment. We further propose TEMT, a dataset-agnostic method for retrieval."
    )
    assert _ruled(text, [("Panacea", "Model"), ("Panacea", "Model"), ("TEMT", "Method")]) == [
        ("Panacea", "Model"),
        ("Panacea", "Model"),
        ("TEMT", "Method"),
    ]


def test_a_name_between_datasets_in_a_list_is_one():
    text = (
        "MixDA achieves superior performance on in-domain tasks (GLUE), out-of-domain tasks (ChemProt, RCT, "
        "IMDB, Amazon), and knowledge-intensive tasks (KILT)."
    )
    assert _ruled(text, [("ChemProt", "Dataset"), ("RCT", "Model"), ("IMDB", "Dataset")]) == [
        ("ChemProt", "Dataset"),
        ("RCT", "Dataset"),
        ("IMDB", "Dataset"),
    ]


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        # one dataset beside a name is no list of datasets (the NER's AIME and FKA were wrong themselves)
        (
            "In this paper, we study Imitation Learning from Observation with pretrained models and find existing "
            "approaches such as BCO and AIME face knowledge barriers.",
            [("BCO", "Method"), ("AIME", "Dataset")],
        ),
        (
            "Ablation studies also verify the effectiveness of VKA and FKA, respectively.",
            [("VKA", "Method"), ("FKA", "Dataset")],
        ),
        (
            r"Evaluated on {\sc MwpBench}, MathScale-7B achieves state-of-the-art performance across all datasets.",
            [("MwpBench", "Dataset"), ("MathScale-7B", "Model")],
        ),
        (
            "We demonstrate the generation of images conditioned on a class (when C is an ImageNet or MIT Places "
            "classification network).",
            [("ImageNet", "Dataset"), ("MIT Places classification network", "Method")],
        ),
        (
            "It improves helpfulness and factuality of instruction-following models in the Llama, Llama-2, and Falcon "
            "families, without additional hyperparameter tuning.",
            [("Llama", "Dataset"), ("Llama-2", "Model"), ("Falcon", "Dataset")],
        ),
        # improving on a model is improving over it
        (
            "CaseHOLD shows performance gains (gain of 7.2% on F1, representing a 12% improvement on BERT).",
            [("CaseHOLD", "Dataset"), ("F1", "Metric"), ("BERT", "Model")],
        ),
        # a title's definition belongs to its whole first part; a class of models is no dataset
        ("T2Vs Meet VLMs: A Scalable Multimodal Dataset for Visual Harmfulness Recognition", [("VLMs", "Method")]),
    ],
)
def test_names_that_stay_systems(text, mentions):
    assert _ruled(text, mentions) == mentions


def test_costs_nothing_measures_are_no_metrics():
    text = (
        "However, these methods still require additional training time and computational resources. Further, "
        "it can reduce the memory footprint and achieves new state-of-the-art performance on the accuracy "
        "metric while also exhibiting computation cost-saving capabilities."
    )
    assert _ruled(
        text,
        [
            ("training time", "Metric"),
            ("memory footprint", "Metric"),
            ("accuracy", "Metric"),
            ("computation cost", "Metric"),
        ],
    ) == [("accuracy", "Metric")]
    enumerated = (
        "Existing methods require full fine-tuning, leading to (1) high computational costs, especially "
        "with large base models and high-resolution images."
    )
    assert _ruled(enumerated, [("computational costs", "Metric")]) == []


@pytest.mark.parametrize(
    ("text", "cost"),
    [
        (
            "On the larger YFCC-15M dataset, ProtoCLIP matches the performance of CLIP with 33% of training time.",
            "training time",
        ),
        (
            "Our method outperforms 11 comparison methods with the relative percentage of improvements up to 12.9%, and "
            "training time decreased by 14%.",
            "training time",
        ),
        (
            "The adapter achieves this on DiT-L/2, utilizing only 45.4M trainable parameters and saving at least 35.4G "
            "FLOPs in computational cost.",
            "computational cost",
        ),
        (
            "We further show that DKPLM has a higher inference speed than other competing models due to the "
            "decomposing mechanism.",
            "inference speed",
        ),
        # Not a corpus sentence: the corpus reports no cost so (checked by grep for "in terms of" and "metrics").
        (
            "We compare the methods in terms of accuracy, latency and memory footprint on ImageNet.",
            ("accuracy", "latency", "memory footprint"),
        ),
    ],
)
def test_a_cost_reported_as_an_evaluation_measure_stays_a_metric(text, cost):
    mentions = [(words, "Metric") for words in ((cost,) if isinstance(cost, str) else cost)]
    assert _ruled(text, mentions) == mentions


def test_an_acronym_plural_names_a_class_of_models_not_one():
    text = (
        "Generative Pre-trained Transformers (GPTs) have demonstrated remarkable performance across diverse "
        "domains. This paper also introduces foundational Norwegian Generative Language Models (NorGLMs)."
    )
    assert _ruled(text, [("GPTs", "Model"), ("NorGLMs", "Model")]) == [("GPTs", "Method"), ("NorGLMs", "Model")]


@pytest.fixture(scope="module")
def papers():
    return list(read_papers([str(CORPUS)]))


@pytest.mark.parametrize("fast", [False, True], ids=["encoder", "fast"])
def test_the_shipped_pipelines_type_the_corpus_as_users_expect(papers, fast):
    assert load_pipeline(fast=fast).pipe_names[-1] == "kgbuild_label_rules"
    labels: dict[str, set[str]] = {}
    extracted = list(extract_papers(papers, fast=fast))
    for paper in extracted:
        for mention in paper.mentions:
            labels.setdefault(mention.text, set()).add(mention.label)
    for benchmark_name in ("MMLU", "MATH", "GSM8K", "HumanEval", "Kinectics-400", "SciRIFF"):
        assert labels.get(benchmark_name, {"Dataset"}) == {"Dataset"}, benchmark_name
    spent = [paper for paper in extracted if "still require additional training time" in paper.abstract]
    assert spent and not any(m.text == "training time" for paper in spent for m in paper.mentions)
