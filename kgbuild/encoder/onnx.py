"""ONNX export (torch), int8 dynamic quantisation, and torch-free inference (onnxruntime + tokenizers).

    python -m kgbuild.encoder.onnx export RUN_DIR            # RUN_DIR/model.pt -> model.onnx, model.int8.onnx
    python -m kgbuild.encoder.onnx eval RUN_DIR [--model model.int8.onnx] [--tag gsap_ner]
    python -m kgbuild.encoder.onnx ship RUN_DIR kgbuild/data/encoder   # what the package ships

Throughput: bench/bench_extract.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kgbuild.encoder.data import (
    SOURCE_TOKEN,
    Encoded,
    encode_text,
    load_split,
    load_tokenizer,
    sha256_file,
    source_of,
    windows,
)
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
    torch.onnx.export(
        model,
        (ids, mask, shape),
        str(run / "model.onnx"),
        dynamo=False,
        input_names=["input_ids", "attention_mask", "shape_ids"],
        output_names=["logits"],
        dynamic_axes={n: {0: "batch", 1: "pieces"} for n in ("input_ids", "attention_mask", "shape_ids", "logits")},
        opset_version=opset,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415

    # per-channel: per-tensor int8 lost 0.017 mean dev F1 (SciERC dev -0.04); per-channel lost none
    quantize_dynamic(str(run / "model.onnx"), str(run / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True)
    add_hidden_output(run / MODEL_FILE)
    for name in ("model.onnx", MODEL_FILE):
        tagger = OnnxTagger(run / name, run / "tokenizer.json")
        out = tagger.session.run(
            None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "shape_ids": shape.numpy()}
        )[0]
        print(
            f"{name}: {os.path.getsize(run / name) / 1e6:.1f} MB, max |logit - torch| "
            f"{np.abs(out - reference).max():.4f}",
            flush=True,
        )


MODEL_FILE = "model.int8.onnx"
HIDDEN_OUTPUT = "hidden"  # the last encoder layer per piece [batch, pieces, width]: token vectors for doc.tensor


def add_hidden_output(path: Path) -> None:
    """Expose the last encoder layer's output as a second graph output, `hidden` (an Identity node on
    it): the spaCy component's token vectors come from the same forward pass as the logits."""
    import onnx  # noqa: PLC0415 - the [train] extra

    model = onnx.load(str(path))
    graph = model.graph
    layer_norms = {
        int(match[1]): name
        for node in graph.node
        for name in node.output
        if (match := re.fullmatch(r"/encoder/encoder/layer\.(\d+)/output/LayerNorm/LayerNormalization_output_0", name))
    }
    last = layer_norms[max(layer_norms)]
    graph.node.append(onnx.helper.make_node("Identity", [last], [HIDDEN_OUTPUT], name=f"{HIDDEN_OUTPUT}_identity"))
    width = next(i.dims[0] for i in graph.initializer if i.name.endswith("LayerNorm.weight"))
    graph.output.append(
        onnx.helper.make_tensor_value_info(HIDDEN_OUTPUT, onnx.TensorProto.FLOAT, ["batch", "pieces", width])
    )
    onnx.save(model, str(path))


@dataclass
class Tagged:
    """One text after the encoder: its pieces, per-piece logits and (if asked) hidden states."""

    encoded: Encoded
    logits: np.ndarray
    hidden: np.ndarray | None = None

    def spans(self) -> list[tuple[int, int, str, float]]:
        return decode(self.encoded, self.logits)


