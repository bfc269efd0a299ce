"""The extraction pipeline's state lives in the spaCy pipeline (issue 24 item 4, issue 21 item 3): a pipeline
saved with nlp.to_disk() and read back with spacy.load() extracts exactly what the pipeline build_pipeline
made extracts, and a component without its data fails in one line instead of running on nothing."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
import spacy
from spacy.language import Language

import kgbuild.extract
from helpers import CORPUS
from kgbuild.extract import extract_papers
from kgbuild.extract.artifacts import default_data_dir
from kgbuild.extract.component_data import UnloadedComponentError
from kgbuild.extract.ner import blank_pipeline
from kgbuild.extract.pipeline import build_pipeline
from kgbuild.read import read_papers
from kgbuild.relate import relate

TEXT = "We fine-tune LLaMA-7B on the SQuAD dataset and report BLEU. AlpaCare, a medical model, beats GPT-4."


@pytest.fixture(scope="module")
def papers():
    return list(read_papers([str(CORPUS)]))


def _extracted(papers, nlp, monkeypatch) -> list[str]:
    """The corpus as `kgbuild extract` writes it (mentions, labels, offsets, scores, relations), by `nlp`."""
    monkeypatch.setattr(kgbuild.extract, "load_pipeline", lambda *args, **kwargs: nlp)
    return [paper.model_dump_json() for paper in extract_papers(papers, relate=relate)]


@pytest.mark.parametrize("fast", [False, True], ids=["encoder", "fast"])
def test_a_saved_and_loaded_pipeline_extracts_the_corpus_as_the_built_one(papers, fast, tmp_path, monkeypatch):
    built = build_pipeline(default_data_dir(), fast=fast)
    built.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == built.pipe_names
    expected = _extracted(papers, built, monkeypatch)
    assert len(expected) == 336
    scores = {mention["score"] for line in expected for mention in json.loads(line)["mentions"]}
    assert len(scores) > 50, "the calibrated scores, not 0.5 everywhere"
    found = _extracted(papers, loaded, monkeypatch)
    assert len(found) == len(expected)
    different = [i for i, (left, right) in enumerate(zip(expected, found)) if left != right]
    assert not different, f"{len(different)} papers differ, first: {papers[different[0]].id}"


_LOAD_AND_RUN = """
import json, sys, spacy
doc = spacy.load(sys.argv[1])(sys.argv[2])
print(json.dumps([(ent.start_char, ent.end_char, ent.label_, ent._.kgbuild_score) for ent in doc.ents]))
"""


def test_spacy_load_finds_the_components_without_importing_kgbuild(tmp_path):
    """The factories are found through the package's spacy_factories entry points (pyproject.toml)."""
    built = build_pipeline(default_data_dir(), fast=True)
    built.to_disk(tmp_path / "pipeline")
    run = subprocess.run(
        [sys.executable, "-c", _LOAD_AND_RUN, str(tmp_path / "pipeline"), TEXT],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    expected = [[ent.start_char, ent.end_char, ent.label_, ent._.kgbuild_score] for ent in built(TEXT).ents]
    assert json.loads(run.stdout) == expected and expected


def test_every_factory_of_the_pipeline_has_an_entry_point():
    factories = {
        pipeline.get_pipe_meta(name).factory
        for pipeline in (build_pipeline(default_data_dir()), build_pipeline(default_data_dir(), fast=True))
        for name in pipeline.pipe_names
    } - {"sentencizer"}
    points = {
        point.name: point.value for point in entry_points(group="spacy_factories") if point.value.startswith("kgbuild.")
    }
    assert factories <= set(points), f"no spacy_factories entry point (pyproject.toml): {factories - set(points)}"
    for name, value in points.items():  # each names the function that registers it
        module, _, function = value.partition(":")
        assert Language.get_factory_meta(name).factory == name and hasattr(importlib.import_module(module), function)


@pytest.mark.parametrize(
    ("factory", "missing"),
    [
        ("kgbuild_windowed_ner", "trained weights"),
        ("kgbuild_named", "lexicon"),
        ("kgbuild_lexicon", "lexicon"),
        ("kgbuild_resolve", "calibrator"),
    ],
)
def test_a_component_without_its_data_fails_in_one_line_when_used_or_saved(factory, missing, tmp_path):
    nlp = blank_pipeline()
    nlp.add_pipe(factory)
    pattern = rf"^pipeline component '{factory}' has no {missing}: build the pipeline with .* spacy\.load\(\)$"
    with pytest.raises(UnloadedComponentError, match=pattern):
        nlp(TEXT)
    with pytest.raises(UnloadedComponentError, match=f"'{factory}' has no"):
        nlp.to_disk(tmp_path / "pipeline")


def test_an_explicitly_neutral_calibrator_is_still_allowed():
    """scripts/train_extractor.py collects uncalibrated candidates with calibrator=SparseLogistic.neutral()."""
    from kgbuild.extract.logistic import SparseLogistic  # noqa: PLC0415

    nlp = build_pipeline(default_data_dir(), calibrator=SparseLogistic.neutral(), fast=True)
    assert {ent._.kgbuild_score for ent in nlp(TEXT).ents} == {0.5}
