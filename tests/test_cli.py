"""The `kgbuild` command as a user meets it: read-only queries, one-line errors, shared options, stats,
the progress line. Commands run through kgbuild.cli.main in this process (the entry point's own
error handling, sys.exit and all); a few cases that must prove a file was not touched run the real
`python -m kgbuild`."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import click
import pytest

from graph_fixtures import fixture_graph
from helpers import CORPUS, run_cli
from kgbuild.cli import _paper_total, cli, main
from kgbuild.console import Output
from kgbuild.queries import QueryError, missing_parameters, named_queries, query_header, refuse_file_access
from kgbuild.schema import load_schema
from kgbuild.sinks.embedded import EmbeddedStore

EXTRACT_LINE = json.dumps({"paper_id": "p1", "title": "T", "abstract": "We use BERT.", "source": "x.jsonl:1"})


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "graph.lbdb"
    with EmbeddedStore(path) as store:
        store.load(fixture_graph(nasty=True))
    return path


@pytest.fixture()
def kgbuild(capsys, monkeypatch):
    """kgbuild(*args) -> (exit code, stdout, stderr), through main() as the console script runs it.
    An exception escaping main() is what a user would see as a traceback: it is returned as
    exit code None with the exception's text, so a test can count it instead of stopping."""

    def run(*args: str, env: dict | None = None) -> tuple[int | None, str, str]:
        for key in ("NEO4J_URI", "NEO4J_PASSWORD", "NEO4J_USERNAME", "NEO4J_DATABASE"):
            monkeypatch.delenv(key, raising=False)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "argv", ["kgbuild", *args])
        capsys.readouterr()
        code: int | None = 0
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code
        except Exception as error:  # noqa: BLE001 -- the test reports it as a traceback
            out, err = capsys.readouterr()
            return None, out, f"{err}Traceback: {type(error).__name__}: {error}"
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _one_error_line(err: str) -> str:
    """The error of a failed command: stderr holds exactly one `Error: ...` line and no traceback."""
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert "Traceback" not in err and len(errors) == 1, err
    return errors[0]


# -- issue 20.3: `query` cannot touch files or write ---------------------------------------------


def test_copy_to_a_file_is_refused_and_creates_nothing(store_path, tmp_path):
    victim = tmp_path / "victim.csv"
    result = run_cli("query", "--db", str(store_path), f"COPY (RETURN 'x') TO '{victim}'")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "COPY is refused" in result.stderr
    assert not victim.exists()


def test_load_from_a_system_file_is_refused_and_prints_nothing(store_path, kgbuild):
    code, out, err = kgbuild(
        "query",
        "--db",
        str(store_path),
        "LOAD FROM '/etc/passwd' (file_format='csv', header=false, delim=':') RETURN *",
    )
    assert code == 1 and "LOAD is refused" in _one_error_line(err)
    assert "root" not in out + err


@pytest.mark.parametrize(
    "cypher",
    [
        "CALL read_csv('/etc/passwd') RETURN *",
        "MATCH (n) RETURN n LIMIT 1; EXPORT DATABASE '/tmp/kgbuild-test-export'",
        "INSTALL httpfs",
        "ATTACH '/tmp/other.lbdb' AS other (dbtype lbug)",
    ],
)
def test_other_file_touching_statements_are_refused(store_path, kgbuild, cypher):
    code, _, err = kgbuild("query", "--db", str(store_path), cypher)
    assert code == 1 and "refused" in _one_error_line(err)


def test_a_write_is_refused_by_the_read_only_store(store_path, kgbuild):
    code, _, err = kgbuild("query", "--db", str(store_path), "CREATE (:Dataset {id: 'Dataset:x', name: 'x'})")
    assert code == 1 and "read-only" in _one_error_line(err)
    with EmbeddedStore(store_path) as store:
        assert store.query("MATCH (d:Dataset) WHERE d.id = 'Dataset:x' RETURN d")[1] == []


