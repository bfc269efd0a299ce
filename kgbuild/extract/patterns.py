"""Context-pattern component: a name next to "dataset"/"benchmark"/"corpus" is a Dataset, and
a measure written the way measures are ("pass@32", "Recall@5", "success rate", "F_0.5 score") is a Metric.

"the GLUE benchmark", "the WMT'14 corpus", "a new dataset, MedInstruct-52k,",
"a benchmark called BigBench": the head noun says what the name is even when
the name itself was never seen in training. Names must look like names (an upper-case letter or a digit, not a
stop word, some letter), so "the test dataset" and "on 11 datasets" propose nothing. A regular expression over
the text rather than a token Matcher: same result here, a fraction of the cost.

The metric shapes are the ones abstracts report results in but the NER, trained
mostly on 2018-2022 gold, rarely saw: "X@k", "<kind> rate", "F_beta score",
"C-index" ("improves the success rate from 88.9% to 94.9%"). They let a result
carry its metric.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from kgbuild.extract import abbreviations
from kgbuild.extract.doc_views import doc_text
from kgbuild.schema import Label
from kgbuild.vocab import DATASET_NOUNS, DATASET_PLURALS, DECIMAL, SIZE, alternatives

CANDIDATES = "pattern"

_WORD = r"[A-Za-z0-9][\w.'+-]*"
_HEAD = re.compile(rf"\b{alternatives(DATASET_NOUNS | {'data set'})}\b")
_BEFORE = re.compile(rf"(?:^|(?<= ))((?:{_WORD} ){{1,3}})$")
_AFTER = re.compile(rf",? (?:called |named |dubbed |termed )?((?:{_WORD})(?: {_WORD}){{0,2}})")
_NAME_LIKE = re.compile(r"[A-Z0-9]")
_SIZE = re.compile(SIZE + r"(?:-\w+)?")  # "4TB", "1M", "40B-token": how big, not which
_PLAIN_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)*")  # "Existing", "Chinese", "Large-scale"
# A count before "<X> datasets" makes X a kind of data, not a name: "5 NLP datasets", "three public KBQG
# datasets" (gold: X is a Task 10 times in 13 such spans, a Dataset once).
_COUNTED = re.compile(
    r"(?:^|(?<= ))(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|multiple|various"
    r"|many|numerous)(?: [a-z][\w-]*){0,3} $",
    re.IGNORECASE,
)
_METRIC = re.compile(
    r"\b(?:[A-Za-z]+@"
    + DECIMAL
    + r"|(?:success|win|error|hit|acceptance|attack success|word error|character error|exact match|pass|false positive"
    r"|false negative|true positive|refusal|hallucination|resolve|solve) rates?"
    r"|F_?\{?\d(?:\.\d)?\}?[- ]scores?|C-index)(?![\w@-])"
)


def _name_words(words: list[str], plural_head: bool = False) -> int:
    """How many of `words`, from the first, look like a name. None if they have no letter ("on 11
    datasets" counts datasets, it does not name one) or are a size ("a 4TB corpus"); and before a
    plural head a lone capitalised word is a kind, not a name ("Existing datasets", "Chinese benchmarks")."""
    kept = 0
    for word in words:
        if not _NAME_LIKE.search(word) or word.lower() in STOP_WORDS or _SIZE.fullmatch(word):
            break
        kept += 1
    while plural_head and kept and words[kept - 1].isdigit():
        kept -= 1  # "5 NLP datasets" counts them (_COUNTED); "the 20 Newsgroups dataset" is a name
    if not any(char.isalpha() for word in words[:kept] for char in word):
        return 0
    if plural_head and kept == 1 and _PLAIN_CAPITALISED.fullmatch(words[0]):
        return 0
    return kept


def dataset_names(text: str) -> list[tuple[int, int]]:
    """Character spans of the name-like words (at most 3) right before, or in apposition
    right after, a dataset head noun."""
    spans = []
    for head in _HEAD.finditer(text):
        before = _BEFORE.search(text, max(0, head.start() - 80), head.start())
        if before is not None:
            words = before.group(1).split()
            plural = head.group() in DATASET_PLURALS
            kept = _name_words(words[::-1], plural_head=plural)
            if kept:
                end = before.end(1) - 1
                start = end - len(" ".join(words[-kept:]))
                if not (plural and _COUNTED.search(text, max(0, start - 60), start)):
                    spans.append((start, end))
        after = _AFTER.match(text, head.end())
        if after is not None:
            words = after.group(1).split()
            kept = _name_words(words)
            if kept:
                start = after.start(1)
                spans.append((start, start + len(" ".join(words[:kept]).rstrip("."))))
    return spans


def metric_names(text: str) -> list[tuple[int, int]]:
    """Character spans of measures written as measures are ("pass@32", "win rate", "F_0.5 score")."""
    return [(match.start(), match.end()) for match in _METRIC.finditer(text)]


class ContextPatterns:
    """Writes "<name> dataset" names (head noun excluded) to doc.spans["pattern"] as Dataset, measures as Metric."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        spans = [
            doc.char_span(start, end, Label.DATASET, alignment_mode="contract") for start, end in dataset_names(text)
        ]
        spans += [doc.char_span(start, end, Label.METRIC, alignment_mode="expand") for start, end in metric_names(text)]
        # A defined abbreviation is what its long form says, not a dataset name: "a medical IFT
        # dataset" after "Instruction-finetuning (IFT)" (the abbreviation component runs first).
        shorts = {short.text for long, short in abbreviations.pairs(doc) if not _HEAD.search(long.text.lower())}
        doc.spans[CANDIDATES] = [
            span
            for span in spans
            if span is not None and len(span) and not (span.label_ == Label.DATASET and span.text in shorts)
        ]
        return doc


@Language.factory("kgbuild_patterns")
def make_context_patterns(nlp: Language, name: str) -> ContextPatterns:
    return ContextPatterns()
