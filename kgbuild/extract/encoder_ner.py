"""The fine-tuned encoder tagger (kgbuild/encoder, issue 21) as a spaCy component: `kgbuild_encoder_ner`.

It writes `doc.ents` (schema labels) and `doc.tensor` (one row per token: the last encoder layer at the
token's first word piece, for components that classify from token vectors). Inference is onnxruntime +
tokenizers (kgbuild.encoder.onnx.OnnxTagger): no torch at run time. Settings come through spaCy's config
(`nlp.add_pipe("kgbuild_encoder_ner", config={"source": "scier"})`); the model, its tokenizer and its card
through `to_disk`/`from_disk`, so `nlp.to_disk()` + `spacy.load()` round-trips the pipeline. The model
file's sha256 is checked against the card on every load.

Entities are the decoder's character spans widened to whole spaCy tokens (alignment_mode="expand"); one
that would then overlap an earlier one is dropped, as spaCy's entities never overlap.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from kgbuild.encoder.data import LABELS, SOURCES, sha256_file
from kgbuild.encoder.onnx import MODEL_FILE, OnnxTagger, Tagged
from kgbuild.errors import KgbuildError
from kgbuild.models import ENTITY_LABELS

TOKENIZER_FILE = "tokenizer.json"
CARD_FILE = "card.json"
STATE_FILES = (MODEL_FILE, TOKENIZER_FILE, CARD_FILE)
# float16 token vectors: half the memory of float32 (a 128-paper batch holds ~50k tokens x 384 of them)
TENSOR_DTYPE = np.float16

Span.set_extension("kgbuild_score", default=None, force=True)
Span.set_extension("kgbuild_source", default=None, force=True)


class EncoderNER:
    def __init__(self, name: str, source: str, stride: int, max_len: int, threads: int) -> None:
        if source not in SOURCES:
            raise KgbuildError(f"{name}: unknown source tag {source!r} (one of {', '.join(SOURCES)})")
        if not set(LABELS) <= set(ENTITY_LABELS):
            raise KgbuildError(f"{name}: the encoder's labels {LABELS} are not all schema labels")
        self.name, self.source = name, source
        self.stride, self.max_len, self.threads = stride, max_len, threads
        self.directory: Path | None = None
        self.tagger: OnnxTagger | None = None
        self.card: dict = {}

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EncoderNER:
        """Load model, tokenizer and card from `path`, checking the model's sha256 against the card."""
        path = Path(path)
        missing = [name for name in STATE_FILES if not (path / name).is_file()]
        if missing:
            raise KgbuildError(f"{path}: not an encoder model directory ({', '.join(missing)} missing)")
        card = json.loads((path / CARD_FILE).read_text(encoding="utf-8"))
        expected = card.get("onnx", {}).get("sha256")
        actual = sha256_file(path / MODEL_FILE)
        if actual != expected:
            raise KgbuildError(
                f"{path / MODEL_FILE}: sha256 {actual[:16]}... does not match the model card's "
                f"{str(expected)[:16]}...: the file is damaged or not the model the card describes"
            )
        self.tagger = OnnxTagger(
            path / MODEL_FILE, path / TOKENIZER_FILE, threads=self.threads, max_len=self.max_len, stride=self.stride
        )
        if self.tagger.hidden_width is None:
            raise KgbuildError(f"{path / MODEL_FILE}: no 'hidden' output (export with kgbuild.encoder.onnx export)")
        self.directory, self.card = path, card
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        if self.directory is None:
            raise KgbuildError(f"{self.name}: no model loaded (from_disk first)")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if path.resolve() != self.directory.resolve():
            for name in STATE_FILES:
                shutil.copyfile(self.directory / name, path / name)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        if self.tagger is None:
            raise KgbuildError(f"{self.name}: no model loaded (from_disk first)")
        for batch in minibatch(docs, batch_size):
            for doc, tagged in zip(batch, self.tagger.run([doc.text for doc in batch], self.source, hidden=True)):
                annotate(doc, tagged)
            yield from batch


def annotate(doc: Doc, tagged: Tagged) -> None:
    """doc.ents from the decoded spans, doc.tensor from the hidden states."""
    ents: list[Span] = []
    taken = np.zeros(len(doc), dtype=bool)
    for start, end, label, score in tagged.spans():  # in text order, not overlapping each other
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None or taken[span.start : span.end].any():
            continue
        taken[span.start : span.end] = True
        span._.kgbuild_score, span._.kgbuild_source = round(score, 4), "ner"
        ents.append(span)
    doc.set_ents(ents, default="outside")
    doc.tensor = token_vectors(doc, tagged)


def token_vectors(doc: Doc, tagged: Tagged) -> np.ndarray:
    """Per token, the hidden state of its first word piece (zeros for a token no piece covers: whitespace)."""
    hidden = tagged.hidden
    assert hidden is not None  # the tagger runs with hidden=True
    out = np.zeros((len(doc), hidden.shape[1]), dtype=TENSOR_DTYPE)
    if not len(doc) or not len(hidden):
        return out
    offsets = tagged.encoded.offsets
    starts = np.fromiter((token.idx for token in doc), dtype=np.int64, count=len(doc))
    ends = starts + np.fromiter((len(token) for token in doc), dtype=np.int64, count=len(doc))
    # piece ends never decrease: the first piece ending after a token's start, if it starts before its end
    piece = np.searchsorted(offsets[:, 1], starts, side="right")
    covered = piece < len(offsets)
    covered[covered] &= offsets[piece[covered], 0] < ends[covered]
    out[covered] = hidden[piece[covered]]
    return out


# The source tag asks for one gold set's conventions. "scier" (SciER's: Method, Dataset, Task, Metric; no Model,
# which the resolver's Model-vs-Method classifier adds), followed by the rule components and the resolver, had
# the best mean dev F1 over the four dev sets (0.549; gsap_ner 0.538; docs/quality.md).
@Language.factory(
    "kgbuild_encoder_ner", default_config={"source": "scier", "stride": 128, "max_len": 256, "threads": 0}
)
def make_encoder_ner(nlp: Language, name: str, source: str, stride: int, max_len: int, threads: int) -> EncoderNER:
    """`stride`, `max_len`: windows of word pieces; `threads`: onnxruntime's intra-op threads (0: one per core)."""
    return EncoderNER(name, source, stride, max_len, threads)
