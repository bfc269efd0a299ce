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
    "new",
    "subscribe",
    "daily papers",
    "get trending papers in your email inbox!",
    "byak and the research community",
    "by ak and the research community",
    "·",
    "•",
}
_AUTHORS = re.compile(r"^[•·]?\s*(\d+)\s+authors?$")
# A title is one short line; abstracts are paragraphs. Longest title in the corpus: 145 chars.
_MAX_TITLE_CHARS = 300


def _first_line_is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _json_kind(first: str) -> str | None:
    """ "json" or "jsonl" when the first non-blank line opens a JSON value, else None."""
    if first.startswith("["):
        return "json"
    if first.startswith("{"):
        return "jsonl" if _first_line_is_json_object(first) else "json"
    return None


def _is_csv_header(first: str) -> bool:
    return "," in first and bool({"abstract", "text"} & {c.strip().strip('"').lower() for c in first.split(",")})


def _has_paragraphs(stripped: list[str]) -> bool:
    """Blank lines and lines short enough to be titles: a daily-papers dump or title/abstract pairs."""
    blank = sum(1 for line in stripped if not line)
    short = sum(1 for line in stripped if 0 < len(line) <= _MAX_TITLE_CHARS)
    return bool(blank and short)


def detect(head: list[str], extension: str) -> str:
    """The format of a file from its first lines; the extension only where the content cannot tell.

    JSON is told by content whatever the extension, because the names lie: the arXiv metadata
    snapshot is `arxiv-metadata-oai-snapshot.json` but holds one object per line.
    """
    stripped = [line.strip() for line in head]
    first = next((line for line in stripped if line), "")
    known = _json_kind(first) or EXTENSIONS.get(extension)
    if known:
        return known
    if _is_csv_header(first):
        return "csv"
    return "daily" if _has_paragraphs(stripped) else "lines"


def parse_lines(lines: Lines, issue: IssueSink) -> Iterator[RawRecord]:
    """One abstract per line, exactly as written; blank lines are ignored."""
    for number, text in lines:
        if text is None:
            issue(number, "not valid UTF-8; record skipped")
        elif text.strip():
            yield RawRecord(line=number, abstract=text)


def _paragraphs(lines: Lines) -> Iterator[tuple[int, list[str | None]]]:
    start = 0
    block: list[str | None] = []
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


class _DailyPage:
    """parse_daily's state between paragraphs: the title waiting for its abstract, and the record still
    open for the metadata paragraph that follows it."""

    def __init__(self, issue: IssueSink) -> None:
        self.issue = issue
        self.pending_title: tuple[int, str] | None = None
        self.current: RawRecord | None = None

    def add(self, number: int, paragraph: list[str | None]) -> Iterator[RawRecord]:
        """Takes one paragraph; yields the previous record once this one shows it is complete."""
        block = [text for text in paragraph if text is not None]
        if len(block) < len(paragraph):  # a line of it is not valid UTF-8
            self.issue(number, "not valid UTF-8; record skipped")
            self.pending_title = None
            return
        stripped = [line.strip() for line in block]
        if any(_is_metadata(line) for line in stripped):
            self._add_metadata(stripped)
            return
        text = "\n".join(block).strip()
        if " ".join(stripped).casefold() in _BOILERPLATE:
            return
        if self.pending_title and len(text) > len(self.pending_title[1]):
            yield from self._start(RawRecord(line=number, abstract=text, title=self.pending_title[1]))
            self.pending_title = None
        elif len(block) == 1 and len(text) <= _MAX_TITLE_CHARS:
            self._drop_pending_title()
            self.pending_title = (number, text)
        else:
            yield from self._start(RawRecord(line=number, abstract=text))

    def finish(self) -> Iterator[RawRecord]:
        self._drop_pending_title()
        if self.current:
            yield self.current

    def _start(self, record: RawRecord) -> Iterator[RawRecord]:
        if self.current:
            yield self.current
        self.current = record

    def _drop_pending_title(self) -> None:
        if self.pending_title:
            self.issue(self.pending_title[0], "title without an abstract; skipped")

    def _add_metadata(self, stripped: list[str]) -> None:
        """`• N authors` and the first date line belong to the record before them."""
        for line in stripped:
            authors = _AUTHORS.match(line)
            if self.current and authors:
                self.current.authors_count = int(authors.group(1))
            elif self.current and is_page_date(line) and self.current.date is None:
                self.current.date = parse_date(line)


def parse_daily(lines: Lines, issue: IssueSink) -> Iterator[RawRecord]:
    """Daily-papers page dump, or plain title/abstract paragraph pairs.

    A title is a one-line paragraph directly followed by a longer paragraph
    (its abstract). A paragraph holding `• N authors`, `·` or a date line is
    the metadata of the paper before it (an organisation line may sit in it
    too). Site boilerplate and the page's own date are skipped. A paragraph's
    text is its lines as written, joined by the line breaks between them.
    """
    page = _DailyPage(issue)
    for number, paragraph in _paragraphs(lines):
        yield from page.add(number, paragraph)
    yield from page.finish()


_ID_FIELDS = ("doi", "arxiv_id", "arxiv", "url", "link", "pdf_url")
# Most precise first: the arXiv snapshot has `update_date`, CSV exports often only a `year`.
_DATE_FIELDS = ("date", "published", "update_date", "year")


