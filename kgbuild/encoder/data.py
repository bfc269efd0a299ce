"""Gold documents -> model inputs, shared by training and (torch-free) inference.

Words are the tokenizer's pre-tokenised words (BERT: whitespace and punctuation split);
a word's label sits on its first word piece (the others are ignored by the loss and by
decoding). A window is [CLS] [source tag] pieces... [SEP]; the source tag is an unused
vocabulary entry naming the annotation convention to follow (one per gold set).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kgbuild.schema import ENTITY_LABELS

LABELS = list(ENTITY_LABELS)
TAGS = ["O"] + [f"{p}-{label}" for label in LABELS for p in ("B", "I")]
TAG_ID = {tag: i for i, tag in enumerate(TAGS)}
IGNORE = -100
# Source tag -> vocabulary entry ("[unused0]".. exist in BERT vocabularies, never seen in text).
SOURCES = ["gsap_ner", "scier", "scierc", "tdmsci", "scirex"]
SOURCE_TOKEN = {name: f"[unused{i}]" for i, name in enumerate(SOURCES)}

# Word shape: case class x has-digit x glued-to-previous-word (no space before it); 0 = padding.
_CASES = 5  # no letters, lower, UPPER, Title, miXed
N_SHAPES = 1 + _CASES * 2 * 2


def word_shape(word: str, glued: bool) -> int:
    letters = [c for c in word if c.isalpha()]
    if not letters:
        case = 0
    elif all(c.islower() for c in letters):
        case = 1
    elif all(c.isupper() for c in letters):
        case = 2 if len(letters) > 1 else 3
    elif letters[0].isupper() and all(c.islower() for c in letters[1:]):
        case = 3
    else:
        case = 4
    digit = any(c.isdigit() for c in word)
    return 1 + case * 4 + digit * 2 + bool(glued)


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Encoded:
    """One document as word pieces (special tokens excluded)."""

    text: str
    ids: np.ndarray  # piece ids
    word: np.ndarray  # piece -> word index
    first: np.ndarray  # piece is the first of its word
    shape: np.ndarray  # piece -> its word's shape id
    offsets: np.ndarray  # piece -> (start, end) characters, shape (pieces, 2)
    word_spans: list[tuple[int, int]]  # word -> (start, end) characters
    labels: np.ndarray | None = None  # piece -> tag id on first pieces, IGNORE elsewhere


def encode_text(tokenizer, text: str) -> Encoded:
    enc = tokenizer.encode(text, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    word_ids = enc.word_ids
    offsets = enc.offsets
    word = np.zeros(len(ids), dtype=np.int64)
    first = np.zeros(len(ids), dtype=bool)
    spans: list[list[int]] = []
    previous = None
    for i, (w, (s, e)) in enumerate(zip(word_ids, offsets)):
        if w != previous:
            spans.append([s, e])
            first[i] = True
        else:
            spans[-1][1] = max(spans[-1][1], e)
        word[i] = len(spans) - 1
        previous = w
    word_shapes = []
    for k, (s, e) in enumerate(spans):
        glued = k > 0 and spans[k - 1][1] == s
        word_shapes.append(word_shape(text[s:e], glued))
    shape = np.asarray([word_shapes[w] for w in word], dtype=np.int64) if len(ids) else np.zeros(0, np.int64)
    piece_offsets = np.asarray(offsets, dtype=np.int64).reshape(len(ids), 2)
    return Encoded(text, ids, word, first, shape, piece_offsets, [(s, e) for s, e in spans])


def flat_spans(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Longest first, overlapping ones dropped (nested gold -> outermost), sorted by start."""
    kept: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for s, e, label in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(e <= ts or s >= te for ts, te in taken):
            kept.append((s, e, label))
            taken.append((s, e))
    return sorted(kept)


def label_words(encoded: Encoded, spans: list[tuple[int, int, str]]) -> tuple[np.ndarray, int, int]:
    """Word tags (BIO) for gold spans; returns (piece labels, spans aligned exactly, spans kept)."""
    n_words = len(encoded.word_spans)
    tags = np.zeros(n_words, dtype=np.int64)
    starts = np.asarray([s for s, _ in encoded.word_spans]) if n_words else np.zeros(0)
    ends = np.asarray([e for _, e in encoded.word_spans]) if n_words else np.zeros(0)
    exact = 0
    kept = flat_spans(spans)
    for s, e, label in kept:
        inside = np.nonzero((starts >= s) & (ends <= e))[0]
        if not len(inside):
            # a span inside one word ("CNN" of "CNNs"): label the word(s) it overlaps
            inside = np.nonzero((starts < e) & (ends > s))[0]
            if not len(inside):
                continue
        a, b = inside[0], inside[-1]
        if tags[a : b + 1].any():
            continue
        exact += int(starts[a] == s and ends[b] == e)
        tags[a] = TAG_ID[f"B-{label}"]
        tags[a + 1 : b + 1] = TAG_ID[f"I-{label}"]
    labels = np.full(len(encoded.ids), IGNORE, dtype=np.int64)
    labels[encoded.first] = tags[encoded.word[encoded.first]]
    encoded.labels = labels
    return labels, exact, len(kept)


