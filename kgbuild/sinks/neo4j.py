"""Neo4j sink: load a Graph into a Neo4j 5 server with batched, parameterised MERGEs.

    with Neo4jSink("neo4j://localhost:7687", "neo4j", password) as sink:
        counts = sink.load(graph)

* Labels and relationship types in Cypher come only from schema/graph.yaml
  (`load_schema().node_label()/relationship_type()`); every value is a parameter.
* One static query per label and per (type, start label, end label); rows go in
  batches through `execute_write` managed transactions (transient errors retried).
* Idempotent and incremental: nodes are MERGEd on their key; relationship
  `papers`/`evidence` merge as ordered sets (support = size(papers), score = max);
  MENTIONS `count`/`texts` belong to one paper and are replaced; afterwards the
  touched entities' mention_count, paper_count, aliases and alias_counts are
  recomputed from their MENTIONS, so loading two corpora combines them and
  loading the same graph again changes nothing. Entities created by the load get
  the same statistics computed client-side from the graph (all their MENTIONS are
  in it) and skip the recompute query. `full_name` keeps an existing
  value when the new graph has none; `label_disagreements` keeps the maximum.
* Speed: nodes that do not exist yet (one indexed existence check per label, skipped for a label
  with no nodes) are CREATEd, and so are relationships with such an endpoint whose key occurs once
  in the graph (they cannot exist), sent grouped by start node as positional lists; everything else
  goes through the MERGEs above. Node writes, CREATEs and the entity recompute run on `workers`
  (default 2) concurrent transactions over disjoint rows (deadlock retries start after 0.1 s);
  relationship rows are built while the nodes are written; relationship MERGEs run one at a time.
  Assumes one loader at a time per database (a concurrent load of the same new nodes could
  duplicate their relationships).
* Each load is recorded as a `:KgbuildLoad {id, started, finished, graph, version}` node (label from
  the schema's bookkeeping section): created with no `finished` before the first write, given one
  after the last. A load that died midway stays unfinished, so `incomplete_loads()` (and
  `kgbuild stats --target neo4j`) say the graph may be partial, until a load of the same graph
  (same `graph` fingerprint) completes: loads are idempotent, so that one makes the graph whole.
* Connection problems raise Neo4jConnectionError with a one-line message within
  about 10 s (connection timeout 5 s).
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import os
import uuid
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kgbuild import __version__
from kgbuild.errors import KgbuildError
from kgbuild.graph.model import Graph, Node, Relationship
from kgbuild.schema import load_schema, schema_text

DEFAULT_URI = "neo4j://localhost:7687"
DEFAULT_USER = "neo4j"
BATCH_SIZE = 5_000  # rows per write transaction (5k measured a little faster than 10k/20k, less server memory)
WORKERS = 2  # concurrent write transactions for CREATEs and recomputes (disjoint data)
_EXISTS_BATCH = 50_000  # keys per existence check (a read transaction)
CONNECTION_TIMEOUT = 5.0  # seconds, per TCP/Bolt connection attempt
ACQUISITION_TIMEOUT = 8.0  # seconds, to get a pooled connection (includes connecting)
MAX_RETRY_TIME = 8.0  # seconds of retrying transient errors / connectivity checks

# Relationship properties merged as sets / maxima; every other property is replaced.
_MERGED_REL_PROPERTIES = ("papers", "evidence", "score", "support")
# Entity properties recomputed from MENTIONS after a load.
_RECOMPUTED = ("mention_count", "paper_count", "aliases", "alias_counts")


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


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _batches(rows: Sequence[dict], size: int) -> Iterator[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _prop(name: str) -> str:
    """A property name from the schema, checked to be a plain identifier (never user data)."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"schema property name {name!r} is not a plain identifier")
    return name


