"""Extract files that share papers load as their union, whatever form their arXiv ids take."""

from __future__ import annotations

import json

import pytest

from helpers import CORPUS, run_cli
from kgbuild.read import read_papers


@pytest.fixture(scope="module")
def two_extracts(tmp_path_factory):
    """40 corpus papers with bare arXiv ids, and 30 of them (+10 more) as versioned arXiv URLs."""
    papers = list(read_papers([str(CORPUS)]))[:50]
    folder = tmp_path_factory.mktemp("union")
    bare = folder / "bare.jsonl"
    urls = folder / "urls.jsonl"
    bare.write_text(
        "".join(
            json.dumps({"id": f"2211.{n:05d}", "title": p.title, "abstract": p.abstract}) + "\n"
            for n, p in enumerate(papers[:40])
        )
    )
    urls.write_text(
        "".join(
            json.dumps({"id": f"https://arxiv.org/abs/2211.{n:05d}v2", "title": p.title, "abstract": p.abstract}) + "\n"
            for n, p in enumerate(papers)
            if n >= 10
        )
    )
    extracts = []
    for source in (bare, urls):
        target = source.with_suffix(".extracted.jsonl")
        result = run_cli("extract", str(source), "-o", str(target), "-q")
        assert result.returncode == 0, result.stderr
        extracts.append(target)
    return extracts


def _paper_ids(path) -> list[str]:
    return [json.loads(line)["paper_id"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_extract_names_the_papers_by_one_id_form(two_extracts):
    bare, urls = map(_paper_ids, two_extracts)
    assert len(bare) == 40 and len(urls) == 40
    assert len(set(bare) & set(urls)) == 30
    assert all(pid.startswith("arxiv:2211.") for pid in bare + urls)


def test_two_extracts_load_into_the_embedded_store_as_their_union(two_extracts, tmp_path):
    db = tmp_path / "both.lbdb"
    result = run_cli("load", *map(str, two_extracts), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "read 50 papers from 2 extract file(s), 30 duplicates merged" in result.stderr
    counted = run_cli(
        "query",
        "--db",
        str(db),
        "--format",
        "json",
        "MATCH (p:Paper) RETURN count(p) AS papers, count(DISTINCT p.version) AS versions",
    )
    assert json.loads(counted.stdout) == {"papers": 50, "versions": 1}


def test_two_extracts_loaded_one_after_the_other_into_neo4j_are_their_union(two_extracts, neo4j_sink, neo4j_server):
    environment = {"NEO4J_PASSWORD": neo4j_server.password, "NEO4J_USERNAME": neo4j_server.user}
    if neo4j_server.database:
        environment["NEO4J_DATABASE"] = neo4j_server.database
    for extract in two_extracts:
        result = run_cli("load", str(extract), "--neo4j", neo4j_server.uri, env=environment)
        assert result.returncode == 0, result.stderr
    columns, rows = neo4j_sink.query("MATCH (p:Paper) RETURN count(p) AS papers")
    assert rows[0][0] == 50
    columns, rows = neo4j_sink.query(
        "MATCH (p:Paper)-[:MENTIONS]->(e) WITH e, count(DISTINCT p) AS linked "
        "MATCH (e) RETURN sum(CASE WHEN e.paper_count = linked THEN 0 ELSE 1 END)"
    )
    assert rows[0][0] == 0  # entity paper counts are not inflated by a second copy of a paper
