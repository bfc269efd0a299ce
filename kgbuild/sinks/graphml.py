"""Write the Graph as GraphML (for Gephi, yEd, networkx, igraph, ...), via networkx.

Encoding:
- node id = the node's id; node attribute `label` = its node label (Paper, Model, ...);
  every other schema property is a node attribute (the key property is the node id,
  so it is not repeated).
- edge attribute `type` = the relationship type; edge id = `e<n>` (unique in the file,
  which Gephi needs); the graph is a directed multigraph, so two relationship types
  between the same pair of nodes are two edges.
- attribute types come from schema/graph.yaml: string -> string, integer -> long,
  float -> double, boolean -> boolean, string[] -> string holding a JSON array
  (json.loads gives the list back).
- absent (None) properties are left out, never written as empty strings.
- strings round-trip exactly (carriage returns are written as &#13; so XML parsers keep
  them), except the control characters XML 1.0 cannot hold at all (U+0000-U+001F other
  than tab, newline, carriage return), which are written as U+FFFD.
- key ids are the attribute names (so Gephi picks up `label`); an edge attribute that
  shares its name with a node attribute (score, evidence) gets key id `edge_<name>`
  because GraphML key ids must be unique; its attr.name stays the plain name.
- graph-level data `generator` = `kgbuild` and `kgbuild_version`: marks the file as kgbuild's
  output (so `kgbuild build` may replace it; see kgbuild.outputs).
- written to a temporary file renamed into place (kgbuild.outputs): a killed write leaves the
  previous file whole.
"""

from __future__ import annotations

import io
import json
import os
import re

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter

from kgbuild import __version__
from kgbuild.graph.model import Graph, PropertyValue
from kgbuild.outputs import GENERATOR, OutputSet, written
from kgbuild.schema import PropertySpec, load_schema

_SCALAR_TYPES = {"integer": int, "float": float, "boolean": bool}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def graphml_value(value: PropertyValue, spec: PropertySpec) -> str | int | float | bool:
    """A property value in the Python type networkx writes as the schema's GraphML type."""
    if spec.type == "string[]":
        return json.dumps(value, ensure_ascii=False)  # escapes every control character
    if spec.type == "string":
        return _xml_text(value)
    return _SCALAR_TYPES[spec.type](value)


def _attributes(properties: dict[str, PropertyValue], specs: tuple[PropertySpec, ...], skip: str | None = None) -> dict:
    return {
        spec.name: graphml_value(properties[spec.name], spec)
        for spec in specs
        if spec.name != skip and properties.get(spec.name) is not None
    }


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """The Graph as a networkx MultiDiGraph with GraphML-ready (typed, None-free) attributes."""
    schema = load_schema()
    result = nx.MultiDiGraph(generator=GENERATOR, kgbuild_version=__version__)
    for node in graph.nodes:
        spec = schema.nodes[node.label]
        attributes = _attributes(node.properties, spec.properties, skip=spec.key)
        result.add_node(_xml_text(node.id), label=node.label, **attributes)
    for index, rel in enumerate(graph.relationships):
        specs = schema.relationships[rel.type].properties
        attributes = _attributes(rel.properties, specs)
        result.add_edge(_xml_text(rel.start), _xml_text(rel.end), key=f"e{index}", type=rel.type, **attributes)
    return result


class _NamedKeyWriter(GraphMLWriter):
    """Key ids = attribute names, made unique across node and edge keys (see module doc)."""

    def __init__(self, node_attributes: set[str]):
        super().__init__(encoding="utf-8", prettyprint=False, named_key_ids=True)
        self.node_attributes = node_attributes

    def get_key(self, name, attr_type, scope, default):
        keys_key = (name, attr_type, scope)
        if keys_key not in self.keys and scope == "edge" and name in self.node_attributes:
            # networkx names the key after the attribute; reserve a distinct id first.
            self.keys[keys_key] = f"edge_{name}"
            key_element = self.myElement(
                "key", id=f"edge_{name}", **{"for": scope, "attr.name": name, "attr.type": attr_type})
            self.xml.insert(0, key_element)
        return super().get_key(name, attr_type, scope, default)


def write_graphml(graph: Graph, path: str | os.PathLike[str], outputs: OutputSet | None = None) -> None:
    """Write `graph` to `path` (replaced atomically; committed with `outputs` when given)."""
    network = to_networkx(graph)
    node_attributes = {name for _, data in network.nodes(data=True) for name in data}
    writer = _NamedKeyWriter(node_attributes)
    writer.add_graph_element(network)
    buffer = io.BytesIO()
    writer.dump(buffer)
    # ElementTree writes a carriage return in text as is, and XML parsers turn it into a
    # newline; every raw CR in the output comes from a value (UTF-8 never contains byte
    # 0x0D otherwise), so writing them all as character references is exact.
    with written(path, "graphml", outputs) as temporary, open(temporary, "wb") as out:
        out.write(buffer.getvalue().replace(b"\r", b"&#13;"))
