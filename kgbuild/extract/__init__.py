"""Extract stage: papers -> Method/Model/Dataset/Metric/Task mentions (and, optionally, relations).

    from kgbuild.extract import extract_papers
    for extracted in extract_papers(papers, workers=2):
        ...

The pipeline (kgbuild/extract/pipeline.py) is spacy.blank("en") + sentencizer +
a trained NER + lexicon, named-system (named.py), context-pattern and abbreviation
candidates, merged and scored by one resolver. It reads the text as cleaned by kgbuild.text.normalise
and reports offsets into the text as given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, partial
from itertools import islice
from pathlib import Path

from spacy.language import Language

from kgbuild.extract.analysed import AnalysedField
from kgbuild.extract.artifacts import default_data_dir
from kgbuild.extract.mentions import field_mentions, title_names_from_abstract
from kgbuild.extract.parallel import ordered_map
from kgbuild.models import ExtractedPaper, Mention, Paper, Relation
from kgbuild.text import normalise

Relate = Callable[[Paper, list[AnalysedField], list[Mention]], list[Relation]]

__all__ = ["AnalysedField", "Relate", "extract_papers", "load_pipeline"]


def load_pipeline(data_dir: str | Path | None = None) -> Language:
    """The extraction pipeline, built once per process from the artifacts in kgbuild/data
    (or `data_dir`, e.g. a cross-validation model)."""
    return _cached_pipeline(str(Path(data_dir).resolve()) if data_dir else str(default_data_dir()))


@lru_cache(maxsize=4)
def _cached_pipeline(data_dir: str) -> Language:
    from kgbuild.extract.pipeline import build_pipeline  # noqa: PLC0415 - spaCy components load on first use

    return build_pipeline(Path(data_dir))


def _extract_batch(papers: list[Paper], relate: Relate | None, data_dir: str | None) -> list[ExtractedPaper]:
    nlp = load_pipeline(data_dir)
    norms = [(normalise(paper.title), normalise(paper.abstract)) for paper in papers]
    docs = nlp.pipe((norm.text for pair in norms for norm in pair), batch_size=2 * len(papers))
    out = []
    for paper, (title_norm, abstract_norm) in zip(papers, norms):
        title, abstract = next(docs), next(docs)
        title_names_from_abstract(title, abstract)
        mentions, title_field = field_mentions("title", paper.title, title_norm, title, 0)
        found, abstract_field = field_mentions("abstract", paper.abstract, abstract_norm, abstract, len(mentions))
        mentions += found
        relations = relate(paper, [title_field, abstract_field], mentions) if relate else []
        out.append(ExtractedPaper.of(paper, mentions, relations))
    return out


def _batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    iterator = iter(papers)
    while batch := list(islice(iterator, size)):
        yield batch


def extract_papers(papers: Iterable[Paper], *, batch_size: int = 128, workers: int = 1,
                   relate: Relate | None = None, data_dir: str | Path | None = None) -> Iterator[ExtractedPaper]:
    """Stream ExtractedPapers in input order, `batch_size` papers at a time.

    `workers` > 1 runs batches in that many processes (`relate` must then be a
    module-level function, so it pickles). `data_dir` selects other artifacts
    than the shipped ones (evaluation of cross-validation models).
    """
    directory = str(data_dir) if data_dir else None
    run = partial(_extract_batch, relate=relate, data_dir=directory)
    if workers <= 1:
        for batch in _batches(papers, batch_size):
            yield from run(batch)
    else:
        for extracted in ordered_map(run, _batches(papers, batch_size), workers):
            yield from extracted