def test_clause_words_inside_strings_names_and_properties_still_run(store_path, kgbuild):
    code, out, err = kgbuild(
        "query",
        "--db",
        str(store_path),
        "--format",
        "json",
        "RETURN 'COPY x TO y; LOAD FROM z' AS `load` // CALL read_csv",
    )
    assert code == 0, err
    assert json.loads(out) == {"load": "COPY x TO y; LOAD FROM z"}
    code, out, err = kgbuild("query", "--db", str(store_path), "--format", "csv", "CALL show_tables() RETURN name")
    assert code == 0 and "Paper" in out.splitlines()


def test_refusal_looks_at_code_only():
    refuse_file_access("MATCH (p:Paper) WHERE p.title CONTAINS 'copy' RETURN p.use, $load")
    for cypher in ("copy (RETURN 1) TO 'x'", "RETURN 1 /* */ LOAD FROM 'f' RETURN *", "CALL {MATCH (n) RETURN n}"):
        with pytest.raises(QueryError):
            refuse_file_access(cypher)


def test_write_flag_is_for_neo4j_only(store_path, kgbuild):
    code, _, err = kgbuild("query", "--db", str(store_path), "--write", "RETURN 1")
    assert code == 2 and "--write is for --target neo4j only" in _one_error_line(err)


# -- issue 19.7: any Cypher error is one line with the store's message ---------------------------


@pytest.mark.parametrize(
    ("cypher", "message"),
    [
        ("MATCH (n) RETURN n LIMIT", "Parser exception"),
        ("RETURN nosuchfunction(1)", "function NOSUCHFUNCTION does not exist"),
        ("RETURN [1, 2][5]", "out of range"),
        ("MATCH (n:Paper) RETURN n.order", "Parser exception"),
        ("MATCH (n:NoSuchLabel) RETURN n", "NoSuchLabel"),
    ],
)
def test_cypher_errors_are_one_line_with_the_stores_message(store_path, kgbuild, cypher, message):
    code, out, err = kgbuild("query", "--db", str(store_path), cypher)
    assert code == 1 and out == ""
    assert message in _one_error_line(err)


def test_a_stats_store_error_is_one_line(tmp_path, kgbuild):
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("hello\n")
    code, _, err = kgbuild("stats", "--db", str(not_a_store))
    assert code == 1 and "not a valid" in _one_error_line(err)


# -- issue 19.8: named queries say what they need -------------------------------------------------


def test_a_named_query_without_its_parameter_names_it_and_exits_2(store_path, kgbuild):
    code, out, err = kgbuild("query", "--db", str(store_path), "--name", "results_on_dataset")
    assert code == 2 and out == ""
    assert "needs --param dataset=VALUE (string: dataset name or alias)" in _one_error_line(err)
    code, _, err = kgbuild("query", "--db", str(store_path), "RETURN $a + $b AS c", "--param", "a=1")
    assert code == 2 and "needs --param b=VALUE" in _one_error_line(err)


def test_list_shows_each_querys_parameters_and_columns(kgbuild):
    code, out, err = kgbuild("query", "--list", "--format", "csv")
    assert code == 0, err
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(out))}
    assert set(rows) == set(named_queries())
    assert rows["top_datasets"]["parameters"] == "$limit (integer: how many datasets to return)"
    assert rows["top_datasets"]["columns"] == "dataset_id, dataset, papers"
    assert rows["proposed_per_year"]["parameters"] == "none"


def test_every_query_header_matches_its_cypher(store_path):
    """The header's parameters are the ones the Cypher uses, and its columns the ones it returns."""
    with EmbeddedStore(store_path) as store:
        for name, cypher in named_queries().items():
            header = query_header(name)
            assert set(header.parameters) == set(missing_parameters(cypher, {})), name
            arguments = {
                parameter: {"limit": 1, "min_score": 0.5}.get(parameter, "x") for parameter in header.parameters
            }
            assert store.query(cypher, arguments)[0] == header.columns, name


