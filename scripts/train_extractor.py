"""Build the extractor's artifacts (lexicon + NER weights + score calibration) into kgbuild/data.

Recipe (the same for the shipped model and for cross-validation):

0. `vectors`: 64-dimensional PPMI + SVD word vectors from the whole SciREX, SciER and
   SciERC training papers (kgbuild/extract/word_vectors.py); every `fit` reads the
   same table (--vectors), so no fold sees vectors built from its held-out text.
   `pretrain` (an option the shipped model does not take): the NER's tok2vec pretrained on the same
   unlabelled text (spaCy's cloze-characters objective, 4 epochs); `fit --pretrained` starts from it.
   Full 8-fold CV: GSAP pooled 0.4305 against 0.4303, TDMSci 0.501 against 0.515 (lower on 6 of 8
   blocks), SciERC dev mean of the fold models 0.456 against 0.441: a trade between sets, not a gain.
1. Training gold: GSAP-NER folds 0-7, SciER train, SciERC train, TDMSci train (twice:
   REPEATS) and the first --scirex-tokens (1500) tokens of each SciREX train paper
   (/work/shared/data/eval). Dev files (scier_dev, scierc_dev) are never read here.
   SciREX's share trades SciERC against TDMSci: on two CV folds, 1500 tokens instead
   of 500 gave SciERC dev +0.05 and TDMSci -0.015 (none: SciERC dev 0.26).
2. Label harmonisation: other sets call trained systems "Method"; a Method span whose
   name GSAP labels mostly Model becomes Model, so the NER is not taught both.
3. Lexicon (kgbuild/extract/lexicon.py) from the training gold + Papers-with-Code
   task/dataset/metric names, each with its prior measured on the training text.
4. NER training; tokens of a lexicon match whose label the source set does not
   annotate (Metric in GSAP, Method in TDMSci, ...) are "missing", not "outside",
   so one set's silence does not teach the model another set's labels are wrong.
5. Name-kind weights (kgbuild/extract/name_kind.py): Model vs Method, Dataset vs system.
6. `calibrate`: run the held-out fold pipelines of `fit --holdout K` on their held-out
   gold, fit the score calibrator on those out-of-fold candidates, print the CV table.

    python scripts/train_extractor.py vectors --out kgbuild/data                  # word vectors
    python scripts/train_extractor.py pretrain --out /tmp/kg_tok2vec.bin            # tok2vec weights
    python scripts/train_extractor.py fit --out kgbuild/data                      # shipped
    python scripts/train_extractor.py fit --holdout 0 --out /tmp/kg_cv0           # CV fold
    python scripts/train_extractor.py calibrate --cv /tmp/kg_cv0 ... /tmp/kg_cv7 --out kgbuild/data
    python scripts/train_extractor.py curate-lexicon --data kgbuild/data          # PwC labels only
    python scripts/train_extractor.py name-kinds --out kgbuild/data               # name-kind weights only
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import random
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy
from scipy import sparse
from scipy.sparse.linalg import svds
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.ml.models.multi_task import build_cloze_characters_multi_task_model, get_characters_loss
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import filter_spans, fix_random_seed, minibatch
from thinc.api import Adam

from kgbuild.evaluation.ner import (
    GoldDoc,
    GoldSpan,
    annotated_labels,
    evaluate_ner,
    format_ner_report,
    label_map,
    read_gold,
)
from kgbuild.extract.artifacts import (
    CALIBRATION_FILE,
    DATASET_KIND_FILE,
    LEXICON_FILE,
    MODEL_KIND_FILE,
    NER_FILE,
    VECTORS_FILE,
    default_data_dir,
)
from kgbuild.extract.lexicon import Lexicon, Term, phrase_matcher, term_key
from kgbuild.extract.logistic import SparseLogistic
from kgbuild.extract.name_kind import kind_features
from kgbuild.extract.named import name_shape
from kgbuild.extract.ner import ner_pipeline
from kgbuild.extract.pipeline import build_pipeline
from kgbuild.extract.word_vectors import load_vectors, save_vectors
from kgbuild.text import normalise
from kgbuild.vocab import SYSTEM_LABELS

EVAL = Path("/work/shared/data/eval")
PWC = Path("/work/shared/data/pwc")
TRAIN_FILES = ["gsap_folds0-7", "scier_train", "scierc_train", "tdmsci_train", "scirex_train"]
CV_FOLDS = 8  # GSAP's own 8 folds; TDMSci (no document ids) is cut into 8 contiguous blocks
# What each source annotates after harmonisation (data README, label mapping).
ANNOTATES = {
    "gsap_ner": {"Dataset", "Method", "Model", "Task"},
    "scier": {"Dataset", "Method", "Model", "Task"},
    "scierc": {"Dataset", "Method", "Model", "Metric", "Task"},
    "scirex": {"Dataset", "Method", "Model", "Metric", "Task"},
    "tdmsci": {"Dataset", "Metric", "Task"},
}
MIN_PRIOR = 0.25  # a name labelled in fewer than 1 in 4 of its training occurrences is noise
MIN_COUNT = 2
CHUNK_TOKENS = 160
# TDMSci, the smallest set, is seen twice per epoch: with SciREX at 1,500 tokens per paper it lost
# 0.015 held-out F1 on two folds, and twice it gained 0.03 (GSAP and the dev sets unchanged).
REPEATS = {"tdmsci": 2}


def dataset_of(doc: GoldDoc) -> str:
    return doc.source.split(":")[0]


def heldout(doc: GoldDoc, index: int, block_size: int, fold: int) -> bool:
    if doc.source.startswith("gsap_ner:fold"):
        return doc.source == f"gsap_ner:fold{fold}"
    return doc.source.startswith("tdmsci") and index // block_size == fold


def truncated(doc: GoldDoc, max_chars: int) -> GoldDoc:
    cut = doc.text.rfind(" . ", 0, max_chars) + 2 if len(doc.text) > max_chars else len(doc.text)
    spans = tuple(s for s in doc.spans if s.end <= cut)
    return GoldDoc(doc.id, doc.source, doc.text[:cut], spans)


def load_training(holdout: int | None, scirex_tokens: int) -> tuple[list[GoldDoc], list[GoldDoc]]:
    """(training docs, held-out docs) for the recipe; held-out is empty without --holdout."""
    train, held = [], []
    for name in TRAIN_FILES:
        docs = read_gold(EVAL / f"{name}.jsonl")
        if name == "scirex_train":
            docs = [truncated(doc, scirex_tokens * 6) for doc in docs]  # ~6 chars per token
        block = -(-len(docs) // CV_FOLDS)
        for index, doc in enumerate(docs):
            (held if holdout is not None and heldout(doc, index, block, holdout) else train).append(doc)
    return train, held


def to_normalised(doc: GoldDoc) -> tuple[str, list[GoldSpan]]:
    """The text the extractor sees (kgbuild.text.normalise) with gold spans moved onto it."""
    norm = normalise(doc.text)
    spans = []
    for span in doc.spans:
        start = bisect.bisect_left(norm.starts, span.start)
        end = bisect.bisect_right(norm.ends, span.end)
        if start < end:
            spans.append(GoldSpan(start, end, span.label))
    return norm.text, spans


def model_names(docs: list[GoldDoc], nlp) -> set[str]:
    """Names GSAP labels Model more often than Method."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for doc in docs:
        if dataset_of(doc) == "gsap_ner":
            text, spans = to_normalised(doc)
            for span in spans:
                votes[term_key(nlp.make_doc(text[span.start : span.end]))][span.label] += 1
    return {key for key, vote in votes.items() if vote["Model"] > vote["Method"]}


