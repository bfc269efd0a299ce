"""Matching keys: two surface forms are candidates for one entity iff their keys are equal.

The key is built on `kgbuild.text.normalise` (LaTeX escapes, typographic
Unicode, dashes and quotes) and then removes the differences that never
distinguish two things in ML writing:

- case and accents: ``T\\"ulu``, ``Tülu`` and ``Tulu`` -> ``tulu``;
- separators: spaces, hyphens, underscores, slashes and brackets are dropped, so
  ``GPT-4``, ``GPT4``, ``GPT 4``, ``gpt-4`` -> ``gpt4`` and ``pre-trained`` =
  ``pretrained``. A separator between two digits is kept (as ``-``) because it
  carries meaning: ``LLaMA-2-7B`` -> ``llama2-7b`` but ``LLaMA-27B`` -> ``llama27b``;
- a version marker ``v`` before a number when it is visibly a marker (after a
  separator or at a case change): ``SQuAD v1.1`` = ``SQuAD 1.1``,
  ``YOLOv3`` = ``YOLO 3``, but ``Conv2d`` keeps its ``v``;
- the plural of the head (last) word: ``large language models`` = ``large
  language model``, ``CNNs`` = ``CNN``. Applied whatever the label, because the
  key only decides equality: a dataset called ``Natural Questions`` gets the key
  ``naturalquestion``, which only matters if ``Natural Question`` also occurs,
  and then it is the same thing.

Everything that can distinguish two things is kept: digits and the dots
between them (CIFAR-10 / CIFAR-100, GPT-3 / GPT-3.5, SQuAD 1.1 / 2.0), every
letter (T5 / mT5, BERT / RoBERTa), ``+`` and ``#`` (C / C++ / C#).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kgbuild.text import normalise

# Visible version markers: "SQuAD v1.1", "ResNet-v2", "YOLOv3", "MobileNetV2".
_VERSION_MARKER = re.compile(r"(?:(?<=[\s\-_(])|(?<=[A-Z])(?=v)|(?<=[a-z])(?=V))[vV](?=\d)")
_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+|[+#]+")
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]*[A-Z]s")
_CAMEL_PLURAL = re.compile(r"[^\W\d_]+[A-Z][^\W\d_]*[^\W\d_su]s")
# Words whose final "s" is not a plural (the suffix rules below cover -ss, -us, -is).
_NOT_PLURAL = frozenset(
    {
        "series",
        "species",
        "news",
        "physics",
        "mathematics",
        "statistics",
        "linguistics",
        "robotics",
        "semantics",
        "dynamics",
        "kinetics",
        "economics",
        "ethics",
        "genomics",
        "graphics",
        "analytics",
        "mechanics",
        "optics",
        "pragmatics",
        "phonetics",
        "aesthetics",
        "logistics",
        "informatics",
        "bias",
        "gas",
        "lens",
        "atlas",
        "alias",
        "canvas",
        "chaos",
        "ethos",
        "pathos",
        "logos",
    }
)


def singular(word: str) -> str:
    """The singular of an English head word, keeping its case ("Models" -> "Model", "CNNs" -> "CNN").

    Plain words (lower case after the first letter) follow English suffix rules;
    acronyms and camel-case names only lose a final lower-case "s" ("CNNs",
    "ResNets", "LLaMAs"); short words and mass nouns are left alone.
    """
    if len(word) < 3 or not word.isalpha():
        return word
    if _ACRONYM_PLURAL.fullmatch(word) or _CAMEL_PLURAL.fullmatch(word):
        return word[:-1]
    lower = word.lower()
    if len(word) < 4 or not word[1:].islower() or lower in _NOT_PLURAL:
        return word
    if lower.endswith(("ss", "us", "is", "ous")) or not lower.endswith("s"):
        return word
    if lower.endswith("ies"):
        return word[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def singular_head(text: str) -> str:
    """`text` with its last word made singular ("Large Language Models" -> "Large Language Model")."""
    match = re.search(r"[^\W\d_]+$", text)
    if match is None:
        return text
    return text[: match.start()] + singular(match.group())


@lru_cache(maxsize=1 << 16)
def clean_surface(text: str) -> str:
    """The display form of a mention: normalised (LaTeX, Unicode, dashes) with whitespace collapsed."""
    return " ".join(normalise(text).text.split())


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1 << 16)  # bounded: the same names recur across papers
def match_key(text: str) -> str:
    """The matching key of a surface form; see the module docstring. Never empty for non-blank text."""
    surface = _strip_accents(singular_head(clean_surface(text)))
    surface = _VERSION_MARKER.sub("", surface)
    tokens = _TOKEN.findall(surface.casefold())
    if not tokens:
        return " ".join(surface.casefold().split())
    key = tokens[0]
    for token in tokens[1:]:
        key += ("-" if key[-1].isdigit() and token[0].isdigit() else "") + token
    return key
