"""Outputs never half-exist, never replace a user's file, leave no litter, and are never written by two
processes at once; a Neo4j load that died midway is reported (issue 20, item 4)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from graph_fixtures import CORPUS, corpus_graph, fixture_graph, split_corpus
from helpers import run_cli
from kgbuild import pipeline
from kgbuild.outputs import (
    MANIFEST,
    OutputExistsError,
    OutputLockedError,
    OutputSet,
    file_digest,
    is_kgbuild_output,
    output_lock,
    remove_stale,
    remove_stale_system_temporaries,
    verify_manifest,
)
from kgbuild.pipeline import Spool, read_extracted, write_jsonl
from kgbuild.read import read_papers
from kgbuild.sinks import export as export_module
from kgbuild.sinks import graphml as graphml_module
from kgbuild.sinks.embedded import EmbeddedStore, StoreExistsError
from kgbuild.sinks.export import export_csv, export_jsonl
from kgbuild.sinks.graphml import write_graphml
from kgbuild.sinks.neo4j import Neo4jConnectionError
from kgbuild.sinks.neo4j_import import export_neo4j_import

PAPERS = 12  # of the example corpus, enough for every sink to have data


@pytest.fixture(scope="module")
def graph():
    return fixture_graph()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`kgbuild build` of a few papers: (corpus.jsonl, OUT with extracted.jsonl, graph.lbdb, graph.graphml
    and the manifest)."""
    corpus = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for paper in itertools.islice(read_papers([str(CORPUS)]), PAPERS):
            handle.write(json.dumps({"id": paper.id, "title": paper.title, "abstract": paper.abstract}) + "\n")
    out = tmp_path_factory.mktemp("build") / "out"
    result = run_cli("build", str(corpus), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return corpus, out


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


class _FailingFile:
    """A file that writes its first `limit` bytes, then fails as a full disk or a kill would."""

    def __init__(self, handle, limit: int):
        self.handle, self.limit = handle, limit

    def write(self, data):
        if self.limit <= 0:
            raise OSError(28, "No space left on device (injected)")
        data = data[: self.limit]
        self.limit -= len(data)
        self.handle.write(data)
        if self.limit <= 0:
            raise OSError(28, "No space left on device (injected)")
        return len(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.handle.close()


def _fail_writes_after(monkeypatch, module, limit: int = 100) -> None:
    def failing_open(path, mode="r", *args, **kwargs):
        handle = open(path, mode, *args, **kwargs)
        return _FailingFile(handle, limit) if "w" in mode else handle

    monkeypatch.setattr(module, "open", failing_open, raising=False)


def _no_temporaries(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if ".kgbuild-tmp-" in p.name or "kgbuild-lock" in p.name]


# -- a failed write leaves the previous output whole -------------------------------------------------


def test_graphml_failing_midway_keeps_the_previous_file(graph, tmp_path, monkeypatch):
    path = tmp_path / "graph.graphml"
    write_graphml(graph, path)
    before = path.read_bytes()
    _fail_writes_after(monkeypatch, graphml_module)
    with pytest.raises(OSError, match="injected"):
        write_graphml(graph, path)
    assert path.read_bytes() == before
    assert nx.read_graphml(path, force_multigraph=True).number_of_nodes() == len(graph.nodes)
    assert _no_temporaries(tmp_path)


def test_extract_and_jsonl_export_failing_midway_keep_the_previous_files(graph, built, tmp_path, monkeypatch):
    _, out = built
    papers = list(read_extracted(str(out / "extracted.jsonl")))
    extract_path, export_path = tmp_path / "extracted.jsonl", tmp_path / "graph.jsonl"
    write_jsonl(papers, extract_path)
    export_jsonl(graph, export_path)
    before = extract_path.read_bytes(), export_path.read_bytes()
    _fail_writes_after(monkeypatch, pipeline)
    _fail_writes_after(monkeypatch, export_module)
    with pytest.raises(OSError, match="injected"):
        write_jsonl(papers, extract_path)
    with pytest.raises(OSError, match="injected"):
        export_jsonl(graph, export_path)
    assert (extract_path.read_bytes(), export_path.read_bytes()) == before
    assert _no_temporaries(tmp_path)


def test_store_failing_midway_keeps_the_previous_store(graph, tmp_path, monkeypatch):
    path = tmp_path / "graph.lbdb"
    with EmbeddedStore(path) as store:
        store.load(graph)
        counts = store.counts()
    from kgbuild.sinks import embedded

    statements = []

    def failing_copy(*args, **kwargs):
        statements.append(args)
        if len(statements) > 3:
            raise RuntimeError("killed (injected)")
        return original(*args, **kwargs)

    original = embedded._copy_statement
    monkeypatch.setattr(embedded, "_copy_statement", failing_copy)
    with pytest.raises(RuntimeError, match="injected"), EmbeddedStore(path) as store:
        store.load(graph, replace=True)
    with EmbeddedStore(path) as store:
        assert store.counts() == counts
    assert _no_temporaries(tmp_path)


def test_a_later_output_failing_commits_none_of_the_set(graph, built, tmp_path, monkeypatch):
    """build's outputs are one unit: the GraphML failing after the extract and the store were written
    leaves all three (and the manifest) as the previous build left them."""
    _, built_out = built
    out = tmp_path / "out"
    shutil.copytree(built_out, out)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    _fail_writes_after(monkeypatch, graphml_module)
    papers = list(read_extracted(str(out / "extracted.jsonl")))
    with pytest.raises(OSError, match="injected"), OutputSet(manifest_dir=out) as outputs:
        write_jsonl(papers[:2], out / "extracted.jsonl", outputs)
        with EmbeddedStore(out / "graph.lbdb") as store:
            store.load(graph, replace=True, outputs=outputs)
        write_graphml(graph, out / "graph.graphml", outputs)
        outputs.commit()
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert verify_manifest(out) == []


def test_build_killed_during_the_write_phase_leaves_the_previous_build_whole(built, tmp_path):
    """A real `kgbuild build` of fewer papers (so every output would differ), killed with SIGKILL as soon
    as its store is being written: the extract it has made is not next to the old store."""
    corpus, built_out = built
    fewer = tmp_path / "fewer.jsonl"
    fewer.write_text("".join(corpus.read_text().splitlines(keepends=True)[:-1]))
    out = tmp_path / "out"
    shutil.copytree(built_out, out)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    temporary_dir = tmp_path / "tmp"
    temporary_dir.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kgbuild", "build", str(fewer), "--out", str(out), "-q"],
        env=environment,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    while not any(p.name.endswith("-graph.lbdb") and ".kgbuild-tmp-" in p.name for p in out.iterdir()):
        assert process.poll() is None, "the build ended before its store was written"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()

    after = {path.name: path.read_bytes() for path in out.iterdir() if not path.name.startswith(".")}
    assert after == before
    assert verify_manifest(out) == []
    assert nx.read_graphml(out / "graph.graphml", force_multigraph=True).number_of_nodes() > 0
    with EmbeddedStore(out / "graph.lbdb") as store:
        assert store.counts()["nodes"]["Paper"] == PAPERS

    # The dead build's litter: temporaries in OUT and its graph's directory (its spool went with the linker,
    # before the write phase); the next run removes them.
    assert not _no_temporaries(out) and list(temporary_dir.glob("kgbuild-graph-*"))
    assert not list(temporary_dir.glob("kgbuild-spool-*"))
    with OutputSet(manifest_dir=out):
        pass
    assert _no_temporaries(out)
    remove_stale(temporary_dir)
    assert list(temporary_dir.iterdir()) == []


# -- the manifest --------------------------------------------------------------------------------------


def test_build_writes_a_manifest_of_every_output_last(built):
    _, out = built
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["generator"] == "kgbuild" and manifest["version"]
    assert set(manifest["outputs"]) == {"extracted.jsonl", "graph.lbdb", "graph.graphml"}
    for name, recorded in manifest["outputs"].items():
        assert recorded == file_digest(out / name)
    assert manifest["papers"] == PAPERS == manifest["counts"]["nodes"]["Paper"]
    assert (out / MANIFEST).stat().st_mtime >= max((out / name).stat().st_mtime for name in manifest["outputs"])
    assert _no_temporaries(out)


def test_verify_manifest_names_a_changed_or_missing_output(built, tmp_path):
    _, built_out = built
    out = tmp_path / "out"
    shutil.copytree(built_out, out)
    with open(out / "graph.graphml", "ab") as handle:
        handle.write(b"\n")
    (out / "extracted.jsonl").unlink()
    problems = verify_manifest(out)
    assert any("graph.graphml: changed" in p for p in problems)
    assert any("extracted.jsonl: missing" in p for p in problems)
    (out / MANIFEST).unlink()
    assert "not one whole build" in verify_manifest(out)[0]


def test_directory_exports_end_with_a_manifest(graph, tmp_path):
    export_csv(graph, tmp_path / "csv")
    export_neo4j_import(graph, tmp_path / "import")
    for directory in (tmp_path / "csv", tmp_path / "import"):
        assert verify_manifest(directory) == []
        listed = set(json.loads((directory / MANIFEST).read_text())["outputs"])
        assert listed == {p.name for p in directory.iterdir()} - {MANIFEST}
    export_csv(graph, tmp_path / "csv")  # its own earlier export may be replaced
    (tmp_path / "csv" / "node_Paper.csv").write_text("my own table now\n")  # the manifest does not list this
    with pytest.raises(OutputExistsError, match="node_Paper.csv"):
        export_csv(graph, tmp_path / "csv")


# -- a file kgbuild did not write is not replaced -------------------------------------------------------


def test_graphml_names_kgbuild_as_its_generator(graph, tmp_path):
    path = tmp_path / "graph.graphml"
    write_graphml(graph, path)
    assert nx.read_graphml(path).graph["generator"] == "kgbuild"
    root = ET.parse(path).getroot()
    assert any(key.get("for") == "graph" and key.get("attr.name") == "generator" for key in root)
    assert is_kgbuild_output(path, "graphml")


@pytest.mark.parametrize("option", ["--db", "--graphml"])
def test_build_refuses_to_replace_a_file_it_did_not_write(built, tmp_path, option):
    corpus, _ = built
    precious = tmp_path / "notes.txt"
    precious.write_text("my notes\n")
    started = time.monotonic()
    result = run_cli("build", str(corpus), "--out", str(tmp_path / "out"), option, str(precious), "-q")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {precious} exists and was not written by kgbuild; pass --replace to overwrite it"
    ]
    assert precious.read_text() == "my notes\n"
    assert time.monotonic() - started < 20  # refused before extracting anything


def test_build_replaces_its_own_outputs_and_with_replace_any_file(built, tmp_path):
    corpus, built_out = built
    out = tmp_path / "out"
    shutil.copytree(built_out, out)
    precious = tmp_path / "notes.graphml"
    precious.write_text("<graphml/>\n")
    result = run_cli("build", str(corpus), "--out", str(out), "--graphml", str(precious), "--replace", "-q")
    assert result.returncode == 0, result.stderr
    assert is_kgbuild_output(precious, "graphml")
    assert verify_manifest(out) == []
    assert json.loads((out / MANIFEST).read_text())["outputs"][str(precious)] == file_digest(precious)


def test_every_output_kind_refuses_a_foreign_file_and_replaces_its_own(graph, built, tmp_path):
    _, out = built
    papers = list(read_extracted(str(out / "extracted.jsonl")))
    writers = {
        "extract": lambda path: write_jsonl(papers, path),
        "graphml": lambda path: write_graphml(graph, path),
        "jsonl": lambda path: export_jsonl(graph, path),
        "store": lambda path: EmbeddedStore(path).load(graph),
    }
    for kind, write in writers.items():
        foreign = tmp_path / f"foreign-{kind}"
        foreign.write_text('{"kind": "mine"}\n')
        with pytest.raises(OutputExistsError, match="--replace"):
            write(foreign)
        assert foreign.read_text() == '{"kind": "mine"}\n'
        own = tmp_path / f"own-{kind}"
        write(own)
        assert is_kgbuild_output(own, kind), kind
    with pytest.raises(StoreExistsError):  # a store, even kgbuild's, is replaced only when asked
        EmbeddedStore(tmp_path / "own-store").load(graph)
    EmbeddedStore(tmp_path / "own-store").load(graph, replace=True)
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "node_Paper.csv").write_text("my,table\n")
    with pytest.raises(OutputExistsError, match="node_Paper.csv"):
        export_csv(graph, tmp_path / "csv")
    assert (tmp_path / "csv" / "node_Paper.csv").read_text() == "my,table\n"
    assert _no_temporaries(tmp_path / "csv") and _no_temporaries(tmp_path)


