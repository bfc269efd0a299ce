"""Named-system component: a paper's own names ("AlpaCare", "MedInstruct-52k", "ERNIE 3.0") as candidates.

Why: the NER (trained on 2018-2023 gold) has never seen the names a new paper
introduces, and it labels names it half-knows by the company they keep in its
training data (AlpaCare -> Method, "LLaMA-series models" -> Dataset). But such
names are *written* like names - internal capitals, letters with digits, capital
acronyms - and abstracts say what they are: "the X dataset", "X-7B", "fine-tune
X", "a framework named X", "Large Language Models (LLMs)". This component finds
name-shaped tokens and labels them only when such a cue says what they are; a
name without a cue proposes nothing (the NER and the lexicon still may).

Pure functions (`name_shape`, `named_candidates`) do the work on token texts, so
they are testable without a pipeline; the spaCy component only writes their
result to doc.spans["named"]. The resolver (resolve.py) decides between these
candidates and the others: a cued name overrules an NER label it contradicts.

Cue order, first that applies (one label per name and text, "one sense per
discourse"):
1. the word right after the name (skipping "-series"/"-based"/"family"):
   dataset/benchmark/corpus -> Dataset, model/LLM/checkpoint -> Model,
   method/framework/approach/algorithm -> Method;
2. an appositive or definition that says what it is, by the head noun of its
   noun phrase: "TARTE, a foundation model that ...", "X: A Large-Scale
   Benchmark for ...", "X is a novel framework"; this one also types capital
   acronyms, since the text defines them; so does "dataset" right before the
   name ("our best dataset DFN-5B") and the head noun before the list it is in
   ("datasets such as LAION-2B, DataComp-1B", "methods like DreamBooth"), for
   names that are not capital acronyms;
3. a size suffix in the name: "-7B" -> Model, "-52k" -> Dataset;
4. a family name inside the name: a Model the lexicon knows well as prefix or
   suffix ("ChatGPT", "SciBERT") -> Model;
5. the head noun of the long form when the name is an abbreviation
   ("Generative Pre-trained Transformer models (GPTs)" -> Model; but acronyms
   of model classes, "Large Language Models (LLMs)", "VLMs", are Method);
6. the cue noun right before when it is a dataset or model ("a new dataset, X");
7. a version number ("GPT-4", "LLaMA-2", "ERNIE 3.0") -> Model, unless the
   lexicon knows the name or its stem as something else ("BLEU-4");
8. the cue noun right before when it is a method ("a framework named X") -
   after the version rule: "a framework named ERNIE 3.0" is a model;
9. a verb that only takes models ("fine-tune X", "develop X", "pretrain X") -> Model;
10. a title's "X: ..." (a name alone before a colon opening a sentence) -> Method.
A plain capitalised word ("Panacea") takes cue 2, "a <head noun> named X", or
cue 10 only. All-capital acronyms ("NSP",
"STS", "BPE", "NER model", "NLI datasets") take cues 2, 4, 5 and 10 only: they name tasks and methods as often as
systems (measured on held-out GSAP folds).
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from kgbuild.extract import abbreviations
from kgbuild.extract.component_data import ComponentData, DataFiles, Loaded
from kgbuild.extract.doc_views import sentence_starts, token_texts
from kgbuild.extract.lexicon import LEXICON_DATA, Lexicon
from kgbuild.schema import Label
from kgbuild.vocab import (
    DATASET_NOUNS,
    DECIMAL,
    FINE_TUNING,
    METHOD_NOUNS,
    MODEL_NOUNS,
    PARAMETER_COUNT,
    SIZE_WORDS,
    TRAINING,
    TUNING,
)

CANDIDATES = "named"

_INNER_CAPITAL = re.compile(r"[A-Za-z]*[a-z][A-Z][A-Za-z]*|[A-Z]{2,}[a-z][A-Za-z]*")
_WITH_DIGITS = re.compile(r"[A-Za-z][A-Za-z.]*-?\d[\w.-]*")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]+s?")
_LETTER_ACRONYM = re.compile(r"[A-Z]{2,}s?")
_VERSION = re.compile(r"v?\d+(?:\.\d+)+|v\d+")
_SIZE = re.compile(rf"-?(?:{PARAMETER_COUNT}|{DECIMAL}[Kk])")  # "-7B" a model, "-52k" a dataset
# Acronyms of model *classes* ("LLMs", "VLM", "PTMs"): GSAP drops them (MLModelGeneric), SciER
# calls them Method - so they are Method here, never Model.
_MODEL_CLASS = re.compile(r"[A-Z]*LMs?|[A-Z]*Ms")
_NUMBERED = re.compile(r"(?:^|-)v?\d[\w.]*$")  # a version or size ("v1.5", "7B"), or a name ending in one ("VL-7B")
_HYPHEN_DIGIT = re.compile(r"[A-Za-z][A-Za-z.]*-\d")
# Common capitalised tokens that are not ML entities in abstracts (measured on the corpus).
NOT_NAMES = frozenset(
    {
        "AI",
        "US",
        "USA",
        "UK",
        "EU",
        "II",
        "III",
        "IV",
        "VI",
        "GPU",
        "GPUs",
        "CPU",
        "CPUs",
        "TPU",
        "TPUs",
        "API",
        "APIs",
        "URL",
        "PDF",
        "HTML",
        "JSON",
        "ID",
        "IDs",
        "OK",
        "PhD",
        "COVID",
        "COVID-19",
        "SARS-CoV-2",
        "GB",
        "TB",
        "MB",
        "KB",
        "FLOPs",
        "GFLOPs",
        "TFLOPs",
        "RAM",
        "CO2",
        "DNA",
        "RNA",
        "IoT",
        "iOS",
        "macOS",
        "YouTube",
        "GitHub",
        "HuggingFace",
        "OpenAI",
        "DeepMind",
        "arXiv",
        "PyTorch",
        "TensorFlow",
        "JAX",
        "LaTeX",
        "PubMed",
    }
)

_SKIP_AFTER = frozenset({"-", "series", "based", "family", "style", "like"}) | SIZE_WORDS
_BEFORE_LINK = frozenset({",", "called", "named", "dubbed", "termed", "coined", ":", "(", "the", "a", "an", "new"})
# An appositive or definition after a name: "X, a/an ...", "X: A ...", "X is a ...", "X (a ...", "X - a ..."
# (a dash: normalise() makes em and en dashes "-").
_DEFINING = frozenset({",", ":", "is", "(", "-"})
_ARTICLES = frozenset({"a", "an"})
# Words that end the noun phrase of a definition: its head is the word before.
_PHRASE_END = frozenset(
    {
        ",",
        ".",
        ";",
        ":",
        "(",
        ")",
        "that",
        "which",
        "for",
        "of",
        "to",
        "with",
        "in",
        "on",
        "and",
        "designed",
        "trained",
        "based",
        "built",
        "capable",
        "using",
        "where",
        "whose",
        "consisting",
        "containing",
        "comprising",
        "covering",
        "spanning",
        "featuring",
    }
)
_MAX_PHRASE = 7
# How far back a name looks for the head of the list it is in (32 names and their commas): every name of a
# list looked back over all the earlier ones, a cost growing with the square of the list (30 s for a
# 100k-character title listing "GPT-4, GPT-4, ...").
_MAX_LIST_WORDS = 64
# A name has at most this many "-"-joined parts after its first ("Qwen2.5-VL-7B-Instruct" has 3): every
# name-shaped part of a longer chain ("XLM-XLM-XLM-...") read the rest of the chain, a square again.
_MAX_NAME_PARTS = 8
# A plain capitalised word (not name-shaped) is a candidate only with a definition or an explicit naming;
# its other letters may be any script's ("Tülu").
_PROPER = re.compile(r"[A-Z][^\W\d_]{2,}")
# Headings of structured abstracts and prompts, which open a sentence with "Word:" as titles open with a name.
_HEADINGS = frozenset(
    {
        "background",
        "methods",
        "method",
        "results",
        "result",
        "conclusion",
        "conclusions",
        "objective",
        "objectives",
        "purpose",
        "motivation",
        "availability",
        "abstract",
        "introduction",
        "contribution",
        "contributions",
        "aim",
        "aims",
        "findings",
        "significance",
        "importance",
        "design",
        "setting",
        "participants",
        "summary",
        "note",
        "code",
        "data",
        "keywords",
        "context",
        "goal",
        "problem",
        "approach",
        "evaluation",
        "implementation",
        "discussion",
        "limitations",
        "example",
        "examples",
        "question",
        "answer",
        "task",
        "input",
        "output",
        "instruction",
        "response",
        "human",
        "assistant",
        "user",
        "system",
        "step",
        "figure",
        "table",
        "source",
        "target",
        "premise",
        "hypothesis",
        "label",
        "query",
        "prompt",
        "warning",
    }
)
_NAMING_VERBS = frozenset({"named", "called", "dubbed", "termed", "coined"})
# A verb that only takes models: "fine-tune X", "pretrain X", "develop X"; not "training X", which may be a
# method's training ("training GeDi on only four topics", GeDi "an efficient method").
_MODEL_VERB = re.compile(rf"{TRAINING}(?:e|ed)?|{FINE_TUNING}ing|{TUNING}e|develop")


def head_label(word: str) -> str | None:
    word = word.lower()
    if word in DATASET_NOUNS:
        return Label.DATASET
    if word in MODEL_NOUNS:
        return Label.MODEL
    if word in METHOD_NOUNS:
        return Label.METHOD
    return None


@lru_cache(maxsize=65536)
def name_shape(text: str) -> bool:
    """Is one token written like an ML name (AlpaCare, LLaMA, GPT-4, T5, MedInstruct-52k, IFT, LLMs)?"""
    if text in NOT_NAMES or len(text) < 2:
        return False
    if _INNER_CAPITAL.fullmatch(text) or _ACRONYM.fullmatch(text):
        return True
    digit = next(i for i, c in enumerate(text) if c.isdigit()) if _WITH_DIGITS.fullmatch(text) else 0
    return any(c.isupper() for c in text[:digit])  # a capital before the digits: "GPT-4", not "to-3D"


def system_name(text: str) -> bool:
    """A name that can name one trained system: name-shaped, not a model-class acronym ("LLMs")."""
    return name_shape(text) and not _MODEL_CLASS.fullmatch(text)


def _families(lexicon: Lexicon) -> frozenset[str]:
    """Model names the lexicon knows well (>= 0.5 prior): one alphabetic token of >= 4 letters
    ("bert"), or the >= 3-letter stem of a versioned one ("gpt" of "gpt-3")."""
    families = set()
    for key, term in lexicon.terms.items():
        if term.label == Label.MODEL and term.prior is not None and term.prior >= 0.5:
            stem, _, version = key.partition("-")
            if key.isalpha() and len(key) >= 4:
                families.add(key)
            elif stem.isalpha() and len(stem) >= 3 and version[:1].isdigit():
                families.add(stem)
    return frozenset(families)


def _defined_as(words: list[str], end: int, limit: int) -> str | None:
    """The label a definition right after a name gives it, by its head noun ("X, a foundation model that")."""
    if not (end + 1 < limit and words[end] in _DEFINING and words[end + 1].lower() in _ARTICLES):
        return None
    stop = end + 2
    while stop < limit and stop < end + 2 + _MAX_PHRASE and words[stop].lower() not in _PHRASE_END:
        stop += 1
    if not (end + 2 < stop < limit):
        return None
    if label := head_label(words[stop - 1]):
        return label
    # No word ends the phrase where a verb takes over ("Frido, a Feature Pyramid Diffusion model performing a
    # multi-scale ..."): its head is the first head noun in it that no hyphen joins on ("model-agnostic").
    return next((label for i in range(end + 2, stop) if words[i + 1] != "-" and (label := head_label(words[i]))), None)


def _headline(words: list[str], start: int, end: int, sentence: tuple[int, int]) -> tuple[int, str] | None:
    """Cue 10, when no other applies: a name alone before a colon that opens a sentence is what a title is
    about ("Frido: Feature Pyramid Diffusion for ...", "DeViDe: ..."), though nothing says what it is: Method,
    the schema's label for a technique or system. Not a heading of a structured abstract ("Background: ...")."""
    if start != sentence[0] or end >= sentence[1] or words[end] != ":" or words[start].lower() in _HEADINGS:
        return None
    return 10, Label.METHOD


