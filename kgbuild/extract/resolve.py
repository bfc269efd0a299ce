"""Resolver component: the one place where candidates from all components become mentions.

Inputs: the NER's `doc.ents`, and the candidates of the lexicon, pattern and
abbreviation components in `doc.spans`. Output: non-overlapping `doc.ents`,
each with `span._.kgbuild_score` and `span._.kgbuild_source`.

Rules, in order:
0. Statistical reporting notation ("95% CI", "mean (SD)", "median (IQR)") is
   never an entity: clinical abstracts are full of it and the NER, which never
   saw it in training, calls "CI" a Dataset, which then turns up as a result.
   Nor is a quality a Metric ("robustness", "generation quality", "reasoning
   ability"): the issue's Metric is an evaluation measure (accuracy, BLEU),
   and TDMSci, whose Metric labels are held out, never marks these (0 of 78
   occurrences of robustness, efficiency, quality); SciREX marks many, which
   is where the NER and lexicon learnt them; nor a training setting
   ("learning rate", "batch size"). Nor a modifier alone ("zero-shot",
   "vision-language", "Top-5", "multi-device" in "multi-device setting"), nor a
   training process before its data ("pre-training" of "pre-training data"). Nor is a bare size ("70B",
   "4TB"): it says how big, not which. Nor are the common capitalised words
   the named-system component ignores ("AI", "GPUs", "HuggingFace"), unless
   as a Dataset ("PubMed").
1. Every mention that survives the rules below is scored by the calibrator from
   the set of components that proposed exactly its span and label (agreement is
   evidence). Scores inform; they do not filter: a threshold chosen out of fold (0.26) gained
   +0.007 F1 there and cost 0.065 (SciER dev) / 0.012 (SciERC dev).
2. Overlaps: the NER wins, then named systems, then context patterns, then
   the lexicon (longest first) - the trained model saw context, the lexicon
   did not. Except: a named-system candidate (named.py) carries an explicit
   cue ("the X dataset", "X-7B", "fine-tune X"), and an NER span with the same
   words but another label, or overlapping it with a label of another kind
   (Model/Method are one kind), is dropped - the cue contradicts the NER's
   guess on a name it never saw (AlpaCare -> Method, "LLaMA-series models" -> Dataset).
   So does a measure's written shape ("pass@32" is no Dataset).
3. Abbreviations (Schwartz & Hearst pairs): a long form is one name, so the
   mentions inside it become one mention over it ("parameter-efficient
   fine-tuning (PEFT)" was "fine-tuning"; when gold annotates a long form at
   all, it is the whole of it 1,447 times and only inner parts 59 times in
   GSAP, SciER and SciREX train); a label on either half of
   "long form (SF)" is given to the other half if nothing else claimed it; and
   a short form whose long form is labelled otherwise is no lexicon match of a
   Papers-with-Code namesake ("ContrAstive Pruning (CAP)" is no dataset).
4. What kind of name (name_kind.py), for short spans with a system name in
   them and no named-system or pattern cue: a Dataset the context says is not
   one becomes a system, and a system name is a Model at P(Model) >= 0.65 and
   a Method below 0.5 (between, the NER's label stands). The NER learnt
   "Method" for most unseen names from the sets that do not tell the two
   apart. On the example corpus the demotion changed 32 mentions, about 19
   right (GNN, MLP, NadamW) and 5 wrong (Llama2); promoting from 0.5 instead
   would have changed 123, more wrong (KD, MoE, RAG, ROUGE-L) than right
   (PaLM, MEDITRON), though it gained 0.005 held-out GSAP F1. A Model with
   no name in it ("generative models", "Graph Neural Networks") is a class
   of models, so a Method (the issue's
   definition: a Model is a named, trained system; held-out GSAP exact F1
   -0.008 / +0.006). A Task or Dataset whose head is a system noun
   ("vision-language models", "code LLMs", "Financial Knowledge Large
   Language Model") or system acronym ("MLLM", "Med-LVLMs") is a Method:
   GSAP, SciER and SciERC label such spans Method 1,822 times, Task 19
   times and Dataset twice. A name that says
   Bench ("MT-Bench", "PutnamBench", "Big-Bench") is a Dataset: the gold
   predates such names (one, UKBench, a Dataset), and the NER called 14 of
   the corpus's 35 such mentions Task or Method. A name the lexicon lists as a
   dataset (Papers with Code, or the gold's label half the time or more) is a
   Dataset when only the NER called it a system ("PubMedQA", "CaseHOLD";
   held-out GSAP folds 0, 1, 3, 5: +0.002, +0.001, +0.006, +0.004), unless the
   paper defines it as a short form (CAP). A one-word system name with a
   parameter count ("Llama-2-7b-chat", "LLaMA-3-8B-Base") is a Model: the NER
   called such checkpoints Method. Before rule 5, so repetitions inherit the label.
5. One sense per discourse (Gale, Church & Yarowsky 1992): other occurrences
   of a mention's exact words in the same text get its label if unclaimed -
   the NER often labels a name once and misses its repetitions.
6. A name is never cut at a hyphen: a mention that stops at "-" inside an
   unspaced compound whose next part is capitalised or a number takes the
   whole compound ("Med-[Gemini]", "[Multi]-CPR"), absorbing mentions inside
   it ("[InfiMed]-[Foundation-4B]"), unless it would cut into another mention.
   Lower-case parts stay out ("LLaMA-based") unless written like a name ("Qwen2.5-xCoder") or a system's
   variant ("GPT-3.5-turbo", "BERT-base").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from kgbuild.extract import abbreviations, lexicon, named, patterns
from kgbuild.extract.calibration import features
from kgbuild.extract.component_data import ComponentData, DataFiles, Loaded
from kgbuild.extract.doc_views import hyphen_joined, token_texts
from kgbuild.extract.lexicon import LEXICON_DATA, Lexicon, term_key
from kgbuild.extract.logistic import SparseLogistic
from kgbuild.extract.name_kind import kind_features
from kgbuild.schema import Label
from kgbuild.vocab import (
    ARCHITECTURE_NOUNS,
    DATASET_NOUNS,
    METHOD_NOUNS,
    MODEL_NOUNS,
    NETWORK_NOUNS,
    PARAMETER_COUNT,
    SIZE,
    SIZE_WORDS,
    SYSTEM_LABELS,
    TECHNIQUE_NOUNS,
    with_plurals,
)

Span.set_extension("kgbuild_score", default=None, force=True)
Span.set_extension("kgbuild_source", default=None, force=True)
Span.set_extension("kgbuild_features", default=None, force=True)

# Rule 4 bars (name_kind.py): a system name is a Model at P(Model) >= 0.65, a Method below 0.5; a
# Dataset is a system at P(Dataset) < 0.2 (wrong 1.4% of the time on a held-out GSAP fold).
_A_MODEL = 0.65
_NOT_A_MODEL = 0.5
_NOT_A_DATASET = 0.2
_DETERMINERS = frozenset({"a", "an", "the", "our", "this", "these", "those", "its", "their"})
_STATISTICAL_NOTATION = frozenset({"CI", "CIs", "SD", "SDs", "SEM", "IQR"})
# Fields of research: a field can be what a paper works on (Task), never a dataset, system or measure
# ("standard NLP benchmarks" made "NLP" a Dataset 3 times in 20 judged corpus Datasets).
_FIELDS = frozenset({"NLP", "CV", "ML", "NLU", "NLG", "IR"})
_SIZE = re.compile(SIZE)
_DANGLING = frozenset(
    {"of", "for", "and", "or", "with", "across", "in", "on", "to", "by", "from", "into", "via", "the", "a", "an"}
)
_POSSESSIVE = frozenset({"'s", "\u2019s", "'", "\u2019"})
_FAMILY = frozenset({"series", "family", "level"})  # "LLaMA-series models", "GPT-3.5-level performance"
# "CLIP-based", "rule-based": a hyphenated adjective, not a name
_ADJECTIVE_SUFFIXES = frozenset({"based", "like", "style", "type", "powered", "driven", "inspired"})
# A checkpoint's variant is part of its name ("GPT-3.5-turbo", "BERT-base", "Llama-2-7b-chat"): GSAP, the one
# set that names checkpoints, includes "-base", "-large" and "-small" in all 74 of its spans that meet one.
_VARIANT_SUFFIXES = SIZE_WORDS | {"turbo", "instruct", "chat", "hf"}
_PARAMETER_COUNT = re.compile(rf"(?:^|-)(?:\d+x)?{PARAMETER_COUNT}(?:-|$)")  # "-7b-", "8x7B", not "-5k"
_BENCH_NAME = re.compile(r"bench(?![a-z])", re.IGNORECASE)  # "MT-Bench", "GEO-bench", not "benchmark"
_PTB_BRACKET = re.compile(r"-[LR][RSC]B-")  # "-LRB-", "-RRB-": brackets in Penn Treebank tokens (SciERC)
_RANK_CUTOFF = re.compile(r"[Tt]op-?\d+")  # "top-1", "Top-5"
_URL = re.compile(r"://|^www\.|github\.com")
_SYSTEM_HEADS = MODEL_NOUNS | ARCHITECTURE_NOUNS | {"framework"}
_QUALITIES = frozenset(
    {
        "robustness",
        "efficiency",
        "quality",
        "ability",
        "abilities",
        "capability",
        "capabilities",
        "generalization",
        "generalisation",
        "generalizability",
        "performance",
        "effectiveness",
        "scalability",
        "interpretability",
        "explainability",
        "power",
        "reliability",
    }
)
# Training settings, not evaluation measures: SciREX labels "learning rate" Metric 465 times (whence the NER's
# Metric), TDMSci and SciERC, which annotate metrics too, never do. Model size is a setting too ("increasing
# the model size", "correlation between brain alignment and model size"; SciREX: Metric 40 times in 62).
_HYPERPARAMETERS = frozenset(
    {
        "learning rate",
        "learning rates",
        "batch size",
        "batch sizes",
        "training objective",
        "training objectives",
        "weight decay",
        "dropout rate",
        "warmup steps",
        "model size",
        "model sizes",
    }
)
# Modifiers that name nothing alone ("in zero-shot and few-shot settings", "vision-language", "pre-trained"):
# GSAP labels "zero-shot" 7 times in 138 occurrences, "end-to-end" 4 in 25, "pre-trained" 15 in 284,
# "self-supervised" never in 37; the other sets never label any.
_MODIFIERS_ALONE = frozenset(
    {
        "zero-shot",
        "few-shot",
        "one-shot",
        "vision-language",
        "multi-task",
        "cross-lingual",
        "multilingual",
        "multimodal",
        "multi-modal",
        "end-to-end",
        "real-world",
        "large-scale",
        "fine-grained",
        "open-domain",
        "open-source",
        "task-specific",
        "task-agnostic",
        "domain-specific",
        "state-of-the-art",
        "pre-trained",
        "pretrained",
        "fine-tuned",
        "human-annotated",
        "self-supervised",
        "multi-turn",
        "multi-source",
    }
)
# Nouns of data: a training process right before one says which data ("pre-training data"); see _names_data.
# Not a benchmark or suite, which is for a process ("TuneVLSeg: Prompt Tuning Benchmark for ...").
_DATA_NOUNS = (DATASET_NOUNS - with_plurals("benchmark", "suite")) | {"data", "set", "sets", "examples", "samples"}
# A lower-case hyphenated compound before a noun modifies it ("multi-device setting", "knowledge-aware
# prompts"; "fine-tune models" is a verb and its object): GSAP, SciERC and TDMSci train label such a compound
# alone 36 times in 3,140. Not so before a technique's generic head ("encoder-decoder model", "self-attention
# mechanism") or for a noun of process ("self-distillation training"): 131 in 924 (but a process before a data
# noun, "pre-training data", names data: _names_data).
_HYPHENATED_WORD = re.compile(r"[a-z]+(?:-[a-z]+)+")
_PROCESS_NOUN_ENDINGS = ("ing", "tion", "sion", "ment")
# Not a transformer's parts: "decoder-only" in "decoder-only transformer models" is no name of its own.
_TECHNIQUE_HEADS = MODEL_NOUNS | METHOD_NOUNS | NETWORK_NOUNS | TECHNIQUE_NOUNS
# "MLLM", "Med-LVLMs", "KEPLM": a system acronym ending a span names a kind of model
_SYSTEM_ACRONYM = re.compile(r"(?:LLM|VLM|PLM)s?$")
# A long form with these is no one name: a clause, a list, or a quotation ('"masked language modeling" (MLM)').
_LONG_FORM_BREAKS = frozenset({"(", ")", ",", ";", ":", '"', "\u201c", "\u201d"})
_HEAD_SPLITS = frozenset({"for", "from", "with", "using", "via", "of", "on", "in", "by", "to", "and", "or"})
_PRIORITY = {"ner": 0, "named": 1, "abbreviation": 2, "pattern": 3, "lexicon": 4, "repeat": 5}


@dataclass
class Candidate:
    start: int
    end: int
    label: str
    sources: set[str]

    @property
    def source(self) -> str:
        """The deciding component (highest priority among those that agree)."""
        return min(self.sources, key=_PRIORITY.__getitem__)


_KIND: dict[str, str] = dict.fromkeys(SYSTEM_LABELS, "system")


def _contradicts(cued: Span, ent: Span) -> bool:
    """A cued name overrules an NER span: the same span with another label, or an overlapping
    one of another kind (a Model name inside a "Dataset"; not "CNN" inside Method "sparse CNN")."""
    if cued.label_ == ent.label_ or not (cued.start < ent.end and ent.start < cued.end):
        return False
    if (cued.start, cued.end) == (ent.start, ent.end):
        return True
    return _KIND.get(cued.label_, cued.label_) != _KIND.get(ent.label_, ent.label_)


def _overlaps(taken: list[bool], start: int, end: int) -> bool:
    return any(taken[start:end])


class Resolver(ComponentData):
    """Its data: the lexicon, the mention-score calibrator and the two name-kind models (rule 4)."""

    lexicon: Loaded[Lexicon] = Loaded()
    calibrator: Loaded[SparseLogistic] = Loaded()
    model_kind: Loaded[SparseLogistic] = Loaded()
    dataset_kind: Loaded[SparseLogistic] = Loaded()

    def __init__(self, name: str) -> None:
        self.name = name

    def configure(
        self, terms: Lexicon, calibrator: SparseLogistic, model_kind: SparseLogistic, dataset_kind: SparseLogistic
    ) -> None:
        self.lexicon = terms
        self.calibrator = calibrator
        self.model_kind = model_kind
        self.dataset_kind = dataset_kind

    def data_files(self) -> DataFiles:
        def model_file(model: str) -> tuple[Callable[[], bytes], Callable[[bytes], None]]:
            return (
                lambda: getattr(self, model).to_bytes(),
                lambda data: setattr(self, model, SparseLogistic.from_bytes(data)),
            )

        return {
            LEXICON_DATA: (
                lambda: self.lexicon.to_bytes(),
                lambda data: setattr(self, "lexicon", Lexicon.from_bytes(data)),
            ),
            **{f"{model}.json": model_file(model) for model in ("calibrator", "model_kind", "dataset_kind")},
        }

    def _written_like_known_name(self, span: Span) -> bool:
        """Is a lexicon match written like a name here?

        Not when it starts with an article: GSAP spans such as "a hybrid objective function"
        entered the lexicon with theirs. A lower-case match is a name only when the training
        text says so: never for a name only Papers with Code knows ("cannot", "armed",
        "protein" matched PwC names), and for one word only if the gold labels it in at least
        half of its occurrences ("accuracy", but not "era", from the model ERA). Held-out
        F1 of the two: +0.001 to +0.003 on 4 of 6 sets, SciERC dev -0.005. Nor is a lower-case
        match ever a Dataset (the issue's Dataset is a named one; SciERC's generic materials put
        "protein" and "satellite images" in the lexicon): held-out GSAP and TDMSci +0.001 to
        +0.004, SciERC dev -0.002; on the example corpus 15 wrong Dataset mentions fewer, and one right
        ("general language understanding evaluation", GLUE spelt out)."""
        if span[0].lower_ in _DETERMINERS and span[0].whitespace_:
            return False
        term = self.lexicon.get(term_key(span))
        if term is None or not span.text.islower():
            return True
        return span.label_ != Label.DATASET and term.prior is not None and (len(span) > 1 or term.prior >= 0.5)

    def _defined_otherwise(
        self, span: Span, defined: dict[str, list[Span]], ending_at: dict[int, list[tuple[int, str]]]
    ) -> bool:
        """A short form the text defines ("Knowledge Infused Decoding (KID)") is what its long form says
        (rule 3), not the Papers-with-Code name it shares letters with (KID, a metric; CAP, a dataset), when
        the NER or a cue gave the long form another label. Names the training gold labels keep their lexicon
        label ("Fréchet Inception Distance (FID)"), and so does a short form whose long form nothing labels
        ("The New York Times (NYT) dataset"). `ending_at`: (start, label) of the proposals so far, by end."""
        longs = defined.get(span.text)
        if not longs:
            return False
        term = self.lexicon.get(term_key(span))
        if term is None or term.prior is not None:
            return False
        return any(
            long.start - 1 <= start and label != span.label_
            for long in longs
            for start, label in ending_at.get(long.end, ())
        )

    def _features(self, span: Span, candidate: Candidate) -> dict[str, float]:
        return features(span, candidate.label, candidate.sources, self.lexicon.get(term_key(span)))

    def __call__(self, doc: Doc) -> Doc:
        calibrator = self.calibrator  # before any work: a resolver without its data fails on every text
        proposals: dict[tuple[int, int, str], Candidate] = {}
        # by end, for _defined_otherwise: a scan of all proposals per use of a short form was quadratic
        ending_at: dict[int, list[tuple[int, str]]] = {}

        def propose(span: Span, label: str, source: str) -> None:
            trimmed = _without_dangling_words(span)
            if trimmed is None or _never(trimmed, label):
                return
            span = trimmed
            if label == Label.METRIC:
                span = _with_rank_cutoff(span)
            key = (span.start, span.end, label)
            if key not in proposals:
                proposals[key] = Candidate(span.start, span.end, label, set())
                ending_at.setdefault(span.end, []).append((span.start, label))
            proposals[key].sources.add(source)

        cued = list(doc.spans.get(named.CANDIDATES, []))
        # A measure's written shape ("pass@32", "success rate") is a cue too: the NER called "pass@32" a Dataset.
        measures = [span for span in doc.spans.get(patterns.CANDIDATES, []) if span.label_ == Label.METRIC]
        # A cue contradicts only a span it overlaps, so each NER span meets the cues on its own tokens, not all
        # of them (a cost growing with the square of the text: 5 million checks in a 100k-character abstract).
        cues_at: dict[int, list[Span]] = {}
        for cue in (*cued, *measures):
            for i in range(cue.start, cue.end):
                cues_at.setdefault(i, []).append(cue)
        for ent in doc.ents:
            span = _without_dangling_words(ent)
            if span is not None and not any(
                _contradicts(cue, span) for i in range(span.start, span.end) for cue in cues_at.get(i, ())
            ):
                propose(span, ent.label_, "ner")
        for span in cued:
            propose(span, span.label_, "named")
        for span in doc.spans.get(patterns.CANDIDATES, []):
            propose(span, span.label_, "pattern")
        pairs = abbreviations.pairs(doc)
        defined: dict[str, list[Span]] = {}
        for long, short in pairs:
            defined.setdefault(short.text, []).append(long)
        for span in doc.spans.get(lexicon.CANDIDATES, []):
            if self._written_like_known_name(span) and not self._defined_otherwise(span, defined, ending_at):
                propose(span, span.label_, "lexicon")

        ranked = sorted(proposals.values(), key=lambda c: (_PRIORITY[c.source], -(c.end - c.start), c.start))
        taken = [False] * len(doc)
        accepted: list[Candidate] = []

        def accept(candidate: Candidate) -> None:
            if not _overlaps(taken, candidate.start, candidate.end) and not _never(
                doc[candidate.start : candidate.end], candidate.label
            ):
                taken[candidate.start : candidate.end] = [True] * (candidate.end - candidate.start)
                accepted.append(candidate)

        for candidate in ranked:
            accept(candidate)
        accepted = self._whole_long_forms(doc, pairs, accepted, proposals)
        for candidate in accepted:
            taken[candidate.start : candidate.end] = [True] * (candidate.end - candidate.start)
        for candidate in self._abbreviation_candidates(pairs, list(accepted), proposals):
            accept(candidate)
        accepted = [self._kind(doc, candidate, proposals, defined) for candidate in accepted]
        for candidate in self._repeat_candidates(doc, list(accepted), proposals):
            accept(candidate)

        accepted = self._whole_compounds(doc, accepted, proposals)
        ents = []
        # Only the survivors are scored: the score ranks nothing above, it describes the mention.
        for candidate in sorted(accepted, key=lambda c: c.start):
            span = Span(doc, candidate.start, candidate.end, candidate.label)
            found = self._features(span, candidate)
            span._.kgbuild_score = round(calibrator.probability(found), 4)
            span._.kgbuild_source = candidate.source
            span._.kgbuild_features = found
            ents.append(span)
        doc.set_ents(ents, default="outside")
        return doc

    def _known_dataset(self, span: Span) -> bool:
        """The lexicon (training gold or Papers with Code) knows the name as a dataset, or the name says
        it is one ("MT-Bench", "NLEBench"): the context classifier does not overrule that."""
        term = self.lexicon.get(term_key(span))
        return (term is not None and term.label == Label.DATASET) or "bench" in span.text.lower()

    def _listed_dataset(self, span: Span) -> bool:
        """The lexicon knows the name as a dataset: from Papers with Code only, or labelled so in at least half
        of its training occurrences."""
        term = self.lexicon.get(term_key(span))
        return term is not None and term.label == Label.DATASET and (term.prior is None or term.prior >= 0.5)

    def _kind(
        self,
        doc: Doc,
        candidate: Candidate,
        proposals: dict[tuple[int, int, str], Candidate],
        defined: dict[str, list[Span]],
    ) -> Candidate:
        """Rule 4 (name_kind.py), unless a cue (named-system or context pattern) said what the name is."""
        span = doc[candidate.start : candidate.end]
        # a named-system candidate is a name even when not written like one ("a foundation model named Panacea"),
        # and so is an unspaced compound starting like a name: "XLM" of "XLM-R" is shaped like the class "LLM"
        has_name = (
            any(named.system_name(token.text) for token in span)
            or "named" in candidate.sources
            or (len(span) > 1 and " " not in span.text and named.name_shape(span[0].text))
        )
        label = candidate.label
        if not span.text.islower() and _BENCH_NAME.search(span.text):
            label = Label.DATASET  # "MT-Bench", "WildBench": the name says benchmark; the NER made them Task or Method
        elif label == Label.MODEL and not has_name:
            label = Label.METHOD
        elif (
            label in SYSTEM_LABELS
            and not candidate.sources & {"named", "pattern"}
            and self._listed_dataset(span)
            and span.text not in defined
        ):
            label = Label.DATASET  # "PubMedQA", "MedMCQA": the NER made Papers-with-Code datasets it never saw systems
        elif label == Label.METHOD and " " not in span.text and _PARAMETER_COUNT.search(span.text):
            label = Label.MODEL  # "Llama-2-7b-chat", "Mistral-7b-Instruct": a parameter count names a checkpoint
        elif label in (Label.TASK, Label.DATASET) and (
            span[-1].lower_ in _SYSTEM_HEADS or _SYSTEM_ACRONYM.search(span[-1].text)
        ):
            # "vision-language models" is no problem to solve, nor data (gold: Method 99% of the time)
            label = Label.METHOD
        elif has_name and len(span) <= 3 and not candidate.sources & {"named", "pattern"}:
            features = kind_features(span)
            if (
                label == Label.DATASET
                and not self._known_dataset(span)
                and self.dataset_kind.probability(features) < _NOT_A_DATASET
            ):
                label = Label.METHOD
            if label in SYSTEM_LABELS:
                p_model = self.model_kind.probability(features)
                label = Label.MODEL if p_model >= _A_MODEL else Label.METHOD if p_model < _NOT_A_MODEL else label
        if label == candidate.label:
            return candidate
        return _candidate(candidate.start, candidate.end, label, candidate.sources, proposals)

    @staticmethod
    def _whole_compounds(
        doc: Doc, accepted: list[Candidate], proposals: dict[tuple[int, int, str], Candidate]
    ) -> list[Candidate]:
        """Rule 6: widen a mention cut at a hyphen to the whole compound name, absorbing mentions inside it
        ("InfiMed" + "Foundation-4B"); the label is the longest part's (the rightmost of equals)."""
        out: list[Candidate] = []
        # Accepted mentions never overlap, so sorted by start they are sorted by end too, and the ones meeting
        # [start, end) are one slice, found by bisection: a scan of all of them per mention was quadratic.
        ordered = sorted(accepted, key=lambda c: c.start)
        starts, ends = [c.start for c in ordered], [c.end for c in ordered]
        for candidate in ordered:
            if out and out[-1].end > candidate.start:
                continue  # absorbed by the previous compound
            start, end = candidate.start, candidate.end
            while start >= 2 and hyphen_joined(doc, start - 2) and _name_part(doc[start - 2].text):
                start -= 2
            while (
                end + 1 < len(doc)
                and hyphen_joined(doc, end - 1)
                and (
                    _name_part(doc[end + 1].text)
                    or (candidate.label in SYSTEM_LABELS and doc[end + 1].lower_ in _VARIANT_SUFFIXES)
                )
            ):
                end += 2
            parts = ordered[bisect_right(ends, start) : bisect_left(starts, end)]
            if (
                (start, end) == (candidate.start, candidate.end)
                or any(c.start < start or c.end > end for c in parts)
                or (out and out[-1].end > start)
            ):
                out.append(candidate)
                continue
            label = max(parts, key=lambda c: (c.end - c.start, c.start)).label
            out.append(_candidate(start, end, label, set().union(*(c.sources for c in parts)), proposals))
        return out

    @staticmethod
    def _whole_long_forms(
        doc: Doc,
        pairs: list[tuple[Span, Span]],
        accepted: list[Candidate],
        proposals: dict[tuple[int, int, str], Candidate],
    ) -> list[Candidate]:
        """Rule 3, first: a long form the text abbreviates is one name ("parameter-efficient fine-tuning (PEFT)",
        "Reinforcement Learning from Human Feedback (RLHF)"), so mentions inside it become one mention over it,
        labelled by its head noun ("multi-domain Chinese dataset for passage retrieval") or as the mention holding
        its head (before a preposition: "Pre-training with Representative wOrds Prediction (PROP)").

        Accepted mentions never overlap, so those meeting a long form are one run of them in text order, found
        by bisection (a scan of all of them per long form was quadratic). Each keeps its place in `accepted`
        (replacements after all), the order the later rules read them in."""
        # (place, candidate) in text order, and the candidates' starts and ends, kept in step
        placed = sorted(enumerate(accepted), key=lambda pair: pair[1].start)
        starts, ends = [c.start for _, c in placed], [c.end for _, c in placed]
        next_place = len(accepted)
        for long, _ in pairs:
            if any(token.text in _LONG_FORM_BREAKS for token in long):
                continue
            start = long.start + (long[0].lower_ in _DETERMINERS)
            first, stop = bisect_right(ends, start), bisect_left(starts, long.end)
            inside = [c for _, c in sorted(placed[first:stop], key=lambda pair: pair[0])]
            if (
                not inside
                or any(c.start < start or c.end > long.end for c in inside)
                or any((c.start, c.end) == (start, long.end) for c in inside)
            ):
                continue
            split = next((token.i for token in doc[start + 1 : long.end] if token.lower_ in _HEAD_SPLITS), long.end)
            holding_head = ([c for c in inside if c.start < split] or inside)[-1]
            label = named.head_label(doc[split - 1].text) or holding_head.label
            sources = set().union(*(c.sources for c in inside)) | {"abbreviation"}
            whole = _candidate(start, long.end, label, sources, proposals)
            placed[first:stop] = [(next_place, whole)]
            starts[first:stop], ends[first:stop] = [whole.start], [whole.end]
            next_place += 1
        return [c for _, c in sorted(placed, key=lambda pair: pair[0])]

    @staticmethod
    def _abbreviation_candidates(
        pairs: list[tuple[Span, Span]], accepted: list[Candidate], proposals: dict[tuple[int, int, str], Candidate]
    ) -> list[Candidate]:
        """Rule 3: a label carried across the halves of "long form (SF)"."""
        by_end = {c.end: c for c in accepted}
        by_span = {(c.start, c.end): c for c in accepted}
        out = []
        for long, short in pairs:
            long_mention = by_end.get(long.end)
            short_mention = by_span.get((short.start, short.end))
            if long_mention and long_mention.start >= long.start - 1 and not short_mention:
                out.append(_candidate(short.start, short.end, long_mention.label, {"abbreviation"}, proposals))
            elif short_mention and not long_mention:
                out.append(_candidate(long.start, long.end, short_mention.label, {"abbreviation"}, proposals))
        return out

    @staticmethod
    def _repeat_candidates(
        doc: Doc, accepted: list[Candidate], proposals: dict[tuple[int, int, str], Candidate]
    ) -> list[Candidate]:
        """Rule 5: other occurrences of a mention's exact words, longest mentions first.

        Once per name and label, not per mention: a name mentioned n times proposed its n occurrences n times
        each, n^2 candidates (a 20k-character text repeating one sentence made 300 MB of them). A mention's
        own occurrence is proposed too; it is taken, so accept() refuses it as it refuses any overlap."""
        words = token_texts(doc)
        proposing: dict[tuple[tuple[str, ...], str], None] = {}  # (name, label), in the order they propose
        for mention in sorted(accepted, key=lambda c: c.start - c.end):
            proposing.setdefault((tuple(words[mention.start : mention.end]), mention.label))
        lengths: dict[str, set[int]] = {}  # first word -> lengths of the names starting with it
        occurrences: dict[tuple[str, ...], list[int]] = {}
        for name, _ in proposing:
            lengths.setdefault(name[0], set()).add(len(name))
            occurrences[name] = []
        for i, word in enumerate(words):
            for length in lengths.get(word, ()):
                starts = occurrences.get(tuple(words[i : i + length]))
                if starts is not None:
                    starts.append(i)
        return [
            _candidate(start, start + len(name), label, {"repeat"}, proposals)
            for name, label in proposing
            for start in occurrences[name]
        ]


