"""read_papers: paths (files, directories, '-') -> unique Papers, streamed.

Records are read lazily, file by file, line by line. Only fingerprints of the
papers already seen are kept, so memory grows by a few dozen bytes per paper.
The first record of a paper wins: later copies (other files, other abstract
versions) are counted as duplicates and dropped, which keeps the stream
single-pass and the choice reproducible for a given input order.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from kgbuild.models import Paper, TextField
from kgbuild.read.errors import InputError, ReadIssue
from kgbuild.read.formats import EXTENSIONS, FORMATS, PARSERS, detect
from kgbuild.read.identity import SeenPapers, paper_id

# Longer fields are no abstract or title but a whole paper or broken input: the record is skipped
# with a warning. The longest title in the corpus has 145 characters.
MAX_ABSTRACT_CHARS = 100_000
MAX_TITLE_CHARS = 2_000
_SNIFF_LINES = 200
_BINARY_SNIFF_BYTES = 8192


@dataclass
class FileStats:
    path: str
    format: str = ""
    records: int = 0
    papers: int = 0
    duplicates: int = 0
    skipped: int = 0


@dataclass
class ReadReport:
    """Per-file counts and every skipped record; `on_issue` sees issues as they happen."""

    files: list[FileStats] = field(default_factory=list)
    issues: list[ReadIssue] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    on_issue: object = None
    extraction_failures: int = 0  # papers read whose extraction failed (add_extraction_failure)

    def add_issue(self, issue: ReadIssue) -> None:
        self.issues.append(issue)
        if callable(self.on_issue):
            self.on_issue(issue)

    def add_extraction_failure(self, paper: Paper, message: str) -> None:
        """A paper read but lost in extraction (kgbuild.extract.extract_papers' on_error): an issue at its record."""
        self.extraction_failures += 1
        file, _, line = paper.source.rpartition(":")
        where: tuple[str, int | None] = (file, int(line)) if file and line.isdigit() else (paper.source, None)
        self.add_issue(ReadIssue(*where, f"paper {paper.id}: extraction failed, record skipped: {message}"))

    @property
    def papers(self) -> int:
        return sum(f.papers for f in self.files)

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)


def _expand(inputs: Iterable[str], report: ReadReport) -> Iterator[tuple[str, bool]]:
    """(path, explicitly named) for every input file; directories recursively, sorted."""
    for name in inputs:
        if name == "-":
            yield name, True
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith(".") and child.suffix.lower() in EXTENSIONS:
                    yield str(child), False
        elif path.exists():  # a file, or a FIFO / device a user points us at (`<(zcat x.gz)`)
            yield str(path), True
        else:
            report.missing.append(name)
            report.add_issue(ReadIssue(name, None, "no such file or directory"))


def _numbered_lines(stream: BinaryIO, first: list[bytes]) -> Iterator[tuple[int, str | None]]:
    for number, raw in enumerate(chain(first, stream), start=1):
        raw = raw.rstrip(b"\r\n")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None


def _records(name: str, explicit: bool, forced_format: str | None, stats: FileStats, report: ReadReport):
    def issue(line: int | None, message: str) -> None:
        stats.skipped += 1
        report.add_issue(ReadIssue(name, line, message))

    stream = sys.stdin.buffer if name == "-" else open(name, "rb")
    try:
        head = []
        for raw in stream:
            head.append(raw)
            if len(head) >= _SNIFF_LINES:
                break
        if not head:
            issue(None, "empty file; nothing to read")
            return
        if b"\x00" in b"".join(head)[:_BINARY_SNIFF_BYTES]:
            issue(None, "binary file (contains NUL bytes); skipped")
            return
        extension = "" if name == "-" else Path(name).suffix.lower()
        text_head = [raw.decode("utf-8", "replace") for raw in head[:_SNIFF_LINES]]
        stats.format = forced_format or detect(text_head, extension)
        if explicit and name != "-" and extension not in EXTENSIONS and not forced_format:
            report.add_issue(
                ReadIssue(name, None, f"unknown extension {extension or '(none)'!r}; read as {stats.format}")
            )
        yield from PARSERS[stats.format](_numbered_lines(stream, head), issue)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def read_papers(inputs: Iterable[str], format: str | None = None, report: ReadReport | None = None) -> Iterator[Paper]:
    """Unique Papers from `inputs`; see the module docstring. Skips are reported, never raised."""
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    report = report if report is not None else ReadReport()
    seen = SeenPapers()
    for name, explicit in _expand(inputs, report):
        stats = FileStats(path=name)
        report.files.append(stats)
        for record in _records(name, explicit, format, stats, report):
            too_long = next(
                (
                    (field, len(text), limit)
                    for field, text, limit in (
                        (TextField.ABSTRACT, record.abstract, MAX_ABSTRACT_CHARS),
                        (TextField.TITLE, record.title, MAX_TITLE_CHARS),
                    )
                    if len(text) > limit
                ),
                None,
            )
            if too_long:
                stats.skipped += 1
                report.add_issue(
                    ReadIssue(
                        name,
                        record.line,
                        "{} of {:,} characters exceeds the {:,} limit; record skipped".format(*too_long),
                    )
                )
                continue
            stats.records += 1
            pid, version = paper_id(record)
            if not seen.add(pid, record.title, record.abstract):
                stats.duplicates += 1
                continue
            stats.papers += 1
            yield Paper(
                id=pid,
                version=version,
                title=record.title,
                abstract=record.abstract,
                date=record.date,
                authors_count=record.authors_count,
                source=f"{name}:{record.line}",
            )
