"""kgbuild: a knowledge-graph builder for the machine-learning literature.

Read paper abstracts, extract the methods, models, datasets, metrics and tasks
they talk about, resolve aliases into entities, connect them with typed and
evidenced relations, and write the graph to Neo4j, GraphML or an embedded
Cypher store.

One package per stage, in this order (docs/architecture.md: each one's types and files):

    inputs -> read -> Paper -> extract + relate -> ExtractedPaper -> link -> LinkedCorpus -> graph -> Graph -> sinks

kgbuild.pipeline chains them as a Python API; kgbuild.cli is the click command line over it.
"""

__version__ = "0.1.0"
