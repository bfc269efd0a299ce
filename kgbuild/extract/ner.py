"""The trained component: spaCy's transition-based NER over a small CNN tok2vec.

Training (scripts/train_extractor.py) and loading (pipeline.py) both build the
pipeline here, so the shipped weights always meet the architecture they were
trained with.
"""

from __future__ import annotations

import copy

import spacy
from spacy.language import Language
from spacy.vectors import Vectors

# Small CNN tok2vec (width 64, depth 2) + transition NER: on the corpus this ran
# at ~15k tokens/s against ~9k for spaCy's default width 96 / depth 4, and
# throughput is a requirement (bench/bench_extract.py). The shipped model also
# reads static word vectors (ner_pipeline(vectors)): they cost ~8% of NER speed;
# a wider tok2vec (96, depth 3) cost 52%. The NER's hidden layer is 32 wide: 64
# was ~13% slower in the NER, and on two CV folds neither was better (held-out
# F1 differences of -0.06 to +0.02 per set, within fit-to-fit variation);
# tok2vec depth 1 as well was faster still but worse on both folds for TDMSci
# (-0.01, -0.04) and SciERC dev (-0.04, -0.08).
NER_MODEL = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 32,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": 64,
        "depth": 2,
        "embed_size": 4000,
        "window_size": 1,
        "maxout_pieces": 2,
        "subword_features": True,
    },
}


def ner_pipeline(vectors: Vectors | None = None) -> Language:
    """blank English + sentencizer + an untrained NER: what training updates.

    With `vectors` (word_vectors.py) the tok2vec also reads a static vector per word.

    The tokenizer splits a full stop after a capital letter and drops spaCy's
    single-letter abbreviation exceptions ("R." as an initial): in abstracts
    "XLM-R." and "SICK-R." end sentences, and the full stop stayed glued to the name.
    """
    nlp = spacy.blank("en")
    nlp.tokenizer.rules = {text: rule for text, rule in nlp.tokenizer.rules.items()
                           if not (len(text) == 2 and text[0].isalpha() and text[1] == ".")}
    suffixes = [*nlp.Defaults.suffixes, r"(?<=[A-Z])\."]
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    nlp.add_pipe("sentencizer")
    model = copy.deepcopy(NER_MODEL)
    if vectors is not None:
        nlp.vocab.vectors = vectors
        model["tok2vec"]["pretrained_vectors"] = True
    nlp.add_pipe("ner", config={"model": model})
    return nlp
