"""Readers on the real corpus and on every supported format."""

from __future__ import annotations

import json

from helpers import CORPUS, run_cli
from kgbuild.read import ReadReport, read_papers


def test_corpus_yields_336_distinct_papers_with_per_file_counts():
    report = ReadReport()
    papers = list(read_papers([str(CORPUS)], report=report))
    assert len(papers) == 336
    assert len({paper.id for paper in papers}) == 336
    assert report.records == 363
    assert report.duplicates == 27
    by_file = {stats.path.rsplit("/", 1)[-1][:3]: (stats.format, stats.records, stats.papers, stats.duplicates) for stats in report.files}
    assert by_file == {
        "000": ("lines", 11, 11, 0),
        "001": ("daily", 48, 48, 0),
        "002": ("daily", 81, 79, 2),
        "003": ("daily", 98, 92, 6),
        "004": ("daily", 125, 106, 19),
    }
    assert report.issues == []


def test_daily_page_metadata_and_no_boilerplate_papers():
    papers = list(read_papers([str(CORPUS / "001_ea651b9635f18eac.txt")]))
    ernie = papers[0]
    assert ernie.title.startswith("ERNIE 3.0: Large-scale Knowledge Enhanced Pre-training")
    assert ernie.abstract.startswith("Pre-trained models have achieved state-of-the-art results")
    assert (ernie.date, ernie.year, ernie.authors_count) == ("2021-07-05", 2021, 22)
    assert ernie.source.endswith("001_ea651b9635f18eac.txt:15")
    boilerplate = {"new", "Subscribe", "Daily Papers", "Get trending papers in your email inbox!", "byAK and the research community"}
    all_papers = list(read_papers([str(CORPUS)]))
    assert not any(p.title in boilerplate or p.abstract in boilerplate for p in all_papers)
    assert not any(p.title.startswith(("•", "·")) or p.abstract.startswith(("•", "·")) for p in all_papers)
    # A page date without a year ("May 20") is not a known date.
    table_models = next(p for p in papers if p.title.startswith("Table Foundation Models"))
    assert table_models.date is None and table_models.authors_count == 5


def test_first_abstract_version_wins_for_a_repeated_title():
    fusechat = [p for p in read_papers([str(CORPUS)]) if p.title == "FuseChat: Knowledge Fusion of Chat Models"]
    assert len(fusechat) == 1
    assert "this approach incurs substantial costs" in fusechat[0].abstract
    assert fusechat[0].source.endswith("004_61e4d1aaf13f9d37.txt:313")


def test_titleless_copy_of_a_titled_paper_is_merged():
    ids = {p.id for p in read_papers([str(CORPUS / "000_138b89fa2dbfd29f.txt")])}
    merged = list(read_papers([str(CORPUS / "000_138b89fa2dbfd29f.txt"), str(CORPUS)]))
    assert len(merged) == 336 and ids <= {p.id for p in merged}


def test_jsonl_with_arxiv_snapshot_fields(tmp_path):
    record = {"id": "2107.02137", "title": "ERNIE 3.0", "abstract": " Pre-trained models\n have achieved ",
              "authors": "Yu Sun, Shuohuan Wang and Shikun Feng", "update_date": "2021-07-06", "categories": "cs.CL"}
    text_only = {"id": "x1", "text": "An abstract given as text."}
    path = tmp_path / "arxiv.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(text_only) + "\n")
    first, second = read_papers([str(path)])
    assert (first.id, first.title, first.abstract, first.date, first.year, first.authors_count) == (
        "2107.02137", "ERNIE 3.0", "Pre-trained models have achieved", "2021-07-06", 2021, 3)
    assert (second.id, second.abstract, second.title) == ("x1", "An abstract given as text.", "")


def test_ids_from_arxiv_links_and_dois_else_title_hash(tmp_path):
    rows = [
        {"title": "A", "abstract": "one", "url": "https://arxiv.org/abs/2301.00001v2"},
        {"title": "B", "abstract": "two", "doi": "10.1000/XYZ.5"},
        {"title": "C: \\textsc{T\\\"ulu}", "abstract": "three"},
        {"title": "c: tülu", "abstract": "four"},
    ]
    path = tmp_path / "papers.json"
    path.write_text(json.dumps(rows))
    papers = list(read_papers([str(path)]))
    assert [p.id for p in papers[:2]] == ["arxiv:2301.00001", "doi:10.1000/xyz.5"]
    assert papers[2].id.startswith("title:")
    assert len(papers) == 3  # the fourth has the same normalised title as the third


def test_csv_and_directory_recursion_and_stdin(tmp_path):
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "p.csv").write_text('id,title,abstract,date\np1,"Title, with comma","Abstract\nover two lines",2020-01-02\n')
    (tmp_path / "a" / "notes.md").write_text("not an input")
    papers = list(read_papers([str(tmp_path)]))
    assert [(p.id, p.title, p.abstract, p.year) for p in papers] == [("p1", "Title, with comma", "Abstract over two lines", 2020)]
    result = run_cli("papers", "-", stdin=b'{"id": "s1", "abstract": "from stdin"}\n')
    assert result.returncode == 0 and json.loads(result.stdout)["id"] == "s1"


def test_latex_in_titles_is_kept_as_given():
    tulu = [p for p in read_papers([str(CORPUS)]) if "T\\\"ulu" in p.abstract]
    assert tulu, "the corpus spells Tülu with a LaTeX escape"
