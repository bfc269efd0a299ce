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
from spacy.vectors import Vectors


def save_vectors(path: Path, words: list[str], table: numpy.ndarray) -> None:
    """Half precision: the table is a feature, not a measurement, and ships in the package."""
    numpy.savez_compressed(path, words=numpy.array(words), vectors=table.astype(numpy.float16))


def load_vectors(path: Path) -> Vectors:
    with numpy.load(path) as stored:
        words = [str(word) for word in stored["words"]]
        return Vectors(data=stored["vectors"].astype(numpy.float32), keys=words, attr="LOWER")
