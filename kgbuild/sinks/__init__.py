"""Sinks stage: GraphSource -> stores and files (the last stage; docs/architecture.md).

Every sink streams the graph's nodes and relationships and writes its output whole or not at all
(kgbuild.outputs). Files: embedded.py (EmbeddedStore: LadybugDB, the default; bulk COPY), neo4j/
(Neo4jSink: batched, parameterised UNWIND MERGEs into Neo4j 5), neo4j_import.py (CSVs and the
neo4j-admin import command), graphml.py (write_graphml), export.py (export_jsonl, export_csv),
csv_encoding.py (the one CSV encoder of the CSV writers).
"""
