"""Linker tests on real data: the shared corpus (mentions from the stand-in extractor), SciER gold, and
constructed cases. Every test links through kgbuild.pipeline.link_extracted, the function `kgbuild build`
and `kgbuild load` call.

Corpus mentions are the stand-in extractor's (tests/standin.py) mentions of CORPUS_NAMES: the sink
fixtures' names plus the spellings these tests are about (size variants, abbreviations and their long
forms), so a change of the extractor does not change what the linker is tested on.
"""

from __future__ import annotations

import json

import pytest

from graph_fixtures import STANDIN
from helpers import CORPUS, EVAL
from kgbuild.abbreviations import find_definitions
from kgbuild.evaluation.links import evaluate_links, format_links_report
from kgbuild.graph.build import build_graph
from kgbuild.link import Linker
from kgbuild.link.keys import match_key
from kgbuild.models import Entity, ExtractedPaper
from kgbuild.pipeline import link_extracted
from kgbuild.read import InputError, read_papers
from standin import NameTable

# surface form -> label, as the corpus writes them
CORPUS_NAMES = NameTable(
    {
        **STANDIN.labels,
        **dict.fromkeys(
            ["LLaMA-2-7B", "LLaMa2-7B", "Llama2-7b", "Llama 2 13B", "Llama-2-13b", "Llama2-13B", "Llama2-70B"],
            "Model",
        ),
        **dict.fromkeys(
            [
                "LLM",
                "LLMs",
                "large language model",
                "large language models",
                "Large Language Model",
                "Large Language Models",
                "Large language models",
                "PLM",
                "PLMs",
                "pre-trained language model",
                "pre-trained language models",
                "Pre-trained Language Model",
                "Pre-trained Language Models",
                "Pre-Trained Language Models",
                "Pre-trained language models",
                "KEPLMs",
                "Knowledge-Enhanced Pre-trained Language Models",
                "IFT",
                "Instruction-finetuning",
                "instruction-finetuning",
                "OOD",
                "out-of-domain",
                "out-of-distribution",
                "Out-of-Distribution",
            ],
            "Method",
        ),
    }
)


# -- fixtures ------------------------------------------------------------------


def _link(
    papers: list[ExtractedPaper], aliases_path=None
) -> tuple[list[Entity], list[tuple[str, str]], list[ExtractedPaper]]:
    corpus = link_extracted(papers, aliases_path)
    return corpus.entities, corpus.variant_pairs, list(corpus.papers)


@pytest.fixture(scope="module")
def corpus() -> list[ExtractedPaper]:
    return [ExtractedPaper.of(paper, CORPUS_NAMES.mentions(paper)) for paper in read_papers([str(CORPUS)])]


@pytest.fixture(scope="module")
def linked_corpus(corpus):
    return _link(corpus)


def _paper(text: str, names: list[tuple[str, str]], paper_id: str = "p") -> ExtractedPaper:
    """A paper whose mentions are the stand-in extractor's mentions of each (name, label) in `text`."""
    paper = ExtractedPaper(paper_id=paper_id, title="", abstract=text, source="test")
    paper.mentions = NameTable(dict(names)).mentions(paper)
    assert paper.mentions, f"none of {names} occurs in {text!r}"
    return paper


def _ids_of(paper: ExtractedPaper, text: str) -> set[str]:
    return {mention.entity_id for mention in paper.mentions if mention.text == text}


def _containing(papers: list[ExtractedPaper], needle: str) -> ExtractedPaper:
    return next(paper for paper in papers if needle in paper.abstract or needle in paper.title)


# -- version / size / family safety ----------------------------------------------

KEPT_APART = [
    ("CIFAR-10", "CIFAR-100", "Dataset"),
    ("GPT-3", "GPT-3.5", "Model"),
    ("GPT-3.5", "GPT-4", "Model"),
    ("GPT-3", "GPT-4", "Model"),
    ("LLaMA", "LLaMA-2", "Model"),
    ("ResNet-50", "ResNet-101", "Model"),
    ("BERT", "RoBERTa", "Model"),
    ("T5", "mT5", "Model"),
    ("SQuAD 1.1", "SQuAD 2.0", "Dataset"),
    ("LLaMA-2-7B", "LLaMA-2-13B", "Model"),
    ("LLaMA-2-7B", "LLaMA-2", "Model"),
]


