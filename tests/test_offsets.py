"""Offsets index the text exactly as the user gave it, whatever its whitespace (the spaCy convention).

The property: layout noise (runs of spaces, tabs, line breaks, no-break and other Unicode spaces,
zero-width spaces, soft hyphens) changes nothing the extractor finds, and every mention and evidence
span of the noisy text points at the same words, noise included, in the noisy text.
"""

from __future__ import annotations

import json
import random
import re

import pytest

from helpers import CORPUS, EVAL, run_cli
from kgbuild.pipeline import extract
from kgbuild.read import read_papers

_SPACES = [" ", "  ", "   ", "\t", "\n", "\n\n", " \n ", "\u00a0", "\u2009", "\u202f", "\u3000", "\u2003", "\r\n"]
_INVISIBLE = ["\u200b", "\u00ad"]  # zero-width space, soft hyphen: inside words


def _with_noise(text: str, rng: random.Random) -> str:
    out = [rng.choice(_SPACES)] if rng.random() < 0.3 else []
    for index, char in enumerate(text):
        if char == " " and rng.random() < 0.5:
            out.append(rng.choice(_SPACES))
            continue
        out.append(char)
        following = text[index + 1 : index + 2]
        if char.isalpha() and following.isalpha() and rng.random() < 0.03:
            out.append(rng.choice(_INVISIBLE))
    if rng.random() < 0.3:
        out.append(rng.choice(_SPACES))
    return "".join(out)


def _plain(text: str) -> str:
    """The words of `text` without layout (an oracle independent of kgbuild.text)."""
    return " ".join(re.sub("[\u200b\u00ad]", "", text).split())


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    papers = list(read_papers([str(CORPUS)]))[::8]
    rng = random.Random(19)
    path = tmp_path_factory.mktemp("noise") / "noisy.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for paper in papers:
            out.write(
                json.dumps(
                    {
                        "id": paper.id,
                        "title": _with_noise(paper.title, rng),
                        "abstract": _with_noise(paper.abstract, rng),
                    }
                )
                + "\n"
            )
    clean_path = path.with_name("clean.jsonl")
    clean_path.write_text(
        "".join(json.dumps({"id": p.id, "title": p.title, "abstract": p.abstract}) + "\n" for p in papers)
    )
    return list(extract([str(clean_path)])), list(extract([str(path)])), path


def test_noisy_layout_gives_the_same_mentions_at_the_noisy_offsets(sample):
    clean, noisy, path = sample
    given = {record["id"]: record for record in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    assert len(clean) == len(noisy) > 30
    checked = 0
    for before, after in zip(clean, noisy):
        source = given[after.paper_id]
        assert (after.title, after.abstract) == (source["title"], source["abstract"])  # the text as given
        assert [(m.field, m.label, _plain(m.text)) for m in after.mentions] == [
            (m.field, m.label, _plain(m.text)) for m in before.mentions
        ]
        for mention in after.mentions:
            assert source[mention.field][mention.start : mention.end] == mention.text
            assert mention.text == mention.text.strip(" \t\n\r\u00a0\u2009\u202f\u3000\u2003\u200b\u00ad")
            checked += 1
        assert [(r.type, r.field, _plain(after.text(r.field)[slice(*r.evidence)])) for r in after.relations] == [
            (r.type, r.field, _plain(before.text(r.field)[slice(*r.evidence)])) for r in before.relations
        ]
    assert checked > 500


def test_the_users_example_points_at_the_right_characters(tmp_path):
    text = "Our methods achieve higher success rates.  Samples in Table 6 show that the GS-EC method finds more words."
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps({"id": "b", "text": text}) + "\n")
    result = run_cli("extract", str(path), "-o", "-")
    record = json.loads(result.stdout)
    assert record["abstract"] == text
    assert "GS-EC" in [m["text"] for m in record["mentions"]]
    assert all(text[m["start"] : m["end"]] == m["text"] for m in record["mentions"])


def test_long_gold_texts_have_no_mention_off_its_input_text():
    """SciER dev: full-paper paragraphs with line breaks and double spaces; ~1,100 mentions were off."""
    path = EVAL / "scier_dev.jsonl"
    texts = {record["id"]: record["text"] for record in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    wrong = total = 0
    for paper in extract([str(path)], relations=False):
        for mention in paper.mentions:
            total += 1
            wrong += texts[paper.paper_id][mention.start : mention.end] != mention.text
    assert total > 2000 and wrong == 0


def test_graph_surface_forms_are_clean_while_evidence_keeps_the_text_as_given(tmp_path):
    """MENTIONS.texts feed Neo4j's alias recount: a line break inside a name must not become an alias."""
    from kgbuild.pipeline import link_extracted

    path = tmp_path / "p.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "p",
                "abstract": "Large  language\nmodels (LLMs) such as GPT-4 are evaluated "
                "on the MMLU\nbenchmark with the F1\u00a0score.",
            }
        )
        + "\n"
    )
    corpus = link_extracted(extract([str(path)]))
    graph = corpus.graph()
    texts = [t for rel in graph.relationships if rel.type == "MENTIONS" for t in rel.properties["texts"]]
    assert {"Large language models", "F1 score"} <= set(texts)
    assert not any(char in t for t in texts for char in "\n\u00a0") and not any("  " in t for t in texts)
    evidence = [
        json.loads(e)["text"]
        for rel in graph.relationships
        if rel.type == "MENTIONS"
        for e in rel.properties["evidence"]
    ]
    assert "Large  language\nmodels" in evidence
