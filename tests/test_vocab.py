"""kgbuild/vocab.py: the domain vocabulary every stage reads prose with, written once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from helpers import CORPUS
from kgbuild import vocab
from kgbuild.extract import extract_papers
from kgbuild.extract.named import head_label
from kgbuild.link.variants import family_of
from kgbuild.read import read_papers
from kgbuild.relate import relate
from kgbuild.schema import Label

_PACKAGE = Path(vocab.__file__).parent
_NOUN_GROUPS = (
    vocab.DATASET_NOUNS
    | vocab.MODEL_NOUNS
    | vocab.METHOD_NOUNS
    | vocab.ARCHITECTURE_NOUNS
    | vocab.TECHNIQUE_NOUNS
    | vocab.SIZE_WORDS
)
# Literal sets that hold vocabulary words for another reason, each with it.
_OTHER_SENSES = {
    # the feature the shipped name-kind weights were fitted with: changing it changes what they read
    ("extract/name_kind.py", "_SYSTEM_NOUNS"),
    # headings that open a structured abstract ("Methods:"), not head nouns
    ("extract/named.py", "_HEADINGS"),
    # what "our X ..." may be about besides X ("our MoE variants"), not head nouns
    ("relate/proposes.py", "_NOT_OURS"),
}


def _literal_word_sets() -> list[tuple[str, str, set[str]]]:
    """(file, name, words) of every module-level set or frozenset of string literals in the package."""
    found = []
    for path in sorted(_PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            value = node.value
            if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "frozenset" and value.args:
                value = value.args[0]
            if isinstance(value, ast.Set) and all(isinstance(e, ast.Constant) for e in value.elts):
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                words = {e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                found.append((str(path.relative_to(_PACKAGE)), ast.unparse(target), words))
    return found


def test_no_stage_writes_a_vocabulary_word_list_again():
    repeated = [
        (path, name, sorted(words & _NOUN_GROUPS))
        for path, name, words in _literal_word_sets()
        if path != "vocab.py" and words & _NOUN_GROUPS and (path, name) not in _OTHER_SENSES
    ]
    assert repeated == []


def test_no_stage_writes_a_number_or_training_pattern_again():
    patterns = {vocab.DECIMAL: "DECIMAL", "fine-?tun": "FINE_TUNING", "(?:pre-?)?train": "TRAINING"}
    repeated = [
        (str(path.relative_to(_PACKAGE)), node.lineno, name)
        for path in sorted(_PACKAGE.rglob("*.py"))
        if path.name != "vocab.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        for pattern, name in patterns.items()
        if pattern in node.value
    ]
    assert repeated == []


def test_plurals_and_alternatives():
    assert vocab.with_plurals("corpus", "approach", "strategy", "model") == {
        "corpus",
        "corpora",
        "approach",
        "approaches",
        "strategy",
        "strategies",
        "model",
        "models",
    }
    assert re.fullmatch(vocab.alternatives(vocab.DATASET_NOUNS), "datasets")
    assert not re.fullmatch(vocab.alternatives(vocab.DATASET_NOUNS), "data")


@pytest.mark.parametrize(
    "text,pattern,matches",
    [
        ("70B", vocab.SIZE, True),
        ("4TB", vocab.SIZE, True),
        ("GPT", vocab.SIZE, False),
        ("1.3B", vocab.PARAMETER_COUNT, True),
        ("350m", vocab.PARAMETER_COUNT, True),
        ("52k", vocab.PARAMETER_COUNT, False),  # a dataset's size, not a model's
        ("pre-trained", vocab.TRAINED, True),
        ("finetuned", vocab.TRAINED, True),
        ("instruction-tuned", vocab.TRAINED, True),
        ("pretend", vocab.TRAINED, False),
    ],
)
def test_size_and_training_patterns(text, pattern, matches):
    assert (re.fullmatch(pattern, text) is not None) == matches


def test_every_stage_reads_the_same_words():
    assert head_label("benchmarks") == Label.DATASET and head_label("checkpoint") == Label.MODEL
    assert family_of("T5-XXL") == "T5" and family_of("Llama 2 (13B)") == "Llama 2"
    assert vocab.SYSTEM_LABELS == {Label.METHOD, Label.MODEL}


def test_a_framework_for_lms_is_no_lm():
    """The vocabulary's groups are wider than some lists they replaced; where a wider group stated something
    wrong on the corpus (the cmp with the encoder pipeline), the rule keeps its narrower list. Language-model
    acronyms are model nouns, not class heads (hierarchy.py): "we propose MiniPLM, a KD framework for
    pre-training LMs" makes no LM of MiniPLM."""
    [paper] = [paper for paper in read_papers([str(CORPUS)]) if paper.title.startswith("MiniPLM:")]
    [out] = extract_papers([paper], relate=relate)
    classes = {(out.mentions[r.head].text, out.mentions[r.tail].text) for r in out.relations if r.type == "SUBCLASS_OF"}
    assert ("MiniPLM", "LMs") not in classes