def node_query(label: str) -> str:
    """The MERGE for one node label (label and property names from the schema only; values are
    parameters). Row: {key, p: {property: value}} with absent properties omitted.

    New node: every given property. Existing node: given properties replace, absent ones keep
    their value (so full_name survives a graph without it); entity statistics are left to the
    recompute from MENTIONS; label_disagreements keeps the maximum."""
    schema = load_schema()
    label = schema.node_label(label)
    spec = schema.nodes[label]
    props = [_prop(p.name) for p in spec.properties if p.name != spec.key]
    entity = label in schema.entity_labels
    on_create = ", ".join(f"n.{p} = row.p.{p}" for p in props)
    on_match = []
    for p in props:
        if entity and p in _RECOMPUTED:
            continue
        if p == "label_disagreements":
            on_match.append(f"n.{p} = CASE WHEN n.{p} IS NULL OR row.p.{p} > n.{p} THEN row.p.{p} ELSE n.{p} END")
        else:
            on_match.append(f"n.{p} = coalesce(row.p.{p}, n.{p})")
    return (
        f"UNWIND $rows AS row\n"
        f"MERGE (n:{label} {{{_prop(spec.key)}: row.key}})\n"
        f"ON CREATE SET {on_create}\n"
        f"ON MATCH SET {', '.join(on_match)}"
    )


def _endpoints(rel_type: str, start_label: str, end_label: str) -> tuple[str, str, str, str, str]:
    """Type, labels and key properties of one relationship pattern, all checked against the schema."""
    schema = load_schema()
    rel_type = schema.relationship_type(rel_type)
    if not schema.relationships[rel_type].allows(start_label, end_label):
        raise ValueError(f"{rel_type} does not allow ({start_label})->({end_label})")
    start_label, end_label = schema.node_label(start_label), schema.node_label(end_label)
    return rel_type, start_label, end_label, _prop(schema.nodes[start_label].key), _prop(schema.nodes[end_label].key)


def relationship_query(rel_type: str, start_label: str, end_label: str) -> str:
    """The MERGE for one relationship type and endpoint label pair (all from the schema).
    Row: {start, end, p: {property: value}}.

    papers/evidence merge as ordered sets, score keeps the maximum, support = size(papers);
    other properties (MENTIONS count/texts: one paper's mentions) are replaced when given."""
    schema = load_schema()
    rel_type, start_label, end_label, start_key, end_key = _endpoints(rel_type, start_label, end_label)
    props = [_prop(p.name) for p in schema.relationships[rel_type].properties]
    others = [p for p in props if p not in _MERGED_REL_PROPERTIES]
    on_create = ["r.papers = row.p.papers", "r.evidence = row.p.evidence", "r.score = row.p.score",
                 "r.support = size(row.p.papers)", *(f"r.{p} = row.p.{p}" for p in others)]
    # support is computed from an expression that is the merged list whether or not r.papers
    # has been updated already by the earlier SET item.
    on_match = [
        "r.papers = r.papers + [x IN row.p.papers WHERE NOT x IN r.papers]",
        "r.evidence = r.evidence + [x IN row.p.evidence WHERE NOT x IN r.evidence]",
        "r.score = CASE WHEN r.score IS NULL OR row.p.score > r.score THEN row.p.score ELSE r.score END",
        "r.support = size(r.papers + [x IN row.p.papers WHERE NOT x IN r.papers])",
        *(f"r.{p} = coalesce(row.p.{p}, r.{p})" for p in others),
    ]
    return (
        f"UNWIND $rows AS row\n"
        f"MATCH (a:{start_label} {{{start_key}: row.start}})\n"
        f"MATCH (b:{end_label} {{{end_key}: row.end}})\n"
        f"MERGE (a)-[r:{rel_type}]->(b)\n"
        f"ON CREATE SET {', '.join(on_create)}\n"
        f"ON MATCH SET {', '.join(on_match)}"
    )


def existing_query(label: str) -> str:
    """Which of $keys already exist as `label` nodes (a read through the uniqueness-constraint index)."""
    schema = load_schema()
    label = schema.node_label(label)
    return f"UNWIND $keys AS key\nMATCH (n:{label} {{{_prop(schema.nodes[label].key)}: key}})\nRETURN key"