def without_edge_space(span: Span) -> Span | None:
    """The span without leading/trailing whitespace tokens (spaCy's NER cannot learn those)."""
    start, end = span.start, span.end
    while start < end and span.doc[start].is_space:
        start += 1
    while end > start and span.doc[end - 1].is_space:
        end -= 1
    return Span(span.doc, start, end, span.label_) if start < end else None


def reference_docs(docs: list[GoldDoc], nlp) -> list[tuple[str, Doc]]:
    """(dataset, tokenised normalised text with gold entities, harmonised, nested -> outermost)."""
    models = model_names(docs, nlp)
    out = []
    for doc in docs:
        text, spans = to_normalised(doc)
        ref = nlp.make_doc(text)
        ents = []
        for span in spans:
            ent = ref.char_span(span.start, span.end, span.label, alignment_mode="contract")
            if ent is not None:
                ent = without_edge_space(ent)
            if ent is not None:
                label = "Model" if ent.label_ == "Method" and term_key(ent) in models else ent.label_
                ents.append(Span(ref, ent.start, ent.end, label))
        ref.ents = filter_spans(ents)
        out.append((dataset_of(doc), ref))
    return out


def pwc_names() -> dict[str, set[str]]:
    """Task, Dataset and Metric names from the Papers-with-Code leaderboard snapshot."""
    names: dict[str, set[str]] = {"Task": set(), "Dataset": set(), "Metric": set()}
    columns = {
        "Task Name": "Task",
        "Common Datasets (Top 10)": "Dataset",
        "Benchmarks": "Dataset",
        "SOTA Metrics": "Metric",
    }
    for path in sorted((PWC / "results").glob("*_detailed.csv")):
        with open(path, encoding="utf-8") as rows:
            for row in csv.DictReader(rows):
                for column, label in columns.items():
                    for name in (row.get(column) or "").split(";" if column != "Task Name" else "\n"):
                        names[label].add(name.strip())
    for path in sorted((PWC / "sota_extractor_tasks").glob("*.json")):
        for task in json.loads(path.read_text(encoding="utf-8")):
            names["Task"].add(task.get("task", ""))
            for dataset in task.get("datasets", []):
                names["Dataset"].add(dataset.get("dataset", ""))
                names["Metric"].update(dataset.get("sota", {}).get("metrics", []))
    return {label: {n for n in found if len(n) >= 3 and any(c.isalpha() for c in n)} for label, found in names.items()}