@pytest.fixture(scope="module")
def linked_with_pairs(corpus):
    """The corpus plus one paper per pair that names both, linked together."""
    extra = [
        _paper(
            f"We compare {first} with {second}. {first} beats {second}.",
            [(first, label), (second, label)],
            f"pair{index}",
        )
        for index, (first, second, label) in enumerate(KEPT_APART)
    ]
    return _link([*corpus, *extra])[2][len(corpus) :]


@pytest.mark.parametrize("index", range(len(KEPT_APART)), ids=[f"{a}|{b}" for a, b, _ in KEPT_APART])
def test_versions_sizes_and_families_stay_apart(linked_with_pairs, index):
    first, second, _ = KEPT_APART[index]
    paper = linked_with_pairs[index]
    assert len(_ids_of(paper, first)) == len(_ids_of(paper, second)) == 1
    assert _ids_of(paper, first) != _ids_of(paper, second)


def test_size_variants_are_linked_to_their_family(linked_corpus):
    # The corpus names LLaMA-2 and its 7B/13B/70B sizes; each size is its own Model, VARIANT_OF the family.
    entities, variant_pairs, _ = linked_corpus
    ids = {entity.id for entity in entities}
    assert {"Model:llama2", "Model:llama2-7b", "Model:llama2-13b"} <= ids
    assert ("Model:llama2-7b", "Model:llama2") in variant_pairs
    assert ("Model:llama2-13b", "Model:llama2") in variant_pairs
    assert not any(family == "Model:llama" for variant, family in variant_pairs if variant.startswith("Model:llama2"))


def test_variant_of_carries_the_papers_and_mentions_that_name_the_variant(linked_corpus):
    # It was stated with support 0 and no papers or evidence; the variant's name as written is its evidence.
    entities, variant_pairs, linked = linked_corpus
    graph = build_graph(linked, entities, variant_pairs)
    variants = {(rel.start, rel.end): rel.properties for rel in graph.relationships if rel.type == "VARIANT_OF"}
    assert set(variants) == set(variant_pairs)
    seven_b = variants["Model:llama2-7b", "Model:llama2"]
    assert seven_b["support"] == 3 and _containing(linked, "LLaMA-2-7B").paper_id in seven_b["papers"]
    for relationship in variants.values():
        assert relationship["support"] == len(relationship["papers"]) > 0 and relationship["score"] > 0
        for evidence in map(json.loads, relationship["evidence"]):
            named = next(p for p in linked if p.paper_id == evidence["paper"])
            assert named.text(evidence["field"])[evidence["start"] : evidence["end"]] == evidence["text"]
    assert {json.loads(evidence)["text"] for evidence in seven_b["evidence"]} == {
        "LLaMA-2-7B",
        "Llama2-7b",
        "LLaMa2-7B",
    }


# -- normalisation -----------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ["GPT-4", "GPT4", "GPT 4", "gpt-4", "GPT\u20114", "\u201cGPT-4\u201d"],
        ['T\\"ulu', "T\u00fclu", "Tulu"],
        ["large language model", "large language models", "Large Language Models", "large-language models"],
        ["Instruction-finetuning", "instruction fine-tuning", "Instruction Fine-Tuning"],
        ["SQuAD 1.1", "SQuAD v1.1", "SQuADv1.1"],
    ],
)
def test_spelling_variants_share_one_key(spellings):
    assert len({match_key(spelling) for spelling in spellings}) == 1


# -- abbreviations -------------------------------------------------------------------


