"""The bad-input matrix: every case is one warning naming file:line, valid records survive, no traceback."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli

GOOD = json.dumps({"id": "good-1", "title": "Good", "abstract": "A valid abstract."})
GOOD2 = json.dumps({"id": "good-2", "title": "Good too", "abstract": "Another valid abstract."})


def _papers(stdout: str) -> list[str]:
    return [json.loads(line)["id"] for line in stdout.splitlines()]


def _assert_clean(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_empty_file_alone_exits_non_zero(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    result = run_cli("papers", str(path))
    _assert_clean(result)
    assert result.returncode == 1
    assert f"{path}: empty file" in result.stderr


def test_empty_file_beside_a_good_one_loses_nothing(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "good.jsonl").write_text(GOOD + "\n")
    result = run_cli("papers", str(tmp_path / "empty.jsonl"), str(tmp_path / "good.jsonl"))
    _assert_clean(result)
    assert result.returncode == 0 and _papers(result.stdout) == ["good-1"]


def test_binary_file_is_skipped(tmp_path):
    binary = tmp_path / "model.bin.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    (tmp_path / "good.jsonl").write_text(GOOD + "\n")
    result = run_cli("papers", str(binary), str(tmp_path / "good.jsonl"))
    _assert_clean(result)
    assert result.returncode == 0 and _papers(result.stdout) == ["good-1"]
    assert f"{binary}: binary file" in result.stderr


def test_invalid_utf8_line_is_skipped_and_named(tmp_path):
    path = tmp_path / "abstracts.txt"
    path.write_bytes(b"First abstract is fine.\nBad \xff\xfe bytes here.\nThird abstract is fine.\n")
    result = run_cli("papers", str(path))
    _assert_clean(result)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 2
    assert f"{path}:2: not valid UTF-8" in result.stderr


def test_truncated_json_line_in_the_middle(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text(GOOD + "\n" + GOOD2[:25] + "\n" + GOOD2 + "\n")
    result = run_cli("papers", str(path))
    _assert_clean(result)
    assert result.returncode == 0 and _papers(result.stdout) == ["good-1", "good-2"]
    assert f"{path}:2: invalid JSON" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_record_without_abstract(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text(json.dumps({"id": "no-abstract", "title": "Only a title"}) + "\n" + GOOD + "\n")
    result = run_cli("papers", str(path))
    _assert_clean(result)
    assert _papers(result.stdout) == ["good-1"]
    assert f"{path}:1: record has no abstract" in result.stderr


def test_ten_megabyte_single_line(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("First abstract is fine.\n" + "word " * 2_000_000 + "\nLast abstract is fine.\n")
    result = run_cli("papers", str(path))
    _assert_clean(result)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 2
    assert f"{path}:2: abstract of 10,000,000 characters exceeds" in result.stderr


def test_a_huge_title_skips_its_record_and_keeps_the_others(tmp_path):
    path = tmp_path / "titles.jsonl"
    path.write_text(
        GOOD
        + "\n"
        + json.dumps({"id": "t", "title": "We evaluate BERT on SQuAD. " * 8333, "abstract": "x y z"})
        + "\n"
        + GOOD2
        + "\n"
    )
    result = run_cli("papers", str(path))
    _assert_clean(result)
    assert result.returncode == 0 and _papers(result.stdout) == ["good-1", "good-2"]
    assert f"{path}:2: title of 224,991 characters exceeds the 2,000 limit; record skipped" in result.stderr


def test_a_fifo_is_read_like_a_file(tmp_path):
    import os
    import threading

    fifo = tmp_path / "papers.jsonl"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(GOOD + "\n"))
    writer.start()
    result = run_cli("papers", str(fifo))
    writer.join(timeout=10)
    _assert_clean(result)
    assert result.returncode == 0 and _papers(result.stdout) == ["good-1"]


def test_unknown_extension_is_read_by_content(tmp_path):
    path = tmp_path / "papers.dat"
    path.write_text(GOOD + "\n")
    result = run_cli("papers", str(path))
    _assert_clean(result)
    assert result.returncode == 0 and _papers(result.stdout) == ["good-1"]
    assert f"{path}: unknown extension '.dat'; read as jsonl" in result.stderr


def test_missing_path_exits_non_zero_but_reads_the_rest(tmp_path):
    (tmp_path / "good.jsonl").write_text(GOOD + "\n")
    result = run_cli("papers", str(tmp_path / "nope.txt"), str(tmp_path / "good.jsonl"))
    _assert_clean(result)
    assert result.returncode == 1
    assert _papers(result.stdout) == ["good-1"]
    assert f"{tmp_path / 'nope.txt'}: no such file or directory" in result.stderr


@pytest.mark.parametrize("args", [["papers"], ["papers", "--input-format", "xml", "x"], ["nonsense"]])
def test_usage_errors_are_one_line_without_traceback(args):
    result = run_cli(*args)
    _assert_clean(result)
    assert result.returncode == 2