# Words a PwC metric name is made of ("Top-1 Accuracy", "BLEU-4", "mAP@0.5", "FID-50k").
_METRIC_WORD = re.compile(
    r"(?:^|[^a-z])(?:acc|accuracy|f1|f-?score|f-?measure|bleu|rouge|meteor|cider|spice|score|error|rate|precision|"
    r"recall|auc|auroc|aupr|roc|ap|map|mrr|ndcg|hits?|em|exact|perplexity|ppl|loss|iou|miou|psnr|ssim|lpips|fid|kid|"
    r"wer|cer|ter|chrf|mae|mse|rmse|mape|r2|correlation|pearson|spearman|kappa|top-?\d|rank|distance|time|speed|fps|"
    r"latency|flops|params|parameters|reward|return|success|pass@|bpc|bpb|nll|dice|jaccard|sensitivity|specificity|"
    r"coverage|distinct|recall@|r@|p@|mean|avg|average|metric|eer|mcc|bertscore|sari|similarity)"
)
_PLAIN_WORD = re.compile(r"[A-Z]?[a-z]+")


def pwc_label(original: str, key: str, labels: set[str], model_stems: set[str]) -> str | None:
    """The lexicon label of a PwC-only name, or None to leave it out.

    Papers with Code lists some model names as metrics ("GPT-4" as an LLM-judge
    score), ordinary words as datasets ("Cannot", "Med") and benchmarks as tasks
    ("GSM8K"). So: stop words are dropped; a name PwC lists as both task and
    dataset is a Dataset when it is one token; a Metric must look like one (a
    metric word, or one token that is not a plain word) and must not share its
    stem with a name the gold labels Model or Method ("gpt" of GPT-3).
    """
    words = key.split()
    if all(word in STOP_WORDS for word in words):
        return None
    if "Task" in labels and "Dataset" in labels:
        return "Dataset" if len(original.split()) == 1 else "Task"  # "GSM8K" is one word, though tokens "GSM8 K"
    for label in ("Task", "Dataset"):
        if label in labels:
            return label
    if key.split("-")[0] in model_stems:
        return None
    if _METRIC_WORD.search(key) or (len(words) == 1 and not _PLAIN_WORD.fullmatch(original)):
        return "Metric"
    return None


def model_stems(labelled: dict[str, Counter]) -> set[str]:
    """Letter stems of hyphen-digit names the gold labels Model/Method mostly ("gpt" of "gpt-3")."""
    stems = set()
    for key, votes in labelled.items():
        stem, _, rest = key.partition("-")
        if rest[:1].isdigit() and stem.isalpha() and votes.most_common(1)[0][0] in {"Model", "Method"}:
            stems.add(stem)
    return stems


