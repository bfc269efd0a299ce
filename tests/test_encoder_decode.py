"""The encoder tagger's torch-free parts: word pieces, BIO labels, windows, constrained decoding."""

import numpy as np
import pytest

from kgbuild.encoder.data import TAG_ID, TAGS, encode_text, label_words, windows
from kgbuild.encoder.decode import decode, merge_windows, score_sets, viterbi


@pytest.fixture(scope="module")
def tokenizer():
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    words = [
        "we",
        "fine",
        "tune",
        "bert",
        "base",
        "on",
        "clip",
        "and",
        "image",
        "##net",
        "1",
        "##k",
        "the",
        "model",
        "-",
        ",",
        ".",
        "(",
        ")",
    ]
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *words])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return tok


TEXT = "We fine-tune BERT-base on CLIP and ImageNet-1k."
GOLD = [(13, 22, "Model"), (26, 30, "Model"), (35, 46, "Dataset")]


def test_labels_round_trip_through_decoding(tokenizer):
    encoded = encode_text(tokenizer, TEXT)
    assert [TEXT[s:e] for s, e in encoded.word_spans][:4] == ["We", "fine", "-", "tune"]
    labels, exact, kept = label_words(encoded, GOLD)
    assert (exact, kept) == (3, 3)
    logits = np.full((len(encoded.ids), len(TAGS)), -5.0, dtype=np.float32)
    for i, tag in enumerate(labels):
        logits[i, tag if tag >= 0 else 0] = 5.0
    spans = decode(encoded, logits)
    assert [(s, e, label) for s, e, label, _ in spans] == GOLD
    assert (
        score_sets([{"entities": [{"start": s, "end": e, "label": label} for s, e, label in GOLD]}], [spans])["f1"]
        == 1.0
    )


def test_viterbi_never_starts_inside():
    scores = np.log(np.full((3, len(TAGS)), 0.01))
    scores[:, TAG_ID["I-Method"]] = np.log(0.9)  # argmax alone would be I I I
    path = [TAGS[t] for t in viterbi(scores)]
    assert path[0] != "I-Method" and all(not t.startswith("I-") or t == "I-Method" for t in path)


def test_overlapping_windows_cover_every_piece(tokenizer):
    encoded = encode_text(tokenizer, " ".join([TEXT] * 20))
    ranges = windows(encoded, 30, stride=15)
    covered = np.zeros(len(encoded.ids), dtype=bool)
    for start, end in ranges:
        assert end - start <= 30 and encoded.first[start]
        covered[start:end] = True
    assert covered.all()
    merged = merge_windows(
        len(encoded.ids), ranges, [np.full((e - s, len(TAGS)), float(k)) for k, (s, e) in enumerate(ranges)]
    )
    assert merged.shape == (len(encoded.ids), len(TAGS))
    consecutive = windows(encoded, 30)
    assert consecutive[0][0] == 0 and consecutive[-1][1] == len(encoded.ids)
    assert all(a[1] == b[0] for a, b in zip(consecutive, consecutive[1:]))