def _listed_under(words: list[str], start: int, first: int) -> str | None:
    """The label of "dataset" right before a name ("dataset DFN-5B"), or of the head noun before the list
    the name is in ("datasets such as LAION-2B, DataComp-1B, or WIT", "methods like DreamBooth")."""
    before = start - 1
    while (
        before - 1 >= first
        and before > start - _MAX_LIST_WORDS
        and (words[before] in {",", "or", "and"} or name_shape(words[before]))
    ):
        before -= 1  # back over the list's earlier names
    if before - 1 >= first and words[before - 1].lower() == "such" and words[before].lower() == "as":
        before -= 2
    elif before > first and words[before].lower() in {"like", "including"}:
        before -= 1
    elif before == start - 1 and head_label(words[before]) == Label.DATASET:
        return Label.DATASET  # not "model X": "model mPLUG-video" is cut at its hyphen, and the cut name spreads
    else:
        return None
    return head_label(words[before]) if before >= first else None


def _name_end(words: list[str], start: int, limit: int) -> int:
    """End of the name starting at `start`: a following version number joins it, and so do "-"-joined
    parts up to the last version or size among them ("LLaVA-v1.5-7B", "Qwen2.5-VL-7B", split by the
    tokenizer at the hyphens), but not name-shaped parts alone ("KG-RAG" stays what the NER says)."""
    end = start + 1
    if end < limit and _VERSION.fullmatch(words[end]):
        end += 1
    chain, parts = end, 0
    while (
        parts < _MAX_NAME_PARTS
        and chain + 1 < limit
        and words[chain] == "-"
        and (_NUMBERED.search(words[chain + 1]) or name_shape(words[chain + 1]))
    ):
        chain += 2
        parts += 1
        while chain < limit and words[chain].isdigit() and len(words[chain]) == 1:  # "FSS - 1 0 0 0" (digit-split text)
            chain += 1
        if _NUMBERED.search(words[chain - 1]):
            end = chain
    return end