def pwc_lexicon_labels(labelled: dict[str, Counter], nlp) -> dict[str, str]:
    """PwC-only names (not labelled in the training gold) -> their label (pwc_label)."""
    seen: dict[str, tuple[str, set[str]]] = {}
    for label, names in pwc_names().items():
        for name in sorted(names):
            key = term_key(nlp.make_doc(normalise(name).text))
            if key not in labelled:
                seen.setdefault(key, (name, set()))[1].add(label)
    stems = model_stems(labelled)
    out = {}
    for key, (name, labels) in seen.items():
        label = pwc_label(name, key, labels, stems)
        if label is not None:
            out[key] = label
    return out


def fit_kind(
    docs: list[GoldDoc], nlp, sets: set[str], labels: set[str], positive: str, name_only: bool, regularisation: float
) -> SparseLogistic:
    """P(`positive` | a gold span labelled one of `labels`) over kind_features (kgbuild/extract/name_kind.py),
    from the training sets `sets`; `name_only`: only spans of <= 3 tokens with a name-shaped word."""
    rows, right = [], []
    for doc in docs:
        if dataset_of(doc) not in sets:
            continue
        text, spans = to_normalised(doc)
        tokens = nlp.make_doc(text)
        for gold in spans:
            span = tokens.char_span(gold.start, gold.end, alignment_mode="contract") if gold.label in labels else None
            if span and (not name_only or len(span) <= 3 and any(name_shape(token.text) for token in span)):
                rows.append(kind_features(span))
                right.append(gold.label == positive)
    vectoriser = DictVectorizer()
    model = LogisticRegression(C=regularisation, max_iter=3000).fit(vectoriser.fit_transform(rows), right)
    weights = {
        name: round(float(w), 3)
        for name, w in zip(vectoriser.get_feature_names_out(), model.coef_[0])
        if abs(w) >= 0.01
    }
    print(f"{positive} kind: {len(rows)} spans, {sum(right)} {positive}, {len(weights)} weights", flush=True)
    return SparseLogistic(weights, round(float(model.intercept_[0]), 3))


def fit_kinds(docs: list[GoldDoc], nlp, out: Path) -> None:
    """Model-vs-Method from GSAP's name-shaped system spans (the only set that tells them apart, and the
    only spans the resolver asks about); Dataset-vs-system from the name-shaped spans of every set that
    annotates both. C: Model kind 0.1 (8-fold grouped CV on GSAP's gold name spans: 72.5% right, 70.2% at
    C=1, majority 60%); Dataset kind 1, where its 0.2 bar was set."""
    fit_kind(docs, nlp, {"gsap_ner"}, set(SYSTEM_LABELS), "Model", True, 0.1).save(out / MODEL_KIND_FILE)
    fit_kind(
        docs, nlp, {"gsap_ner", "scier", "scierc", "scirex"}, {"Dataset", *SYSTEM_LABELS}, "Dataset", True, 1.0
    ).save(out / DATASET_KIND_FILE)


def build_lexicon(refs: list[tuple[str, Doc]], nlp) -> Lexicon:
    """Gold names + PwC names, each with its prior on the training text (module docstring, step 3)."""
    labelled: dict[str, Counter] = defaultdict(Counter)
    for _, ref in refs:
        for ent in ref.ents:
            labelled[term_key(ent)][ent.label_] += 1
    pwc = pwc_lexicon_labels(labelled, nlp)
    candidates = {key: votes.most_common(1)[0][0] for key, votes in labelled.items()} | pwc
    matcher = phrase_matcher(nlp, Lexicon({key: Term(label, None, 0) for key, label in candidates.items()}))
    occurrences: Counter = Counter()
    for dataset, ref in refs:
        for span in matcher(ref, as_spans=True):
            if span.label_ in ANNOTATES[dataset]:
                occurrences[term_key(span)] += 1
    terms = {}
    for key, label in candidates.items():
        if len(key) < 2 or key.replace(" ", "").isdigit():
            continue
        count = labelled[key][label]
        if key in pwc:
            if occurrences[key] == 0:
                terms[key] = Term(label, None, 0)
        elif count >= MIN_COUNT and occurrences[key]:
            prior = min(1.0, count / occurrences[key])
            if prior >= MIN_PRIOR:
                terms[key] = Term(label, round(prior, 3), count)
    return Lexicon(terms)