def node_create_query(label: str) -> str:
    """CREATE for nodes known to be absent (checked by existing_query in the same load). A row is
    the node's property map: only schema properties (the Graph model guarantees it), key included."""
    label = load_schema().node_label(label)
    return f"UNWIND $rows AS p\nCREATE (n:{label})\nSET n = p"


def relationship_create_query(rel_type: str, start_label: str, end_label: str) -> str:
    """CREATE for relationships that cannot exist yet (an endpoint was created by this load).
    Rows are grouped by start node: [start key, [[end key, value of each schema property in
    relationship_properties() order (null = absent)], ...]], so the start node is looked up once per
    group and no property names are sent per row. support must be given (= size(papers))."""
    rel_type, start_label, end_label, start_key, end_key = _endpoints(rel_type, start_label, end_label)
    # Properties inline in the CREATE (a null value sets nothing): ~8% faster than a separate SET.
    props = ", ".join(f"{p}: rel[{i + 1}]" for i, p in enumerate(relationship_properties(rel_type)))
    return (
        f"UNWIND $rows AS row\n"
        f"MATCH (a:{start_label} {{{start_key}: row[0]}})\n"
        f"UNWIND row[1] AS rel\n"
        f"MATCH (b:{end_label} {{{end_key}: rel[0]}})\n"
        f"CREATE (a)-[r:{rel_type} {{{props}}}]->(b)"
    )


def relationship_properties(rel_type: str) -> tuple[str, ...]:
    """The schema's property names of a relationship type, in the order relationship_create_query uses."""
    schema = load_schema()
    return tuple(_prop(p.name) for p in schema.relationships[schema.relationship_type(rel_type)].properties)


def recompute_query(label: str) -> str:
    """Entity statistics from MENTIONS: mention_count = sum(count), paper_count = #MENTIONS,
    aliases by frequency (ties alphabetical), alias_counts 'alias\\tcount' in the same order."""
    label = load_schema().node_label(label)
    if label not in load_schema().entity_labels:
        raise ValueError(f"{label} is not an entity label")
    return (
        f"UNWIND $ids AS id\n"
        f"MATCH (e:{label} {{{_prop(load_schema().nodes[label].key)}: id}})<-[m:MENTIONS]-(:Paper)\n"
        f"WITH e, collect(m) AS ms\n"
        f"WITH e, ms, reduce(s = 0, m IN ms | s + coalesce(m.count, 0)) AS mention_count, size(ms) AS paper_count\n"
        f"UNWIND ms AS m\n"
        f"UNWIND coalesce(m.texts, []) AS text\n"
        f"WITH e, mention_count, paper_count, text, count(*) AS n\n"
        f"ORDER BY n DESC, text ASC\n"
        f"WITH e, mention_count, paper_count, collect(text) AS aliases, collect(text + '\\t' + toString(n)) AS alias_counts\n"
        f"SET e.mention_count = mention_count, e.paper_count = paper_count,\n"
        f"    e.aliases = aliases, e.alias_counts = alias_counts"
    )


def graph_fingerprint(graph: Graph) -> str:
    """sha256 of the graph's node keys and relationship keys, in any order: two loads with the same
    fingerprint write the same nodes and relationships."""
    digest = hashlib.sha256()
    for key in sorted(f"{node.label}\x00{node.id}" for node in graph.nodes):
        digest.update(key.encode() + b"\x01")
    digest.update(b"\x02")
    for key in sorted(f"{rel.type}\x00{rel.start_label}\x00{rel.start}\x00{rel.end_label}\x00{rel.end}"
                      for rel in graph.relationships):
        digest.update(key.encode() + b"\x01")
    return digest.hexdigest()


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _plain(value: Any) -> Any:
    """Driver values -> plain Python (nodes/relationships become dicts, temporal values strings)."""
    from neo4j.graph import Node as DriverNode, Path as DriverPath, Relationship as DriverRelationship

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


