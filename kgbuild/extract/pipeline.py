"""Assemble the extraction pipeline: spacy.blank("en") + sentencizer + project components.

Order matters: the trained NER runs first and writes `doc.ents`; the rule
components only propose candidates into `doc.spans`; `kgbuild_resolve` is the
one place that decides between them and scores the survivors. `kgbuild_label_rules` then applies the
types users expect where the training gold disagrees (label_rules.py).

Each component keeps its own data (kgbuild.extract.component_data): build_pipeline sets it from the
artifacts in kgbuild/data, `nlp.to_disk(path)` writes it with the config, and `spacy.load(path)` reads
it back, giving the same output. spacy.load needs no kgbuild import: spaCy finds the components through
the package's `spacy_factories` entry points (pyproject.toml), and imports them whenever it makes a
pipeline.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from spacy.language import Language

# Registers the factories used below.
from kgbuild.extract import abbreviations, encoder_ner, label_rules, lexicon, named, patterns, resolve  # noqa: F401
from kgbuild.extract.artifacts import (
    CALIBRATION_FILE,
    DATASET_KIND_FILE,
    ENCODER_DIR,
    LEXICON_FILE,
    MODEL_KIND_FILE,
    NER_FILE,
    VECTORS_FILE,
)
from kgbuild.extract.encoder_ner import EncoderNER
from kgbuild.extract.lexicon import Lexicon, LexiconMatcher
from kgbuild.extract.logistic import SparseLogistic
from kgbuild.extract.named import NamedSystems
from kgbuild.extract.ner import WindowedNER, blank_pipeline
from kgbuild.extract.resolve import Resolver
from kgbuild.extract.word_vectors import load_vectors


def build_pipeline(
    data_dir: Path, calibrator: SparseLogistic | None = None, *, fast: bool = False, threads: int = 0
) -> Language:
    """The full extractor from the artifacts in `data_dir` (see scripts/train_extractor.py).

    `calibrator` overrides the shipped one (fitting it needs uncalibrated candidates).
    The tagger writing `doc.ents` first is the fine-tuned encoder (encoder_ner.py, `threads` onnxruntime
    threads, 0: one per core), or with `fast` the CNN NER (ner.py): the same components follow either.
    """
    if fast:
        nlp = blank_pipeline(load_vectors(data_dir / VECTORS_FILE))
        # The vocab (and with it the word vectors, keyed by lower-case word) comes from the vectors file only:
        # a vocab inside the NER bytes would reset the vectors to case-sensitive keys.
        windowed = cast(
            WindowedNER, nlp.add_pipe("kgbuild_windowed_ner", name="ner")
        )  # bounded memory on long texts (ner.py)
        windowed.ner.from_bytes((data_dir / NER_FILE).read_bytes(), exclude=["vocab"])
    else:
        nlp = blank_pipeline(load_vectors(data_dir / VECTORS_FILE))  # the vectors: name_kind.py reads them
        cast(EncoderNER, nlp.add_pipe("kgbuild_encoder_ner", config={"threads": threads})).from_disk(
            data_dir / ENCODER_DIR
        )
    terms = Lexicon.load(data_dir / LEXICON_FILE)
    if calibrator is None:
        calibrator = SparseLogistic.load(data_dir / CALIBRATION_FILE)
    nlp.add_pipe("kgbuild_abbreviations")
    cast(NamedSystems, nlp.add_pipe("kgbuild_named")).set_lexicon(terms)
    nlp.add_pipe("kgbuild_patterns")
    cast(LexiconMatcher, nlp.add_pipe("kgbuild_lexicon")).set_lexicon(terms)
    cast(Resolver, nlp.add_pipe("kgbuild_resolve")).configure(
        terms,
        calibrator,
        SparseLogistic.load(data_dir / MODEL_KIND_FILE),
        SparseLogistic.load(data_dir / DATASET_KIND_FILE),
    )
    nlp.add_pipe("kgbuild_label_rules")
    return nlp
