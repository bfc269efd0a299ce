"""What can go wrong while reading, as data: one line naming file and line."""

from __future__ import annotations

from dataclasses import dataclass

from kgbuild.errors import KgbuildError


class InputError(KgbuildError):
    """An input that cannot be read at all (e.g. a missing path). One line, no traceback."""


@dataclass(frozen=True)
class ReadIssue:
    """A skipped record or file: `file:line: message`."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"