def _never(span: Span, label: str) -> bool:
    """Rule 0, for every candidate (also those rules 3 and 5 make): statistical notation, a bare size, a
    quality as a Metric, a field ("NLP") as anything but a Task, and words that name no method, model, metric
    or task ("AI", "GPUs", "FLOPs" as a method, "HuggingFace"; a corpus they name can still be a Dataset:
    "PubMed"), nor a web address (where the code is, "https://github.com/UESTC-GQJ/TKRE", not what)."""
    text = span.text
    return (
        text in _STATISTICAL_NOTATION
        or _SIZE.fullmatch(text) is not None
        or _URL.search(text) is not None
        or (label != Label.DATASET and text in named.NOT_NAMES)
        or (label == Label.METRIC and (span[-1].lower_ in _QUALITIES or text.lower() in _HYPERPARAMETERS))
        or (label != Label.TASK and text in _FIELDS)
        or text.lower() in _MODIFIERS_ALONE
        or _RANK_CUTOFF.fullmatch(text) is not None
        or _premodifier(span)
        or (label == Label.METHOD and _names_data(span))
    )


def _names_data(span: Span) -> bool:
    """A training process right before a data noun says which data ("pre-training data", "instruction-tuning
    datasets"), not a method used: gold labels the process alone there 72 times in 2,181 (GSAP 2 in 485, SciER,
    SciERC and TDMSci never; SciREX 70 in 1,524)."""
    doc = span.doc
    return (
        span.end < len(doc)
        and span[-1].whitespace_ != ""
        and span[-1].lower_.endswith("ing")
        and doc[span.end].lower_ in _DATA_NOUNS
    )