def _given_id(value: object) -> str | None:
    """A record's own id as text: strings and numbers as written, nothing else (no Python reprs)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"id must be a string or a number, got {json.dumps(value)[:60]}")
    return str(value).strip() or None


def _authors_count(fields: dict) -> int | None:
    """An explicit `authors_count`, else the length of the author list: arXiv's `authors_parsed` (a list) or
    `authors` as a list or a string ("A, B and C")."""
    if fields.get("authors_count") not in (None, ""):
        return int(fields["authors_count"])
    authors = fields.get("authors_parsed") or fields.get("authors")
    if isinstance(authors, str):
        return len([n for n in re.split(r",|;|\band\b", authors) if n.strip()]) or None
    if isinstance(authors, list):
        return len(authors) or None
    return None


def record_from_mapping(row: dict, number: int) -> RawRecord | str:
    """A RawRecord from a JSON object or CSV row, or the reason it is unusable.

    Title and abstract are kept exactly as given: mention offsets index them."""
    fields = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    abstract = fields.get("abstract") or fields.get("text") or fields.get("summary")
    if not isinstance(abstract, str) or not abstract.strip():
        return "record has no abstract (fields 'abstract' or 'text'); skipped"
    title = fields.get("title") or ""
    if not isinstance(title, str):
        return f"title must be a string, got {type(title).__name__}; skipped"
    authors_count = _authors_count(fields)
    date = next((parse_date(str(fields[f])) for f in _DATE_FIELDS if fields.get(f) not in (None, "")), None)
    return RawRecord(
        line=number,
        abstract=abstract,
        title=title,
        given_id=_given_id(fields.get("id") or fields.get("paper_id")),
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


# parse_json reads on while the buffer holds an incomplete value, then retries once the buffer has
# grown by this much or doubled: a value spanning many lines is decoded O(1) times, not once a line.
_JSON_READ_AHEAD = 1 << 16


class _JsonBuffer:
    """What parse_json has read of the file and not yet decoded: text[position:], which starts on `line`."""

    def __init__(self, lines: Lines, issue: IssueSink) -> None:
        self.source = iter(lines)
        self.issue = issue
        self.text = ""
        self.position = 0
        self.line = 1
        self.exhausted = False  # the file ended, or the rest of it is skipped

    def at_end(self) -> bool:
        return self.position >= len(self.text)

    def next_char(self) -> str:
        return self.text[self.position]

    def read_more(self, at_least: int) -> bool:
        """Append lines until the buffer grew by `at_least` or the file ended; whether it grew."""
        self.text = self.text[self.position :]
        self.position = 0
        before = len(self.text)
        while len(self.text) < before + at_least:
            number, text = next(self.source, (None, None))
            if number is None:
                self.exhausted = True
                break
            if text is None:
                self.issue(number, "not valid UTF-8; rest of file skipped")
                self.exhausted = True
                break
            self.text += text + "\n"
        return len(self.text) > before

    def skip(self, characters: str) -> None:
        """Moves past `characters`, reading on while they last to the end of the buffer."""
        while True:
            while self.position < len(self.text) and self.text[self.position] in characters:
                self.line += self.text[self.position] == "\n"
                self.position += 1
            if self.position < len(self.text) or self.exhausted or not self.read_more(1):
                return

    def decode(self, decoder: json.JSONDecoder) -> tuple[object, int] | None:
        """The value at position and where it ends, or None when more of the file must be read first.

        Raises json.JSONDecodeError when the value is invalid and reading on cannot complete it."""
        try:
            row, end = decoder.raw_decode(self.text, self.position)
        except json.JSONDecodeError:
            if not self.exhausted and self.read_more(max(_JSON_READ_AHEAD, len(self.text))):
                return None
            raise
        if end == len(self.text) and not self.exhausted and self.text[end - 1] not in '}]"':
            self.read_more(1)  # a number or literal may go on in the next line
            return None
        return row, end


def _close_array(buffer: _JsonBuffer, issue: IssueSink) -> None:
    """Past the closing bracket, where only whitespace may follow."""
    buffer.position += 1
    buffer.skip(" \t\r\n")
    if not buffer.at_end():
        issue(buffer.line, "invalid JSON (data after the closing bracket); ignored")


def parse_json(lines: Lines, issue: IssueSink) -> Iterator[RawRecord]:
    """A JSON array of records, or one or more top-level records, streamed value by value.

    Never holds more of the file than the value being decoded (a multi-GB array reads in
    the memory of its largest record). A record's line is the line its value starts on.
    After invalid JSON the rest of the file cannot be resynchronised and is skipped.
    """
    decoder = json.JSONDecoder()
    buffer = _JsonBuffer(lines, issue)
    in_array = None  # unknown until the first value; then whether records sit inside [ ... ]
    count = 0
    while True:
        buffer.skip(" \t\r\n" + ("," if in_array else ""))
        if buffer.at_end():
            if in_array:
                issue(buffer.line, "invalid JSON (array not closed); rest of file skipped")
            break
        if in_array is None:
            in_array = buffer.next_char() == "["
            if in_array:
                buffer.position += 1
                continue
        if in_array and buffer.next_char() == "]":
            _close_array(buffer, issue)
            break
        try:
            decoded = buffer.decode(decoder)
        except json.JSONDecodeError as error:
            line = buffer.line + buffer.text.count("\n", buffer.position, error.pos)
            issue(line, f"invalid JSON ({error.msg}); rest of file skipped")
            break
        if decoded is None:
            continue
        row, end = decoded
        count += 1
        record = _from_mapping(row, buffer.line, issue)
        buffer.line += buffer.text.count("\n", buffer.position, end)
        buffer.position = end
        if record:
            yield record
    if count == 0 and in_array is None:
        issue(None, "empty JSON document; nothing to read")


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
    "lines": parse_lines,
    "daily": parse_daily,
    "jsonl": parse_jsonl,
    "json": parse_json,
    "csv": parse_csv,
}