class Neo4jSink:
    """A connection to one Neo4j database. Use as a context manager (or call close())."""

    def __init__(self, uri: str = DEFAULT_URI, user: str = DEFAULT_USER, password: str | None = None,
                 database: str | None = None, *, batch_size: int = BATCH_SIZE, workers: int = WORKERS,
                 connection_timeout: float = CONNECTION_TIMEOUT) -> None:
        if password is None:
            raise Neo4jConnectionError("no Neo4j password given (set NEO4J_PASSWORD or pass password=)")
        self.uri, self.user, self.database = uri, user, database or None
        self.batch_size = batch_size
        self.workers = max(1, workers)
        self._connection_timeout = connection_timeout
        self._password = password
        self._driver = None

    @classmethod
    def from_env(cls, **overrides: Any) -> Neo4jSink:
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

    # -- connection -------------------------------------------------------------------------------

    def _where(self) -> str:
        return f"Neo4j at {self.uri}" + (f" (database {self.database})" if self.database else "")

    def connect(self) -> Neo4jSink:
        if self._driver is not None:
            return self
        import neo4j
        from neo4j.exceptions import AuthError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable

        try:
            driver = neo4j.GraphDatabase.driver(
                self.uri, auth=(self.user, self._password),
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

    def __enter__(self) -> Neo4jSink:
        return self.connect()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def driver(self):
        return self.connect()._driver

    def _write(self, query: str, fast_retry: bool = False, **parameters: Any):
        """One managed write transaction (the driver retries transient errors for MAX_RETRY_TIME).
        fast_retry: start retrying after ~0.1 s instead of the driver's 1 s (for the concurrent
        loads, where an occasional deadlock between two transactions is expected)."""
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

    # -- loading ----------------------------------------------------------------------------------

    def create_constraints(self) -> int:
        """Run schema/constraints.cypher (IF NOT EXISTS, so repeatable). Returns the statement count."""
        statements = [
            s.strip() for s in re.sub(r"^\s*//.*$", "", schema_text("constraints.cypher"), flags=re.M).split(";")
            if s.strip()
        ]
        with self.driver.session(database=self.database) as session:
            for statement in statements:
                session.run(statement).consume()
            session.run("CALL db.awaitIndexes(300)").consume()
        return len(statements)

    def _label_empty(self, label: str) -> bool:
        """No node has `label` (a count-store lookup): its nodes need no existence check."""
        label = load_schema().node_label(label)
        _, rows = self.query(f"MATCH (n:{label}) RETURN count(n) = 0")
        return bool(rows[0][0])

    def _read_keys(self, query: str, keys: list[str]) -> set[str]:
        """One managed read transaction returning the `key` column."""
        from neo4j.exceptions import ServiceUnavailable, SessionExpired

        def work(tx):
            return {record[0] for record in tx.run(query, {"keys": keys})}

        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_read(work)
        except (ServiceUnavailable, SessionExpired) as error:
            raise Neo4jConnectionError(f"lost the connection to {self._where()}: {_one_line(error)}") from None

    def load(self, graph: Graph) -> dict[str, Any]:
        """MERGE the graph in; returns rows written per label/type and the server's change counters.
        The load is recorded as a KgbuildLoad node, finished only when every write succeeded."""
        # Building and sending ~1M row objects makes Python's cyclic GC walk the whole heap again and
        # again (measured: ~1/3 of the client's CPU); rows hold no cycles, so pause it for the load.
        gc_enabled = gc.isenabled()
        gc.disable()
        try:
            self.create_constraints()
            fingerprint = graph_fingerprint(graph)
            load_id = self._start_load(fingerprint)
            result = self._load(graph)
            self._finish_load(load_id, fingerprint)
            return result
        finally:
            if gc_enabled:
                gc.enable()

    def _start_load(self, fingerprint: str) -> str:
        load_id = str(uuid.uuid4())
        label = load_schema().bookkeeping_label("KgbuildLoad")
        self._write(f"CREATE (:{label} {{id: $id, started: $started, graph: $graph, version: $version}})",
                    id=load_id, started=_now(), graph=fingerprint, version=__version__)
        return load_id

    def _finish_load(self, load_id: str, fingerprint: str) -> None:
        """Mark this load finished, and the unfinished loads of the same graph: this one made it whole."""
        label = load_schema().bookkeeping_label("KgbuildLoad")
        self._write(f"MATCH (l:{label}) WHERE l.id = $id OR (NOT 'finished' IN keys(l) AND l.graph = $graph) "
                    f"SET l.finished = $finished", id=load_id, graph=fingerprint, finished=_now())

    def incomplete_loads(self) -> list[dict[str, Any]]:
        """Loads that started and have not finished (running now, or died midway), oldest first:
        [{"id", "started", "version"}]. Non-empty means the graph may be partial."""
        label = load_schema().bookkeeping_label("KgbuildLoad")
        # Only ask when the label exists (avoids the server's "label does not exist" notification).
        _, rows = self.query("CALL db.labels() YIELD label WHERE label = $label RETURN count(*)", {"label": label})
        if not rows[0][0]:
            return []
        # keys(l), not l.finished: before any load finished the server would warn the key does not exist.
        columns, rows = self.query(f"MATCH (l:{label}) WHERE NOT 'finished' IN keys(l) "
                                   f"RETURN l.id AS id, l.started AS started, l.version AS version ORDER BY started")
        return [dict(zip(columns, row)) for row in rows]

    def _load(self, graph: Graph) -> dict[str, Any]:
        began = time.perf_counter()
        schema = load_schema()
        totals: dict[str, int] = defaultdict(int)

        def add(counters) -> None:
            for name in ("nodes_created", "relationships_created", "properties_set"):
                totals[name] += getattr(counters, name)

        def write(query: str, rows: list) -> None:
            for batch in _batches(rows, self.batch_size):
                add(self._write(query, rows=list(batch)))

        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="neo4j-load")

        def submit(tasks: list[tuple[str, str, list]]) -> list:
            """(query, parameter name, batch) tasks over disjoint data (CREATEs of distinct new
            nodes/relationships, MERGEs of distinct nodes, recomputes of distinct entities): they run
            on self.workers concurrent transactions. A deadlock (two CREATEs locking the same
            endpoints) is a transient error and the transaction is retried."""
            return [pool.submit(self._write, query, fast_retry=True, **{name: batch}) for query, name, batch in tasks]

        def wait(futures: list) -> None:
            for future in futures:
                add(future.result())

        try:
            phases: dict[str, float] = {}
            mark = time.perf_counter()
            nodes: dict[str, dict[str, Node]] = defaultdict(dict)
            for node in graph.nodes:
                nodes[schema.node_label(node.label)][node.id] = node
            # Nodes that do not exist yet are CREATEd (cheaper than MERGE) and remembered: a relationship
            # with such an endpoint cannot exist either. Existing nodes go through the MERGE as before.
            created: dict[str, set[str]] = {}
            existing: dict[str, list[str]] = {}
            for label, by_id in nodes.items():
                ids = sorted(by_id)
                found: set[str] = set()
                if not self._label_empty(label):
                    for batch in _batches(ids, _EXISTS_BATCH):
                        found |= self._read_keys(existing_query(label), list(batch))
                created[label] = {key for key in ids if key not in found}
                existing[label] = [key for key in ids if key in found]
            # New entities get their statistics computed here from the graph's MENTIONS (they have no
            # others yet); the rest are recomputed from the database afterwards.
            entity_labels = set(schema.entity_labels)

            def node_tasks(labels, stats=None) -> list:
                tasks = []
                for label in labels:
                    by_id = nodes[label]
                    new_rows = [by_id[key].properties if stats is None or stats.get((label, key)) is None
                                else {**by_id[key].properties, **stats[(label, key)]} for key in sorted(created[label])]
                    tasks += [(node_create_query(label), "rows", batch) for batch in _batches(new_rows, self.batch_size)]
                    merge_rows = [self._node_row(by_id[key]) for key in existing[label]]
                    tasks += [(node_query(label), "rows", batch) for batch in _batches(merge_rows, self.batch_size)]
                return tasks

            # Papers, results and existing entities go first; new entities wait for their statistics.
            node_futures = submit(node_tasks([label for label in nodes if label not in entity_labels]))

            # Meanwhile: relationship rows. A relationship is new if an endpoint was just created and the
            # graph holds it once (a repeated key goes through the MERGE, which combines the copies).
            multiplicity = Counter((rel.type, rel.start_label, rel.start, rel.end_label, rel.end)
                                   for rel in graph.relationships)
            new_groups: dict[tuple[str, str, str], dict[str, list[list]]] = defaultdict(lambda: defaultdict(list))
            merge_rows: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
            touched: dict[str, set[str]] = defaultdict(set)
            # New entities' statistics, as recompute_query would compute them from their MENTIONS (all in
            # this graph): (label, id) -> [mention_count, paper_count, {text: count}] or None when a
            # MENTIONS is repeated or its paper is not in the graph (then recomputed from the database).
            mentioned: dict[tuple[str, str], list | None] = {}
            papers = nodes.get("Paper", {})
            no_nodes: set[str] = set()
            layouts: dict[str, tuple] = {}
            for rel in graph.relationships:
                group = (rel.type, rel.start_label, rel.end_label)
                new_end = rel.end in created.get(rel.end_label, no_nodes)
                once = multiplicity[(rel.type, rel.start_label, rel.start, rel.end_label, rel.end)] == 1
                p = rel.properties
                if (new_end or rel.start in created.get(rel.start_label, no_nodes)) and once:
                    layout = layouts.get(rel.type)
                    if layout is None:
                        names = relationship_properties(rel.type)
                        layout = layouts[rel.type] = (names, names.index("papers") + 1, names.index("evidence") + 1,
                                                      names.index("support") + 1)
                    names, i_papers, i_evidence, i_support = layout
                    row = [rel.end, *[p.get(name) for name in names]]
                    row[i_papers] = list(row[i_papers] or [])
                    row[i_evidence] = list(row[i_evidence] or [])
                    row[i_support] = len(row[i_papers])
                    new_groups[group][rel.start].append(row)
                else:
                    merge_rows[group].append(self._relationship_row(rel))
                if rel.type == "MENTIONS":
                    touched[rel.end_label].add(rel.end)
                    if new_end:
                        entity = (rel.end_label, rel.end)
                        acc = mentioned.get(entity, 0)
                        if acc is None:
                            continue
                        if not once or rel.start_label != "Paper" or rel.start not in papers:
                            mentioned[entity] = None
                            continue
                        if acc == 0:
                            acc = mentioned[entity] = [0, 0, {}]
                        acc[0] += p.get("count") or 0
                        acc[1] += 1
                        texts = acc[2]
                        for text in p.get("texts") or ():
                            texts[text] = texts.get(text, 0) + 1
            stats: dict[tuple[str, str], dict | None] = {}
            for label in entity_labels & set(nodes):
                for key in created[label]:
                    acc = mentioned.get((label, key), 0)
                    if acc is None:
                        continue  # recomputed
                    if acc == 0 or not acc[2]:
                        stats[(label, key)] = None  # recompute_query would set nothing: keep the node's values
                        continue
                    ordered = sorted(acc[2].items(), key=lambda item: (-item[1], item[0]))
                    stats[(label, key)] = {"mention_count": acc[0], "paper_count": acc[1],
                                           "aliases": [text for text, _ in ordered],
                                           "alias_counts": [f"{text}\t{n}" for text, n in ordered]}
            node_futures += submit(node_tasks([label for label in nodes if label in entity_labels], stats))

            rel_tasks = []
            for group, by_start in new_groups.items():  # locality: one start node's rows together
                query, batch, size = relationship_create_query(*group), [], 0
                for start in sorted(by_start):
                    rows = by_start[start]
                    rows.sort()
                    batch.append([start, rows])
                    size += len(rows)
                    if size >= self.batch_size:
                        rel_tasks.append((query, "rows", batch))
                        batch, size = [], 0
                if batch:
                    rel_tasks.append((query, "rows", batch))
            for rows in merge_rows.values():
                rows.sort(key=lambda row: (row["start"], row["end"]))
            wait(node_futures)

            phases["nodes"], mark = time.perf_counter() - mark, time.perf_counter()
            wait(submit(rel_tasks))
            for group, rows in merge_rows.items():  # MERGEs (existing endpoints, repeated keys) one at a time
                write(relationship_query(*group), rows)

            phases["relationships"], mark = time.perf_counter() - mark, time.perf_counter()
            recompute_tasks = []
            for label in schema.entity_labels:
                ids = sorted(key for key in touched.get(label, set()) | set(nodes.get(label, {}))
                             if (label, key) not in stats)
                recompute_tasks += [(recompute_query(label), "ids", batch) for batch in _batches(ids, self.batch_size)]
                totals["entities_recomputed"] += len(ids)
            properties_set = totals["properties_set"]
            wait(submit(recompute_tasks))
            totals["properties_set"] = properties_set  # as before: the recompute is not counted
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

        return {
            "nodes": {label: len(rows) for label, rows in sorted(nodes.items())},
            "relationships": dict(sorted(graph.relationship_counts().items())),
            **totals,
            "seconds": round(time.perf_counter() - began, 3),
            "phase_seconds": {**{k: round(v, 3) for k, v in phases.items()},
                              "recompute": round(time.perf_counter() - mark, 3)},
        }

    @staticmethod
    def _node_row(node: Node, entity: bool = False) -> dict:
        return {"key": node.id, "p": {k: v for k, v in node.properties.items() if v is not None}}

    @staticmethod
    def _relationship_row(rel: Relationship) -> dict:
        p = {k: v for k, v in rel.properties.items() if v is not None}
        p["papers"] = list(p.get("papers") or [])
        p["evidence"] = list(p.get("evidence") or [])
        return {"start": rel.start, "end": rel.end, "p": p}

    # -- reading ----------------------------------------------------------------------------------

    def query(self, cypher: str, parameters: dict[str, Any] | None = None, *,
              write: bool = False) -> tuple[list[str], list[tuple]]:
        """Run one Cypher statement (managed, retried); returns (column names, rows as tuples).

        It runs in a read transaction, so the server refuses any write, unless `write`.
        The server's refusal or error is a QueryError (one line)."""
        import neo4j
        from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired

        from kgbuild.queries import QueryError

        routing = neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ
        try:
            records, _summary, keys = self.driver.execute_query(
                cypher, parameters or {}, database_=self.database, routing_=routing,
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
        _, label_rows = self.query("CALL db.labels() YIELD label RETURN label")
        _, type_rows = self.query("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType")
        present_labels, present_types = {r[0] for r in label_rows}, {r[0] for r in type_rows}
        nodes, relationships = {}, {}
        for label in schema.nodes:
            if label in present_labels:
                _, rows = self.query(f"MATCH (n:{schema.node_label(label)}) RETURN count(n)")
                if rows[0][0]:
                    nodes[label] = rows[0][0]
        for rel_type in schema.relationships:
            if rel_type in present_types:
                _, rows = self.query(f"MATCH ()-[r:{schema.relationship_type(rel_type)}]->() RETURN count(r)")
                if rows[0][0]:
                    relationships[rel_type] = rows[0][0]
        return {"nodes": dict(sorted(nodes.items())), "relationships": dict(sorted(relationships.items()))}

    def clear(self) -> None:
        """Delete every node and relationship (keeps constraints). For tests."""
        with self.driver.session(database=self.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def load_graph(graph: Graph, uri: str | None = None, user: str | None = None, password: str | None = None,
               database: str | None = None) -> dict[str, Any]:
    """Convenience: connect (env vars fill in what is not given), load, close."""
    with Neo4jSink.from_env(uri=uri, user=user, password=password, database=database) as sink:
        return sink.load(graph)


__all__ = ["Neo4jConnectionError", "Neo4jSink", "existing_query", "graph_fingerprint", "load_graph",
           "node_create_query", "node_query", "recompute_query", "relationship_create_query", "relationship_query"]