def _premodifier(span: Span) -> bool:
    """A lower-case hyphenated compound followed by a noun it modifies (see _HYPHENATED_WORD)."""
    text = span.text
    if "-" not in text or text.endswith(_PROCESS_NOUN_ENDINGS) or _HYPHENATED_WORD.fullmatch(text) is None:
        return False
    doc = span.doc
    if span.end >= len(doc) or not doc[span.end - 1].whitespace_:
        return False
    following = doc[span.end]
    return (
        following.is_lower and following.is_alpha and not following.is_stop and following.text not in _TECHNIQUE_HEADS
    )


def _without_dangling_words(span: Span) -> Span | None:
    """A name never ends in a preposition or conjunction: "robust generalization across", "Knowledge Fusion
    of" are cut phrases (gold: none of 45,577 training spans ends so; the corpus had 17, all broken). Cut
    before "of"/"for"/"with" the rest is the name ("Knowledge Fusion"); before "and"/"or" it is a modifier
    unless it is a name ("MoE and ...").

    Nor does a name end in "-series", "-family" or "-level": "fine-tune LLaMA-series models" fine-tunes
    LLaMA, "GPT-3.5-level performance" is GPT-3.5's (no gold span ends so; the NER made "LLaMA-series" a
    Method and the paper lost AlpaCare's parent).

    Nor in a possessive: "GPT-4's abilities" names GPT-4 (SciER and SciREX leave the "'s" out 210 times
    against 7; GSAP, whose convention the NER learnt it from, puts it in 87 against 1, and the corpus graph
    had "GPT-4's" and "CLIP's" as entities of their own).

    Nor in an adjective made with a hyphen ("-based", "-like", "-style", "-powered"): what it modifies was
    cut off. After a name the name is the mention ("CLIP-based discriminator" cut to "CLIP-based" is CLIP,
    as "LLaMA-based" never joins a name, rule 6); "rule-based", "agent-based" alone are dropped. The corpus
    had 17 such mentions; SciER and SciREX end 21 spans so and leave the adjective out 127 times, GSAP ends
    55 so ("BERT-based"), its convention again (held-out GSAP fold 1: -0.001)."""
    last = span.doc[span.end - 1].text
    if last.endswith("-") and not _PTB_BRACKET.fullmatch(last):
        return None  # "pre- and post-training", "fully fine- tuned": a word cut at its hyphen
    end = span.end
    if end - span.start >= 2 and span.doc[end - 1].lower_ in _POSSESSIVE and not span.doc[end - 2].whitespace_:
        end -= 1
    suffix = span.doc[end - 1].lower_
    if end - span.start >= 3 and suffix in _FAMILY | _ADJECTIVE_SUFFIXES and hyphen_joined(span.doc, end - 3):
        if named.name_shape(span.doc[end - 3].text):
            end -= 2
        elif suffix in _ADJECTIVE_SUFFIXES:
            return None
    coordinated = False
    while end > span.start and span.doc[end - 1].lower_ in _DANGLING:
        coordinated |= span.doc[end - 1].lower_ in ("and", "or")
        end -= 1
    if end == span.start or (coordinated and not named.name_shape(span.doc[end - 1].text)):
        return None  # "zero-shot and ...", "code-based and ...": a modifier of what follows, not a name
    return Span(span.doc, span.start, end, span.label)


