"""Train the encoder pair classifier (kgbuild/relate/encoder_pairs.py) on SciER + SciERC train.

    python scripts/train_relations_encoder.py features   # token vectors + pair features -> --cache
    python scripts/train_relations_encoder.py fit --min-score 0.3 --out kgbuild/data/relate_encoder_pairs.npz
    python scripts/train_relations_encoder.py measure [--mentions predicted] [--dump FILE]  # per type and source
    python scripts/train_relations_encoder.py fit --bars ADDRESSES=0.3/0.3,... --out kgbuild/data/relate_encoder_pairs.npz

The shipped artifact: --hidden 256 --alpha 0.01 --seed 0 (the fit is deterministic, so the second fit only
changes the bars), with the bars `measure` led to; the card's bars_chosen_by and relate_end_to_end record
those numbers (added by hand: `fit` rewrites the rest of the card).

Needs onnxruntime, tokenizers and scikit-learn (the `train` and `encoder` extras); nothing at run time does.
Every sentence pair of gold mentions that encoder_pairs.candidate_pairs proposes is an example, in both
orders; its class is the kgbuild type the gold relation maps to for that (head, tail) order
(kgbuild.evaluation.relations), or NONE. The token vectors are the encoder's last layer at each spaCy
token's first word piece, set by the encoder NER component itself (its default config, so the source tag
the extractor runs it with). Documents are split by a hash of their id: 80% train the MLP (negatives
subsampled to NEGATIVES_PER_POSITIVE per positive), 20% fit each class's Platt scaling on all their pairs,
so a score estimates precision. Dev sets (scier_dev, scierc_dev) only choose hyper-parameters; gold files
are read from the shared data directory and never copied. The card (data hashes, sizes, scores) is
written next to the artifact.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from spacy.language import Language

from kgbuild.encoder.data import sha256_file
from kgbuild.encoder.onnx import MODEL_FILE
from kgbuild.evaluation.relations import (
    CLASS_ORDER,
    _paper,
    analysed_from_spans,
    cross_sentence,
    gold_relation_keys,
    predicted_relation_keys,
    relation_key,
    vectors_sentencizer,
)
from kgbuild.extract import extract_papers
from kgbuild.extract.artifacts import ENCODER_DIR, default_data_dir
from kgbuild.extract.encoder_ner import TOKENIZER_FILE
from kgbuild.models import Mention
from kgbuild.relate import _PAIR_FAMILIES, relate
from kgbuild.relate.confidence import confident
from kgbuild.relate.encoder_pairs import (
    ARTIFACT,
    NO_RELATION,
    candidate_pairs,
    load_model,
    log_odds,
    pair_features,
    scored_pairs,
)
from kgbuild.relate.endpoints import allowed
from kgbuild.relate.sentences import sentences

TRAIN_FILES = ("scier_train.jsonl", "scierc_train.jsonl")
DEV_FILES = ("scier_dev.jsonl", "scierc_dev.jsonl")
CLASSES = (NO_RELATION, *CLASS_ORDER)
NEGATIVES_PER_POSITIVE = 3
HELD_OUT_PERCENT = 20
ENCODER = default_data_dir() / ENCODER_DIR
BAR_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)  # measure: the encoder source's relations at each bar


def source_tag() -> str:
    return Language.get_factory_meta("kgbuild_encoder_ner").default_config["source"]


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def held_out(record_id: str) -> bool:
    return int(hashlib.sha256(record_id.encode()).hexdigest(), 16) % 100 < HELD_OUT_PERCENT


def features(args) -> None:
    nlp = vectors_sentencizer()
    args.cache.mkdir(parents=True, exist_ok=True)
    for name in TRAIN_FILES + DEV_FILES:
        started = time.time()
        rows, labels, docs = [], [], []
        gold_total = reachable = 0
        records = read_jsonl(args.eval_dir / name)
        for d, record in enumerate(records):
            mentions: list[Mention] = []
            spans = [(e["start"], e["end"], e["label"]) for e in record["entities"]]
            field = analysed_from_spans(nlp, "abstract", record["text"], spans, mentions)
            gold, _ = gold_relation_keys(record)
            gold_total += len(gold)
            found = set()
            for sentence in sentences([field], mentions):
                for head, tail in candidate_pairs(sentence):
                    a, b = mentions[head.mention], mentions[tail.mention]
                    label = NO_RELATION
                    for type_ in CLASS_ORDER:
                        key = relation_key(type_, (a.start, a.end), (b.start, b.end))
                        if key in gold:
                            label = type_
                            found.add(key)
                            break
                    rows.append(pair_features(field.doc.tensor, sentence, head, tail))
                    labels.append(CLASSES.index(label))
                    docs.append(d)
            reachable += len(found & gold)
        np.savez(
            args.cache / f"{name}.npz",
            x=np.stack(rows).astype(np.float16),
            y=np.array(labels),
            doc=np.array(docs),
            held=np.array([held_out(r["id"]) for r in records]),
        )
        print(
            f"{name}: {len(records)} docs, {len(rows)} pairs, {Counter(labels)}; gold relations reachable "
            f"as a candidate pair's first type {reachable}/{gold_total}; {time.time() - started:.0f}s",
            flush=True,
        )


def load(cache: Path, name: str):
    data = np.load(cache / f"{name}.npz")
    return data["x"].astype(np.float32), data["y"], data["doc"], data["held"]


def _platt(odds: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if positive.sum() < 3:
        return 0.0, -10.0  # never stated: too few held-out examples to know its precision
    fit = LogisticRegression(C=1e4).fit(odds[:, None], positive)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def fit(args) -> None:
    from sklearn.neural_network import MLPClassifier

    train_parts, calib_parts = [], []
    for name in TRAIN_FILES:
        x, y, doc, held = load(args.cache, name)
        mask = held[doc]
        train_parts.append((x[~mask], y[~mask]))
        calib_parts.append((x[mask], y[mask]))
    x_train = np.concatenate([p[0] for p in train_parts])
    y_train = np.concatenate([p[1] for p in train_parts])
    rng = np.random.default_rng(args.seed)
    positive = np.nonzero(y_train > 0)[0]
    negative = np.nonzero(y_train == 0)[0]
    negative = rng.choice(negative, min(len(negative), NEGATIVES_PER_POSITIVE * len(positive)), replace=False)
    chosen = rng.permutation(np.concatenate([positive, negative]))
    x_fit, y_fit = x_train[chosen], y_train[chosen]
    mean = x_fit.mean(axis=0)
    scale = x_fit.std(axis=0) + 1e-3
    started = time.time()
    hidden = tuple(int(h) for h in args.hidden.split(",") if h)
    model = MLPClassifier(
        hidden_layer_sizes=hidden or (),
        alpha=args.alpha,
        max_iter=args.epochs,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=5,
        random_state=args.seed,
        batch_size=256,
    )
    model.fit((x_fit - mean) / scale, y_fit)
    print(
        f"fit {len(y_fit)} examples ({len(positive)} positive), hidden {hidden}, {model.n_iter_} epochs, "
        f"{time.time() - started:.0f}s",
        flush=True,
    )
    layers = [(w.astype(np.float32), b.astype(np.float32)) for w, b in zip(model.coefs_, model.intercepts_)]

    def scores(x: np.ndarray) -> np.ndarray:
        h = (x - mean) / scale
        for k, (w, b) in enumerate(layers):
            h = h @ w + b
            if k < len(layers) - 1:
                h = np.maximum(h, 0)
        return h

    x_cal = np.concatenate([p[0] for p in calib_parts])
    y_cal = np.concatenate([p[1] for p in calib_parts])
    log_cal = log_odds(scores(x_cal))
    platt = np.array([_platt(log_cal[:, k], y_cal == k) for k in range(len(CLASSES))], dtype=np.float32)

    def calibrated(x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(platt[:, 0] * log_odds(scores(x)) + platt[:, 1])))

    print(
        "platt", platt.round(2).tolist(), "max calibrated", calibrated(x_cal).max(axis=0).round(2).tolist(), flush=True
    )
    report = {"held_out": pair_scores(calibrated(x_cal), y_cal, args.min_score)}
    for name in DEV_FILES:
        x, y, _, _ = load(args.cache, name)
        report[name] = pair_scores(calibrated(x), y, args.min_score)
    for part, scores in report.items():
        stated, right, gold = (sum(row[k] for row in scores.values()) for k in ("stated", "right", "gold"))
        print(
            f"{part}: micro P {right / max(stated, 1):.3f} R {right / max(gold, 1):.3f} ({right}/{stated}, "
            f"gold {gold})",
            json.dumps(scores) if args.verbose else "",
            flush=True,
        )
    if args.out:
        bars = (
            {
                type_: [float(bar) for bar in bars.split("/")]
                for type_, bars in (item.split("=") for item in args.bars.split(","))
            }
            if args.bars
            else dict.fromkeys(CLASS_ORDER, [args.min_score, args.min_score])
        )
        meta = {"classes": list(CLASSES), "layers": len(layers), "bars": bars}
        arrays = {
            "meta": np.array(json.dumps(meta)),
            "mean": mean.astype(np.float32),
            "scale": scale.astype(np.float32),
            "platt": platt,
        }
        for k, (w, b) in enumerate(layers):
            arrays[f"w{k}"] = w.astype(np.float16)
            arrays[f"b{k}"] = b
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        args.out.write_bytes(buffer.getvalue())
        card = {
            "artifact": args.out.name,
            "bytes": len(buffer.getvalue()),
            "encoder": {
                "model_sha256": sha256_file(ENCODER / MODEL_FILE),
                "source_tag": source_tag(),
                "tokenizer_sha256": sha256_file(ENCODER / TOKENIZER_FILE),
            },
            "data": {name: sha256_file(args.eval_dir / name) for name in TRAIN_FILES + DEV_FILES},
            "examples": {
                "fit": len(y_fit),
                "positive": len(positive),
                "calibration_pairs": len(y_cal),
                "held_out_percent": HELD_OUT_PERCENT,
                "negatives_per_positive": NEGATIVES_PER_POSITIVE,
            },
            "model": {
                "hidden": list(hidden),
                "alpha": args.alpha,
                "epochs": int(model.n_iter_),
                "seed": args.seed,
                "features": int(x_fit.shape[1]),
            },
            "meta": meta,
            "pair_scores_gold_mentions": report,
        }
        args.out.with_suffix(".card.json").write_text(json.dumps(card, indent=1) + "\n")


def pair_scores(probabilities: np.ndarray, y: np.ndarray, min_score: float) -> dict:
    """Per type on candidate pairs (gold mentions): stated at min_score, right, gold, and mean score stated."""
    out = {}
    for k, type_ in enumerate(CLASSES[1:], start=1):
        stated = probabilities[:, k] >= min_score
        right = stated & (y == k)
        out[type_] = {
            "gold": int((y == k).sum()),
            "stated": int(stated.sum()),
            "right": int(right.sum()),
            "mean_score": round(float(probabilities[stated, k].mean()), 3) if stated.any() else None,
        }
    return out


def measure(args) -> None:
    """Per type, stated and right on the dev sets: each pair source alone (its relations that pass the schema
    and confidence checks) and relate() end to end ("all"), on gold or predicted mentions; the numbers the
    types each classifier states are chosen by."""
    nlp = vectors_sentencizer()
    runs: list = []

    def recording_relate(paper, fields, mentions):
        labels = [mention.label for mention in mentions]
        alone = {
            family.__name__.rsplit(".", 1)[-1]: [
                relation
                for view in sentences(fields, mentions)
                for relation in family.find(view)
                if allowed(relation, labels) and confident(relation, mentions)
            ]
            for family in _PAIR_FAMILIES
        }
        alone["all"] = relate(paper, fields, mentions)
        model = load_model()
        scored = [
            (type_, float(p), head.confidence * tail.confidence, relation)
            for view in sentences(fields, mentions)
            for head, tail, row in scored_pairs(model, view)
            for type_, p in zip(model.classes[1:], row[1:])
            if p >= min(BAR_GRID)
            for relation in [view.relation(type_, head.mention, tail.mention, float(p), "dump")]
        ]
        runs.append((alone, mentions, scored))
        return alone["all"]

    for name in DEV_FILES:
        records = read_jsonl(args.eval_dir / name)
        runs.clear()
        if args.mentions == "gold":
            for record in records:
                mentions: list[Mention] = []
                spans = [(e["start"], e["end"], e["label"]) for e in record["entities"]]
                recording_relate(
                    _paper(record), [analysed_from_spans(nlp, "abstract", record["text"], spans, mentions)], mentions
                )
        else:
            for _ in extract_papers([_paper(r) for r in records], relate=recording_relate, threads=1):
                pass
        counts: Counter = Counter()
        for record, (alone, mentions, scored) in zip(records, runs):
            gold, _ = gold_relation_keys(record)
            if args.dump:
                with open(args.dump, "a", encoding="utf-8") as dump:
                    for _, p, confidence, relation in scored:
                        for key in predicted_relation_keys([relation], mentions):
                            dump.write(
                                json.dumps(
                                    {
                                        "set": name,
                                        "mentions": args.mentions,
                                        "type": key[0],
                                        "key": key,
                                        "p": p,
                                        "confidence": confidence,
                                        "right": key in gold,
                                    }
                                )
                                + "\n"
                            )
            for family, relations in alone.items():
                best: dict = {}  # key -> highest score of the family's statements of it
                for relation in (r for r in relations if not cross_sentence(r, mentions)):
                    for key in predicted_relation_keys([relation], mentions):
                        best[key] = max(best.get(key, 0.0), relation.score)
                for key, score in best.items():
                    for bar in BAR_GRID if family == "encoder_pairs" else (0.0,):
                        if score >= bar:
                            counts[key[0], family, bar, "stated"] += 1
                            counts[key[0], family, bar, "right"] += key in gold
        table = {
            f"{type_} {family}" + (f" >={bar}" if bar else ""): [
                counts[type_, family, bar, "stated"],
                counts[type_, family, bar, "right"],
            ]
            for type_, family, bar, what in sorted(counts)
            if what == "stated"
        }
        print(name, args.mentions, json.dumps(table), flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["features", "fit", "measure"])
    parser.add_argument("--mentions", choices=["gold", "predicted"], default="gold", help="measure: which mentions")
    parser.add_argument("--eval-dir", type=Path, default=Path("/work/shared/data/eval"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/relate_encoder_cache"))
    parser.add_argument("--hidden", default="256", help="hidden layer sizes, comma-separated ('' = logistic)")
    parser.add_argument("--alpha", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-score", type=float, default=0.5)
    parser.add_argument(
        "--bars",
        default="",
        help="TYPE=probability/score,...: the types stated, each with its "
        "lowest probability and lowest score (default: every type at --min-score)",
    )
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--dump", type=Path, default=None, help="measure: every encoder pair score (JSONL)")
    parser.add_argument("--out", type=Path, default=None, help=f"e.g. kgbuild/data/{ARTIFACT}")
    args = parser.parse_args(argv)
    {"features": features, "fit": fit, "measure": measure}[args.command](args)


if __name__ == "__main__":
    main(sys.argv[1:])