def _cue(
    words: list[str],
    start: int,
    end: int,
    sentence: tuple[int, int],
    families: frozenset[str],
    long_head: str | None,
    known: dict[str, str],
) -> tuple[int, str] | None:
    """(rank, label) of the strongest cue for the name words[start:end]; rank 1 is strongest."""
    name = " ".join(words[start:end])
    acronym = end - start == 1 and bool(_LETTER_ACRONYM.fullmatch(words[start]))
    after = end
    while after < sentence[1] and after < end + 3 and words[after].lower() in _SKIP_AFTER:
        after += 1
    if not acronym and after < sentence[1] and (label := head_label(words[after])):
        return 1, label
    if label := _defined_as(words, end, sentence[1]) or (None if acronym else _listed_under(words, start, sentence[0])):
        return 2, label
    size = _SIZE.search(name)
    if size and size.end() == len(name) and not name[: size.start()].replace("-", "").isdigit():
        return 3, Label.DATASET if name[-1] in "kK" else Label.MODEL
    lower = words[start].lower()
    if not lower.endswith("score") and any(
        lower != family and (lower.startswith(family) or lower.endswith(family)) for family in families
    ):  # "SciBERT", not the metric "BERTScore"
        return 4, Label.MODEL
    if long_head and (label := head_label(long_head)):
        return 5, label
    before = start - 1
    while before >= sentence[0] and before > start - 5 and words[before].lower() in _BEFORE_LINK:
        before -= 1
    # "the CLIP model, the InfoNCE objective": a comma then an article starts another noun phrase
    linked = sentence[0] <= before < start - 1 and not (
        "," in words[before + 1 : start] and words[start - 1].lower() in {"a", "an", "the"}
    )
    left = head_label(words[before]) if linked else None
    if left in {Label.DATASET, Label.MODEL} and not acronym:
        return 6, left
    if acronym:  # "NSP", "STS", "BPE": capital acronyms are tasks as often as systems, cues 2, 4, 5 and 10 only
        return _headline(words, start, end, sentence)
    stem = lower.split("-")[0]
    # a stem of two letters names too many things ("TV-3DG" is no total-variation metric)
    label = (
        known.get(name.lower()) or (known.get(stem) if len(stem) > 2 else None)
        if stem != lower or end - start > 1
        else None
    )
    if label and label != Label.MODEL:
        return 7, label  # "BLEU-4", "SQuAD 2.0": the lexicon knows the name (or stem) as something else
    if end - start > 1 or _HYPHEN_DIGIT.match(words[start]):
        return 7, Label.MODEL
    if left:
        return 8, left
    if start - 1 >= sentence[0] and _MODEL_VERB.fullmatch(words[start - 1].lower()):
        return 9, Label.MODEL
    return _headline(words, start, end, sentence)


