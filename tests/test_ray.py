"""`kgbuild build --engine ray`: extraction and pass 1 of linking on Ray write what the local engine writes."""

from __future__ import annotations

import json
import socket
import time

import pytest

from helpers import CORPUS, run_cli
from kgbuild.link import Linker
from kgbuild.pipeline import read_extracted
from kgbuild.read import ReadReport
from kgbuild.sinks.embedded import EmbeddedStore


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The corpus built by the local engine and by Ray (a local in-process cluster, 2 workers)."""
    outs = {}
    for engine, options in (("local", ()), ("ray", ("--engine", "ray", "--ray-workers", "2"))):
        outs[engine] = tmp_path_factory.mktemp(engine)
        result = run_cli("build", str(CORPUS), "--out", str(outs[engine]), "-q", *options)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    return outs


def test_ray_build_writes_the_local_build_byte_for_byte(builds):
    local, ray = builds["local"], builds["ray"]
    # the same papers in the same order, with the same mentions, entity ids and relations
    assert (ray / "extracted.jsonl").read_bytes() == (local / "extracted.jsonl").read_bytes()
    # the same nodes (ids, every property) and relationships
    assert (ray / "graph.graphml").read_bytes() == (local / "graph.graphml").read_bytes()
    manifests = [json.loads((out / "kgbuild-manifest.json").read_text()) for out in (local, ray)]
    assert manifests[0]["counts"] == manifests[1]["counts"]
    assert manifests[0]["counts"]["nodes"]["Paper"] == 336
    with EmbeddedStore(local / "graph.lbdb") as store:
        local_counts = store.counts()
    with EmbeddedStore(ray / "graph.lbdb") as store:
        assert store.counts() == local_counts


def test_linkers_merged_from_parts_of_the_corpus_link_as_one_linker_of_all(builds):
    papers = list(read_extracted(str(builds["local"] / "extracted.jsonl"), report=ReadReport()))
    whole = Linker()
    for paper in papers:
        whole.observe(paper)
    merged = Linker()
    for part in (papers[:100], papers[100:101], papers[101:]):  # as Ray batches are: any split, any size
        linker = Linker()
        for paper in part:
            linker.observe(paper)
        merged.merge(linker)
    assert merged.finish() == whole.finish()
    assert [merged.resolve(paper) for paper in papers] == [whole.resolve(paper) for paper in papers]


def _closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


@pytest.mark.parametrize(("address", "environment", "message"), [
    ("127.0.0.1:{port}", {}, "Error: cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused"),
    # auto is $RAY_ADDRESS when set (Ray's rule), so that is the address checked
    ("auto", {"RAY_ADDRESS": "127.0.0.1:{port}"},
     "Error: cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused"),
    ("nonsense", {}, "Error: bad Ray address 'nonsense': expected HOST:PORT of the head node, ray://HOST:PORT or auto"),
])
def test_a_bad_ray_address_is_one_line_at_once(address, environment, message, tmp_path):
    port = _closed_port()
    started = time.monotonic()
    result = run_cli("build", str(CORPUS), "--out", str(tmp_path / "out"), "--engine", "ray",
                     "--ray-address", address.format(port=port),
                     env={name: value.format(port=port) for name, value in environment.items()})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message.format(port=port)]
    assert time.monotonic() - started < 30  # Ray alone retries an unreachable address for minutes
    assert not (tmp_path / "out" / "extracted.jsonl").exists()


@pytest.mark.parametrize("options", [("--ray-workers", "2"), ("--engine", "ray", "--workers", "2")])
def test_options_of_the_other_engine_are_a_usage_error(options, tmp_path):
    result = run_cli("build", str(CORPUS), "--out", str(tmp_path / "out"), *options)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "--engine ray" in result.stderr