@pytest.mark.parametrize(
    "long,short",
    [
        ("Large Language Models", "LLMs"),
        ("Knowledge-Enhanced Pre-trained Language Models", "KEPLMs"),
        ("Instruction-finetuning", "IFT"),
    ],
)
def test_corpus_abbreviations_resolve_to_the_long_form(linked_corpus, long, short):
    _, _, linked = linked_corpus
    paper = _containing(linked, f"{long} ({short})")
    long_ids, short_ids = _ids_of(paper, long), _ids_of(paper, short)
    assert len(long_ids) == 1 and long_ids == short_ids


def test_both_definition_directions_are_found():
    text = "LLMs (large language models) differ from Bidirectional Encoder Representations from Transformers (BERT)."
    assert [(d.short, d.long) for d in find_definitions(text)] == [
        ("LLMs", "large language models"),
        ("BERT", "Bidirectional Encoder Representations from Transformers"),
    ]


def test_definition_checks_beyond_schwartz_hearst():
    # Corpus sentences: S&H alone would return "Supervised Fine-Tuning" for SSFT and read "e.g." and
    # "MultiMedQA ... dataset" as definitions; HAR's long form keeps "models" (tests/test_abbreviations.py).
    text = (
        "Structure-aware Supervised Fine-Tuning (SSFT). Human-Activity Recognition models (HAR). "
        "closed models (e.g., GPT-4). the MultiMedQA multiple-choice dataset (MedQA)."
    )
    assert [(d.short, d.long) for d in find_definitions(text)] == [
        ("SSFT", "Structure-aware Supervised Fine-Tuning"),
        ("HAR", "Human-Activity Recognition models"),
    ]


def test_unambiguous_abbreviation_becomes_a_corpus_wide_alias(corpus):
    # Eight papers define PLMs, all as pre-trained language models (not in the curated table):
    # "PLMs" in a paper that never defines it is that entity.
    undefined = _paper("We probe PLMs for facts.", [("PLMs", "Method")], "undefined")
    entities, _, linked = _link([*corpus, undefined])
    defined = _containing(linked, "Pre-trained Language Models (PLMs)")
    assert (
        _ids_of(linked[-1], "PLMs")
        == _ids_of(defined, "Pre-trained Language Models")
        == {"Method:pretrainedlanguagemodel"}
    )
    plm = next(entity for entity in entities if entity.id == "Method:pretrainedlanguagemodel")
    assert (plm.name, plm.full_name) == (
        "PLM",
        "pre-trained language models",
    )  # as written: no paper defines the singular


def test_ambiguous_abbreviation_in_the_corpus_stays_separate_per_paper(linked_corpus):
    # OOD is defined as "out-of-domain" by two papers and as "out-of-distribution" by one.
    _, _, linked = linked_corpus
    domain = _containing(linked, "out-of-domain (OOD)")
    distribution = _containing(linked, "out-of-distribution (OOD)")
    assert _ids_of(domain, "OOD") == {"Method:outofdomain"}
    assert _ids_of(distribution, "OOD") == {"Method:outofdistribution"}


def test_constructed_ambiguous_short_form():
    papers = [
        _paper(
            "We use contrastive learning (CL). CL helps.", [("contrastive learning", "Method"), ("CL", "Method")], "a"
        ),
        _paper(
            "Continual learning (CL) forgets. CL is hard.", [("Continual learning", "Method"), ("CL", "Method")], "b"
        ),
        _paper("CL is popular.", [("CL", "Method")], "c"),
    ]
    entities, _, (a, b, c) = _link(papers)
    assert _ids_of(a, "CL") == _ids_of(a, "contrastive learning") == {"Method:contrastivelearning"}
    assert _ids_of(b, "CL") == _ids_of(b, "Continual learning") == {"Method:continuallearning"}
    assert _ids_of(c, "CL") == {"Method:cl"}
    assert {entity.id for entity in entities} == {"Method:contrastivelearning", "Method:continuallearning", "Method:cl"}


# -- types ---------------------------------------------------------------------------


