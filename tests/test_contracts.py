"""Contracts are types, not strings (issue 24.6).

schema/graph.yaml names the labels and relationship types; kgbuild.schema mirrors them as
enums (Label, BookkeepingLabel, RelType, EntityLabel) and kgbuild.models names a paper's text
fields (TextField) and the one relation type extract states besides the graph's (ResultRelation). Code names them through those types, so a misspelt name fails in mypy or at
import instead of in the graph. These tests keep the enums equal to the schema and keep the
names from coming back into kgbuild/ as string literals.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

import kgbuild
from kgbuild import schema as schema_module
from kgbuild.models import ExtractedPaper, Mention, Paper, Relation, ResultRelation, TextField
from kgbuild.queries import named_queries
from kgbuild.schema import ENTITY_LABELS, BookkeepingLabel, Label, RelType, load_schema, schema_text

PACKAGE = Path(kgbuild.__file__).parent
GRAPH_NAMES = {str(name) for enum in (Label, BookkeepingLabel, RelType) for name in enum}
CONTRACT_NAMES = GRAPH_NAMES | {str(name) for enum in (ResultRelation, TextField) for name in enum}
# A Cypher node or relationship pattern naming a label or type: "(d:Dataset)", "[:MENTIONS]", "(m:Model|Method)".
_CYPHER_NAME = re.compile(r"[(\[]\s*\w*\s*:\s*(\w+)[^()\[\]]*[)\]]?")

# Where one of those strings is data rather than a name of the contract: (where, text) -> why. `where` is the
# file under kgbuild/, or the module-level name the string is assigned to (a word list keeps its name when it
# moves between modules).
ALLOWED = {
    ("HEADINGS", "abstract"): "a heading word of structured abstracts ('Abstract: ...'), not the field",
    ("read/formats.py", "abstract"): "an input column name, read next to its synonyms 'text' and 'summary'",
    ("read/formats.py", "title"): "an input column name",
    ("read/identity.py", "title"): "the id format title:<hash>, stable whatever the field is called",
    ("read/identity.py", "abstract"): "the id format abstract:<hash>",
    ("cli.py", "(d:Dataset)"): "a Cypher query the user types, in `kgbuild query`'s help example",
}


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, nodes)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _enum_definitions(tree: ast.AST) -> set[int]:
    """The constants in the body of a StrEnum class: the one place a name is spelt out."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(ast.unparse(base).endswith("StrEnum") for base in node.bases):
            inside |= {id(sub) for statement in node.body for sub in ast.walk(statement)}
    return inside


def _assigned_names(tree: ast.Module) -> dict[int, str]:
    """Constant -> the module-level name it is assigned to, without a leading underscore."""
    names = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names |= {id(sub): target.id.lstrip("_") for sub in ast.walk(statement)}
    return names


