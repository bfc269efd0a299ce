"""docker/docker-compose.yml and docker/Dockerfile, checked by reading (no Docker engine needed).

The expected values are the ones the README documents for connecting to Neo4j.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kgbuild.sinks.neo4j import Neo4jSink

DOCKER = Path(__file__).resolve().parent.parent / "docker"
README_ENV = {"NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"}
README_PORTS = {"7474:7474", "7687:7687"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services(compose):
    assert set(compose["services"]) == {"neo4j", "kgbuild"}


def test_neo4j_service(compose):
    neo4j = compose["services"]["neo4j"]
    assert re.fullmatch(r"neo4j:5\.26(-community)?", neo4j["image"])
    assert {str(p).split("/")[0] for p in neo4j["ports"]} == README_PORTS
    auth = neo4j["environment"]["NEO4J_AUTH"]
    assert auth.startswith("neo4j/${NEO4J_PASSWORD")  # password from the environment, never in the file
    assert any(str(v).endswith(":/data") for v in neo4j["volumes"])
    volume = next(str(v).split(":")[0] for v in neo4j["volumes"] if str(v).endswith(":/data"))
    assert volume in compose["volumes"]
    check = neo4j["healthcheck"]
    assert "cypher-shell" in " ".join(check["test"]) and check["retries"] >= 10


def test_kgbuild_service(compose):
    service = compose["services"]["kgbuild"]
    assert service["build"]["dockerfile"] == "docker/Dockerfile"
    assert (DOCKER / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
    environment = service["environment"]
    assert set(environment) == README_ENV
    assert environment["NEO4J_URI"] == "bolt://neo4j:7687"
    assert environment["NEO4J_USERNAME"] == "neo4j"
    assert environment["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD")
    assert service["depends_on"]["neo4j"]["condition"] == "service_healthy"
    mounts = {str(v).split(":")[0]: str(v).split(":")[1] for v in service["volumes"]}
    assert (DOCKER / "../examples/corpus").resolve() == (DOCKER / next(k for k in mounts if "corpus" in k)).resolve()
    assert (DOCKER / "../examples/corpus").is_dir()


def test_dockerfile():
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\s*$", text, re.M)
    assert re.search(r"^RUN pip install \.", text, re.M)
    root = DOCKER.parent
    for line in re.findall(r"^COPY (.+)$", text, re.M):
        for source in line.split()[:-1]:
            assert (root / source).exists(), f"Dockerfile copies missing {source}"


def test_sink_reads_the_same_env_vars(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://neo4j:7687")
    monkeypatch.setenv("NEO4J_USERNAME", "someone")
    monkeypatch.setenv("NEO4J_PASSWORD", "secret-pw")
    monkeypatch.setenv("NEO4J_DATABASE", "kg")
    sink = Neo4jSink.from_env()  # not connected until used
    assert (sink.uri, sink.user, sink.database) == ("bolt://neo4j:7687", "someone", "kg")
    assert Neo4jSink.from_env(uri="neo4j://other:7687").uri == "neo4j://other:7687"


def test_build_context_leaves_out_the_venv_git_and_outputs():
    """.dockerignore lists what the image needs; nothing else of the repository reaches the build."""
    import fnmatch

    rules = [
        line.strip()
        for line in (DOCKER.parent / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def sent(path: str) -> bool:  # Docker's rule: the last matching pattern decides
        included = True
        for rule in rules:
            negated = rule.startswith("!")
            pattern = rule.lstrip("!").rstrip("/")
            if (
                fnmatch.fnmatch(path, pattern)
                or fnmatch.fnmatch(path, pattern + "/*")
                or path.startswith(pattern + "/")
            ):
                included = negated
        return included

    for path in (
        ".venv/bin/python",
        ".git/config",
        "kgbuild-out/graph.lbdb",
        "docker/out/graph.graphml",
        "tests/test_read.py",
    ):
        assert not sent(path), path
    copied = re.findall(r"^COPY (.+)$", (DOCKER / "Dockerfile").read_text(encoding="utf-8"), re.M)
    for source in (s for line in copied for s in line.split()[:-1]):
        assert sent(source.rstrip("/") + ("/x.py" if source.endswith("/") else "")), f"{source} is ignored"


def test_image_runs_as_a_user_and_compose_as_the_callers_ids(compose):
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert compose["services"]["kgbuild"]["user"].startswith("${KGBUILD_UID")
    assert (DOCKER / "out").is_dir(), "docker/out exists before compose runs, so Docker does not create it as root"


def test_query_in_the_container_finds_the_store_build_wrote(compose):
    from kgbuild.cli import cli

    service = compose["services"]["kgbuild"]
    default_db = next(p.default for p in cli.commands["query"].params if p.name == "db")
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in service["volumes"]}
    out_dir = service["command"][service["command"].index("--out") + 1]
    assert out_dir in mounts and mounts[out_dir] == "./out"
    assert str(Path(service["working_dir"]) / default_db) == f"{out_dir}/graph.lbdb"