def chunks(ref: Doc):
    """Cut a (reference) doc into ~CHUNK_TOKENS pieces at sentence ends outside entities."""
    start = 0
    for token in ref:
        at_end = token.text in {".", "?", "!"} and token.ent_iob_ != "I"
        if at_end and token.i + 1 - start >= CHUNK_TOKENS or token.i == len(ref) - 1:
            if not (token.i + 1 < len(ref) and ref[token.i + 1].ent_iob_ == "I"):
                yield ref[start : token.i + 1].as_doc()
                start = token.i + 1


def training_examples(refs: list[tuple[str, Doc]], lexicon: Lexicon, nlp) -> list[Example]:
    """Examples whose unannotated-label lexicon matches are missing (module docstring, step 4)."""
    matcher = phrase_matcher(nlp, lexicon)
    examples = []
    for dataset, ref in refs:
        missing = [
            span
            for span in matcher(ref, as_spans=True)
            if span.label_ not in ANNOTATES[dataset] and not any(ref[i].ent_type_ for i in range(span.start, span.end))
        ]
        ref.set_ents(list(ref.ents), missing=filter_spans(missing), default="unmodified")
        for piece in chunks(ref):
            examples += [Example(nlp.make_doc(piece.text), piece)] * REPEATS.get(dataset, 1)
    return examples


def train_ner(
    nlp, examples: list[Example], epochs: int, minutes: float, seed: int, pretrained: bytes | None = None
) -> bytes:
    """Adam with parameter averaging, dropout 0.2, batches of 16 chunks; `epochs` passes,
    cut short at `minutes` so a loaded machine cannot stretch training without bound.
    `pretrained`: tok2vec weights from the `pretrain` command to start from."""
    random.seed(seed)
    fix_random_seed(seed)  # the initial weights too, so the same data and seed give the same model
    optimizer = nlp.initialize(lambda: examples[:2000])
    if pretrained is not None:
        nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0].from_bytes(pretrained)
    deadline = time.time() + minutes * 60
    epoch = 0
    while epoch < epochs and time.time() < deadline:
        random.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=16):
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
            if time.time() > deadline:
                break
        epoch += 1
        print(f"epoch {epoch}: ner loss {losses.get('ner', 0):.0f} ({time.strftime('%H:%M:%S')})", flush=True)
    with nlp.use_params(optimizer.averages):
        return nlp.get_pipe("ner").to_bytes(exclude=["vocab"])  # the vectors ship in their own file


# Unlabeled text for the word vectors: whole training papers of sets no bar is measured on by
# cross-validation (GSAP and TDMSci are), so every CV fold and the shipped model share one table.
VECTOR_TEXT = ["scirex_train", "scier_train", "scierc_train"]
PRETRAIN_CHARACTERS = 4  # the first and last 4 characters of each masked word (spaCy's default)


def vector_texts():
    """The normalised text of every VECTOR_TEXT paper (unlabelled text for `vectors` and `pretrain`)."""
    return (normalise(doc.text).text for name in VECTOR_TEXT for doc in read_gold(EVAL / f"{name}.jsonl"))


def ppmi_svd(
    token_lists: list[list[str]], dim: int, window: int = 2, min_count: int = 5, max_words: int = 40000
) -> tuple[list[str], numpy.ndarray]:
    """Word vectors from positive PMI over a +-`window` context (weight 1/distance), context
    counts smoothed by ^0.75, truncated SVD with singular values weighted by ^0.5, rows
    unit-normalised (Levy, Goldberg & Dagan 2015; kgbuild/extract/word_vectors.py)."""
    counts = Counter(word for words in token_lists for word in words)
    words = [word for word, count in counts.most_common(max_words) if count >= min_count]
    index = {word: i for i, word in enumerate(words)}
    rows, cols, weights = [], [], []
    for tokens in token_lists:
        ids = numpy.array([index.get(word, -1) for word in tokens], dtype=numpy.int64)
        for distance in range(1, window + 1):
            left, right = ids[:-distance], ids[distance:]
            both = (left >= 0) & (right >= 0)
            rows += [left[both], right[both]]
            cols += [right[both], left[both]]
            weights.append(numpy.full(2 * int(both.sum()), 1.0 / distance))
    size = len(words)
    pairs = (
        sparse.coo_matrix(
            (numpy.concatenate(weights), (numpy.concatenate(rows), numpy.concatenate(cols))), shape=(size, size)
        )
        .tocsr()
        .tocoo()
    )
    total = pairs.data.sum()
    word_p = numpy.asarray(pairs.sum(axis=1)).ravel() / total
    context_p = numpy.asarray(pairs.sum(axis=0)).ravel() ** 0.75
    context_p /= context_p.sum()
    pmi = numpy.log(pairs.data / total) - numpy.log(word_p[pairs.row]) - numpy.log(context_p[pairs.col])
    positive = pmi > 0
    ppmi = sparse.csr_matrix((pmi[positive], (pairs.row[positive], pairs.col[positive])), shape=(size, size))
    left_vectors, singular, _ = svds(ppmi, k=dim, random_state=0)
    order = numpy.argsort(-singular)
    table = left_vectors[:, order] * numpy.sqrt(singular[order])
    table /= numpy.linalg.norm(table, axis=1, keepdims=True) + 1e-8
    return words, table


