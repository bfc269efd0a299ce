"""Where the trained artifacts live: files in kgbuild/data, written by scripts/train_extractor.py."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

NER_FILE = "extractor_ner.bin"
VECTORS_FILE = "extractor_vectors.npz"
LEXICON_FILE = "extractor_lexicon.json.gz"
CALIBRATION_FILE = "extractor_calibration.json"
MODEL_KIND_FILE = "extractor_system_kind.json"
DATASET_KIND_FILE = "extractor_dataset_kind.json"
ENCODER_DIR = "encoder"  # the fine-tuned encoder tagger: model, tokenizer, card (kgbuild.encoder.onnx ship)


def default_data_dir() -> Path:
    """kgbuild/data inside the installed package (read from disk, never the network)."""
    return Path(str(resources.files("kgbuild.data")))