def test_one_label_per_name_by_weighted_majority():
    papers = [
        _paper("BERT is strong.", [("BERT", "Model")], "a"),
        _paper("We fine-tune BERT.", [("BERT", "Model")], "b"),
        _paper("BERT pre-training.", [("BERT", "Method")], "c"),
    ]
    entities, _, linked = _link(papers)
    assert [(entity.id, entity.mention_count, entity.label_disagreements) for entity in entities] == [
        ("Model:bert", 3, 1)
    ]
    assert _ids_of(linked[2], "BERT") == {"Model:bert"}


def test_abbreviation_never_joins_a_name_of_another_label():
    papers = [
        _paper("Foo Bar Corpus (FBC) is big.", [("Foo Bar Corpus", "Dataset")], "a"),
        _paper("FBC works well.", [("FBC", "Method")], "b"),
    ]
    entities, _, _ = _link(papers)
    assert {entity.id for entity in entities} == {"Dataset:foobarcorpus", "Method:fbc"}


# -- ids, names, alias table -------------------------------------------------------------


def test_rerun_and_reversed_order_give_identical_entities(corpus, linked_corpus):
    entities, variant_pairs, linked = linked_corpus
    again_entities, again_pairs, again_linked = _link(list(reversed(corpus)))
    assert again_entities == entities and again_pairs == variant_pairs
    assert [paper.mentions for paper in reversed(again_linked)] == [paper.mentions for paper in linked]
    resolved = [mention.entity_id for paper in linked for mention in paper.mentions]
    assert None not in resolved and set(resolved) == {entity.id for entity in entities}


def test_entity_fields_are_counted_most_frequent_first():
    papers = [
        _paper("GPT-4 and GPT4 and GPT-4 again.", [("GPT-4", "Model"), ("GPT4", "Model")], "a"),
        _paper("gpt-4 is used.", [("gpt-4", "Model")], "b"),
    ]
    (entity,), _, _ = _link(papers)
    assert entity.id == "Model:gpt4" and entity.name == "GPT-4"
    assert entity.aliases == ["GPT-4", "GPT4", "gpt-4"]
    assert entity.alias_counts == ["GPT-4\t2", "GPT4\t1", "gpt-4\t1"]
    assert (entity.mention_count, entity.paper_count) == (4, 2)


def test_name_is_the_abbreviation_only_when_it_is_in_common_use():
    papers = [
        _paper(
            "Fine-tuning (FT) is fine-tuning; fine-tuning again.",
            [("Fine-tuning", "Method"), ("FT", "Method"), ("fine-tuning", "Method")],
            "a",
        ),
        _paper(
            "Direct Preference Optimization (DPO). DPO beats DPO.",
            [("Direct Preference Optimization", "Method"), ("DPO", "Method")],
            "b",
        ),
    ]
    entities, _, _ = _link(papers)
    assert {(entity.id, entity.name, entity.full_name) for entity in entities} == {
        ("Method:finetuning", "fine-tuning", "Fine-tuning"),
        ("Method:directpreferenceoptimization", "DPO", "Direct Preference Optimization"),
    }


def test_names_are_spellings_the_text_contains(corpus):
    # Corpus abstracts: keys fold the plural ("Cityscapes" and "Cityscape" would be one entity), names do not
    # invent the singular (it was "Cityscape", "MyCanva", "OpenImage", "Caltech-UCSD Bird").
    names = [
        ("Cityscapes", "Dataset"),
        ("MyCanvas", "Dataset"),
        ("OpenImages", "Dataset"),
        ("Caltech-UCSD Birds", "Dataset"),
    ]
    papers = [
        _paper(paper.abstract, [(name, label) for name, label in names if name in paper.abstract], paper.paper_id)
        for paper in corpus
        if any(name in paper.abstract for name, _ in names)
    ]
    # the singular, when written, is the name however often the plural is
    papers.append(
        _paper(
            "Diffusion models beat diffusion models. A diffusion model.",
            [("Diffusion models", "Method"), ("diffusion models", "Method"), ("diffusion model", "Method")],
            "x",
        )
    )
    entities, _, _ = _link(papers)
    assert {entity.id: entity.name for entity in entities} == {
        "Dataset:cityscape": "Cityscapes",
        "Dataset:mycanva": "MyCanvas",
        "Dataset:openimage": "OpenImages",
        "Dataset:caltechucsdbird": "Caltech-UCSD Birds",
        "Method:diffusionmodel": "diffusion model",
    }
    assert _link(list(reversed(papers)))[0] == entities


