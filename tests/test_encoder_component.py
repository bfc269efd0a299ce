"""The encoder tagger as a spaCy component (kgbuild_encoder_ner): entities, offsets, windows, round trip,
the model's checksum, and the default pipeline against --fast."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import spacy

from helpers import CORPUS, run_cli
from kgbuild.errors import KgbuildError
from kgbuild.extract import encoder_ner, extract_papers
from kgbuild.extract.artifacts import ENCODER_DIR, default_data_dir
from kgbuild.models import ENTITY_LABELS
from kgbuild.read import read_papers

ALPACARE = CORPUS / "000_138b89fa2dbfd29f.txt"  # the corpus's first paper: AlpaCare


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("kgbuild_encoder_ner", config={"threads": 1}).from_disk(default_data_dir() / ENCODER_DIR)
    return nlp


@pytest.fixture(scope="module")
def alpacare():
    return next(iter(read_papers([str(ALPACARE)])))


def test_tags_a_corpus_abstract(nlp, alpacare):
    doc = nlp(alpacare.abstract)
    found = {(ent.text, ent.label_) for ent in doc.ents}
    # the default source tag follows SciER's conventions, which have no Model (the resolver adds it)
    assert {("MedInstruct-52k", "Dataset"), ("AlpaCare", "Method"), ("Instruction-finetuning", "Method")} <= found
    assert {ent.label_ for ent in doc.ents} <= set(ENTITY_LABELS)
    assert all(0 < ent._.kgbuild_score <= 1 for ent in doc.ents)


def test_the_source_tag_selects_a_convention(alpacare):
    gsap = spacy.blank("en")
    gsap.add_pipe("kgbuild_encoder_ner", config={"source": "gsap_ner", "threads": 1}).from_disk(
        default_data_dir() / ENCODER_DIR
    )
    assert ("AlpaCare", "Model") in {(ent.text, ent.label_) for ent in gsap(alpacare.abstract).ents}


def test_entity_offsets_index_the_text_as_given(nlp):
    # non-ASCII, double spaces and a tab: the tokenizer's normaliser must not shift offsets
    text = "Über  BERT\tand RoBERTa‑large on SQuAD 2.0, we report F1 — naïve GPT-4 baselines fail."
    doc = nlp(text)
    assert doc.ents
    for ent in doc.ents:
        assert text[ent.start_char : ent.end_char] == ent.text
        # spaCy tokens, whole: an entity never starts or ends inside a token
        assert ent.start_char == doc[ent.start].idx and ent.end_char == doc[ent.end - 1].idx + len(doc[ent.end - 1])


def test_tensor_has_one_vector_per_token(nlp, alpacare):
    doc = nlp(alpacare.abstract)
    assert doc.tensor.shape == (len(doc), 384)
    words = [token.i for token in doc if not token.is_space]
    assert np.all(np.abs(doc.tensor[words]).sum(axis=1) > 0)
    # the same word in two contexts gets two vectors (contextual, not a lookup table)
    first, second = [token.i for token in doc if token.text == "AlpaCare"][:2]
    assert not np.array_equal(doc.tensor[first], doc.tensor[second])


def test_a_text_longer_than_one_window(nlp, alpacare):
    component = nlp.get_pipe("kgbuild_encoder_ner")
    text = " ".join([alpacare.abstract] * 4)  # ~1,000 word pieces: several windows of 256, stride 128
    encs, items = component.tagger.windows([text], [component.source])
    assert len(items) >= 4
    doc = nlp(text)
    # every repetition of the abstract is tagged, the last window's as well as the first's
    starts = [i * (len(alpacare.abstract) + 1) for i in range(4)]
    for start in starts:
        inside = {
            (ent.text, ent.label_) for ent in doc.ents if start <= ent.start_char < start + len(alpacare.abstract)
        }
        assert ("MedInstruct-52k", "Dataset") in inside
    assert doc.tensor.shape == (len(doc), 384)
    assert np.all(np.abs(doc.tensor[[t.i for t in doc if not t.is_space]]).sum(axis=1) > 0)


def test_to_disk_and_spacy_load_give_identical_output(nlp, alpacare, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    assert loaded.get_pipe("kgbuild_encoder_ner").source == nlp.get_pipe("kgbuild_encoder_ner").source
    texts = [alpacare.title, alpacare.abstract, ""]
    for before, after in zip(nlp.pipe(texts), loaded.pipe(texts)):
        assert [(e.start, e.end, e.label_) for e in before.ents] == [(e.start, e.end, e.label_) for e in after.ents]
        assert np.array_equal(before.tensor, after.tensor)


def test_config_goes_through_spacy_config(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("kgbuild_encoder_ner", config={"source": "scier", "stride": 100}).from_disk(
        default_data_dir() / ENCODER_DIR
    )
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline").get_pipe("kgbuild_encoder_ner")
    assert (loaded.source, loaded.stride, loaded.tagger.stride) == ("scier", 100, 100)
    with pytest.raises(KgbuildError, match="unknown source tag 'arxiv'"):
        spacy.blank("en").add_pipe("kgbuild_encoder_ner", config={"source": "arxiv"})


def test_a_tampered_model_is_refused_in_one_line(tmp_path):
    copy = tmp_path / "encoder"
    shutil.copytree(default_data_dir() / ENCODER_DIR, copy)
    model = copy / encoder_ner.MODEL_FILE
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    component = spacy.blank("en").add_pipe("kgbuild_encoder_ner")
    with pytest.raises(KgbuildError) as error:
        component.from_disk(copy)
    message = str(error.value)
    assert "\n" not in message and str(model) in message and "does not match the model card" in message


def test_the_shipped_card_has_no_machine_paths():
    card = (default_data_dir() / ENCODER_DIR / encoder_ner.CARD_FILE).read_text()
    assert "/work/" not in card and "/tmp/" not in card and "/home/" not in card
    assert json.loads(card)["onnx"]["sha256"]


def test_fast_and_default_have_the_same_output_contract(tmp_path):
    papers = tmp_path / "one.txt"
    papers.write_text(ALPACARE.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
    outputs = {}
    for name, flags in (("default", []), ("fast", ["--fast"])):
        process = run_cli("extract", str(papers), "-q", *flags)
        assert process.returncode == 0, process.stderr
        [record] = [json.loads(line) for line in process.stdout.splitlines()]
        outputs[name] = record
    default, fast = outputs["default"], outputs["fast"]
    assert default.keys() == fast.keys()
    assert {m["label"] for m in default["mentions"]} <= set(ENTITY_LABELS)
    assert {m["label"] for m in fast["mentions"]} <= set(ENTITY_LABELS)
    assert {tuple(sorted(m)) for m in default["mentions"]} == {tuple(sorted(m)) for m in fast["mentions"]}
    # and they are two pipelines, not one
    assert [(m["start"], m["end"], m["label"]) for m in default["mentions"]] != [
        (m["start"], m["end"], m["label"]) for m in fast["mentions"]
    ]


def test_two_workers_give_the_same_output_as_one():
    """Workers run the encoder at one thread each, the single process at one per core: same mentions."""
    papers = list(read_papers([str(CORPUS)]))[:12]
    one = [p.model_dump() for p in extract_papers(papers)]
    two = [p.model_dump() for p in extract_papers(papers, workers=2, batch_size=4)]
    assert one == two
    assert sum(len(p["mentions"]) for p in one) > 50
