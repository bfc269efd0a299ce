"""Write the graph as GraphML (for Gephi, yEd, networkx, igraph, ...), as networkx's writer does, streamed.

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
import tempfile
import xml.etree.ElementTree as ET

from networkx.readwrite.graphml import GraphMLWriter

from kgbuild import __version__
from kgbuild.graph.model import GraphSource, PropertyValue
from kgbuild.outputs import GENERATOR, OutputSet, written
from kgbuild.schema import PropertySpec, load_schema

_SCALAR_TYPES = {"integer": int, "float": float, "boolean": bool}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What ElementTree escapes in attribute values, in its order; character data: the first three only.
_ATTRIBUTE_ESCAPES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\r", "&#13;"),
    ("\n", "&#10;"),
    ("\t", "&#09;"),
)


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def graphml_value(value: PropertyValue, spec: PropertySpec) -> str | int | float | bool:
    """A property value in the Python type networkx writes as the schema's GraphML type."""
    if spec.type == "string[]":
        return json.dumps(value, ensure_ascii=False)  # escapes every control character
    if spec.type == "string":
        assert isinstance(value, str)  # Node and Relationship checked it against the schema
        return _xml_text(value)
    return _SCALAR_TYPES[spec.type](value)


def _attributes(
    properties: dict[str, PropertyValue | None], specs: tuple[PropertySpec, ...], skip: str | None = None
) -> dict:
    return {
        spec.name: graphml_value(value, spec)
        for spec in specs
        if spec.name != skip and (value := properties.get(spec.name)) is not None
    }


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
                "key", id=f"edge_{name}", **{"for": scope, "attr.name": name, "attr.type": attr_type}
            )
            self.xml.insert(0, key_element)
        return super().get_key(name, attr_type, scope, default)


def _escaped(text: str, escapes: tuple[tuple[str, str], ...] = _ATTRIBUTE_ESCAPES) -> str:
    """`text` escaped as ElementTree escapes it (an attribute value; character data with the first three
    escapes), so the file is byte for byte networkx's."""
    for raw, escaped in escapes:
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def _element(writer: _NamedKeyWriter, tag: str, scope: str, attributes: dict, data: dict) -> bytes:
    """One node or edge as networkx's writer serialises it (its keys registered with `writer`).

    Formatted here rather than built as an ElementTree element and serialised: the same bytes, but
    ElementTree's per-element `tostring` was the largest cost of `kgbuild load` (a third of its time)."""
    opening = f"<{tag}" + "".join(f' {name}="{_escaped(value)}"' for name, value in attributes.items())
    if not data:
        return f"{opening} />".encode()
    parts = [opening, ">"]
    for name, value in data.items():
        key = _escaped(writer.get_key(name, writer.get_xml_type(type(value)), scope, None))
        text = str(value)
        parts.append(
            f'<data key="{key}">{_escaped(text, _ATTRIBUTE_ESCAPES[:3])}</data>' if text else f'<data key="{key}" />'
        )
    parts.append(f"</{tag}>")
    return "".join(parts).encode()


def write_graphml(graph: GraphSource, path: str | os.PathLike[str], outputs: OutputSet | None = None) -> None:
    """Write `graph` to `path` (replaced atomically; committed with `outputs` when given).

    Streamed: nodes, then edges, each serialised as networkx's GraphMLWriter does, into a body file;
    the keys they used are known at the end, so the header (keys) is written first into the output,
    the body copied after it, then the graph's data. Memory holds one element and the keys."""
    schema = load_schema()
    writer = _NamedKeyWriter(set())
    graph_element = writer.myElement("graph", edgedefault="directed")
    for name, value in {"generator": GENERATOR, "kgbuild_version": __version__}.items():
        graph_element.append(writer.add_data(name, type(value), str(value), "graph"))
    with tempfile.TemporaryFile() as body:
        for node in graph.nodes:
            spec = schema.nodes[node.label]
            data = {"label": node.label, **_attributes(node.properties, spec.properties, skip=spec.key)}
            writer.node_attributes.update(data)
            body.write(_element(writer, "node", "node", {"id": _xml_text(node.id)}, data))
        for index, rel in enumerate(graph.relationships):
            data = {"type": rel.type, **_attributes(rel.properties, schema.relationships[rel.type].properties)}
            attributes = {"source": _xml_text(rel.start), "target": _xml_text(rel.end), "id": f"e{index}"}
            body.write(_element(writer, "edge", "edge", attributes, data))
        writer.xml.append(graph_element)
        written_header = io.BytesIO()
        ET.ElementTree(writer.xml).write(written_header, encoding="utf-8", xml_declaration=True)
        # networkx writes the graph's data after its nodes and edges; so does this
        opening = b'<graph edgedefault="directed">'
        header, closing = written_header.getvalue().split(opening, 1)
        header += opening
        body.seek(0)
        # ElementTree writes a carriage return in text as is, and XML parsers turn it into a
        # newline; every raw CR in the output comes from a value (UTF-8 never contains byte
        # 0x0D otherwise), so writing them all as character references is exact.
        with written(path, "graphml", outputs) as temporary, open(temporary, "wb") as out:
            out.write(header.replace(b"\r", b"&#13;"))
            for chunk in iter(lambda: body.read(1 << 20), b""):
                out.write(chunk.replace(b"\r", b"&#13;"))
            out.write(closing.replace(b"\r", b"&#13;"))
