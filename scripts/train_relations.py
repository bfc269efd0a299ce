"""Train the relation pair classifier (kgbuild/relate/classifier.py) on SciER + SciERC train.

    python scripts/train_relations.py [--eval-dir /work/shared/data/eval] [--out kgbuild/data/relate_pairs.json.gz]

Every pair of gold mentions close together in a sentence is an example; its
class is the kgbuild type the gold relation maps to (kgbuild.evaluation.
relations), with ">" when the earlier mention is the head, "<" otherwise, or
NONE. Gold files are read from the shared data directory and never copied;
only the fitted weights are written. Run it again after changing
`pair_features`, then re-run `kgbuild eval --relations` on the dev sets.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from kgbuild.evaluation.relations import (
    CLASS_ORDER,
    analysed_from_spans,
    gold_relation_keys,
    relation_key,
    sentencizer,
)
from kgbuild.models import Mention
from kgbuild.relate.classifier import NO_RELATION, candidate_pairs
from kgbuild.relate.sentences import sentences

TRAIN_FILES = ("scier_train.jsonl", "scierc_train.jsonl")
MIN_FEATURE_COUNT = 2  # features seen once carry noise, and would bloat the artifact


def examples(path: Path) -> tuple[list[dict[str, float]], list[str]]:
    nlp = sentencizer()
    features, labels = [], []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            mentions: list[Mention] = []
            spans = [(e["start"], e["end"], e["label"]) for e in record["entities"]]
            field = analysed_from_spans(nlp, "abstract", record["text"], spans, mentions)
            gold, _ = gold_relation_keys(record)
            for sentence in sentences([field], mentions):
                for left, right, pair in candidate_pairs(sentence):
                    a, b = mentions[left.mention], mentions[right.mention]
                    label = NO_RELATION
                    for type_ in CLASS_ORDER:
                        if relation_key(type_, (a.start, a.end), (b.start, b.end)) in gold:
                            label = type_ + ">"
                        elif relation_key(type_, (b.start, b.end), (a.start, a.end)) in gold:
                            label = type_ + "<"
                        if label != NO_RELATION:
                            break
                    features.append(pair)
                    labels.append(label)
    return features, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=Path("/work/shared/data/eval"))
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "kgbuild" / "data" / "relate_pairs.json.gz"
    )
    args = parser.parse_args()
    features, labels = [], []
    for name in TRAIN_FILES:
        more_features, more_labels = examples(args.eval_dir / name)
        features += more_features
        labels += more_labels
    counts = Counter(name for pair in features for name in pair)
    features = [{name: value for name, value in pair.items() if counts[name] >= MIN_FEATURE_COUNT} for pair in features]
    vectorizer = DictVectorizer()
    model = LogisticRegression(max_iter=3000, C=1.0).fit(vectorizer.fit_transform(features), labels)
    names = vectorizer.get_feature_names_out()
    weights = {str(name): [round(float(w), 4) for w in model.coef_[:, j]] for j, name in enumerate(names)}
    artifact = {
        "classes": [str(c) for c in model.classes_],
        "intercepts": [round(float(b), 4) for b in model.intercept_],
        "weights": weights,
        "trained_on": list(TRAIN_FILES),
        "examples": dict(Counter(labels)),
    }
    args.out.write_bytes(gzip.compress(json.dumps(artifact, sort_keys=True).encode(), mtime=0))
    print(
        f"{len(labels)} pairs {dict(Counter(labels))}; {len(names)} features -> {args.out} ({args.out.stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main()