def build_vectors(args) -> None:
    started = time.time()
    tokenizer = ner_pipeline().tokenizer
    token_lists = [
        [token.lower_ for token in doc if not token.is_space] for doc in tokenizer.pipe(vector_texts(), batch_size=50)
    ]
    words, table = ppmi_svd(token_lists, args.dim)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_vectors(out / VECTORS_FILE, words, table)
    print(
        f"{sum(map(len, token_lists))} tokens -> {len(words)} x {args.dim} vectors in {out / VECTORS_FILE} "
        f"({time.time() - started:.0f} s)",
        flush=True,
    )


def unlabelled_chunks(tokenizer) -> list[Doc]:
    """The VECTOR_TEXT papers, tokenised and cut into ~CHUNK_TOKENS pieces at sentence ends."""
    return [piece for doc in tokenizer.pipe(vector_texts(), batch_size=50) for piece in chunks(doc)]


def pretrain(args) -> None:
    """Pretrain the NER's tok2vec on unlabelled text (spaCy's cloze-characters objective: guess the first
    and last characters of masked words from their context), so `fit --pretrained` starts from it."""
    started = time.time()
    fix_random_seed(args.seed)
    nlp = ner_pipeline(load_vectors(Path(args.vectors)))
    docs = unlabelled_chunks(nlp.tokenizer)
    tok2vec = nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0]
    model = build_cloze_characters_multi_task_model(
        nlp.vocab, tok2vec, maxout_pieces=2, hidden_size=300, nr_char=PRETRAIN_CHARACTERS
    )
    model.initialize(X=docs[:64])
    optimizer = Adam(0.001)
    print(f"{len(docs)} chunks, {sum(map(len, docs))} tokens", flush=True)
    for epoch in range(args.epochs):
        random.shuffle(docs)
        loss = 0.0
        for batch in minibatch(docs, size=32):
            predicted, backprop = model.begin_update(batch)
            batch_loss, gradient = get_characters_loss(model.ops, batch, predicted, PRETRAIN_CHARACTERS)
            backprop(gradient)
            model.finish_update(optimizer)
            loss += batch_loss
        print(f"epoch {epoch + 1}: loss {loss:.0f} ({time.strftime('%H:%M:%S')})", flush=True)
    Path(args.out).write_bytes(tok2vec.to_bytes())
    print(f"wrote {args.out} in {(time.time() - started) / 60:.1f} min", flush=True)


def fit(args) -> None:
    started = time.time()
    train, held = load_training(args.holdout, args.scirex_tokens)
    nlp = ner_pipeline(load_vectors(Path(args.vectors)))
    refs = reference_docs(train, nlp)
    lexicon = build_lexicon(refs, nlp)
    examples = training_examples(refs, lexicon, nlp)
    tokens = sum(len(e.reference) for e in examples)
    print(
        f"{len(train)} training docs, {len(examples)} chunks, {tokens} tokens, {len(lexicon.terms)} lexicon terms",
        flush=True,
    )
    pretrained = Path(args.pretrained).read_bytes() if args.pretrained else None
    ner_bytes = train_ner(nlp, examples, args.epochs, args.minutes, args.seed, pretrained)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / NER_FILE).write_bytes(ner_bytes)
    if Path(args.vectors).resolve() != (out / VECTORS_FILE).resolve():
        shutil.copyfile(args.vectors, out / VECTORS_FILE)
    lexicon.save(out / LEXICON_FILE)
    fit_kinds(train, nlp, out)
    if held:
        write_gold(held, out)
    print(f"wrote {out} in {(time.time() - started) / 60:.1f} min", flush=True)


