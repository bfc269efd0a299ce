"""Issue 20, items 1 and 2: one huge record costs memory linear in its length, and one failing record is
reported and skipped while the run goes on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kgbuild.extract import ExtractionError, extract_papers, load_pipeline
from kgbuild.extract.ner import WINDOW_TOKENS, windows
from kgbuild.extract.resolve import Candidate, Resolver
from kgbuild.models import Paper, Relation

SENTENCE = "We evaluate BERT on SQuAD and GLUE. "


def test_a_name_repeated_n_times_proposes_its_occurrences_once_each_not_n_times():
    doc = load_pipeline().make_doc(SENTENCE * 300)
    names = [
        Candidate(token.i, token.i + 1, "Dataset" if token.text in ("SQuAD", "GLUE") else "Model", {"ner"})
        for token in doc
        if token.text in ("BERT", "SQuAD", "GLUE")
    ]
    proposed = Resolver._repeat_candidates(doc, names, {})
    # each name and label once per occurrence (900), not once per pair of occurrences (270,000 before)
    assert len(proposed) == len(names)
    assert {(c.start, c.label) for c in proposed} == {(c.start, c.label) for c in names}


def test_a_name_with_two_labels_proposes_both_in_the_order_the_mentions_come():
    doc = load_pipeline().make_doc("GPT is here. GPT is there. GPT again.")
    gpt = [token.i for token in doc if token.text == "GPT"]
    mentions = [Candidate(gpt[0], gpt[0] + 1, "Model", {"ner"}), Candidate(gpt[1], gpt[1] + 1, "Method", {"ner"})]
    proposed = Resolver._repeat_candidates(doc, mentions, {})
    assert [(c.start, c.label) for c in proposed] == [(i, "Model") for i in gpt] + [(i, "Method") for i in gpt]


def test_each_ner_span_is_checked_against_the_cues_it_overlaps_only(monkeypatch):
    from kgbuild.extract import resolve  # noqa: PLC0415

    checks = []
    contradicts = resolve._contradicts
    monkeypatch.setattr(resolve, "_contradicts", lambda cue, span: checks.append(1) or contradicts(cue, span))
    text = "We fine-tune Large Language Models (LLMs) such as LLaMA-7B with LLMs on the SQuAD dataset. "
    counts = []
    for repeats in (50, 100):
        checks.clear()
        load_pipeline()(text * repeats)
        counts.append(len(checks))
    assert counts[1] < 2.2 * counts[0]  # before: every NER span against every cue, 4 times as many


class _CountingWords(list):
    """A word list that counts how often it is read."""

    reads = 0

    def __getitem__(self, index):
        _CountingWords.reads += 1
        return super().__getitem__(index)


def _named_reads(words: list[str]) -> int:
    from kgbuild.extract.named import named_candidates  # noqa: PLC0415

    _CountingWords.reads = 0
    named_candidates(_CountingWords(words), [(0, len(words))])
    return _CountingWords.reads


@pytest.mark.parametrize("unit", [["GPT-4", ","], ["XLM", "-"]], ids=["a list of names", "a chain of name parts"])
def test_named_systems_read_a_sentence_a_bounded_number_of_times_per_word(unit):
    # before: each name of a list looked back over all earlier ones, each part of a chain forward over the rest
    reads = [_named_reads(["We", "use", *unit * n, "."]) for n in (1000, 2000)]
    assert reads[1] < 2.2 * reads[0]


def test_windows_keep_sentences_whole_and_cut_only_a_sentence_longer_than_a_window():
    nlp = load_pipeline()
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc("a b c d . e f . g h i j k l m n o p . q ."))
    assert windows(doc, size=6) == [(0, 5), (5, 8), (8, 14), (14, 19), (19, 21)]
    for start, end in windows(doc, size=6):
        assert end - start <= 6


def test_a_text_longer_than_a_window_is_labelled_as_its_sentences_are():
    nlp = load_pipeline(fast=True)  # the CNN's windows (ner.py); the encoder's overlap (test_encoder_component.py)
    short = nlp(SENTENCE)
    long = nlp(SENTENCE * (WINDOW_TOKENS // len(short) * 3))
    assert len(long) > 2 * WINDOW_TOKENS
    labelled = {(ent.start % len(short), ent.end % len(short) or len(short), ent.label_) for ent in long.ents}
    assert labelled == {(ent.start, ent.end, ent.label_) for ent in short.ents}
    assert len(long.ents) == len(short.ents) * (len(long) // len(short))


def test_relations_of_a_field_without_full_stops_come_from_pieces_of_bounded_length():
    from kgbuild.extract.mentions import field_mentions  # noqa: PLC0415
    from kgbuild.relate.sentences import MAX_SENTENCE_TOKENS, sentences  # noqa: PLC0415
    from kgbuild.text import normalise  # noqa: PLC0415

    text = "We evaluate BERT on SQuAD and GLUE ; " * 200
    norm = normalise(text)
    mentions, field = field_mentions("abstract", text, norm, load_pipeline()(norm.text), 0)
    views = list(sentences([field], mentions))
    assert len(views) > 1 and all(len(view.span) <= MAX_SENTENCE_TOKENS for view in views)
    assert sum(len(view.slots) for view in views) == len(mentions)


def test_a_long_form_is_found_far_from_the_sentence_start():
    from kgbuild.abbreviations import find_definitions  # noqa: PLC0415

    text = "word " * 20_000 + "with Large Language Models (LLMs) here"
    [definition] = find_definitions(text)
    assert (text[slice(*definition.long_span)], text[slice(*definition.short_span)]) == (
        "Large Language Models",
        "LLMs",
    )
    assert (definition.short, definition.long) == ("LLMs", "Large Language Models")


# The rules' memory (issue 20) as the CNN pipeline runs them: under a loaded machine the encoder took over 300 s
# on this record, and its windows hold a bounded number of pieces each (test_encoder_component.py).
_PEAK_OVER_TINY = """
import json, resource, sys
from kgbuild.extract import extract_papers
from kgbuild.models import Paper
from kgbuild.relate import relate
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
list(extract_papers([Paper(id="tiny", abstract="We evaluate BERT on SQuAD.", source="t:1")], relate=relate, fast=True))
before = peak()
list(extract_papers([Paper(id="huge", abstract=sys.argv[1], source="t:2")], relate=relate, fast=True))
print(peak() - before)
"""


def test_one_record_of_60k_characters_costs_a_few_mb_per_10k_over_a_tiny_one():
    text = (SENTENCE * 2000)[:60_000]  # the worst case: every name repeated 1,667 times
    # 3 GB of address space: before the fix this record took ~2.9 GB and stopped here with MemoryError
    process = subprocess.run(
        [sys.executable, "-c", _PEAK_OVER_TINY, text],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_address_space,
    )
    assert process.returncode == 0, process.stderr[-500:]
    assert float(process.stdout) < 6 * 40  # MB: measured 20 (bench/bench_record_memory.py)


def _limit_address_space() -> None:
    import resource  # noqa: PLC0415

    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


# Item 2: a failing record is reported, the others are kept.


def _papers() -> list[Paper]:
    return [
        Paper(id="good-1", title="BERT", abstract="We evaluate BERT on SQuAD.", source="in.jsonl:1"),
        Paper(id="bad-2", title="LLaMA", abstract="We fine-tune LLaMA on Alpaca. " * 40, source="in.jsonl:2"),
        Paper(id="good-3", title="GPT-4", abstract="We evaluate GPT-4 on MMLU.", source="in.jsonl:3"),
    ]


@pytest.fixture
def short_max_length(monkeypatch):
    """spaCy refuses texts over nlp.max_length (E088, as a 10 MB title did); here over 500 characters."""
    monkeypatch.setattr(load_pipeline(), "max_length", 500)


def test_a_text_spacy_refuses_loses_only_its_paper_not_its_batch(short_max_length):
    failures = []
    out = list(extract_papers(_papers(), on_error=lambda paper, message: failures.append((paper.id, message))))
    assert [paper.paper_id for paper in out] == ["good-1", "good-3"]
    assert all(paper.mentions for paper in out)
    [(paper_id, message)] = failures
    assert paper_id == "bad-2" and "E088" in message and "\n" not in message


def test_without_on_error_a_failure_is_an_error_naming_the_record(short_max_length):
    with pytest.raises(ExtractionError, match=r"^in\.jsonl:2: paper bad-2: extraction failed: ValueError: \[E088\]"):
        list(extract_papers(_papers()))


def relate_failing_on_bad(paper, fields, mentions) -> list[Relation]:
    """Module-level (so it pickles to worker processes): fails for paper "bad-2" only."""
    if paper.id == "bad-2":
        raise RuntimeError("a rule met something it did not expect")
    return []


def test_a_failure_in_a_worker_process_is_reported_and_the_run_goes_on():
    failures = []
    out = list(
        extract_papers(
            _papers() * 2,
            workers=2,
            batch_size=2,
            relate=relate_failing_on_bad,
            on_error=lambda paper, message: failures.append((paper.source, paper.id, message)),
        )
    )
    assert [paper.paper_id for paper in out] == ["good-1", "good-3"] * 2
    assert failures == [("in.jsonl:2", "bad-2", "RuntimeError: a rule met something it did not expect")] * 2


def test_extract_writes_every_valid_record_warns_of_the_failed_one_and_exits_1(short_max_length, tmp_path):
    from kgbuild.cli import cli  # noqa: PLC0415

    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": paper.id, "title": paper.title, "abstract": paper.abstract}) + "\n" for paper in _papers()
        ),
        encoding="utf-8",
    )
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["extract", str(source), "-o", str(output)])
    assert result.exit_code == 1
    assert [json.loads(line)["paper_id"] for line in output.read_text(encoding="utf-8").splitlines()] == [
        "good-1",
        "good-3",
    ]
    warnings = [line for line in result.stderr.splitlines() if "bad-2" in line]
    assert len(warnings) == 1 and f"{source}:2: paper bad-2: extraction failed" in warnings[0]
    assert "Traceback" not in result.stderr and "1 record(s) skipped" in result.stderr
