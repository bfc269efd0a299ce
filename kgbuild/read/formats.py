"""Input formats: detection and one parser per format.

Each parser turns numbered lines (text, or None for a line that is not valid
UTF-8) into RawRecords and reports what it skips through `issue(line, msg)`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator

from kgbuild.read.dates import is_page_date, parse_date
from kgbuild.read.records import RawRecord

Lines = Iterable[tuple[int, str | None]]
IssueSink = Callable[[int | None, str], None]

FORMATS = ("lines", "daily", "jsonl", "json", "csv")
EXTENSIONS = {".txt": None, ".text": None, ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}

# Site chrome of the daily-papers page dump; never a title or an abstract.
_BOILERPLATE = {
    "new", "subscribe", "daily papers", "get trending papers in your email inbox!",
    "byak and the research community", "by ak and the research community", "·", "•",
}
_AUTHORS = re.compile(r"^[•·]?\s*(\d+)\s+authors?$")
# A title is one short line; abstracts are paragraphs. Longest title in the corpus: 145 chars.
_MAX_TITLE_CHARS = 300


def detect(head: list[str], extension: str) -> str:
    """Guess the format from the file extension, else from its first lines."""
    known = EXTENSIONS.get(extension)
    if known:
        return known
    stripped = [line.strip() for line in head]
    first = next((line for line in stripped if line), "")
    if first.startswith("["):
        return "json"
    if first.startswith("{"):
        return "jsonl"
    if "," in first and {"abstract", "text"} & {c.strip().strip('"').lower() for c in first.split(",")}:
        return "csv"
    blank = sum(1 for line in stripped if not line)
    short = sum(1 for line in stripped if 0 < len(line) <= _MAX_TITLE_CHARS)
    return "daily" if blank and short else "lines"


def parse_lines(lines: Lines, issue: IssueSink) -> Iterator[RawRecord]:
    """One abstract per line; blank lines are ignored."""
    for number, text in lines:
        if text is None:
            issue(number, "not valid UTF-8; record skipped")
        elif text.strip():
            yield RawRecord(line=number, abstract=text.strip())


def _paragraphs(lines: Lines) -> Iterator[tuple[int, list[str | None]]]:
    start, block = 0, []
    for number, text in lines:
        if text is not None and not text.strip():
            if block:
                yield start, block
            block = []
        else:
            if not block:
                start = number
            block.append(text)
    if block:
        yield start, block


def _is_metadata(line: str) -> bool:
    return line == "·" or _AUTHORS.match(line) is not None or is_page_date(line)


def parse_daily(lines: Lines, issue: IssueSink) -> Iterator[RawRecord]:
    """Daily-papers page dump, or plain title/abstract paragraph pairs.

    A title is a one-line paragraph directly followed by a longer paragraph
    (its abstract). A paragraph holding `• N authors`, `·` or a date line is
    the metadata of the paper before it (an organisation line may sit in it
    too). Site boilerplate and the page's own date are skipped.
    """
    pending_title: tuple[int, str] | None = None
    current: RawRecord | None = None
    for number, block in _paragraphs(lines):
        if any(text is None for text in block):
            issue(number, "not valid UTF-8; record skipped")
            pending_title = None
            continue
        stripped = [line.strip() for line in block]
        if any(_is_metadata(line) for line in stripped):
            for line in stripped:
                authors = _AUTHORS.match(line)
                if current and authors:
                    current.authors_count = int(authors.group(1))
                elif current and is_page_date(line) and current.date is None:
                    current.date = parse_date(line)
            continue
        text = " ".join(stripped)
        if text.casefold() in _BOILERPLATE:
            continue
        if pending_title and len(text) > len(pending_title[1]):
            if current:
                yield current
            current = RawRecord(line=number, abstract=text, title=pending_title[1])
            pending_title = None
        elif len(block) == 1 and len(text) <= _MAX_TITLE_CHARS:
            if pending_title:
                issue(pending_title[0], "title without an abstract; skipped")
            pending_title = (number, text)
        else:
            if current:
                yield current
            current = RawRecord(line=number, abstract=text)
    if pending_title:
        issue(pending_title[0], "title without an abstract; skipped")
    if current:
        yield current


_ID_FIELDS = ("doi", "arxiv_id", "arxiv", "url", "link", "pdf_url")


def record_from_mapping(row: dict, number: int) -> RawRecord | str:
    """A RawRecord from a JSON object or CSV row, or the reason it is unusable."""
    fields = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    abstract = fields.get("abstract") or fields.get("text") or fields.get("summary")
    if not isinstance(abstract, str) or not abstract.strip():
        return "record has no abstract (fields 'abstract' or 'text'); skipped"
    title = fields.get("title") or ""
    authors = fields.get("authors_parsed") or fields.get("authors")
    if isinstance(authors, str):
        names = [n for n in re.split(r",|;|\band\b", authors) if n.strip()]
        authors_count: int | None = len(names) or None
    elif isinstance(authors, list):
        authors_count = len(authors) or None
    else:
        authors_count = None
    if fields.get("authors_count") not in (None, ""):
        authors_count = int(fields["authors_count"])
    date = next((parse_date(str(fields[f])) for f in ("date", "published", "update_date") if fields.get(f)), None)
    given = fields.get("id") or fields.get("paper_id")
    return RawRecord(
        line=number,
        abstract=" ".join(abstract.split()),
        title=" ".join(str(title).split()),
        given_id=str(given).strip() if given not in (None, "") else None,
        date=date,
        authors_count=authors_count,
        id_fields={f: str(fields[f]) for f in _ID_FIELDS if fields.get(f)},
    )


def _from_mapping(row: object, number: int, issue: IssueSink) -> RawRecord | None:
    if not isinstance(row, dict):
        issue(number, f"expected a JSON object, got {type(row).__name__}; skipped")
        return None
    try:
        record = record_from_mapping(row, number)
    except ValueError as error:
        record = f"bad field value ({error}); skipped"
    if isinstance(record, str):
        issue(number, record)
        return None
    return record


def parse_jsonl(lines: Lines, issue: IssueSink) -> Iterator[RawRecord]:
    for number, text in lines:
        if text is None:
            issue(number, "not valid UTF-8; record skipped")
            continue
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            issue(number, f"invalid JSON ({error.msg} at column {error.colno}); record skipped")
            continue
        record = _from_mapping(row, number, issue)
        if record:
            yield record


def parse_json(lines: Lines, issue: IssueSink) -> Iterator[RawRecord]:
    """A JSON array of records (or one record). Read whole: use JSONL for big inputs."""
    collected = []
    for number, text in lines:
        if text is None:
            issue(number, "not valid UTF-8; file skipped")
            return
        collected.append(text)
    try:
        document = json.loads("\n".join(collected))
    except json.JSONDecodeError as error:
        issue(error.lineno, f"invalid JSON ({error.msg}); file skipped")
        return
    rows = document if isinstance(document, list) else [document]
    for index, row in enumerate(rows):
        record = _from_mapping(row, index + 1, issue)
        if record:
            yield record


def parse_csv(lines: Lines, issue: IssueSink) -> Iterator[RawRecord]:
    """CSV with a header row naming the fields; a record's line is where its row ends."""
    numbers: list[int] = []

    def text_lines() -> Iterator[str]:
        for number, text in lines:
            if text is None:
                issue(number, "not valid UTF-8; line skipped")
                continue
            numbers.append(number)
            yield text + "\n"  # csv needs line ends to read quoted multi-line fields

    reader = csv.DictReader(text_lines())
    for row in reader:
        record = _from_mapping(row, numbers[reader.line_num - 1], issue)
        if record:
            yield record


PARSERS: dict[str, Callable[[Lines, IssueSink], Iterator[RawRecord]]] = {
    "lines": parse_lines, "daily": parse_daily, "jsonl": parse_jsonl, "json": parse_json, "csv": parse_csv,
}