def contract_literals(source: str, where: str) -> list[str]:
    """Strings in `source` that spell a label, relationship type or text field instead of naming its enum
    member: a string equal to one, or a Cypher pattern naming one. Leaves out docstrings, the enum
    definitions and ALLOWED."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _enum_definitions(tree)
    assigned = _assigned_names(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
            continue
        texts = [node.value] if node.value in CONTRACT_NAMES else []
        texts += [m.group(0) for m in _CYPHER_NAME.finditer(node.value) if m.group(1) in GRAPH_NAMES]
        for text in texts:
            if (where, text) not in ALLOWED and (assigned.get(id(node)), text) not in ALLOWED:
                found.append(f"{where}:{node.lineno}: {text!r}")
    return found


def test_no_label_type_or_text_field_is_spelt_as_a_string_in_kgbuild():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where != "schema.py":  # reads graph.yaml and defines the enums
            found += contract_literals(path.read_text(encoding="utf-8"), where)
    assert not found, "name these through kgbuild.schema's Label/RelType or models.TextField:\n" + "\n".join(found)


def test_the_scan_finds_each_kind_of_spelling():
    source = '''
"""A docstring may say Model and EVALUATED_ON, or "title"."""
from enum import StrEnum
class Kind(StrEnum):
    MODEL = "Model"
_HEADINGS = {"abstract", "results"}
SYSTEMS = ("Model", "Method")
def f(mention, relation, label):
    if mention.field == "title" and relation.type == "EVALUATED_ON":
        return f"MATCH (e:{label})<-[m:MENTIONS]-(:Paper)"
'''
    assert contract_literals(source, "example.py") == [
        "example.py:7: 'Model'",
        "example.py:7: 'Method'",
        "example.py:9: 'title'",
        "example.py:9: 'EVALUATED_ON'",
        "example.py:10: '[m:MENTIONS]'",
        "example.py:10: '(:Paper)'",
    ]


def test_the_enums_list_what_graph_yaml_lists_in_its_order():
    raw = yaml.safe_load(schema_text("graph.yaml"))
    assert [str(label) for label in Label] == list(raw["nodes"])
    assert [str(label) for label in BookkeepingLabel] == list(raw["bookkeeping"])
    assert [str(rel_type) for rel_type in RelType] == list(raw["relationships"])
    assert [str(label) for label in ENTITY_LABELS] == raw["entity_labels"] == list(load_schema().entity_labels)


def test_load_schema_refuses_a_graph_yaml_the_enums_do_not_mirror(monkeypatch):
    raw = yaml.safe_load(schema_text("graph.yaml"))
    raw["relationships"]["CITES"] = {"from": ["Paper"], "to": ["Paper"]}
    monkeypatch.setattr(schema_module, "schema_text", lambda name: yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ValueError, match=r"relationships .*'CITES'.* differ from kgbuild.schema's"):
        load_schema.__wrapped__()


def test_text_fields_are_the_papers_text_fields():
    paper = Paper(id="p", title="BERT", abstract="We pretrain BERT.", source="x:1")
    extracted = ExtractedPaper.of(paper, [])
    assert [str(field) for field in TextField] == ["title", "abstract"]  # reading order: mention indices follow it
    assert [extracted.text(field) for field in TextField] == [getattr(paper, field) for field in TextField]


def test_the_json_keeps_the_plain_names_and_refuses_a_misspelt_one():
    mention = Mention(
        field=TextField.TITLE, start=0, end=4, text="BERT", label=Label.MODEL, score=0.9, source="ner", sentence=0
    )
    line = mention.model_dump_json()
    assert '"field":"title"' in line and '"label":"Model"' in line
    assert Mention.model_validate_json(line) == mention
    with pytest.raises(ValidationError, match="label"):
        Mention.model_validate_json(line.replace('"Model"', '"Modle"'))
    with pytest.raises(ValidationError, match="label"):
        Mention.model_validate_json(line.replace('"Model"', '"Paper"'))  # a node label, but no entity label


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_queries_name_only_schema_labels_and_types(name):
    body = "\n".join(line for line in named_queries()[name].splitlines() if not line.lstrip().startswith("//"))
    labels = {label for group in re.findall(r"\(\s*\w*\s*:\s*([\w|]+)", body) for label in group.split("|")}
    rel_types = {rel for group in re.findall(r"\[\s*\w*\s*:\s*([\w|]+)", body) for rel in group.split("|")}
    assert labels and labels <= set(Label)
    assert rel_types <= set(RelType)


def test_a_relation_type_is_a_schema_type_or_has_result():
    relation = Relation(type=RelType.EVALUATED_ON, head=0, tail=1, score=0.5, evidence=(0, 9), source="rule")
    line = relation.model_dump_json()
    assert '"type":"EVALUATED_ON"' in line
    assert Relation.model_validate_json(line.replace("EVALUATED_ON", "HAS_RESULT")).type is ResultRelation.HAS_RESULT
    with pytest.raises(ValidationError, match="type"):
        Relation.model_validate_json(line.replace("EVALUATED_ON", "EVALUATED_IN"))
