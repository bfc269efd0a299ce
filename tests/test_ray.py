"""`kgbuild build --engine ray`: extraction and pass 1 of linking on Ray write what the local engine writes."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


@pytest.mark.parametrize(
    ("address", "environment", "message"),
    [
        ("127.0.0.1:{port}", {}, "Error: cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused"),
        # auto is $RAY_ADDRESS when set (Ray's rule), so that is the address checked
        (
            "auto",
            {"RAY_ADDRESS": "127.0.0.1:{port}"},
            "Error: cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused",
        ),
        (
            "nonsense",
            {},
            "Error: bad Ray address 'nonsense': expected HOST:PORT of the head node, ray://HOST:PORT or auto",
        ),
    ],
)
def test_a_bad_ray_address_is_one_line_at_once(address, environment, message, tmp_path):
    port = _closed_port()
    started = time.monotonic()
    result = run_cli(
        "build",
        str(CORPUS),
        "--out",
        str(tmp_path / "out"),
        "--engine",
        "ray",
        "--ray-address",
        address.format(port=port),
        env={name: value.format(port=port) for name, value in environment.items()},
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message.format(port=port)]
    assert time.monotonic() - started < 30  # Ray alone retries an unreachable address for minutes
    assert not (tmp_path / "out" / "extracted.jsonl").exists()


@pytest.mark.parametrize("options", [("--ray-workers", "2"), ("--engine", "ray", "--workers", "2")])
def test_options_of_the_other_engine_are_a_usage_error(options, tmp_path):
    result = run_cli("build", str(CORPUS), "--out", str(tmp_path / "out"), *options)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "--engine ray" in result.stderr


def _descendants(root: int) -> list[int]:
    """Every process started below `root` (Ray's workers leave its process group, so a group kill misses them)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                children.setdefault(int(stat.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    found, stack = [], [root]
    while stack:
        below = children.get(stack.pop(), [])
        found += below
        stack += below
    return found


@pytest.fixture
def ray_head(tmp_path):
    """A Ray cluster started as a user would (`ray start --head`, 2 CPUs, token authentication on a fresh
    token), its own temporary directory; yields (address, environment a driver needs), then ends every
    process it started."""
    port = _closed_port()
    environment = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    temporary = tempfile.mkdtemp(prefix="kgray")  # short: Ray's socket paths must fit in 107 bytes
    head = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "ray"),
            "start",
            "--head",
            f"--port={port}",
            "--num-cpus=2",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={temporary}",
            "--block",
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (Path(temporary) / "ray_current_cluster").exists():
            assert head.poll() is None and time.monotonic() < deadline, "ray start --head did not start"
            time.sleep(0.5)
        yield f"127.0.0.1:{port}", {name: environment[name] for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN")}
    finally:
        processes = [head.pid, *_descendants(head.pid)]
        for pid in reversed(processes):  # children first, so that each is reaped by its own parent
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        head.wait()
        shutil.rmtree(temporary, ignore_errors=True)


def test_build_on_an_existing_cluster_writes_the_local_build(builds, ray_head, tmp_path):
    address, environment = ray_head
    result = run_cli(
        "build",
        str(CORPUS),
        "--out",
        str(tmp_path / "out"),
        "-q",
        "--engine",
        "ray",
        "--ray-address",
        address,
        env=environment,
    )  # workers: one per CPU of the cluster
    assert result.returncode == 0, result.stderr
    for output in ("extracted.jsonl", "graph.graphml"):
        assert (tmp_path / "out" / output).read_bytes() == (builds["local"] / output).read_bytes()
