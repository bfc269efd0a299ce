"""The encoder pair classifier (kgbuild/relate/encoder_pairs.py): what it reads and what it states."""

from __future__ import annotations

import zipfile
from functools import cache
from importlib import resources

import numpy as np

from kgbuild.evaluation.relations import (
    analysed_from_spans,
    sentencizer,
    vectors_sentencizer,
)
from kgbuild.models import Mention, Paper
from kgbuild.relate import encoder_pairs, relate
from kgbuild.relate.sentences import sentences
from kgbuild.schema import load_schema
from standin import first_occurrences

_vectors_nlp = cache(vectors_sentencizer)


def _relations(text: str, spans: list[tuple[str, str]], nlp=None):
    """relate() over gold mentions given as (surface, label), each the first occurrence in `text`."""
    mentions: list[Mention] = []
    located = first_occurrences(text, spans)
    field = analysed_from_spans(nlp or _vectors_nlp(), "abstract", text, located, mentions)
    return relate(Paper(id="p", abstract=text, source="test:1"), [field], mentions), mentions, field


def _stated(relations, mentions):
    return {
        (r.type, mentions[r.head].text, mentions[r.tail].text) for r in relations if r.source == encoder_pairs.SOURCE
    }


def test_the_artifact_is_plain_arrays_of_schema_types_and_small():
    raw = resources.files("kgbuild.data").joinpath(encoder_pairs.ARTIFACT).read_bytes()
    assert len(raw) < 3_000_000
    model = encoder_pairs.read_model(raw)  # np.load(allow_pickle=False): no object arrays
    assert model.classes[0] == encoder_pairs.NO_RELATION
    assert model.bars and set(model.bars) <= set(load_schema().relationships) & set(model.classes)
    assert all(0 < bar < 1 for bars in model.bars.values() for bar in bars)
    with zipfile.ZipFile(resources.files("kgbuild.data").joinpath(encoder_pairs.ARTIFACT)) as arrays:
        assert all(name.endswith(".npy") for name in arrays.namelist())


def test_features_are_the_mentions_and_the_words_between_them():
    nlp = sentencizer()
    mentions: list[Mention] = []
    text = "We apply ResNet to image classification here ."
    field = analysed_from_spans(nlp, "abstract", text, [(9, 15, "Method"), (19, 39, "Task")], mentions)
    width = 4
    field.doc.tensor = np.arange(len(field.doc) * width, dtype=np.float32).reshape(len(field.doc), width)
    sentence = next(sentences([field], mentions))
    system, task = sentence.slots
    features = encoder_pairs.pair_features(field.doc.tensor, sentence, system, task)
    tensor = field.doc.tensor
    np.testing.assert_array_equal(features[:width], tensor[2])  # ResNet
    np.testing.assert_array_equal(features[width : 2 * width], tensor[4:6].mean(axis=0))  # image classification
    np.testing.assert_array_equal(features[2 * width : 3 * width], tensor[2] * tensor[4:6].mean(axis=0))
    np.testing.assert_array_equal(features[3 * width : 4 * width], tensor[3])  # "to"
    rest = features[4 * width :]
    labels = encoder_pairs.LABELS
    assert (
        rest[labels.index("Method") * len(labels) + labels.index("Task")] == 1 and rest[: len(labels) ** 2].sum() == 1
    )
    assert rest[-1] == 1  # the head comes first
    reversed_ = encoder_pairs.pair_features(field.doc.tensor, sentence, task, system)
    assert reversed_[-1] == 0
    np.testing.assert_array_equal(reversed_[3 * width : 4 * width], tensor[3])  # the same words between


def test_without_encoder_vectors_it_states_nothing():
    relations, mentions, field = _relations(
        "We evaluate FooNet on the COCO dataset .", [("FooNet", "Method"), ("COCO", "Dataset")], sentencizer()
    )
    assert encoder_pairs.encoder_vectors(next(sentences([field], mentions))) is None
    assert not _stated(relations, mentions)


def _encoder_stated(text: str, spans: list[tuple[str, str]]) -> dict[tuple[str, str, str], float]:
    """What the encoder pair source alone states, with its scores."""
    mentions: list[Mention] = []
    located = first_occurrences(text, spans)
    field = analysed_from_spans(_vectors_nlp(), "abstract", text, located, mentions)
    return {
        (r.type, mentions[r.head].text, mentions[r.tail].text): r.score
        for sentence in sentences([field], mentions)
        for r in encoder_pairs.find(sentence)
    }


def test_it_states_relations_several_words_apart():
    stated = _encoder_stated(
        "Our parser outperforms the Collins parser on the Penn Treebank .",
        [("parser", "Method"), ("Collins parser", "Method"), ("Penn Treebank", "Dataset")],
    )
    assert {
        ("EVALUATED_ON", "parser", "Penn Treebank"),
        ("EVALUATED_ON", "Collins parser", "Penn Treebank"),
        ("COMPARED_WITH", "parser", "Collins parser"),
    } <= set(stated)
    assert all(type_ in encoder_pairs.load_model().bars for type_, _, _ in stated)


def test_an_unordered_type_is_stated_once_per_pair():
    stated = _encoder_stated(
        "Our parser outperforms the Collins parser on the Penn Treebank .",
        [("parser", "Method"), ("Collins parser", "Method"), ("Penn Treebank", "Dataset")],
    )
    assert ("COMPARED_WITH", "Collins parser", "parser") not in stated


def test_relate_keeps_the_surer_statement_of_a_relation():
    """The rule "X model for T" says ADDRESSES at its fixed 0.7; the encoder's calibrated score is higher here,
    and relate() keeps one statement per relation, the surer."""
    text = "We present an end-to-end convolutional neural network model for lane detection ."
    spans = [("end-to-end convolutional neural network model", "Method"), ("lane detection", "Task")]
    relations, mentions, _ = _relations(text, spans)
    addresses = [r for r in relations if r.type == "ADDRESSES"]
    assert len(addresses) == 1
    assert addresses[0].source == encoder_pairs.SOURCE and addresses[0].score > 0.7
    assert (mentions[addresses[0].head].text, mentions[addresses[0].tail].text) == (spans[0][0], spans[1][0])
