"""What kind of thing a name is, from how it is written and the words around it: two logistic models.

Model or Method? The issue's labels split systems in two - Model is a named,
trained system or checkpoint (BERT, XLM-R, ResNet-50), Method a technique or
architecture (LoRA, Transformer). Only GSAP-NER annotates the difference; the
other training sets call every system Method, so the NER labels most unseen
models Method (on a held-out GSAP fold, 225 of 856 gold Models came out as
Method). The Model-kind weights are fitted on GSAP's name-shaped Model/Method
spans (8-fold CV grouped by GSAP fold, on gold spans: 72.5% right, 74% with the
vector and text features, majority 60%; GSAP itself is not consistent - an
acronym spelt out as "... networks" is a Model 9 times and a Method 18 times).

Dataset or system? The NER calls many unseen acronyms datasets ("BoostQA also
demonstrates robust scalability", "the performance of TEMT"); 9 of 20 corpus
Dataset mentions were right. The context says which: "on X", "X benchmark",
"trained on X" against "X achieves", "X outperforms". `DATASET_KIND` weights
are fitted on the name-shaped Dataset/Method/Model spans of every training set
that annotates both (on a held-out GSAP fold: 96% right, majority 82%; when it
gives a Dataset under 0.2 it is wrong 1.4% of the time).

Features: shape, character n-grams, head and first word, the words before and
after, the name's word vector (word_vectors.py: "ELMo" lies near "CoVe",
"GloVe" and "BERT"), and whether the name is followed by a system noun anywhere in
the text ("the SCN framework" once makes every "SCN" a system name); the
weights are a SparseLogistic (logistic.py). scripts/train_extractor.py fits both
with the NER (cross-validation folds hold their fold out); the resolver
(resolve.py) applies them in pure Python and decides what to do with the
probabilities.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from kgbuild.extract.doc_views import token_texts

# The feature `text_says_system` the shipped weights were fitted with: not vocab.ARCHITECTURE_NOUNS, which would
# change what the weights read.
_SYSTEM_NOUNS = frozenset(
    {
        "model",
        "models",
        "network",
        "networks",
        "encoder",
        "encoders",
        "classifier",
        "classifiers",
        "framework",
        "architecture",
        "system",
        "systems",
        "transformer",
    }
)
_SYSTEM_NOUN_IDS = numpy.array([get_string_id(noun) for noun in sorted(_SYSTEM_NOUNS)], dtype=numpy.uint64)
_FOLLOWED_BY = "kgbuild_followed_by_system_noun"


def _shape(text: str) -> str:
    """ "RoBERTa" -> "XxXXXx", runs collapsed; digits d, other characters kept."""
    out: list[str] = []
    for char in text:
        kind = "X" if char.isupper() else "x" if char.islower() else "d" if char.isdigit() else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)[:8]


def kind_features(span: Span) -> dict[str, float]:
    """Sparse features of one mention (names are the weight keys)."""
    words = [token.lower_ for token in span]
    text = span.text
    folded = f"<{text.lower()}>"
    found = {f"shape={_shape(text)}": 1.0, f"head={words[-1]}": 1.0, f"tokens={min(len(words), 3)}": 1.0}
    if len(words) > 1:
        found[f"first={words[0]}"] = 1.0
    for n in (3, 4):
        for i in range(len(folded) - n + 1):
            found[f"c{n}={folded[i : i + n]}"] = 1.0
    doc = span.doc
    found[f"prev={doc[span.start - 1].lower_ if span.start > 0 else '<s>'}"] = 1.0
    found[f"next={doc[span.end].lower_ if span.end < len(doc) else '</s>'}"] = 1.0
    if span.start > 1:
        found[f"prev2={doc[span.start - 2].lower_}"] = 1.0
    if span[-1].text in _followed_by_system_noun(doc):
        found["text_says_system"] = 1.0
    vectors = doc.vocab.vectors
    row = vectors.key2row.get(get_string_id(text.lower()), -1) if vectors.shape[0] else -1
    if row >= 0:
        found.update({f"v{i}": float(x) for i, x in enumerate(vectors.data[row])})
    else:
        found["no_vector"] = 1.0
    return found


def _followed_by_system_noun(doc: Doc) -> frozenset[str]:
    """Words some occurrence of which is followed by a system noun in this text (computed once per doc)."""
    if _FOLLOWED_BY not in doc.user_data:
        lower = doc.to_array(LOWER)
        before = numpy.flatnonzero(numpy.isin(lower[1:], _SYSTEM_NOUN_IDS))
        words = token_texts(doc)
        doc.user_data[_FOLLOWED_BY] = frozenset(words[i] for i in before.tolist())
    return doc.user_data[_FOLLOWED_BY]
