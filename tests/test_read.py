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
    by_file = {
        stats.path.rsplit("/", 1)[-1][:3]: (stats.format, stats.records, stats.papers, stats.duplicates)
        for stats in report.files
    }
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
    boilerplate = {
        "new",
        "Subscribe",
        "Daily Papers",
        "Get trending papers in your email inbox!",
        "byAK and the research community",
    }
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
    record = {
        "id": "2107.02137",
        "title": "ERNIE 3.0",
        "abstract": " Pre-trained models\n have achieved ",
        "authors": "Yu Sun, Shuohuan Wang and Shikun Feng",
        "update_date": "2021-07-06",
        "categories": "cs.CL",
    }
    text_only = {"id": "x1", "text": "An abstract given as text."}
    path = tmp_path / "arxiv.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(text_only) + "\n")
    first, second = read_papers([str(path)])
    assert (first.id, first.title, first.abstract, first.date, first.year, first.authors_count) == (
        "arxiv:2107.02137",
        "ERNIE 3.0",
        " Pre-trained models\n have achieved ",
        "2021-07-06",
        2021,
        3,
    )
    assert (second.id, second.abstract, second.title) == ("x1", "An abstract given as text.", "")


def test_ids_from_arxiv_links_and_dois_else_title_hash(tmp_path):
    rows = [
        {"title": "A", "abstract": "one", "url": "https://arxiv.org/abs/2301.00001v2"},
        {"title": "B", "abstract": "two", "doi": "10.1000/XYZ.5"},
        {"title": 'C: \\textsc{T\\"ulu}', "abstract": "three"},
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
    (nested / "p.csv").write_text(
        'id,title,abstract,date\np1,"Title, with comma","Abstract\nover two lines",2020-01-02\n'
    )
    (tmp_path / "a" / "notes.md").write_text("not an input")
    papers = list(read_papers([str(tmp_path)]))
    assert [(p.id, p.title, p.abstract, p.year) for p in papers] == [
        ("p1", "Title, with comma", "Abstract\nover two lines", 2020)
    ]
    result = run_cli("papers", "-", stdin=b'{"id": "s1", "abstract": "from stdin"}\n')
    assert result.returncode == 0 and json.loads(result.stdout)["id"] == "s1"


def test_latex_in_titles_is_kept_as_given():
    tulu = [p for p in read_papers([str(CORPUS)]) if 'T\\"ulu' in p.abstract]
    assert tulu, "the corpus spells Tülu with a LaTeX escape"


def test_one_paper_whatever_the_form_of_its_arxiv_id_or_doi(tmp_path):
    forms = [
        "2211.19126",
        "arxiv:2211.19126",
        "https://arxiv.org/abs/2211.19126v2",
        "2211.19126v2",
        "arXiv:2211.19126v3",
    ]
    path = tmp_path / "ids.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": form, "abstract": f"version {n} of the abstract"}) + "\n" for n, form in enumerate(forms)
        )
    )
    report = ReadReport()
    papers = list(read_papers([str(path)], report=report))
    assert [(p.id, p.version) for p in papers] == [("arxiv:2211.19126", None)]
    assert report.duplicates == 4
    later = tmp_path / "v2.jsonl"
    later.write_text(
        json.dumps({"id": "https://arxiv.org/abs/2211.19126v2", "abstract": "x"})
        + "\n"
        + json.dumps({"id": "https://doi.org/10.1000/ABC", "abstract": "y"})
        + "\n"
        + json.dumps({"id": "doi:10.1000/abc", "abstract": "z"})
        + "\n"
    )
    assert [(p.id, p.version) for p in read_papers([str(later)])] == [
        ("arxiv:2211.19126", "v2"),
        ("doi:10.1000/abc", None),
    ]


def test_json_is_detected_by_content_and_streamed(tmp_path):
    snapshot = tmp_path / "arxiv-metadata-oai-snapshot.json"  # JSON Lines under a .json name
    snapshot.write_text(
        '{"id": "0704.0001", "abstract": "first", "update_date": "2008-11-13"}\n'
        '{"id": "0704.0002", "abstract": "second"}\n'
    )
    assert [(p.id, p.date) for p in read_papers([str(snapshot)])] == [
        ("arxiv:0704.0001", "2008-11-13"),
        ("arxiv:0704.0002", None),
    ]
    pretty = tmp_path / "pretty.json"
    pretty.write_text('[\n  {"id": "a",\n   "abstract": "one"},\n  {"id": "b", "abstract": "two"}\n]\n')
    assert [(p.id, p.source.rsplit(":", 1)[1]) for p in read_papers([str(pretty)])] == [("a", "2"), ("b", "4")]
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "a", "abstract": "kept"},\n {"id": "b" "abstract": "bad"}]')
    report = ReadReport()
    assert [p.id for p in read_papers([str(broken)], report=report)] == ["a"]
    assert [str(issue) for issue in report.issues] == [
        f"{broken}:2: invalid JSON (Expecting ',' delimiter); rest of file skipped"
    ]


def test_a_json_array_is_read_one_record_at_a_time(tmp_path):
    """The parser holds one value, not the file: it never sees the bad tail before yielding the head."""
    from kgbuild.read.formats import parse_json

    issues = []

    def lines():
        yield 1, '[{"id": "a", "abstract": "one"},'
        yield 2, '{"id": "b", "abstract": "two"},'
        raise AssertionError("read past the second record before yielding the first")

    records = parse_json(lines(), lambda line, message: issues.append((line, message)))
    assert next(records).abstract == "one"


def test_year_and_other_date_columns_fill_the_date(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,title,abstract,year\np1,T,An abstract,2019\n")
    (paper,) = read_papers([str(path)])
    assert (paper.date, paper.year) == ("2019", 2019)
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "q", "abstract": "x", "published": "Mon, 2 Apr 2007 19:18:42 GMT"}) + "\n")
    assert next(iter(read_papers([str(path)]))).date == "2007-04-02"


def test_ids_must_be_strings_or_numbers(tmp_path):
    path = tmp_path / "ids.jsonl"
    path.write_text('{"id": true, "abstract": "a"}\n{"id": {"a": 1}, "abstract": "b"}\n{"id": 7, "abstract": "c"}\n')
    report = ReadReport()
    assert [p.id for p in read_papers([str(path)], report=report)] == ["7"]
    assert [issue.line for issue in report.issues] == [1, 2]
    assert all("id must be a string or a number" in issue.message for issue in report.issues)
