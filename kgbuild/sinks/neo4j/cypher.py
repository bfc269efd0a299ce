"""Every Cypher statement the Neo4j sink runs, as data: built from schema/graph.yaml names only.

Labels, relationship types and property names come from the schema (checked to be plain identifiers);
every value is a parameter ($rows, $ids, ...). What each write statement does with a row:

* node_query: MERGE on the label's key. New node: every given property. Existing node: given
  properties replace, absent ones keep their value (so full_name survives a graph without it); entity
  statistics are left to recompute_query; label_disagreements keeps the maximum.
* relationship_query: MERGE between the two keyed endpoints. papers/evidence are ordered sets (new
  elements appended), score keeps the maximum, support = size(papers); other properties (MENTIONS
  count/texts: one paper's) are replaced when given.
* recompute_query: an entity's mention_count, paper_count, aliases and alias_counts from its MENTIONS.
"""

from __future__ import annotations

import re
from functools import cache

from kgbuild.schema import BookkeepingLabel, Label, RelType, load_schema

# Relationship properties merged as sets / maxima; every other property is replaced.
MERGED_REL_PROPERTIES = ("papers", "evidence", "score", "support")
# Entity properties recomputed from MENTIONS after a load.
RECOMPUTED = ("mention_count", "paper_count", "aliases", "alias_counts")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _prop(name: str) -> str:
    """A property name from the schema, checked to be a plain identifier (never user data)."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"schema property name {name!r} is not a plain identifier")
    return name


@cache
def node_query(label: str) -> str:
    """The MERGE for one node label. Row: {key, p: {property: value}}, absent properties omitted."""
    schema = load_schema()
    label = schema.node_label(label)
    spec = schema.nodes[label]
    props = [_prop(p.name) for p in spec.properties if p.name != spec.key]
    entity = label in schema.entity_labels
    on_create = ", ".join(f"n.{p} = row.p.{p}" for p in props)
    on_match = []
    for p in props:
        if entity and p in RECOMPUTED:
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


@cache
def relationship_query(rel_type: str, start_label: str, end_label: str) -> str:
    """The MERGE for one relationship type and endpoint label pair. Row: {start, end, p: {property: value}}
    with p.papers and p.evidence lists (empty when absent)."""
    schema = load_schema()
    rel_type = schema.relationship_type(rel_type)
    if not schema.relationships[rel_type].allows(start_label, end_label):
        raise ValueError(f"{rel_type} does not allow ({start_label})->({end_label})")
    start_label, end_label = schema.node_label(start_label), schema.node_label(end_label)
    start_key, end_key = _prop(schema.nodes[start_label].key), _prop(schema.nodes[end_label].key)
    props = [_prop(p.name) for p in schema.relationships[rel_type].properties]
    others = [p for p in props if p not in MERGED_REL_PROPERTIES]
    on_create = [
        "r.papers = row.p.papers",
        "r.evidence = row.p.evidence",
        "r.score = row.p.score",
        "r.support = size(row.p.papers)",
        *(f"r.{p} = row.p.{p}" for p in others),
    ]
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


@cache
def recompute_query(label: str) -> str:
    """Entity statistics from MENTIONS ($ids): mention_count = sum(count), paper_count = #MENTIONS,
    aliases by frequency (ties alphabetical), alias_counts 'alias\\tcount' in the same order. An entity
    with no MENTIONS keeps its values."""
    schema = load_schema()
    label = schema.node_label(label)
    if label not in schema.entity_labels:
        raise ValueError(f"{label} is not an entity label")
    return (
        f"UNWIND $ids AS id\n"
        f"MATCH (e:{label} {{{_prop(schema.nodes[label].key)}: id}})<-[m:{RelType.MENTIONS}]-(:{Label.PAPER})\n"
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


def constraint_statements() -> list[str]:
    """The schema's constraints and indexes (IF NOT EXISTS, so repeatable), then a wait for the indexes."""
    return [statement.rstrip(";") for statement in load_schema().constraint_statements()] + [
        "CALL db.awaitIndexes(300)"
    ]


def _load_label() -> str:
    return load_schema().bookkeeping_label(BookkeepingLabel.KGBUILD_LOAD)


def start_load_query() -> str:
    """Record a load ($id, $started, $graph fingerprint, $version), not finished yet."""
    return f"CREATE (:{_load_label()} {{id: $id, started: $started, graph: $graph, version: $version}})"


def finish_load_query() -> str:
    """Mark load $id finished ($finished), and every unfinished load of the same $graph: loads are idempotent,
    so this one made that graph whole."""
    return (
        f"MATCH (l:{_load_label()}) WHERE l.id = $id OR (NOT 'finished' IN keys(l) AND l.graph = $graph) "
        f"SET l.finished = $finished"
    )


def label_exists_query() -> str:
    """Whether the database knows $label (asking about an unknown label makes the server warn)."""
    return "CALL db.labels() YIELD label WHERE label = $label RETURN count(*) > 0"


def incomplete_loads_query() -> str:
    # keys(l), not l.finished: before any load finished the server would warn the key does not exist.
    return (
        f"MATCH (l:{_load_label()}) WHERE NOT 'finished' IN keys(l) "
        f"RETURN l.id AS id, l.started AS started, l.version AS version ORDER BY started"
    )


def labels_query() -> str:
    return "CALL db.labels() YIELD label RETURN label"


def relationship_types_query() -> str:
    return "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType"


def node_count_query(label: str) -> str:
    return f"MATCH (n:{load_schema().node_label(label)}) RETURN count(n)"


def relationship_count_query(rel_type: str) -> str:
    return f"MATCH ()-[r:{load_schema().relationship_type(rel_type)}]->() RETURN count(r)"


CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
