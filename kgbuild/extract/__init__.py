"""Extract stage: Iterable[Paper] -> Iterator[ExtractedPaper] (docs/architecture.md).

    from kgbuild.extract import extract_papers
    from kgbuild.relate import relate
    for extracted in extract_papers(papers, workers=2, relate=relate):
        ...

An ExtractedPaper is the paper with its Method/Model/Dataset/Metric/Task Mentions (offsets into the text
as given, a calibrated score; no entity id: the link stage sets it) and, when `relate` is given, the
Relations it finds in each paper while that paper's spaCy Docs exist (kgbuild.relate).

The pipeline (kgbuild/extract/pipeline.py) is spacy.blank("en") + sentencizer +
a tagger (the fine-tuned encoder, encoder_ner.py; with `fast`, the CNN NER) + lexicon,
named-system (named.py), context-pattern and abbreviation
candidates, merged and scored by one resolver. It reads the text as cleaned by kgbuild.text.normalise
and reports offsets into the text as given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import islice
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kgbuild.errors import KgbuildError
from kgbuild.extract.analysed import AnalysedField
from kgbuild.extract.artifacts import default_data_dir
from kgbuild.extract.mentions import field_mentions, title_names_from_abstract
from kgbuild.extract.parallel import ordered_map
from kgbuild.models import ExtractedPaper, Mention, Paper, Relation, TextField
from kgbuild.text import NormalisedText, normalise

Relate = Callable[[Paper, list[AnalysedField], list[Mention]], list[Relation]]
OnError = Callable[[Paper, str], None]  # (the paper left out, one line saying why)

__all__ = ["AnalysedField", "ExtractionError", "OnError", "Relate", "extract_papers", "load_pipeline"]


def load_pipeline(data_dir: str | Path | None = None, *, fast: bool = False, threads: int = 0) -> Language:
    """The extraction pipeline, built once per process from the artifacts in kgbuild/data
    (or `data_dir`, e.g. a cross-validation model): the encoder's, or with `fast` the CNN's
    (pipeline.py); `threads` for the encoder (0: one per core)."""
    return _cached_pipeline(str(Path(data_dir).resolve()) if data_dir else str(default_data_dir()), fast, threads)


@lru_cache(maxsize=4)
def _cached_pipeline(data_dir: str, fast: bool, threads: int) -> Language:
    from kgbuild.extract.pipeline import build_pipeline  # noqa: PLC0415 - spaCy components load on first use

    return build_pipeline(Path(data_dir), fast=fast, threads=threads)


@dataclass(frozen=True)
class _Failure:
    """A paper whose extraction raised: what a worker returns in its place (picklable, unlike some errors)."""

    paper: Paper
    message: str


class ExtractionError(KgbuildError):
    """A paper's extraction failed and extract_papers was given no `on_error` to report it to."""


def _describe(error: Exception) -> str:
    """One line: the error's type and the first line of its message (spaCy's E088 runs to five)."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first[:200]}" if first else type(error).__name__


def _extract_batch(
    papers: list[Paper], relate: Relate | None, data_dir: str | None, fast: bool = False, threads: int = 0
) -> list[ExtractedPaper | _Failure]:
    nlp = load_pipeline(data_dir, fast=fast, threads=threads)
    # The strings and lexemes a batch adds to the vocab are freed after it (spaCy's memory zone); without it
    # the vocab keeps every new word of the corpus, and memory grows with the papers. Nothing of a Doc
    # leaves the zone: an ExtractedPaper holds plain strings and offsets.
    with nlp.memory_zone():
        return _extract_in_zone(nlp, papers, relate)


def _extract_in_zone(nlp: Language, papers: list[Paper], relate: Relate | None) -> list[ExtractedPaper | _Failure]:
    try:
        norms = [(normalise(paper.title), normalise(paper.abstract)) for paper in papers]
        docs = list(nlp.pipe((norm.text for pair in norms for norm in pair), batch_size=2 * len(papers)))
    except Exception as error:  # noqa: BLE001 - any failure of one text; the others must not be lost with it
        if len(papers) == 1:
            return [_Failure(papers[0], _describe(error))]
        # nlp.pipe stops at the first text that fails, and the batch with it: each paper again on its own
        return [result for paper in papers for result in _extract_in_zone(nlp, [paper], relate)]
    out: list[ExtractedPaper | _Failure] = []
    for i, (paper, (title_norm, abstract_norm)) in enumerate(zip(papers, norms)):
        try:
            out.append(_extract_paper(paper, title_norm, abstract_norm, docs[2 * i], docs[2 * i + 1], relate))
        except Exception as error:  # noqa: BLE001 - as above, for the rules and relations of one paper
            out.append(_Failure(paper, _describe(error)))
    return out


def _extract_paper(
    paper: Paper,
    title_norm: NormalisedText,
    abstract_norm: NormalisedText,
    title: Doc,
    abstract: Doc,
    relate: Relate | None,
) -> ExtractedPaper:
    title_names_from_abstract(title, abstract)
    mentions, title_field = field_mentions(TextField.TITLE, paper.title, title_norm, title, 0)
    found, abstract_field = field_mentions(TextField.ABSTRACT, paper.abstract, abstract_norm, abstract, len(mentions))
    mentions += found
    relations = relate(paper, [title_field, abstract_field], mentions) if relate else []
    return ExtractedPaper.of(paper, mentions, relations)


def _batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    iterator = iter(papers)
    while batch := list(islice(iterator, size)):
        yield batch


def extract_papers(
    papers: Iterable[Paper],
    *,
    batch_size: int = 128,
    workers: int = 1,
    relate: Relate | None = None,
    data_dir: str | Path | None = None,
    on_error: OnError | None = None,
    fast: bool = False,
    threads: int | None = None,
) -> Iterator[ExtractedPaper]:
    """Stream ExtractedPapers in input order, `batch_size` papers at a time.

    `workers` > 1 runs batches in that many processes (`relate` must then be a
    module-level function, so it pickles). `data_dir` selects other artifacts
    than the shipped ones (evaluation of cross-validation models). `fast` extracts with the CNN
    pipeline instead of the encoder's (same output, several times faster, less accurate);
    `threads`: the encoder's threads per process (default: 1 with several workers, else one per core).

    A paper whose extraction raises (any error: a text spaCy refuses, a bug a
    rule meets) is left out and reported as `on_error(paper, message)`, and the
    stream goes on; without `on_error` it raises ExtractionError naming the
    paper's source (file:line) and id.
    """
    directory = str(data_dir) if data_dir else None
    if threads is None:  # one onnxruntime thread per worker process: more would compete for the same cores
        threads = 1 if workers > 1 else 0
    run = partial(_extract_batch, relate=relate, data_dir=directory, fast=fast, threads=threads)
    if workers <= 1:
        results = (result for batch in _batches(papers, batch_size) for result in run(batch))
    else:
        results = (result for batch in ordered_map(run, _batches(papers, batch_size), workers) for result in batch)
    for result in results:
        if not isinstance(result, _Failure):
            yield result
        elif on_error is None:
            raise ExtractionError(
                f"{result.paper.source}: paper {result.paper.id}: extraction failed: {result.message}"
            )
        else:
            on_error(result.paper, result.message)