def test_a_lower_case_word_does_not_name_a_name_written_in_capitals(corpus):
    # Corpus abstracts: "the extended video clip" was linked to CLIP, the model. A lower-case word joins a
    # name only when that name is also written as an ordinary word ("transformer" / "Transformer"); else it
    # is the word's own entity.
    video = next(paper for paper in corpus if "extended video clip" in paper.abstract)
    models = next(paper for paper in corpus if " CLIP " in paper.abstract)
    transformer = next(paper for paper in corpus if " Transformer " in paper.abstract)
    papers = [
        _paper(video.abstract, [("clip", "Method")], video.paper_id),
        _paper(models.abstract, [("CLIP", "Model")], models.paper_id),
        _paper(transformer.abstract, [("Transformer", "Method")], transformer.paper_id),
        _paper(
            "We train a transformer with a video clip and an fc layer.",
            [("transformer", "Method"), ("clip", "Method"), ("fc", "Method")],
            "t",
        ),
        _paper(
            "An FC layer. A Transformer is a transformer.",
            [("FC", "Method"), ("Transformer", "Method"), ("transformer", "Method")],
            "f",
        ),
    ]
    entities, _, (video_linked, models_linked, transformer_linked, constructed, capitals) = _link(papers)
    assert _ids_of(constructed, "fc") == _ids_of(capitals, "FC") == {"Method:fc"}  # an abbreviation, not a word
    assert _ids_of(video_linked, "clip") == _ids_of(constructed, "clip") == {"Method:clip-word"}
    assert _ids_of(models_linked, "CLIP") == {"Model:clip"}
    assert _ids_of(constructed, "transformer") == _ids_of(transformer_linked, "Transformer") == {"Method:transformer"}
    by_id = {entity.id: entity for entity in entities}
    clip_mentions = sum(mention.text == "CLIP" for mention in models_linked.mentions)
    assert (by_id["Model:clip"].aliases, by_id["Model:clip"].label_disagreements) == (["CLIP"], 0)
    assert (by_id["Model:clip"].mention_count, by_id["Model:clip"].paper_count) == (clip_mentions, 1)
    assert (by_id["Method:transformer"].paper_count, by_id["Method:transformer"].mention_count) == (
        3,
        sum(mention.text == "Transformer" for mention in transformer_linked.mentions) + 3,
    )
    assert (by_id["Method:clip-word"].name, by_id["Method:clip-word"].paper_count) == ("clip", 2)


def test_user_alias_file_joins_names(tmp_path):
    papers = [_paper("Foo Net and Bar Model.", [("Foo Net", "Model"), ("Bar Model", "Model")])]
    assert len(_link(papers)[0]) == 2
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("- name: Foo Net\n  aliases: [Bar Model]\n", encoding="utf-8")
    (entity,), _, _ = _link(papers, aliases_path=aliases)
    assert (entity.id, entity.name) == ("Model:foonet", "Foo Net")
    aliases.write_text("- name: Foo Net\n  aliases: [BERT]\n", encoding="utf-8")
    with pytest.raises(InputError, match="already an alias of 'BERT'"):
        Linker(aliases_path=aliases)


# -- evaluation on gold ------------------------------------------------------------------


def test_links_on_scier_dev_meet_the_floor():
    # Measured: precision 1.000, recall 0.775 (see kgbuild/evaluation/links.py for the pairs counted).
    result = evaluate_links(EVAL / "scier_dev.jsonl")
    assert result["precision"] >= 0.97 and result["recall"] >= 0.74, format_links_report(result)
    assert "pairwise precision" in format_links_report(result)
