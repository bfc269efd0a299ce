"""The whole job as a Python API: inputs -> extracted papers -> linked entities -> Graph.

    from kgbuild.pipeline import extract, link_extracted
    corpus = link_extracted(extract(["papers/"]))
    graph = corpus.graph()

Extraction streams. Linking needs two passes over the extracted papers (corpus
statistics first, then ids), so they are spooled to a temporary JSONL file
rather than held in memory; the graph is built onto disk too (kgbuild.graph.stream),
so memory is bounded by the distinct names, not by the papers.
"""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kgbuild.graph.stream import StreamedGraph
from kgbuild.models import Entity, ExtractedPaper
from kgbuild.outputs import OutputSet, remove_stale_system_temporaries, temporary_prefix, written
from kgbuild.read import InputError, ReadReport, read_papers
from kgbuild.read.identity import SeenPapers
from kgbuild.read.reader import FileStats


def extract(
    inputs: Iterable[str],
    *,
    input_format: str | None = None,
    report: ReadReport | None = None,
    workers: int = 1,
    batch_size: int = 128,
    relations: bool = True,
    fast: bool = False,
) -> Iterator[ExtractedPaper]:
    """Read and extract mentions (and relations) paper by paper (`fast`: the CNN pipeline)."""
    from kgbuild.extract import extract_papers
    from kgbuild.relate import relate

    papers = read_papers(inputs, format=input_format, report=report)
    # a paper whose extraction fails is an issue of the report (its record skipped); without a report, an error
    on_error = report.add_extraction_failure if report is not None else None
    yield from extract_papers(
        papers,
        workers=workers,
        batch_size=batch_size,
        relate=relate if relations else None,
        on_error=on_error,
        fast=fast,
    )


def _extract_records(path: str) -> Iterator[ExtractedPaper]:
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield ExtractedPaper.model_validate_json(line)
            except ValueError as error:
                first = str(error).splitlines()[0]
                raise InputError(f"{path}:{number}: not a kgbuild extract record ({first})") from None


def read_extracted(*paths: str, report: ReadReport | None = None) -> Iterator[ExtractedPaper]:
    """Papers from `kgbuild extract` JSONL files, in order; a bad line is an error naming file:line.

    A paper already read from an earlier file (same id, title or abstract: the reader's rule) is
    counted in `report.duplicates` and skipped, so files that share papers load as their union."""
    seen = SeenPapers()
    for path in paths:
        stats = FileStats(path=path, format="extract")
        if report is not None:
            report.files.append(stats)
        for paper in _extract_records(path):
            stats.records += 1
            if seen.add(paper.paper_id, paper.title, paper.abstract):
                stats.papers += 1
                yield paper
            else:
                stats.duplicates += 1


class Spool:
    """Extracted papers written once to a temporary JSONL file and read back as often as needed.

    The file (kgbuild-spool-<pid>-*.jsonl in the system temporary directory) is deleted when the
    Spool is garbage-collected or the interpreter exits; spools of processes that died without
    either (kill -9) are deleted by the next Spool."""

    def __init__(self, papers: Iterable[ExtractedPaper]):
        remove_stale_system_temporaries()
        descriptor, self._path = tempfile.mkstemp(suffix=".jsonl", prefix=temporary_prefix("spool"))
        weakref.finalize(self, Path(self._path).unlink, missing_ok=True)
        with open(descriptor, "w", encoding="utf-8") as out:
            for paper in papers:
                out.write(paper.model_dump_json() + "\n")

    def __iter__(self) -> Iterator[ExtractedPaper]:
        return _extract_records(self._path)


@dataclass
class LinkedCorpus:
    """Linked papers (re-iterable), their entities and the linker's VARIANT_OF pairs: what every
    engine (local, Ray) hands to the sinks."""

    papers: Iterable[ExtractedPaper]
    entities: Sequence[Entity]  # the linker's LinkedEntities: each built when read
    variant_pairs: list[tuple[str, str]] = field(default_factory=list)

    def graph(self) -> StreamedGraph:
        """The graph, built onto disk in one pass over the papers (every sink takes it)."""
        return StreamedGraph.build(self.papers, self.entities, self.variant_pairs)


class _Resolved:
    def __init__(self, linker, spool: Spool):
        self._linker, self._spool = linker, spool

    def __iter__(self) -> Iterator[ExtractedPaper]:
        return (self._linker.resolve(paper) for paper in self._spool)


def link_extracted(papers: Iterable[ExtractedPaper], aliases: str | Path | None = None) -> LinkedCorpus:
    """Resolve every mention to an entity across the whole corpus (two passes over a spool)."""
    from kgbuild.link import Linker

    spool = Spool(papers)
    linker = Linker(aliases_path=aliases)
    for paper in spool:
        linker.observe(paper)
    return finish_linking(linker, spool)


def finish_linking(linker, spool: Spool) -> LinkedCorpus:
    """The LinkedCorpus of a linker that observed every paper of `spool` (pass 1, here or on Ray);
    its papers are resolved lazily, pass 2, each time they are read."""
    entities, variant_pairs = linker.finish()
    return LinkedCorpus(_Resolved(linker, spool), entities, variant_pairs)


def write_jsonl(papers: Iterable[ExtractedPaper], path: str | Path, outputs: OutputSet | None = None) -> int:
    """Write an extract file, one paper per line (replaced atomically, see kgbuild.outputs); returns the count."""
    count = 0
    with written(path, "extract", outputs) as temporary, open(temporary, "w", encoding="utf-8") as out:
        for paper in papers:
            out.write(paper.model_dump_json(exclude_none=True) + "\n")
            count += 1
    return count
