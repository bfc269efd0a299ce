"""Terminal output shared by all commands: one-line messages and the progress bar.

Messages and progress go to stderr so stdout stays machine-readable (JSONL).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")


@dataclass
class Output:
    quiet: bool = False
    verbose: bool = False

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def debug(self, message: str) -> None:
        if self.verbose:
            click.echo(message, err=True)

    def warning(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"warning: {message}", err=True)

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[object]:
        """A rich progress bar on stderr, only when stderr is a terminal and not --quiet."""
        if self.quiet or not sys.stderr.isatty():
            yield lambda items: items
            return
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(description, total=total)

            def track(items: Iterable[T]) -> Iterator[T]:
                for item in items:
                    yield item
                    bar.advance(task)

            yield track
