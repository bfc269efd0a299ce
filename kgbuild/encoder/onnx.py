"""ONNX export (torch), int8 dynamic quantisation, and torch-free inference (onnxruntime + tokenizers).

    python -m kgbuild.encoder.onnx export RUN_DIR            # RUN_DIR/model.pt -> model.onnx, model.int8.onnx
    python -m kgbuild.encoder.onnx eval RUN_DIR [--model model.int8.onnx] [--tag gsap_ner]
    python -m kgbuild.encoder.onnx bench RUN_DIR [--model model.int8.onnx] [--words 60000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from kgbuild.encoder.data import (SOURCE_TOKEN, encode_text, load_split, load_tokenizer, source_of, windows)
from kgbuild.encoder.decode import decode, merge_windows, score_sets


def export(run: Path, opset: int = 17) -> None:
    import torch  # noqa: PLC0415
    from kgbuild.encoder.train import base_dir, build_model  # noqa: PLC0415
    card = json.loads((run / "card.json").read_text())
    torch.set_num_threads(1)
    model = build_model(base_dir(), card["config"]["shape_dim"], 0.0)
    model.load_state_dict(torch.load(run / "model.pt", map_location="cpu"))
    model.eval()
    ids = torch.tensor([[101, 1, 2023, 2003, 1037, 3231, 102]])
    mask = torch.ones_like(ids)
    shape = torch.tensor([[0, 0, 5, 5, 5, 5, 0]])
    with torch.inference_mode():
        reference = model(ids, mask, shape).numpy()
    torch.onnx.export(model, (ids, mask, shape), str(run / "model.onnx"), dynamo=False,
                      input_names=["input_ids", "attention_mask", "shape_ids"], output_names=["logits"],
                      dynamic_axes={n: {0: "batch", 1: "pieces"} for n in
                                    ("input_ids", "attention_mask", "shape_ids", "logits")},
                      opset_version=opset)
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415
    # per-channel: per-tensor int8 lost 0.017 mean dev F1 (SciERC dev -0.04); per-channel lost none
    quantize_dynamic(str(run / "model.onnx"), str(run / "model.int8.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True)
    for name in ("model.onnx", "model.int8.onnx"):
        tagger = OnnxTagger(run, name)
        out = tagger.session.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                                        "shape_ids": shape.numpy()})[0]
        print(f"{name}: {os.path.getsize(run / name) / 1e6:.1f} MB, max |logit - torch| "
              f"{np.abs(out - reference).max():.4f}", flush=True)


class OnnxTagger:
    """The tagger at run time: tokenizer.json + an ONNX model, no torch."""

    def __init__(self, run: Path, model: str = "model.int8.onnx", threads: int = 1, max_len: int = 256,
                 stride: int = 128, budget: int = 8192):
        import onnxruntime as ort  # noqa: PLC0415
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(run / model), options, providers=["CPUExecutionProvider"])
        self.tokenizer = load_tokenizer(run / "tokenizer.json")
        self.max_len, self.stride, self.budget = max_len, stride, budget
        t = self.tokenizer
        self.cls, self.sep, self.pad = t.token_to_id("[CLS]"), t.token_to_id("[SEP]"), t.token_to_id("[PAD]")
        self.tags = {name: t.token_to_id(tok) for name, tok in SOURCE_TOKEN.items()}

    def _windows(self, texts, tags):
        encs, items = [], []
        for d, (text, tag) in enumerate(zip(texts, tags)):
            encoded = encode_text(self.tokenizer, text)
            encs.append(encoded)
            for start, end in windows(encoded, self.max_len - 3, self.stride):
                items.append((d, start, end, self.tags[tag]))
        return encs, items

    def _forward(self, encs, items):
        """Logits per window; batches of similar length under the padded-piece budget."""
        order = sorted(range(len(items)), key=lambda i: items[i][2] - items[i][1])
        out: list = [None] * len(items)
        i = 0
        while i < len(order):
            longest = items[order[i]][2] - items[order[i]][1] + 3
            j = i
            while j < len(order) and (items[order[j]][2] - items[order[j]][1] + 3) * (j - i + 1) <= self.budget:
                j += 1
            j = max(j, i + 1)
            batch = order[i:j]
            longest = max(items[k][2] - items[k][1] for k in batch) + 3
            ids = np.full((len(batch), longest), self.pad, dtype=np.int64)
            mask = np.zeros_like(ids)
            shape = np.zeros_like(ids)
            for row, k in enumerate(batch):
                d, start, end, tag = items[k]
                n = end - start
                ids[row, :n + 3] = np.concatenate([[self.cls, tag], encs[d].ids[start:end], [self.sep]])
                mask[row, :n + 3] = 1
                shape[row, 2:n + 2] = encs[d].shape[start:end]
            logits = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "shape_ids": shape})[0]
            for row, k in enumerate(batch):
                out[k] = logits[row, 2:2 + items[k][2] - items[k][1]]
            i = j
        return out

    def predict(self, texts: list[str], tags: list[str] | str = "gsap_ner") -> list[list[tuple[int, int, str, float]]]:
        tags = [tags] * len(texts) if isinstance(tags, str) else tags
        encs, items = self._windows(texts, tags)
        logits = self._forward(encs, items)
        parts: list[list] = [[] for _ in texts]
        for (d, start, end, _), window in zip(items, logits):
            parts[d].append(((start, end), window))
        return [decode(e, merge_windows(len(e.ids), [p[0] for p in ps], [p[1] for p in ps]))
                for e, ps in zip(encs, parts)]


def evaluate(run: Path, model: str, tag: str | None, eval_dir: Path, stride: int | None = None) -> dict:
    card = json.loads((run / "card.json").read_text())
    config = card["config"]
    tagger = OnnxTagger(run, model, max_len=config["max_len"], stride=stride or config["stride"])
    split = load_split(eval_dir)
    scores = {}
    for name, records in split.dev.items():
        t0 = time.time()
        preds = tagger.predict([r["text"] for r in records], [tag or source_of(r) for r in records])
        scores[name] = {**score_sets(records, preds), "seconds": round(time.time() - t0, 1)}
    scores["mean_f1"] = round(sum(s["f1"] for s in scores.values()) / len(split.dev), 4)
    return scores


def corpus_texts(paths: list[str]) -> list[str]:
    from kgbuild.read import read_papers  # noqa: PLC0415
    return [t for p in read_papers(paths) for t in (p.title, p.abstract) if t]


def bench(run: Path, model: str, words: int, corpus: list[str], stride: int = 128) -> dict:
    texts = corpus_texts(corpus)
    chosen, n_words = [], 0
    while n_words < words:
        for text in texts:
            chosen.append(text)
            n_words += len(text.split())
            if n_words >= words:
                break
    tagger = OnnxTagger(run, model, stride=stride)
    tagger.predict(chosen[:20])  # warm-up
    t0 = time.perf_counter()
    encs, items = tagger._windows(chosen, ["gsap_ner"] * len(chosen))
    t1 = time.perf_counter()
    logits = tagger._forward(encs, items)
    t2 = time.perf_counter()
    parts: list[list] = [[] for _ in chosen]
    for (d, start, end, _), window in zip(items, logits):
        parts[d].append(((start, end), window))
    spans = [decode(e, merge_windows(len(e.ids), [p[0] for p in ps], [p[1] for p in ps])) for e, ps in zip(encs, parts)]
    t3 = time.perf_counter()
    pieces = sum(len(e.ids) for e in encs)
    words_bert = sum(len(e.word_spans) for e in encs)  # pre-tokenised words: ~ spaCy tokens
    window_pieces = sum(end - start + 3 for _, start, end, _ in items)
    total = t3 - t0
    return {"model": model, "stride": stride, "texts": len(chosen), "words_whitespace": n_words, "pieces": pieces, "words_pretokenised": words_bert,
            "window_pieces": window_pieces, "windows": len(items), "mentions": sum(map(len, spans)),
            "seconds": {"tokenize+windows": round(t1 - t0, 2), "forward": round(t2 - t1, 2),
                        "merge+decode": round(t3 - t2, 2), "total": round(total, 2)},
            "pieces_per_s": round(pieces / total), "words_per_s": round(n_words / total),
            "pretokenised_words_per_s": round(words_bert / total),
            "bare_forward_pieces_per_s": round(window_pieces / (t2 - t1)),
            "overhead_over_forward": round(total / (t2 - t1), 3),
            "size_mb": round(os.path.getsize(run / model) / 1e6, 1)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["export", "eval", "bench"])
    parser.add_argument("run", type=Path)
    parser.add_argument("--model", default="model.int8.onnx")
    parser.add_argument("--tag", default=None, help="one source tag for every set (default: each set's own)")
    parser.add_argument("--eval-dir", type=Path, default=Path("/work/shared/data/eval"))
    parser.add_argument("--stride", type=int, default=None, help="window stride in pieces (default: the card's)")
    parser.add_argument("--words", type=int, default=60000)
    parser.add_argument("--corpus", nargs="+", default=["/work/shared/corpus"])
    args = parser.parse_args(argv)
    if args.command == "export":
        export(args.run)
    elif args.command == "eval":
        print(json.dumps({"model": args.model, "tag": args.tag or "own",
                          "stride": args.stride,
                          **evaluate(args.run, args.model, args.tag, args.eval_dir, args.stride)}), flush=True)
    else:
        print(json.dumps(bench(args.run, args.model, args.words, args.corpus, args.stride or 128)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
