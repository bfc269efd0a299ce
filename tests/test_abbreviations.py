"""The one abbreviation detector (kgbuild/abbreviations.py) and its three callers: extraction, linking, PROPOSES."""

from __future__ import annotations

import pytest

from kgbuild.abbreviations import find_definitions, long_form_before
from kgbuild.link.linker import Linker
from kgbuild.models import ExtractedPaper, Mention


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(text[slice(*d.long_span)], text[slice(*d.short_span)]) for d in find_definitions(text)]


# Schwartz & Hearst, "A simple algorithm for identifying abbreviation definitions in biomedical text", PSB 2003:
# the paper's running examples of a long form found by findBestLongForm.
@pytest.mark.parametrize(
    "text,long,short",
    [
        ("We cloned the heat shock transcription factor (HSF) of yeast.", "heat shock transcription factor", "HSF"),
        (
            "a member of the Gcn5-related N-acetyltransferase (GNAT) superfamily",
            "Gcn5-related N-acetyltransferase",
            "GNAT",
        ),
    ],
)
def test_the_papers_examples(text, long, short):
    assert _pairs(text) == [(long, short)]


def test_offsets_index_the_text_as_given():
    text = "Results of\nLarge  Language\tModels (LLMs; Brown et al., 2020) differ."
    [definition] = find_definitions(text)
    assert (definition.short, definition.long) == ("LLMs", "Large Language Models")
    assert text[slice(*definition.long_span)] == "Large  Language\tModels"
    assert text[slice(*definition.short_span)] == "LLMs"


def test_a_short_form_before_its_long_form():
    text = "LLMs (large language models) are large."
    [definition] = find_definitions(text)
    assert (definition.short, definition.long, definition.short_span) == ("LLMs", "large language models", (0, 4))


def test_what_is_no_definition():
    text = "closed models (e.g., GPT-4). Results (see above) and (ii). the MultiMedQA multiple-choice dataset (MedQA)."
    assert find_definitions(text) == []


def test_long_form_before_is_the_rule_proposes_uses():
    before = "we introduce Probabilistic Hyper-Graphs using Masked Autoencoders"
    start, end = long_form_before("PHG-MAE", before)
    assert before[start:end] == "Probabilistic Hyper-Graphs using Masked Autoencoders"
    assert long_form_before("e.g.", before) is None


def test_a_generic_head_stays_in_the_long_form():
    """Changed when the two rule sets became one: linking dropped a generic head the short form does not spell
    ("Human-Activity Recognition models (HAR)" -> "Human-Activity Recognition") while extraction kept it, so
    the extractor's long-form mention and its short form ended in two entities. Now both keep it."""
    text = "We train Human-Activity Recognition models (HAR). HAR runs on phones."
    assert _pairs(text) == [("Human-Activity Recognition models", "HAR")]
    mentions = [
        Mention(field="abstract", start=9, end=42, text=text[9:42], label="Method", score=0.9, source="t", sentence=0),
        Mention(field="abstract", start=44, end=47, text="HAR", label="Method", score=0.9, source="t", sentence=0),
        Mention(field="abstract", start=50, end=53, text="HAR", label="Method", score=0.9, source="t", sentence=1),
    ]
    paper = ExtractedPaper(paper_id="p", title="", abstract=text, source="t:1", mentions=mentions)
    linker = Linker()
    linker.observe(paper)
    linker.finish()
    assert {mention.entity_id for mention in linker.resolve(paper).mentions} == {"Method:humanactivityrecognitionmodel"}
