"""The records that flow between stages: Paper -> Mention -> Entity -> Relation.

Every stage takes and returns these pydantic models and nothing else, so a
stage can be replaced without touching its neighbours. Node-like models mirror
schema/graph.yaml; tests/test_schema.py fails when the two drift apart.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kgbuild.schema import ENTITY_LABELS as ENTITY_LABELS  # the stages import them from here with the models
from kgbuild.schema import EntityLabel, RelType


class TextField(StrEnum):
    """The text fields of a paper that mentions are found in, in reading order; values are Paper's field names."""

    TITLE = "title"
    ABSTRACT = "abstract"


class ResultRelation(StrEnum):
    """The relation type extract states besides the graph's: a reported number, which the graph
    builds into a Result node with its ACHIEVES, MEASURED_ON, MEASURED_BY and REPORTS."""

    HAS_RESULT = "HAS_RESULT"


RelationType = RelType | ResultRelation


class Paper(BaseModel):
    """One paper as read from an input record (see kgbuild.read)."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: str | None = Field(default=None, description="arXiv version of the text read (v2); not part of the id")
    title: str = ""
    abstract: str
    date: str | None = None
    year: int | None = None
    authors_count: int | None = None
    source: str

    @model_validator(mode="after")
    def _year_from_date(self) -> Paper:
        if self.year is None and self.date and self.date[:4].isdigit():
            object.__setattr__(self, "year", int(self.date[:4]))
        return self


class Mention(BaseModel):
    """A span of a paper's title or abstract naming a method, model, ... ."""

    field: TextField
    start: int = Field(ge=0, description="character offset into the text as given")
    end: int = Field(gt=0, description="exclusive")
    text: str
    label: EntityLabel
    score: float = Field(ge=0.0, le=1.0)
    source: str = Field(description="component that produced the mention")
    sentence: int = Field(ge=0, description="sentence index within the field")
    entity_id: str | None = None


class Relation(BaseModel):
    """A typed relation stated in one paper, between two of its mentions.

    `head`/`tail` index the paper's mention list, or are "paper" for the paper
    itself. HAS_RESULT relations also carry metric/value/unit; an OUTPERFORMS
    stated with its margin ("by 3.2 points") carries it as value/unit.
    """

    type: RelationType
    head: int | Literal["paper"]
    tail: int | Literal["paper"]
    score: float = Field(ge=0.0, le=1.0)
    field: TextField = TextField.ABSTRACT
    evidence: tuple[int, int] = Field(description="character span of the evidence sentence")
    source: str
    metric: int | None = None
    value: str | None = None
    unit: str | None = None


class ExtractedPaper(BaseModel):
    """One line of `kgbuild extract` output: a paper with its mentions and relations."""

    paper_id: str
    version: str | None = None
    title: str
    abstract: str
    date: str | None = None
    authors_count: int | None = None
    source: str
    mentions: list[Mention] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)

    @classmethod
    def of(cls, paper: Paper, mentions: list[Mention], relations: list[Relation] | None = None) -> ExtractedPaper:
        return cls(
            paper_id=paper.id,
            **{name: getattr(paper, name) for name in _PAPER_FIELDS},
            mentions=mentions,
            relations=relations or [],
        )

    def paper(self) -> Paper:
        return Paper(id=self.paper_id, **{name: getattr(self, name) for name in _PAPER_FIELDS})

    def text(self, field: TextField) -> str:
        return self.title if field == TextField.TITLE else self.abstract


# What an extract line keeps of its Paper besides the id: the fields both models have (`year` follows `date`).
_PAPER_FIELDS = tuple(name for name in Paper.model_fields if name in ExtractedPaper.model_fields)


class Entity(BaseModel):
    """One real thing: all mentions resolved to it share its id."""

    id: str
    label: EntityLabel
    name: str
    full_name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    alias_counts: list[str] = Field(default_factory=list)
    mention_count: int = 0
    paper_count: int = 0
    label_disagreements: int = 0


class Result(BaseModel):
    """A reported number (a graph node; see schema/graph.yaml for why)."""

    id: str
    value: str
    unit: str | None = None
    metric: str | None = None
    paper_id: str
    evidence: str
    score: float