def test_export_refuses_a_foreign_file_unless_replace(built, tmp_path):
    _, out = built
    precious = tmp_path / "graph.txt"
    precious.write_text("mine\n")
    refused = run_cli("export", str(out / "extracted.jsonl"), "--format", "graphml", "-o", str(precious))
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert "pass --replace" in refused.stderr and precious.read_text() == "mine\n"
    replaced = run_cli("export", str(out / "extracted.jsonl"), "--format", "graphml", "-o", str(precious), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert is_kgbuild_output(precious, "graphml")


# -- temporaries of dead processes are removed ------------------------------------------------------------


def test_remove_stale_removes_only_what_dead_processes_left(tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    stale = [
        tmp_path / f".kgbuild-tmp-{dead}-ab12-graph.lbdb",
        tmp_path / f".kgbuild-tmp-{dead}-ab12-graph.lbdb.wal",
        tmp_path / f"kgbuild-spool-{dead}-x1.jsonl",
        tmp_path / f"kgbuild-csv-{dead}-y2",
    ]
    kept = [
        tmp_path / f".kgbuild-tmp-{alive}-cd34-graph.lbdb",
        tmp_path / f"kgbuild-spool-{alive}-z.jsonl",
        tmp_path / "kgbuild-notes.jsonl",
        tmp_path / "graph.lbdb",
    ]
    for path in stale + kept:
        if path.name.startswith("kgbuild-csv-"):
            path.mkdir()
            (path / "node_Paper.csv").write_text("x")
        else:
            path.write_text("x")
    assert sorted(remove_stale(tmp_path)) == sorted(stale)
    assert sorted(tmp_path.iterdir()) == sorted(kept)


def test_what_older_versions_left_is_removed_once_a_day_old(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    out, system = tmp_path / "out", tmp_path / "tmp"
    old = [out / ".kgbuild-build-ab_12xyz", system / "kgbuild-q1w2e3r4.jsonl", system / "kgbuild-csv-zz99yy88"]
    kept = [out / ".kgbuild-build-cd34uvwx", out / "kgbuild-q1w2e3r4.jsonl", system / "kgbuild-notes.jsonl"]
    for path in old + kept:
        path.parent.mkdir(exist_ok=True)
        path.mkdir() if "build" in path.name or "csv" in path.name else path.write_text("x")
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in old + kept[1:]:
        os.utime(path, (two_days_ago, two_days_ago))
    assert sorted(remove_stale(out) + remove_stale_system_temporaries()) == sorted(old)
    assert sorted(out.iterdir()) + sorted(system.iterdir()) == kept


def test_spool_removes_dead_spools_and_its_own_at_exit(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead_spool = tmp_path / f"kgbuild-spool-{_dead_pid()}-abc.jsonl"
    dead_spool.write_text("")
    spool = Spool([])
    assert not dead_spool.exists()
    assert [p.name.startswith(f"kgbuild-spool-{os.getpid()}-") for p in tmp_path.iterdir()] == [True]
    del spool
    assert list(tmp_path.iterdir()) == []
    # At interpreter exit too (a spool still referenced by a module global).
    code = "import kgbuild.pipeline as p; KEEP = p.Spool([]); print(len(list(__import__('os').scandir(%r))))"
    result = subprocess.run(
        [sys.executable, "-c", code % str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert result.stdout.strip() == "1", result.stderr
    assert list(tmp_path.iterdir()) == []


def test_sigterm_removes_the_temporaries_of_a_build(built, tmp_path):
    corpus, _ = built
    out, temporary_dir = tmp_path / "out", tmp_path / "tmp"
    temporary_dir.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "kgbuild", "build", str(corpus), "--out", str(out), "-q"],
        env={**os.environ, "TMPDIR": str(temporary_dir)},
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    while not list(temporary_dir.glob("kgbuild-spool-*")):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    process.terminate()
    process.wait(timeout=60)
    process.stderr.close()
    assert list(temporary_dir.iterdir()) == []
    assert not out.exists() or _no_temporaries(out)


# -- one writer at a time -------------------------------------------------------------------------------------


def test_a_store_being_written_cannot_be_loaded_into(graph, tmp_path):
    path = tmp_path / "graph.lbdb"
    with output_lock(path):
        with pytest.raises(OutputLockedError, match="another kgbuild process is writing it"):
            EmbeddedStore(path).load(graph)
    EmbeddedStore(path).load(graph)  # released: the lock file is gone and a new one is taken
    assert _no_temporaries(tmp_path)


def test_two_threads_loading_one_new_store_one_fails(graph, tmp_path, monkeypatch):
    from kgbuild.sinks import embedded

    path = tmp_path / "graph.lbdb"
    both_started = threading.Barrier(2, timeout=30)
    original = embedded._build

    def slow_build(*args):
        both_started.wait()  # each thread is inside its load before either finishes
        return original(*args)

    monkeypatch.setattr(embedded, "_build", slow_build)
    results = []

    def load():
        try:
            EmbeddedStore(path).load(graph)
            results.append("loaded")
        except OutputLockedError:
            results.append("locked")
            both_started.abort()
        except threading.BrokenBarrierError:
            results.append("waited")

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["locked", "waited"]  # before the lock: both loaded


def test_two_load_commands_into_one_new_store_one_fails(built, tmp_path):
    _, out = built
    path = tmp_path / "graph.lbdb"
    command = [sys.executable, "-m", "kgbuild", "load", str(out / "extracted.jsonl"), "--db", str(path), "-q"]
    processes = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    finished = [(process.wait(timeout=300), process.communicate()[1]) for process in processes]
    assert sorted(code for code, _ in finished) == [0, 1], finished
    error = next(stderr for code, stderr in finished if code == 1)
    assert len(error.strip().splitlines()) == 1 and str(path) in error
    assert "another kgbuild process is writing it" in error or "already exists" in error
    with EmbeddedStore(path) as store:
        assert store.counts()["nodes"]["Paper"] == PAPERS


# -- a Neo4j load that died midway is reported -------------------------------------------------------------


def _neo4j_stats(server) -> subprocess.CompletedProcess:
    env = {"NEO4J_PASSWORD": server.password, "NEO4J_USERNAME": server.user}
    if server.database:
        env["NEO4J_DATABASE"] = server.database
    return run_cli("stats", "--target", "neo4j", "--neo4j", server.uri, "--format", "json", env=env)


def test_a_neo4j_load_that_dies_midway_is_reported_until_the_graph_is_loaded_whole(
    neo4j_sink, neo4j_server, monkeypatch
):
    first, second = split_corpus()
    graph, other = corpus_graph(first), corpus_graph(second)
    write = neo4j_sink._write

    def dying(query, **parameters):
        if "MERGE (a)-[" in query:  # the relationships, after the nodes were written
            raise Neo4jConnectionError("lost the connection (injected)")
        return write(query, **parameters)

    monkeypatch.setattr(neo4j_sink, "_write", dying)
    with pytest.raises(Neo4jConnectionError, match="injected"):
        neo4j_sink.load(graph)
    monkeypatch.undo()
    assert neo4j_sink.counts()["nodes"]  # the partial graph is there
    unfinished = neo4j_sink.incomplete_loads()
    assert len(unfinished) == 1 and unfinished[0]["started"] and unfinished[0]["version"]
    stats = _neo4j_stats(neo4j_server)
    assert stats.returncode == 0
    assert "Warning: the graph may be incomplete: 1 load(s) did not finish" in stats.stderr

    neo4j_sink.load(other)  # a whole load of another graph does not make this one whole
    assert [load["id"] for load in neo4j_sink.incomplete_loads()] == [unfinished[0]["id"]]
    neo4j_sink.load(graph)
    assert neo4j_sink.incomplete_loads() == []
    stats = _neo4j_stats(neo4j_server)
    assert stats.returncode == 0 and "incomplete" not in stats.stderr
    assert neo4j_sink.counts() == {
        "nodes": corpus_graph().node_counts(),
        "relationships": corpus_graph().relationship_counts(),
    }