# -- issue 20.5: bad parameter values are named, not tracebacks -----------------------------------


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("limit=-1", 1, "non-negative"),
        ("limit=null", 1, "limit"),
        ("limit=1e309", 2, "not a finite number"),
        ('limit={"a":1}', 1, "limit"),
        ("limit=99999999999999999999999", 2, "does not fit in 64 bits"),
        ("limit", 2, "is not NAME=VALUE"),
    ],
)
def test_bad_parameter_values_are_one_line(store_path, kgbuild, value, code, message):
    got, _, err = kgbuild("query", "--db", str(store_path), "--name", "top_datasets", "--param", value)
    assert got == code and message in _one_error_line(err)


# -- issue 19.12: stats per label, one document per format -----------------------------------------


def test_stats_top_is_per_label_and_json_is_one_object(store_path, kgbuild):
    code, out, err = kgbuild("stats", "--db", str(store_path), "--top", "2", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {"nodes", "relationships", "top"}
    with EmbeddedStore(store_path) as store:
        assert {"nodes": document["nodes"], "relationships": document["relationships"]} == store.counts()
    schema = load_schema()
    labelled = {label for label in schema.entity_labels if document["nodes"].get(label)}
    assert set(document["top"]) == set(schema.entity_labels)
    for label in labelled:
        ranked = document["top"][label]
        assert 1 <= len(ranked) <= 2 and all(entity["entity_id"].startswith(label + ":") for entity in ranked)
        assert [entity["papers"] for entity in ranked] == sorted((entity["papers"] for entity in ranked), reverse=True)


def test_stats_csv_is_one_table_with_one_header(store_path, kgbuild):
    code, out, err = kgbuild("stats", "--db", str(store_path), "--top", "1", "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["kind", "name", "entity_id", "entity", "count"]
    assert all(len(row) == 5 for row in rows) and rows.count(rows[0]) == 1
    assert {row[0] for row in rows[1:]} == {"node", "relationship", "top"}
    assert len([row for row in rows if row[0] == "top"]) == len(load_schema().entity_labels)


# -- issue 20 (smaller): control characters never reach the terminal raw ---------------------------


def test_table_output_escapes_control_characters(store_path, kgbuild):
    code, out, err = kgbuild("query", "--db", str(store_path), "RETURN $s AS s", "--param", "s=a\x1b[31mred\x07[bold]b")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "a\\x1b[31mred\\x07[bold]b" in out  # escaped, and [bold] is text, not rich markup


def test_read_stats_escape_control_characters_in_file_names(tmp_path, kgbuild):
    papers = tmp_path / "a\x1b[2Jb.jsonl"
    papers.write_text(json.dumps({"id": "p", "text": "One."}) + "\n")
    code, _, err = kgbuild("papers", str(papers), "--stats")
    assert code == 0, err
    assert "\x1b" not in err and "a\\x1b[2Jb.jsonl" in err


# -- issue 19.9: the store-exists message names a real option ---------------------------------------


def test_existing_store_message_names_load_replace(store_path, tmp_path, kgbuild):
    extracted = tmp_path / "extracted.jsonl"
    extracted.write_text(EXTRACT_LINE + "\n")
    code, _, err = kgbuild("load", str(extracted), "--db", str(store_path))
    line = _one_error_line(err)
    assert code == 1 and "--replace" in line and "--force" not in line


# -- issue 19.15: options mean the same everywhere; every help ends with an example ----------------


def _options(command: click.Command) -> dict[str, click.Parameter]:
    return {name: param for param in command.params for name in getattr(param, "opts", [])}


def test_options_mean_the_same_on_every_command():
    for name, command in cli.commands.items():
        if name == "train":  # hands every option to the trainer (python -m kgbuild.encoder.train --help)
            continue
        options = _options(command)
        assert "-q" in options and "-v" in options, name
        assert "--as" not in options and "--json" not in options, name
        if "--format" in options:
            assert options["--format"].name in ("output_format", "export_format"), name
            assert options["--format"].help in (None, "Output format."), name
        if "-o" in options:
            assert options["-o"] is options["--output"], name
        if "--input-format" in options:
            assert options["--input-format"].name == "input_format", name
        if "--neo4j" in options:
            assert options["--neo4j"].envvar == "NEO4J_URI", name
    assert "--input-format" in _options(cli.commands["build"]) and "-o" in _options(cli.commands["build"])


def test_every_help_ends_with_an_example(kgbuild):
    for name in ["", *cli.commands]:
        code, out, _ = kgbuild(*([name] if name else []), "--help")
        assert code == 0
        tail = out.rstrip().splitlines()
        example = max(i for i, line in enumerate(tail) if line.strip() == "Example:")
        # one command per line, after the environment variables it needs ("NEO4J_PASSWORD=... kgbuild build ...")
        commands = tail[example + 1 :]
        assert commands and all(re.fullmatch(r"    (?:[A-Z_0-9]+=\S+ )*kgbuild \S.*", line) for line in commands), name


# -- issue 19.16 and 20 (smaller): NEO4J_URI is honoured, and checked before any extraction --------


def test_build_with_an_unreachable_neo4j_from_env_fails_before_extracting(tmp_path, kgbuild):
    code, _, err = kgbuild(
        "build",
        str(CORPUS),
        "-o",
        str(tmp_path / "out"),
        env={"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "x"},
    )
    assert code == 1 and "cannot reach Neo4j at bolt://127.0.0.1:1" in _one_error_line(err)
    assert "read " not in err  # the summary line of the extraction never came
    assert not (tmp_path / "out" / "extracted.jsonl").exists()


def test_load_honours_neo4j_uri_from_env(tmp_path, kgbuild):
    extracted = tmp_path / "extracted.jsonl"
    extracted.write_text(EXTRACT_LINE + "\n")
    code, _, err = kgbuild("load", str(extracted), env={"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "x"})
    assert code == 1 and "cannot reach Neo4j at bolt://127.0.0.1:1" in _one_error_line(err)


# -- issue 19.13 / 19.14: the progress line and the one-line summary -------------------------------


def test_progress_has_a_total_a_unit_and_a_stage_each(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    out = Output()
    with out.session():
        seen = []
        for _ in out.track(["a", "b", "c"], "read + extract", total=3, then="link"):
            task = out._bar.tasks[0]
            seen.append((task.description, task.total))
        task = out._bar.tasks[-1]
        assert seen == [("read + extract", 3)] * 3
        assert task.description == "link" and task.total is None
        out.stage("write")
        assert [task.description for task in out._bar.tasks] == ["write"]
    assert out._bar is None


def test_progress_count_is_the_number_of_papers(tmp_path, monkeypatch):
    papers = tmp_path / "papers.jsonl"
    records = [{"id": "a", "text": "One."}, {"id": "b", "text": "Two."}, {"id": "a", "text": "One."}]
    papers.write_text("".join(json.dumps(record) + "\n" for record in records))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with Output().session() as out:
        assert _paper_total([str(papers)], None, out) == 2
        assert _paper_total(["-"], None, out) is None  # stdin cannot be read twice
    assert _paper_total([str(papers)], None, Output(quiet=True)) is None


def test_extract_says_how_many_papers_and_duplicates(tmp_path, kgbuild):
    papers = tmp_path / "papers.jsonl"
    records = [
        {"id": "2211.19126", "text": "We fine-tune BERT on SQuAD."},
        {"id": "x1", "text": "We evaluate GPT-4 on MMLU."},
        {"id": "2211.19126", "text": "We fine-tune BERT on SQuAD."},
    ]
    papers.write_text("".join(json.dumps(record) + "\n" for record in records))
    code, out, err = kgbuild("extract", str(papers))
    assert code == 0, err
    assert "read 2 papers from 3 records (1 duplicates merged)" in err.splitlines()
    assert len(out.splitlines()) == 2


# -- issue 20.5: the bad-argument matrix: no command ever shows a traceback ------------------------


def _matrix(store: Path, tmp: Path) -> list[tuple[str, ...]]:
    text = tmp / "notes.txt"
    text.write_text("not JSON at all\n")
    extract_file = tmp / "extracted.jsonl"
    extract_file.write_text(EXTRACT_LINE + "\n")
    missing = str(tmp / "missing.jsonl")
    db = ("--db", str(store))
    cases: list[tuple[str, ...]] = [
        (),
        ("nonsense",),
        ("papers",),
        ("papers", missing),
        ("papers", "--input-format", "xml", str(text)),
        ("papers", str(text), "-o", str(tmp / "no" / "such" / "dir" / "out.jsonl")),
        ("papers", str(tmp / "empty-dir")),
        ("extract", missing),
        ("extract", str(text), "--aliases", missing),
        ("extract", str(text), "--workers", "0"),
        ("entities", missing),
        ("entities", str(text), "--format", "xml"),
        ("build",),
        ("build", missing, "-o", str(tmp / "b")),
        ("build", str(text), "--neo4j", "http://localhost:7474"),
        ("build", str(text), "--neo4j", "bolt://host:notaport"),
        ("build", str(text), "--neo4j", "bolt://127.0.0.1:1"),
        ("load", missing, "--db", str(tmp / "x.lbdb")),
        ("load", str(extract_file)),
        ("load", str(text), "--db", str(tmp / "y.lbdb")),
        ("load", str(extract_file), *db),
        ("export", str(extract_file)),
        ("export", str(extract_file), "--format", "xml", "-o", str(tmp / "e")),
        ("export", str(text), "--format", "jsonl", "-o", str(tmp / "e.jsonl")),
        ("query",),
        ("query", "RETURN 1", "--name", "top_datasets", *db),
        ("query", "--name", "nope", *db),
        ("query", "RETURN 1", "--db", missing),
        ("query", "RETURN 1", "--db", str(text)),
        ("query", "RETURN 1", "--db", str(tmp)),
        ("query", "RETURN 1", "--format", "xml", *db),
        ("query", "RETURN 1", "--target", "neo4j"),
        ("query", "RETURN 1", "--target", "neo4j", "--neo4j", "http://x"),
        ("query", "RETURN 1", "--target", "neo4j", "--neo4j", "bolt://host:notaport"),
        ("query", "RETURN 1", "--target", "neo4j", "--neo4j", "bolt://127.0.0.1:1"),
        ("query", "RETURN 1", "--write", *db),
        ("query", "RETURN $x", *db),
        ("query", "RETURN 1", "--param", "=", *db),
        *(
            ("query", "--name", "top_datasets", "--param", value, *db)
            for value in ("limit=-1", "limit=null", "limit=1e309", 'limit={"a":1}', "limit=NaN", "limit=[1]")
        ),
        *(
            ("query", cypher, *db)
            for cypher in (
                "MATCH (n) RETURN n LIMIT",
                "RETURN nosuch(1)",
                "RETURN [1][3]",
                "MATCH (n) RETURN n.order",
                "CREATE (:Dataset {id: 'x'})",
                "COPY (RETURN 1) TO 'x.csv'",
                "LOAD FROM 'x.csv' RETURN *",
                "MATCH (n) DETACH DELETE n",
                "DROP TABLE Paper",
                "RETURN 1; RETURN 2",
                "",
            )
        ),
        ("stats", "--db", missing),
        ("stats", "--db", str(text)),
        ("stats", "--top", "-1", *db),
        ("stats", "--format", "xml", *db),
        ("stats", "--target", "neo4j"),
        ("stats", "--target", "neo4j", "--neo4j", "bolt://127.0.0.1:1"),
        ("eval", missing),
        ("eval", str(text)),
        ("eval", str(text), "--links"),
        ("eval", str(text), "--relations"),
        ("eval", str(extract_file)),
        ("eval", str(extract_file), "--format", "xml"),
    ]
    (tmp / "empty-dir").mkdir(exist_ok=True)
    return cases


def test_no_bad_argument_ever_shows_a_traceback(store_path, tmp_path, kgbuild, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cases = _matrix(store_path, tmp_path)
    tracebacks, unclear = [], []
    for args in cases:
        code, _, err = kgbuild(*args, env={"NEO4J_PASSWORD": "x"} if "neo4j" in " ".join(args) else None)
        if code is None or "Traceback" in err:
            tracebacks.append((args, err.splitlines()[-1:]))
        elif code not in (1, 2) or sum(line.startswith("Error:") for line in err.splitlines()) != 1:
            unclear.append((args, code, err))
    print(
        f"\nbad-argument matrix: {len(cases)} cases, {len(cases) - len(tracebacks) - len(unclear)} clear "
        f"one-line errors, {len(tracebacks)} tracebacks, {len(unclear)} unclear"
    )
    assert not (tmp_path / "x.csv").exists()
    assert tracebacks == [] and unclear == []


# -- issue 20.3 / 19.7 on Neo4j: read transactions, --write, one-line server errors -----------------


def _neo4j_args(server) -> list[str]:
    return [
        "--target",
        "neo4j",
        "--neo4j",
        server.uri,
        "--neo4j-user",
        server.user,
        *(["--neo4j-database", server.database] if server.database else []),
    ]


def test_neo4j_query_runs_read_only_unless_write(neo4j_sink, neo4j_server, kgbuild):
    env = {"NEO4J_PASSWORD": neo4j_server.password}
    code, _, err = kgbuild("query", *_neo4j_args(neo4j_server), "CREATE (:Dataset {name: 'x'})", env=env)
    assert code == 1 and "refused the query" in _one_error_line(err)
    assert neo4j_sink.query("MATCH (d:Dataset) RETURN count(d)")[1] == [(0,)]
    code, _, err = kgbuild(
        "query", *_neo4j_args(neo4j_server), "--write", "CREATE (:Dataset {name: $name})", "--param", "name=x", env=env
    )
    assert code == 0, err
    assert neo4j_sink.query("MATCH (d:Dataset) RETURN d.name")[1] == [("x",)]


def test_neo4j_cypher_errors_are_one_line(neo4j_sink, neo4j_server, kgbuild):
    env = {"NEO4J_PASSWORD": neo4j_server.password}
    code, out, err = kgbuild("query", *_neo4j_args(neo4j_server), "MATCH (n) RETURN n LIMT 1", env=env)
    assert code == 1 and out == ""
    assert "Neo.ClientError.Statement.SyntaxError" in _one_error_line(err)
    code, out, err = kgbuild("stats", *_neo4j_args(neo4j_server), "--format", "json", env=env)
    assert code == 0, err
    assert json.loads(out)["nodes"] == {}


def test_a_bad_neo4j_uri_in_the_environment_does_not_stop_embedded_queries(store_path, kgbuild):
    env = {"NEO4J_URI": "http://localhost:7474"}
    code, out, err = kgbuild("query", "--db", str(store_path), "RETURN 1 AS one", "--format", "json", env=env)
    assert code == 0 and json.loads(out) == {"one": 1}, err
    code, _, err = kgbuild("query", "--target", "neo4j", "RETURN 1", env={**env, "NEO4J_PASSWORD": "x"})
    assert code == 2 and "is not a Neo4j Bolt URI" in _one_error_line(err)


def test_a_killed_extract_leaves_the_previous_output_file_whole(tmp_path):
    """Killed as soon as the output starts to be written: FILE is still the previous one."""
    import signal
    import subprocess
    import sys
    import time

    from helpers import CORPUS

    target = tmp_path / "extracted.jsonl"
    target.write_text("previous output\n")
    process = subprocess.Popen([sys.executable, "-m", "kgbuild", "extract", str(CORPUS), "-o", str(target), "-q"])
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        others = [path for path in tmp_path.iterdir() if path != target]
        if others or target.read_text() != "previous output\n":  # a temporary, or FILE itself, is being written
            break
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the run ended before the write was seen"
    assert target.read_text() == "previous output\n"
