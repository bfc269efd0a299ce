"""Graph stage: LinkedCorpus (papers, entities, variant pairs) -> Graph (docs/architecture.md).

    graph = corpus.graph()                                            # a StreamedGraph, built onto disk
    graph = build_graph(linked_papers, entities, variant_pairs)       # the same Graph, in memory (tests)

Nodes (Paper, the five entity labels, Result) and relationships are checked against schema/graph.yaml;
a relation stated by several papers is one relationship with its support and every statement's
evidence. Both graphs are a GraphSource, what every sink reads. Files: build.py (GraphBuilder states one
paper at a time; build_graph), stream.py (StreamedGraph: memory bounded by the entities), model.py
(Node, Relationship, Graph, GraphSource).
"""