def _proper_cue(words: list[str], start: int, end: int, sentence: tuple[int, int]) -> tuple[int, str] | None:
    """A plain capitalised word ("Panacea") is a name only when the text says so: a definition ("Panacea: A
    foundation model for ...", "we propose Panacea, a foundation model") or an explicit naming after a head
    noun ("a foundation model named Panacea"). Not a word of a longer capitalised phrase ("Large Graph
    Generative Model"), nor a colon after a title's later word ("Segment Any Text: A Universal Approach")
    or a comma after a sentence opener ("However, a model ...")."""
    if end < sentence[1] and (words[end][:1].isupper() or words[end] == "-"):
        return None  # part of a longer name
    initial = start == sentence[0]
    separator = words[end] if end < sentence[1] else ""
    if (
        (separator != ":" or initial)
        and (separator != "," or not initial)
        and (label := _defined_as(words, end, sentence[1]))
    ):
        return 2, label
    if start - 2 >= sentence[0] and words[start - 1].lower() in _NAMING_VERBS:
        before = start - 2
        while before > sentence[0] and words[before] in (",", ")"):
            before -= 1
        if label := head_label(words[before]):
            return 6, label
    return _headline(words, start, end, sentence)


def named_candidates(
    words: list[str],
    sentences: list[tuple[int, int]],
    families: frozenset[str] = frozenset(),
    long_heads: dict[int, str] | None = None,
    known: dict[str, str] | None = None,
) -> list[tuple[int, int, str]]:
    """(start, end, label) token spans of cued name-shaped words; `long_heads` maps the start
    of an abbreviation's short form to the last word of its long form, `known` lexicon
    keys to their label."""
    long_heads = long_heads or {}
    known = known or {}
    shorts = {words[start] for start in long_heads}
    found: list[tuple[int, int, str]] = []
    best: dict[str, tuple[int, str]] = {}
    for first, last in sentences:
        i = first
        while i < last:
            if words[i].islower():  # most words: no capital, so neither name-shaped nor proper
                i += 1
                continue
            proper = not name_shape(words[i]) and _PROPER.fullmatch(words[i]) is not None
            if not (name_shape(words[i]) or proper):
                i += 1
                continue
            end = _name_end(words, i, last)
            name = " ".join(words[i:end])
            if proper:
                cue = _proper_cue(words, i, end, (first, last))
            elif name in shorts and i not in long_heads:
                cue = None  # a defined abbreviation: only its long form says what it is ("medical IFT dataset")
            else:
                cue = _cue(words, i, end, (first, last), families, long_heads.get(i), known)
            if cue is not None and cue[1] == Label.MODEL and _MODEL_CLASS.fullmatch(name):
                cue = (cue[0], Label.METHOD)  # "LLMs", "VLMs", "PTMs": a class of models, not a trained system
            if cue is not None and (name not in best or cue[0] < best[name][0]):
                best[name] = cue
            if not (proper and i == first and cue is None):  # a capital opening a sentence says nothing
                found.append((i, end, name))
            i = end
    return [(start, end, best[name][1]) for start, end, name in found if name in best]


