"""The trained component: spaCy's transition-based NER over a small CNN tok2vec.

Training (scripts/train_extractor.py) and loading (pipeline.py) both build the
pipeline here, so the shipped weights always meet the architecture they were
trained with.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import minibatch
from spacy.vectors import Vectors
from thinc.api import Model

from kgbuild.extract.component_data import unloaded
from kgbuild.extract.doc_views import sentence_starts
from kgbuild.extract.word_vectors import key_vectors_by_lower_case

# Small CNN tok2vec (width 64, depth 2) + transition NER: on the corpus this ran
# at ~15k tokens/s against ~9k for spaCy's default width 96 / depth 4, and
# throughput is a requirement (bench/bench_extract.py). The shipped model also
# reads static word vectors (ner_pipeline(vectors)): they cost ~8% of NER speed;
# a wider tok2vec (96, depth 3) cost 52%. The NER's hidden layer is 32 wide: 64
# was ~13% slower in the NER, and on two CV folds neither was better (held-out
# F1 differences of -0.06 to +0.02 per set, within fit-to-fit variation);
# tok2vec depth 1 as well was faster still but worse on both folds for TDMSci
# (-0.01, -0.04) and SciERC dev (-0.04, -0.08).
NER_MODEL: dict[str, Any] = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 32,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": 64,
        "depth": 2,
        "embed_size": 4000,
        "window_size": 1,
        "maxout_pieces": 2,
        "subword_features": True,
    },
}


def ner_pipeline(vectors: Vectors | None = None) -> Language:
    """blank English + sentencizer + an untrained NER: what training updates.

    With `vectors` (word_vectors.py) the tok2vec also reads a static vector per word.
    """
    nlp = blank_pipeline(vectors)
    nlp.add_pipe("ner", config={"model": ner_model(with_vectors=vectors is not None)})
    return nlp


def ner_model(with_vectors: bool) -> dict:
    """The NER's model config (NER_MODEL), its tok2vec reading the vocab's static vectors or not."""
    model = copy.deepcopy(NER_MODEL)
    model["tok2vec"]["pretrained_vectors"] = True if with_vectors else None
    return model


def blank_pipeline(vectors: Vectors | None = None) -> Language:
    """blank English with the project's tokenizer + sentencizer (+ `vectors` in the vocab): what both
    extraction pipelines start from.

    The tokenizer splits a full stop after a capital letter and drops spaCy's
    single-letter abbreviation exceptions ("R." as an initial): in abstracts
    "XLM-R." and "SICK-R." end sentences, and the full stop stayed glued to the name.
    """
    nlp = spacy.blank("en")
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    tokenizer.rules = {
        text: rule
        for text, rule in tokenizer.rules.items()
        if not (len(text) == 2 and text[0].isalpha() and text[1] == ".")
    }
    suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=[A-Z])\."]
    tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    nlp.add_pipe("sentencizer")
    if vectors is not None:
        nlp.vocab.vectors = vectors
    return nlp


# The NER holds ~6 KB per token of the texts it reads at once (tok2vec and state features): a 100k-character
# abstract, the reader's limit, took 130 MB, a third of the process. Longer texts are read a window of whole
# sentences at a time; none of the evaluation sets' SciER dev or GSAP texts, nor any corpus field, is that long.
WINDOW_TOKENS = 2000


def windows(doc: Doc, size: int = WINDOW_TOKENS) -> list[tuple[int, int]]:
    """[start, end) token windows covering `doc`: whole sentences, at most `size` tokens each, except that
    a sentence longer than `size` is cut into pieces of `size`."""
    found, start, end = [], 0, 0
    for bound in [*sentence_starts(doc)[1:], len(doc)]:
        if bound - start > size and end > start:
            found.append((start, end))
            start = end
        while bound - start > size:
            found.append((start, start + size))
            start += size
        end = bound
    if end > start:
        found.append((start, end))
    return found


class WindowedNER:
    """The trained NER (pipe name "ner" still), reading texts longer than WINDOW_TOKENS window by window.

    Shorter texts go to the NER as before, in the batches nlp.pipe makes, so their entities do not change.
    In a long text the NER sees no context across a window's edge, which is a sentence boundary but for
    sentences longer than a window; an entity never spans one there.

    Its data: the recognizer's (labels and weights, spaCy's own files; the model's architecture is the
    factory's `model` in the config), and the word vectors its tok2vec reads, which spaCy saves with the vocab."""

    def __init__(self, ner: EntityRecognizer) -> None:
        self.ner = ner
        self.name = ner.name

    def _trained(self) -> EntityRecognizer:
        if not self.ner.labels:
            raise unloaded(self.name, "trained weights")
        return self.ner

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return self._trained().to_bytes(exclude=exclude)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> WindowedNER:
        self.ner.from_bytes(data, exclude=exclude)
        key_vectors_by_lower_case(self.ner.vocab)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        self._trained().to_disk(path, exclude=exclude)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> WindowedNER:
        self.ner.from_disk(path, exclude=exclude)
        key_vectors_by_lower_case(self.ner.vocab)  # the vocab is loaded before the components
        return self

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        ner = self._trained()
        for batch in minibatch(docs, batch_size):
            short = [doc for doc in batch if len(doc) <= WINDOW_TOKENS]
            for _ in ner.pipe(short, batch_size=len(short) or 1):
                pass  # annotates the docs in place
            for doc in batch:
                if len(doc) > WINDOW_TOKENS:
                    self._by_windows(doc)
            yield from batch

    def _by_windows(self, doc: Doc) -> None:
        ents = []
        for start, end in windows(doc):
            window = self.ner(doc[start:end].as_doc())
            ents += [Span(doc, start + ent.start, start + ent.end, ent.label_) for ent in window.ents]
        doc.set_ents(ents, default="outside")


@Language.factory("kgbuild_windowed_ner", default_config={"model": ner_model(with_vectors=True)})
def make_windowed_ner(nlp: Language, name: str, model: Model) -> WindowedNER:
    return WindowedNER(EntityRecognizer(nlp.vocab, model, name=name))