def name_kinds(args) -> None:
    """Only the name-kind weights of a `fit` (same training docs, --holdout and vectors)."""
    train, _ = load_training(args.holdout, args.scirex_tokens)
    fit_kinds(train, ner_pipeline(load_vectors(Path(args.out) / VECTORS_FILE)), Path(args.out))


def write_gold(docs: list[GoldDoc], out: Path) -> None:
    """Held-out gold for `calibrate`, one file per dataset (outside the repo)."""
    by_set: dict[str, list[GoldDoc]] = defaultdict(list)
    for doc in docs:
        by_set[dataset_of(doc)].append(doc)
    for name, group in by_set.items():
        with open(out / f"heldout_{name}.jsonl", "w", encoding="utf-8") as lines:
            for doc in group:
                entities = [{"start": s.start, "end": s.end, "label": s.label} for s in doc.spans]
                lines.write(
                    json.dumps({"id": doc.id, "source": doc.source, "text": doc.text, "entities": entities}) + "\n"
                )


def out_of_fold_candidates(directory: Path) -> tuple[list[dict], list[bool]]:
    """(features, right?) of the mentions a CV model, uncalibrated, finds in its held-out gold."""
    nlp = build_pipeline(directory, calibrator=SparseLogistic.neutral(), fast=True)  # the CNN's CV folds
    rows, right = [], []
    for gold_path in sorted(directory.glob("heldout_*.jsonl")):
        docs = read_gold(gold_path)
        labels = annotated_labels(docs)
        mapping = label_map(labels)
        for doc in docs:
            gold = {(s.start, s.end, s.label) for s in doc.spans if s.label in labels}
            norm = normalise(doc.text)
            for span in nlp(norm.text).ents:
                if span.label_ in mapping:
                    start, end = norm.original_span(span.start_char, span.end_char)
                    rows.append(span._.kgbuild_features)
                    right.append((start, end, mapping[span.label_]) in gold)
    return rows, right


def fit_calibrator(rows: list[dict], right: list[bool]) -> SparseLogistic:
    """Logistic regression of "exactly right" on out-of-fold candidate features."""
    vectoriser = DictVectorizer()
    model = LogisticRegression(C=1.0, max_iter=2000).fit(vectoriser.fit_transform(rows), right)
    weights = {name: round(float(w), 4) for name, w in zip(vectoriser.get_feature_names_out(), model.coef_[0])}
    print(f"calibration: {len(rows)} out-of-fold mentions, {sum(right)} right", flush=True)
    return SparseLogistic(weights, round(float(model.intercept_[0]), 4))


def evaluate_fold(directory: Path, others: list[tuple[list[dict], list[bool]]]) -> list[tuple[str, dict]]:
    """Fit a calibrator on the other folds' candidates, then score this fold's held-out gold with it."""
    fit_calibrator([row for fold in others for row in fold[0]], [r for fold in others for r in fold[1]]).save(
        directory / CALIBRATION_FILE
    )
    results = []
    for gold_path in sorted(directory.glob("heldout_*.jsonl")):
        result = evaluate_ner(gold_path, data_dir=directory, fast=True)
        (directory / f"{gold_path.stem}.result.json").write_text(json.dumps(result, indent=1))
        results.append((gold_path.stem, result))
    return results


def calibrate(cv_dirs: list[Path], out: Path, workers: int) -> None:
    """Fit the shipped calibrator on all folds; report each fold with one fitted on the other folds."""
    with ProcessPoolExecutor(workers) as pool:
        folds = dict(zip(cv_dirs, pool.map(out_of_fold_candidates, cv_dirs)))
        others = [[folds[d] for d in cv_dirs if d != directory] for directory in cv_dirs]
        evaluated = list(pool.map(evaluate_fold, cv_dirs, others))
    pooled: dict[str, Counter] = defaultdict(Counter)  # gold set -> right, predicted, gold over all folds
    for results in evaluated:
        for name, result in results:
            print(format_ner_report(result), flush=True)
            micro = result["exact"]["micro"]
            pooled[name] += Counter(
                right=round(micro["p"] * micro["pred"]), predicted=micro["pred"], gold=micro["gold"]
            )
    for name, counts in sorted(pooled.items()):
        f1 = 2 * counts["right"] / (counts["predicted"] + counts["gold"])
        print(f"{name}: exact micro-F1 {f1:.3f} pooled over {len(cv_dirs)} held-out folds", flush=True)
    rows = [row for fold in folds.values() for row in fold[0]]
    right = [r for fold in folds.values() for r in fold[1]]
    out.mkdir(parents=True, exist_ok=True)
    fit_calibrator(rows, right).save(out / CALIBRATION_FILE)