def _with_rank_cutoff(span: Span) -> Span:
    """A measure keeps its rank cut-off: "top-1 accuracy", not "accuracy" of "top-1 accuracy" (SciREX 41
    against 13, TDMSci 1 against 0; the NER stopped after "top-1" in 3 of 3 judged corpus accuracies)."""
    start = span.start
    if start >= 1 and _RANK_CUTOFF.fullmatch(span.doc[start - 1].text):
        start -= 1
    elif start >= 2 and span.doc[start - 2].lower_ == "top" and span.doc[start - 1].is_digit:
        start -= 2
    return span if start == span.start else Span(span.doc, start, span.end, span.label)


def _name_part(text: str) -> bool:
    """Capitalised, a number, or written like a name ("xCoder" of "Qwen2.5-xCoder"), unlike "based"."""
    return text[:1].isupper() or text[:1].isdigit() or named.name_shape(text)


def _candidate(
    start: int, end: int, label: str, sources: set[str], proposals: dict[tuple[int, int, str], Candidate]
) -> Candidate:
    """A rule-made candidate, keeping the sources of any identical earlier proposal."""
    earlier = proposals.get((start, end, label))
    return Candidate(start, end, label, sources | (earlier.sources if earlier else set()))


@Language.factory("kgbuild_resolve")
def make_resolver(nlp: Language, name: str) -> Resolver:
    return Resolver(name)
