"""Dates as written in inputs -> ISO strings (YYYY-MM-DD, YYYY-MM or YYYY)."""

from __future__ import annotations

import re
from datetime import datetime

_PAGE_DATE = re.compile(
    r"^(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: \d+)?$"
)
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def is_page_date(line: str) -> bool:
    """`Jul 5, 2021`, `Dec 29` or `Oct 22, 2024 2` (date, upvotes): daily-papers date lines."""
    return _PAGE_DATE.match(line.strip()) is not None


def parse_date(value: str) -> str | None:
    """ISO date for `value`, or None when it names no year (e.g. `Dec 29`)."""
    value = value.strip()
    match = _PAGE_DATE.match(value)
    if match:
        if not match["year"]:
            return None
        parsed = datetime.strptime(f"{match['month']} {match['day']} {match['year']}", "%b %d %Y")
        return parsed.date().isoformat()
    match = _ISO.match(value)
    if match:
        return "-".join(part for part in match.groups() if part)
    for pattern in ("%a, %d %b %Y %H:%M:%S %Z", "%d %b %Y", "%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    return None
