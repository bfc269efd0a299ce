"""Static word vectors for the NER's tok2vec: the shipped table, loaded into a spaCy vocab.

The table is built by scripts/train_extractor.py (`vectors`) with PPMI + truncated
SVD over unlabeled ML-paper text (Levy, Goldberg & Dagan 2015, "Improving
Distributional Similarity with Lessons Learned from Word Embeddings", TACL 3):
no pretrained weights are downloaded, and the text is the SciREX/SciER/SciERC
training papers, never a set the extractor is cross-validated or measured on.
Rows are keyed by the lower-cased word, so "BERT" and "bert" share one.
"""

from __future__ import annotations

from pathlib import Path

import numpy
from spacy.attrs import IDS
from spacy.vectors import Vectors
from spacy.vocab import Vocab

KEY_ATTRIBUTE = "LOWER"


def save_vectors(path: Path, words: list[str], table: numpy.ndarray) -> None:
    """Half precision: the table is a feature, not a measurement, and ships in the package."""
    numpy.savez_compressed(path, words=numpy.array(words), vectors=table.astype(numpy.float16))


def load_vectors(path: Path) -> Vectors:
    with numpy.load(path) as stored:
        words = [str(word) for word in stored["words"]]
        return Vectors(data=stored["vectors"].astype(numpy.float32), keys=words, attr=KEY_ATTRIBUTE)


def key_vectors_by_lower_case(vocab: Vocab) -> None:
    """Look the vocab's vectors up by lower-cased word again, after spaCy loaded them: it saves the key
    attribute of floret vectors only (spacy/vectors.pyx, `_get_cfg`), so loaded vectors look words up as
    written and "BERT" finds no row. The table and its keys are spaCy's, as saved."""
    vectors = vocab.vectors
    if vectors.attr == IDS[KEY_ATTRIBUTE] or not vectors.shape[0]:
        return
    keys = [key for key, _ in sorted(vectors.key2row.items(), key=lambda item: item[1])]
    vocab.vectors = Vectors(strings=vocab.strings, data=vectors.data, keys=keys, attr=KEY_ATTRIBUTE)
