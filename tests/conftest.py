"""Shared pytest fixtures.

neo4j_server (session): a real Neo4j 5.26 Community server started by
tests/neo4j_server/neo4j_server.py (Java 17+ and Maven needed). Without them the
tests that use it are skipped with the reason shown in the summary -- except
under CI=true, where a missing tool is an error, so CI cannot silently skip them.
Set KGBUILD_TEST_NEO4J_URI (+ KGBUILD_TEST_NEO4J_PASSWORD, optional
KGBUILD_TEST_NEO4J_USERNAME / KGBUILD_TEST_NEO4J_DATABASE) to use an already running
server instead, e.g. the docker compose one. Tests WIPE that database.

neo4j_java: Java and Maven only (for Neo4j's own tools, no server), skipped or failed the same way.
Every test that uses either (directly or through another fixture) is marked `neo4j`, so
`pytest -m "not neo4j"` runs all the others without Java, Maven or a server.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
for _path in (TESTS, TESTS / "neo4j_server"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"neo4j_server", "neo4j_java"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@dataclass(frozen=True)
class ExternalNeo4j:
    uri: str
    password: str
    user: str = "neo4j"
    database: str | None = None


@pytest.fixture(scope="session")
def neo4j_server():
    """A running Neo4j server: object with .uri .user .password .database."""
    external = os.environ.get("KGBUILD_TEST_NEO4J_URI")
    if external:
        yield ExternalNeo4j(
            uri=external,
            password=os.environ.get("KGBUILD_TEST_NEO4J_PASSWORD", ""),
            user=os.environ.get("KGBUILD_TEST_NEO4J_USERNAME", "neo4j"),
            database=os.environ.get("KGBUILD_TEST_NEO4J_DATABASE") or None,
        )
        return
    from neo4j_server import running_neo4j

    _require_java()
    with running_neo4j(password="kgbuild-test-pw") as server:
        yield server


@pytest.fixture(scope="session")
def neo4j_java() -> None:
    """Java 17+ and Maven, for a test that runs Neo4j's own tools without a server (neo4j-admin import)."""
    _require_java()


def _require_java() -> None:
    """Skip the test without Java 17+ and Maven -- fail it under CI=true, so CI cannot silently skip it."""
    from neo4j_server import java_available

    if not java_available():
        message = "Neo4j tests need Java 17+ and Maven (java, mvn) on PATH"
        if in_ci():
            pytest.fail(f"{message}; CI=true, so this is an error, not a skip", pytrace=False)
        pytest.skip(message)


@pytest.fixture()
def neo4j_sink(neo4j_server):
    """A connected kgbuild Neo4jSink on an emptied database."""
    from kgbuild.sinks.neo4j import Neo4jSink

    with Neo4jSink(neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database) as sink:
        sink.clear()
        yield sink
