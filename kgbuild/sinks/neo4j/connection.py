"""The connection to one Neo4j database: the driver, its managed transactions, reads, one-line errors.

Connection problems raise Neo4jConnectionError with a one-line message within about 10 s (connection
timeout 5 s); a query the server refuses is a QueryError. Transient errors are retried by the driver.
"""

from __future__ import annotations

import os
import re
from typing import Any

from kgbuild.errors import KgbuildError
from kgbuild.schema import BookkeepingLabel, load_schema
from kgbuild.sinks.neo4j import cypher

DEFAULT_URI = "neo4j://localhost:7687"
DEFAULT_USER = "neo4j"
BATCH_SIZE = 5_000  # rows per write transaction (5k measured a little faster than 10k/20k, less server memory)
WORKERS = 2  # concurrent write transactions over disjoint rows (node MERGEs, entity recomputes)
CONNECTION_TIMEOUT = 5.0  # seconds, per TCP/Bolt connection attempt
ACQUISITION_TIMEOUT = 8.0  # seconds, to get a pooled connection (includes connecting)
MAX_RETRY_TIME = 8.0  # seconds of retrying transient errors / connectivity checks


class Neo4jConnectionError(KgbuildError, ConnectionError):
    """The server is unreachable, refused the credentials, or lacks the database. One-line message.
    A ConnectionError (so an OSError): the CLI reports it as a one-line error."""


def _fast_retry_options() -> dict[str, float]:
    """Session option for a short first retry delay, where this driver version has it."""
    try:
        from neo4j._conf import WorkspaceConfig

        return {"initial_retry_delay": 0.1} if hasattr(WorkspaceConfig, "initial_retry_delay") else {}
    except ImportError:
        return {}


_FAST_RETRY = _fast_retry_options()