class OnnxTagger:
    """The tagger at run time: tokenizer.json + an ONNX model, no torch."""

    def __init__(self, model: Path, tokenizer: Path, threads: int = 1, max_len: int = 256, stride: int = 128):
        import onnxruntime as ort  # noqa: PLC0415

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        outputs = {o.name: o for o in self.session.get_outputs()}
        self.hidden_width = outputs[HIDDEN_OUTPUT].shape[-1] if HIDDEN_OUTPUT in outputs else None
        self.tokenizer = load_tokenizer(tokenizer)
        self.max_len, self.stride = max_len, stride
        t = self.tokenizer
        self.cls, self.sep, self.pad = t.token_to_id("[CLS]"), t.token_to_id("[SEP]"), t.token_to_id("[PAD]")
        self.tags = {name: t.token_to_id(tok) for name, tok in SOURCE_TOKEN.items()}

    def windows(self, texts: list[str], tags: list[str]) -> tuple[list[Encoded], list[tuple[int, int, int, int]]]:
        """The texts as pieces, and their windows as (text index, first piece, end piece, source tag id)."""
        encs, items = [], []
        for d, (text, tag) in enumerate(zip(texts, tags)):
            encoded = encode_text(self.tokenizer, text)
            encs.append(encoded)
            for start, end in windows(encoded, self.max_len - 3, self.stride):
                items.append((d, start, end, self.tags[tag]))
        return encs, items

    def forward(
        self, encs: list[Encoded], items: list[tuple[int, int, int, int]], hidden: bool = False
    ) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """(logits, hidden or None) per window, without the special pieces, one window per run: int8 dynamic
        quantisation scales the activations by the whole input, so in a padded batch a window's logits moved
        by up to 1.2 with its neighbours (a paper's mentions depended on the papers read with it); alone
        they do not, and on the corpus one at a time was also twice as fast (no padding)."""
        names = ["logits", HIDDEN_OUTPUT] if hidden else ["logits"]
        out = []
        for d, start, end, tag in items:
            ids = np.concatenate([[self.cls, tag], encs[d].ids[start:end], [self.sep]])[None]
            shape = np.zeros_like(ids)
            shape[0, 2 : end - start + 2] = encs[d].shape[start:end]
            results = self.session.run(
                names, {"input_ids": ids, "attention_mask": np.ones_like(ids), "shape_ids": shape}
            )
            out.append((results[0][0, 2:-1], results[1][0, 2:-1] if hidden else None))
        return out

    def run(self, texts: list[str], tags: list[str] | str = "gsap_ner", hidden: bool = False) -> list[Tagged]:
        tags = [tags] * len(texts) if isinstance(tags, str) else tags
        encs, items = self.windows(texts, tags)
        return self.merge(encs, items, self.forward(encs, items, hidden), hidden)

    def merge(
        self,
        encs: list[Encoded],
        items: list[tuple[int, int, int, int]],
        outputs: list[tuple[np.ndarray, np.ndarray | None]],
        hidden: bool = False,
    ) -> list[Tagged]:
        """Window outputs -> one Tagged per text (overlaps: the window where a piece is most central)."""
        parts: list[list] = [[] for _ in encs]
        for (d, start, end, _), output in zip(items, outputs):
            parts[d].append(((start, end), output))
        tagged = []
        for encoded, ps in zip(encs, parts):
            ranges = [p[0] for p in ps]
            logits = merge_windows(len(encoded.ids), ranges, [p[1][0] for p in ps])
            states = None
            if hidden:  # a text without pieces (empty) has no windows: zero rows of the model's width
                assert self.hidden_width is not None  # forward() has already asked the model for its hidden output
                states = (
                    merge_windows(len(encoded.ids), ranges, [p[1][1] for p in ps])
                    if ps
                    else np.zeros((0, self.hidden_width), dtype=np.float32)
                )
            tagged.append(Tagged(encoded, logits, states))
        return tagged

    def predict(self, texts: list[str], tags: list[str] | str = "gsap_ner") -> list[list[tuple[int, int, str, float]]]:
        return [t.spans() for t in self.run(texts, tags)]


def evaluate(run: Path, model: str, tag: str | None, eval_dir: Path, stride: int | None = None) -> dict:
    card = json.loads((run / "card.json").read_text())
    config = card["config"]
    tagger = OnnxTagger(
        run / model, run / "tokenizer.json", max_len=config["max_len"], stride=stride or config["stride"]
    )
    split = load_split(eval_dir)
    scores = {}
    for name, records in split.dev.items():
        t0 = time.time()
        preds = tagger.predict([r["text"] for r in records], [tag or source_of(r) for r in records])
        scores[name] = {**score_sets(records, preds), "seconds": round(time.time() - t0, 1)}
    scores["mean_f1"] = round(sum(s["f1"] for s in scores.values()) / len(split.dev), 4)
    return scores


def ship(run: Path, dest: Path, model: str = MODEL_FILE) -> None:
    """What the package ships (kgbuild/data/encoder): the model, tokenizer.json, and the card with
    machine paths removed and the model's sha256 added (checked on every load)."""
    import shutil  # noqa: PLC0415

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run / model, dest / MODEL_FILE)
    shutil.copyfile(run / "tokenizer.json", dest / "tokenizer.json")
    card = json.loads((run / "card.json").read_text())
    card["init"] = Path(card["init"]).name if card.get("init") else None
    card["config"] = {
        k: (Path(v).name if isinstance(v, str) and v.startswith("/") else v) for k, v in card["config"].items()
    }
    card["onnx"] = {
        "file": MODEL_FILE,
        "sha256": sha256_file(dest / MODEL_FILE),
        "tokenizer_sha256": sha256_file(dest / "tokenizer.json"),
        "quantisation": "int8 dynamic, per channel",
        "outputs": ["logits", HIDDEN_OUTPUT],
    }
    (dest / "card.json").write_text(json.dumps(card, indent=1) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["export", "eval", "ship"])
    parser.add_argument("run", type=Path)
    parser.add_argument("dest", type=Path, nargs="?", help="ship: the directory to write (kgbuild/data/encoder)")
    parser.add_argument("--model", default=MODEL_FILE)
    parser.add_argument("--tag", default=None, help="one source tag for every set (default: each set's own)")
    parser.add_argument("--eval-dir", type=Path, default=Path("/work/shared/data/eval"))
    parser.add_argument("--stride", type=int, default=None, help="window stride in pieces (default: the card's)")
    args = parser.parse_args(argv)
    if args.command == "export":
        export(args.run)
    elif args.command == "eval":
        print(
            json.dumps(
                {
                    "model": args.model,
                    "tag": args.tag or "own",
                    "stride": args.stride,
                    **evaluate(args.run, args.model, args.tag, args.eval_dir, args.stride),
                }
            ),
            flush=True,
        )
    else:
        ship(args.run, args.dest, args.model)


if __name__ == "__main__":
    main(sys.argv[1:])