def _back_to_word_start(first, position: int, start: int) -> int:
    """position moved back to the nearest piece that starts a word, but kept after start."""
    while position > start + 1 and not first[position]:
        position -= 1
    return position


def _cut_after_a_full_stop(encoded: Encoded, start: int, end: int, max_pieces: int) -> int:
    """end moved back to just after the last "." in the window's second half (on the word after it), so that
    a window ends with a sentence where it can; end itself when there is none."""
    first = encoded.first
    cut = end
    for i in range(end - 1, start + max_pieces // 2, -1):
        if first[i] and encoded.text[encoded.word_spans[encoded.word[i]][0]] == ".":
            cut = i + 1
            break
    while cut < end and not first[cut]:
        cut += 1
    return cut


def windows(encoded: Encoded, max_pieces: int, stride: int | None = None) -> list[tuple[int, int]]:
    """Piece ranges of at most max_pieces starting and ending on word boundaries.

    stride=None: consecutive, cut after the last "." in the second half if there is one.
    stride=k: overlapping, each window starting k pieces (moved back to a word start) after the last.
    """
    n = len(encoded.ids)
    if n <= max_pieces:
        return [(0, n)] if n else []
    out = []
    start = 0
    while start < n:
        end = min(start + max_pieces, n)
        if end < n:
            end = _back_to_word_start(encoded.first, end, start)
            if stride is None:
                end = _cut_after_a_full_stop(encoded, start, end, max_pieces)
        out.append((start, end))
        if end >= n:
            break
        start = end if stride is None else _back_to_word_start(encoded.first, start + stride, start)
    return out


def load_tokenizer(path: str | Path):
    """A `tokenizers` Tokenizer from tokenizer.json with truncation and padding off (windows do that)."""
    from tokenizers import Tokenizer  # noqa: PLC0415

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def read_jsonl(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def source_of(record: dict) -> str:
    return record.get("source", "").split(":")[0]


@dataclass
class Split:
    """Named record lists: train docs and the dev sets scored separately."""

    train: list[dict] = field(default_factory=list)
    dev: dict[str, list[dict]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256


def load_split(
    eval_dir: str | Path,
    gsap_dev_fold: int = 0,
    tdmsci_dev_block: int = 0,
    blocks: int = 8,
    repeats: dict[str, int] | None = None,
    scirex_chars: int = 0,
) -> Split:
    """Train: GSAP folds but one, SciER/SciERC train, TDMSci train but one block of `blocks`
    (contiguous, as scripts/train_extractor.py cuts it), optionally the first scirex_chars of
    each SciREX paper. Dev: scier_dev, scierc_dev, the held-out GSAP fold and TDMSci block."""
    eval_dir = Path(eval_dir)
    repeats = repeats or {}
    split = Split()
    names = ["gsap_folds0-7", "scier_train", "scierc_train", "tdmsci_train", "scier_dev", "scierc_dev"]
    if scirex_chars:
        names.append("scirex_train")
    for name in names:
        path = eval_dir / f"{name}.jsonl"
        split.files[path.name] = sha256_file(path)
        records = read_jsonl(path)
        if name in ("scier_dev", "scierc_dev"):
            split.dev[name] = records
            continue
        if name == "scirex_train":
            records = [truncate(r, scirex_chars) for r in records]
        block = -(-len(records) // blocks)
        for index, record in enumerate(records):
            held = (
                record["source"] == f"gsap_ner:fold{gsap_dev_fold}"
                if name.startswith("gsap")
                else name == "tdmsci_train" and index // block == tdmsci_dev_block
            )
            if held:
                key = f"gsap_fold{gsap_dev_fold}" if name.startswith("gsap") else f"tdmsci_block{tdmsci_dev_block}"
                split.dev.setdefault(key, []).append(record)
            else:
                split.train.extend([record] * repeats.get(source_of(record), 1))
    return split


def truncate(record: dict, max_chars: int) -> dict:
    text = record["text"]
    if len(text) <= max_chars:
        return record
    cut = text.rfind(" . ", 0, max_chars) + 2
    cut = cut if cut > 1 else max_chars
    ents = [e for e in record["entities"] if e["end"] <= cut]
    return {**record, "text": text[:cut], "entities": ents}
