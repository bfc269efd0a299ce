"""Terminal output shared by all commands: one-line messages, the progress line and safe table cells.

Messages and progress go to stderr so stdout stays machine-readable (JSONL).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

T = TypeVar("T")

# C0 and C1 control characters and DEL: ESC sequences from an input file must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(value: object) -> Text:
    """A table cell: control characters shown escaped (\\x1b, \\n), never read as rich markup."""
    text = "" if value is None else str(value)
    return Text(_CONTROL.sub(lambda match: repr(match[0])[1:-1], text))


@dataclass
class Output:
    """What a command says on stderr: messages, and one progress line that goes through its stages.

    `track(items, stage, total)` counts items (in `unit`) against the stage's total, or just
    counts when the total is unknown; `stage(name)` starts a stage that shows its name and
    elapsed time. The line is drawn only on a terminal and not with --quiet; `session()`
    (around every command) removes it when the command ends."""

    quiet: bool = False
    verbose: bool = False
    unit: str = "papers"
    _bar: Progress | None = field(default=None, init=False, repr=False)
    _task: TaskID | None = field(default=None, init=False, repr=False)

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def debug(self, message: str) -> None:
        if self.verbose:
            click.echo(message, err=True)

    def warning(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"warning: {message}", err=True)

    @property
    def shows_progress(self) -> bool:
        return not self.quiet and sys.stderr.isatty()

    @contextmanager
    def session(self) -> Iterator[Output]:
        try:
            yield self
        finally:
            if self._bar is not None:
                self._bar.stop()
                self._bar = self._task = None

    def stage(self, name: str, total: int | None = None) -> None:
        if not self.shows_progress:
            return
        if self._bar is None:  # started on first use, so commands without stages never draw
            columns = [
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
            ]
            self._bar = Progress(*columns, console=Console(stderr=True), transient=True)
            self._bar.start()
        if self._task is not None:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(name, total=total, count="")

    def track(self, items: Iterable[T], stage: str, total: int | None = None, then: str | None = None) -> Iterator[T]:
        """Yield `items`, counting them in `stage`; when they run out, stage `then` starts."""
        self.stage(stage, total)
        for done, item in enumerate(items, start=1):
            yield item
            if self._bar is not None and self._task is not None:  # set together by stage()
                of_total = f"/{total:,}" if total is not None else ""
                self._bar.update(self._task, completed=done, count=f"{done:,}{of_total} {self.unit}")
        if then is not None:
            self.stage(then)
