"""The `kgbuild` command: thin click commands over the Python API.

Conventions shared by every command: INPUT... is any mix of files,
directories and `-` (stdin), `--format` overrides format detection,
`-o/--output` names the output file (stdout by default), messages and
progress go to stderr, `--quiet`/`--verbose` set how much is said there.
User errors are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable

import click

from kgbuild import __version__
from kgbuild.console import Output
from kgbuild.read import FORMATS, InputError, ReadReport, read_papers


def _output_options(command: Callable) -> Callable:
    @click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
    @click.option("-v", "--verbose", is_flag=True, help="More detail on stderr.")
    @functools.wraps(command)
    def wrapper(*args, quiet: bool, verbose: bool, **kwargs):
        return command(*args, out=Output(quiet=quiet, verbose=verbose), **kwargs)

    return wrapper


def _input_options(command: Callable) -> Callable:
    command = click.option("--format", "input_format", type=click.Choice(FORMATS),
                           help="Input format (default: detected per file).")(command)
    return click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")(command)


def _reading(inputs: tuple[str, ...], input_format: str | None, out: Output) -> tuple[ReadReport, object]:
    """A ReadReport that prints issues as they happen, and the paper stream."""
    report = ReadReport(on_issue=lambda issue: out.warning(str(issue)))
    return report, read_papers(inputs, format=input_format, report=report)


def _finish_reading(report: ReadReport, out: Output) -> None:
    """Exit non-zero when a path was missing or nothing usable was read."""
    if report.missing:
        raise click.ClickException(f"{len(report.missing)} input path(s) do not exist: {', '.join(report.missing)}")
    if report.papers == 0:
        raise click.ClickException("no papers were read from the input")


def _print_read_stats(report: ReadReport, out: Output) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("file", "format", "records", "papers", "duplicates", "skipped", title="papers read")
    for stats in report.files:
        table.add_row(stats.path, stats.format, str(stats.records), str(stats.papers), str(stats.duplicates), str(stats.skipped))
    table.add_row("total", "", str(report.records), str(report.papers), str(report.duplicates),
                  str(sum(f.skipped for f in report.files)), style="bold")
    Console(stderr=True, width=200).print(table)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgbuild")
def cli() -> None:
    """Build a knowledge graph of ML methods, models, datasets, metrics and tasks from paper abstracts."""


@cli.command()
@_input_options
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output JSONL file (default: stdout).")
@click.option("--stats", is_flag=True, help="Print per-file counts and duplicates merged (stderr).")
@_output_options
def papers(inputs, input_format, output, stats, out: Output) -> None:
    """Read INPUT... and write the distinct papers as JSONL."""
    report, stream = _reading(inputs, input_format, out)
    with out.progress("reading papers") as track:
        for paper in track(stream):
            output.write(paper.model_dump_json(exclude_none=True) + "\n")
    if stats:
        _print_read_stats(report, out)
    _finish_reading(report, out)


def main() -> None:
    """Entry point: user errors become one line and exit 1; --verbose adds the traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except (InputError, OSError, ValueError) as error:
        if "-v" in sys.argv or "--verbose" in sys.argv:
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