class NamedSystems(ComponentData):
    """Writes cued name-shaped spans to doc.spans["named"] (label = the cue's label). Its data: the lexicon,
    which says what families and names it knows."""

    lexicon: Loaded[Lexicon] = Loaded()
    families: Loaded[frozenset[str]] = Loaded("lexicon")
    known: Loaded[dict[str, str]] = Loaded("lexicon")

    def __init__(self, name: str) -> None:
        self.name = name

    def data_files(self) -> DataFiles:
        return {
            LEXICON_DATA: (lambda: self.lexicon.to_bytes(), lambda data: self.set_lexicon(Lexicon.from_bytes(data)))
        }

    def set_lexicon(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.families = _families(lexicon)
        # A dataset or measure the gold labels less than half of the time is still no model when versioned:
        # "FrameNet 1.5" (labelled Dataset in 5 of 11 occurrences, as a resource otherwise), "MIMIC-III", "COCO 2017".
        self.known = {
            key: term.label
            for key, term in lexicon.terms.items()
            if term.prior is None or term.prior >= 0.5 or term.label in (Label.DATASET, Label.METRIC)
        }

    def __call__(self, doc: Doc) -> Doc:
        words = token_texts(doc)
        starts = sentence_starts(doc)
        sentences = list(zip(starts, [*starts[1:], len(doc)]))
        long_heads = {short.start: long[-1].text for long, short in abbreviations.pairs(doc)}
        doc.spans[CANDIDATES] = [
            Span(doc, start, end, label)
            for start, end, label in named_candidates(words, sentences, self.families, long_heads, self.known)
        ]
        return doc


@Language.factory("kgbuild_named")
def make_named_systems(nlp: Language, name: str) -> NamedSystems:
    return NamedSystems(name)