class _Rows(list):
    """A parameter list with a short repr. The driver formats every RUN message for its debug log,
    parameters included, even when debug logging is off: for 10k rows that repr was ~1/3 of the
    client's CPU. Packed exactly like a list."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _one_line(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _plain(value: Any) -> Any:
    """Driver values -> plain Python (nodes/relationships become dicts, temporal values strings)."""
    from neo4j.graph import Node as DriverNode
    from neo4j.graph import Path as DriverPath
    from neo4j.graph import Relationship as DriverRelationship

    if isinstance(value, DriverNode):
        return {"labels": sorted(value.labels), **dict(value)}
    if isinstance(value, DriverRelationship):
        return {"type": value.type, **dict(value)}
    if isinstance(value, DriverPath):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


class Neo4jConnection:
    """A connection to one Neo4j database. Use as a context manager (or call close())."""

    def __init__(
        self,
        uri: str = DEFAULT_URI,
        user: str = DEFAULT_USER,
        password: str | None = None,
        database: str | None = None,
        *,
        batch_size: int = BATCH_SIZE,
        workers: int = WORKERS,
        connection_timeout: float = CONNECTION_TIMEOUT,
    ) -> None:
        if password is None:
            raise Neo4jConnectionError("no Neo4j password given (set NEO4J_PASSWORD or pass password=)")
        self.uri, self.user, self.database = uri, user, database or None
        self.batch_size = batch_size
        self.workers = max(1, workers)
        self._connection_timeout = connection_timeout
        self._password = password
        self._driver: Any = None  # a neo4j.Driver once connected

    @classmethod
    def from_env(cls, **overrides: Any):
        """Settings from NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE; keyword
        arguments (uri, user, password, database, batch_size) win when not None."""
        settings: dict[str, Any] = {
            "uri": os.environ.get("NEO4J_URI") or DEFAULT_URI,
            "user": os.environ.get("NEO4J_USERNAME") or DEFAULT_USER,
            "password": os.environ.get("NEO4J_PASSWORD"),
            "database": os.environ.get("NEO4J_DATABASE") or None,
        }
        settings.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**settings)

    def _where(self) -> str:
        return f"Neo4j at {self.uri}" + (f" (database {self.database})" if self.database else "")

    def connect(self):
        if self._driver is not None:
            return self
        import neo4j
        from neo4j.exceptions import (
            AuthError,
            ConfigurationError,
            DriverError,
            Neo4jError,
            ServiceUnavailable,
        )

        try:
            driver = neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, self._password),
                connection_timeout=self._connection_timeout,
                connection_acquisition_timeout=ACQUISITION_TIMEOUT,
                max_transaction_retry_time=MAX_RETRY_TIME,
            )
        except (ConfigurationError, ValueError) as error:
            raise Neo4jConnectionError(f"bad Neo4j URI {self.uri!r}: {_one_line(error)}") from None
        try:
            driver.verify_connectivity()
            with driver.session(database=self.database) as session:  # also checks the database exists
                session.run("RETURN 1").consume()
        except AuthError:
            driver.close()
            raise Neo4jConnectionError(
                f"{self._where()} refused the credentials for user {self.user!r} (check NEO4J_USERNAME/NEO4J_PASSWORD)"
            ) from None
        except (ServiceUnavailable, OSError) as error:
            driver.close()
            raise Neo4jConnectionError(f"cannot reach {self._where()}: {_one_line(error)}") from None
        except (Neo4jError, DriverError) as error:
            driver.close()
            raise Neo4jConnectionError(f"cannot use {self._where()}: {_one_line(error)}") from None
        self._driver = driver
        return self

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def driver(self):
        return self.connect()._driver

    def _write(self, query: str, fast_retry: bool = False, **parameters: Any):
        """One managed write transaction (the driver retries transient errors for MAX_RETRY_TIME); returns
        the server's counters. fast_retry: start retrying after ~0.1 s instead of the driver's 1 s (for
        concurrent writes, where an occasional deadlock between two transactions is expected)."""
        from neo4j.exceptions import ServiceUnavailable, SessionExpired

        def work(tx):
            return tx.run(query, parameters).consume().counters

        options = _FAST_RETRY if fast_retry else {}
        parameters = {name: _Rows(value) if type(value) is list else value for name, value in parameters.items()}
        try:
            with self.driver.session(database=self.database, **options) as session:
                return session.execute_write(work)
        except (ServiceUnavailable, SessionExpired) as error:
            raise Neo4jConnectionError(f"lost the connection to {self._where()}: {_one_line(error)}") from None

    def run_statements(self, statements: list[str]) -> None:
        """Run schema statements (DDL, procedure calls) one after the other in one session."""
        with self.driver.session(database=self.database) as session:
            for statement in statements:
                session.run(statement).consume()

    def query(
        self, cypher_text: str, parameters: dict[str, Any] | None = None, *, write: bool = False
    ) -> tuple[list[str], list[tuple]]:
        """Run one Cypher statement (managed, retried); returns (column names, rows as tuples).

        It runs in a read transaction, so the server refuses any write, unless `write`.
        The server's refusal or error is a QueryError (one line)."""
        import neo4j
        from neo4j.exceptions import (
            DriverError,
            Neo4jError,
            ServiceUnavailable,
            SessionExpired,
        )

        from kgbuild.queries import QueryError

        routing = neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ
        try:
            records, _summary, keys = self.driver.execute_query(
                cypher_text,
                parameters or {},
                database_=self.database,
                routing_=routing,
            )
        except (ServiceUnavailable, SessionExpired) as error:
            raise Neo4jConnectionError(f"lost the connection to {self._where()}: {_one_line(error)}") from None
        except Neo4jError as error:
            message = (error.message or str(error)).splitlines()[0]
            raise QueryError(f"{self._where()} refused the query ({error.code}): {message}") from None
        except DriverError as error:
            raise QueryError(f"{self._where()}: {_one_line(error)}") from None
        return list(keys), [tuple(_plain(v) for v in record.values()) for record in records]

    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per schema label and relationships per schema type (non-zero only, like Graph)."""
        schema = load_schema()
        # Only ask about labels/types the database knows (avoids "does not exist" notifications).
        present_labels = {row[0] for row in self.query(cypher.labels_query())[1]}
        present_types = {row[0] for row in self.query(cypher.relationship_types_query())[1]}
        nodes = {
            label: self.query(cypher.node_count_query(label))[1][0][0]
            for label in schema.nodes
            if label in present_labels
        }
        relationships = {
            rel_type: self.query(cypher.relationship_count_query(rel_type))[1][0][0]
            for rel_type in schema.relationships
            if rel_type in present_types
        }
        return {
            "nodes": {k: v for k, v in sorted(nodes.items()) if v},
            "relationships": {k: v for k, v in sorted(relationships.items()) if v},
        }

    def incomplete_loads(self) -> list[dict[str, Any]]:
        """Loads that started and have not finished (running now, or died midway), oldest first:
        [{"id", "started", "version"}]. Non-empty means the graph may be partial."""
        label = load_schema().bookkeeping_label(BookkeepingLabel.KGBUILD_LOAD)
        if not self.query(cypher.label_exists_query(), {"label": label})[1][0][0]:
            return []
        columns, rows = self.query(cypher.incomplete_loads_query())
        return [dict(zip(columns, row)) for row in rows]

    def clear(self) -> None:
        """Delete every node and relationship (keeps constraints). For tests."""
        self.run_statements([cypher.CLEAR])