def curate_lexicon(directory: Path) -> None:
    """Re-apply pwc_label to the PwC-only names of an existing lexicon (no retraining):
    a shipped lexicon built before pwc_label existed gets the same PwC labels a new
    `fit` would give it. Gold-derived names are left as they are."""
    path = directory / LEXICON_FILE
    lexicon = Lexicon.load(path)
    nlp = ner_pipeline()
    gold = {key: Counter({term.label: term.count}) for key, term in lexicon.terms.items() if term.prior is not None}
    labels = pwc_lexicon_labels(gold, nlp)
    terms, changed = {}, Counter()
    for key, term in lexicon.terms.items():
        if term.prior is not None:
            terms[key] = term
        elif key in labels:
            terms[key] = Term(labels[key], None, 0)
            changed[(term.label, labels[key])] += term.label != labels[key]
        else:
            changed[(term.label, None)] += 1
    Lexicon(terms).save(path)
    print(f"{path}: {len(lexicon.terms)} -> {len(terms)} terms; relabelled/dropped {dict(changed)}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    fit_parser = commands.add_parser("fit")
    fit_parser.add_argument("--out", required=True)
    fit_parser.add_argument("--holdout", type=int, choices=range(CV_FOLDS))
    fit_parser.add_argument("--epochs", type=int, default=6)
    fit_parser.add_argument("--minutes", type=float, default=25.0)
    fit_parser.add_argument("--scirex-tokens", type=int, default=1500)
    fit_parser.add_argument("--seed", type=int, default=0)
    fit_parser.add_argument(
        "--vectors",
        default=str(default_data_dir() / VECTORS_FILE),
        help="word vectors (the `vectors` command's output)",
    )
    fit_parser.add_argument("--pretrained", help="tok2vec weights (the `pretrain` command's output)")
    pretrain_parser = commands.add_parser("pretrain")
    pretrain_parser.add_argument("--out", required=True, help="file for the tok2vec weights")
    pretrain_parser.add_argument("--epochs", type=int, default=4)
    pretrain_parser.add_argument("--seed", type=int, default=0)
    pretrain_parser.add_argument("--vectors", default=str(default_data_dir() / VECTORS_FILE))
    vectors_parser = commands.add_parser("vectors")
    vectors_parser.add_argument("--out", required=True)
    vectors_parser.add_argument("--dim", type=int, default=64)
    calibrate_parser = commands.add_parser("calibrate")
    calibrate_parser.add_argument("--cv", nargs="+", required=True)
    calibrate_parser.add_argument("--out", required=True)
    calibrate_parser.add_argument("--workers", type=int, default=1, help="folds evaluated at once (processes)")
    kind_parser = commands.add_parser("name-kinds")
    kind_parser.add_argument("--out", required=True)
    kind_parser.add_argument("--holdout", type=int, choices=range(CV_FOLDS))
    kind_parser.add_argument("--scirex-tokens", type=int, default=1500)
    curate_parser = commands.add_parser("curate-lexicon")
    curate_parser.add_argument("--data", required=True)
    args = parser.parse_args(argv)
    if args.command == "calibrate" and len(args.cv) < 2:
        parser.error("calibrate needs at least two --cv folds (each is scored with a calibrator fitted on the others)")
    if (
        args.command in ("fit", "name-kinds")
        and args.holdout is not None
        and Path(args.out).resolve() == default_data_dir().resolve()
    ):
        parser.error("a --holdout run writes held-out gold next to its artifacts: use a directory outside the repo")
    if args.command == "curate-lexicon":
        curate_lexicon(Path(args.data))
    elif args.command == "fit":
        fit(args)
    elif args.command == "name-kinds":
        name_kinds(args)
    elif args.command == "pretrain":
        pretrain(args)
    elif args.command == "vectors":
        build_vectors(args)
    else:
        calibrate([Path(p) for p in args.cv], Path(args.out), args.workers)


if __name__ == "__main__":
    sys.exit(main())
