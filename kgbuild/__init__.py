"""kgbuild: a knowledge-graph builder for the machine-learning literature.

Read paper abstracts, extract the methods, models, datasets, metrics and tasks
they talk about, resolve aliases into entities, connect them with typed and
evidenced relations, and write the graph to Neo4j, GraphML or an embedded
Cypher store.
"""

__version__ = "0.1.0"
