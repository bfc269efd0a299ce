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
from kgbuild.errors import KgbuildError
from kgbuild.read import FORMATS, ReadReport, read_papers


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


def _report(out: Output) -> ReadReport:
    """A ReadReport that prints each skipped record as it happens."""
    return ReadReport(on_issue=lambda issue: out.warning(str(issue)))


def _finish_reading(report: ReadReport) -> None:
    """Exit non-zero when a path was missing or nothing usable was read."""
    if report.missing:
        raise click.ClickException(f"{len(report.missing)} input path(s) do not exist: {', '.join(report.missing)}")
    if report.papers == 0:
        raise click.ClickException("no papers were read from the input")


def _print_read_stats(report: ReadReport) -> None:
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
    report = _report(out)
    with out.progress("reading papers") as track:
        for paper in track(read_papers(inputs, format=input_format, report=report)):
            output.write(paper.model_dump_json(exclude_none=True) + "\n")
    if stats:
        _print_read_stats(report)
    _finish_reading(report)


def _linking_options(command: Callable) -> Callable:
    command = click.option("--aliases", type=click.Path(exists=True, dir_okay=False),
                           help="Extra alias table (YAML, same format as kgbuild/data/aliases.yaml).")(command)
    command = click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
                           help="Extraction processes.")(command)
    return click.option("--batch-size", type=click.IntRange(1), default=128, show_default=True,
                        help="Texts per nlp.pipe batch.")(command)


def _linked(inputs, input_format, aliases, workers, batch_size, out: Output):
    """Read, extract and link INPUT...; returns the ReadReport and the LinkedCorpus."""
    from kgbuild.pipeline import extract, link_extracted

    report = _report(out)
    with out.progress("extracting") as track:
        extracted = track(extract(inputs, input_format=input_format, report=report, workers=workers, batch_size=batch_size))
        corpus = link_extracted(extracted, aliases)
    _finish_reading(report)
    out.debug(f"read {report.records} records: {report.papers} papers, {report.duplicates} duplicates merged; "
              f"linked into {len(corpus.entities)} entities")
    return report, corpus


@cli.command()
@_input_options
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output JSONL file (default: stdout).")
@_linking_options
@_output_options
def extract(inputs, input_format, output, aliases, workers, batch_size, out: Output) -> None:
    """Extract linked mentions and relations: one JSON object per paper and line."""
    _, corpus = _linked(inputs, input_format, aliases, workers, batch_size, out)
    for paper in corpus.papers:
        output.write(paper.model_dump_json(exclude_none=True) + "\n")


@cli.command()
@_input_options
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default: stdout).")
@click.option("--as", "output_format", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True)
@_linking_options
@_output_options
def entities(inputs, input_format, output, output_format, aliases, workers, batch_size, out: Output) -> None:
    """List the entities of INPUT... (JSONL, or a table)."""
    _, corpus = _linked(inputs, input_format, aliases, workers, batch_size, out)
    ordered = sorted(corpus.entities, key=lambda e: (-e.paper_count, -e.mention_count, e.id))
    if output_format == "jsonl":
        for entity in ordered:
            output.write(entity.model_dump_json(exclude_none=True) + "\n")
        return
    _print_table(["id", "name", "full_name", "papers", "mentions", "aliases"],
                 [[e.id, e.name, e.full_name or "", e.paper_count, e.mention_count, ", ".join(e.aliases[:5])] for e in ordered],
                 output)


def _print_table(columns: list[str], rows: list[list], output) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    Console(file=output, width=200).print(table)


def _neo4j_options(command: Callable) -> Callable:
    command = click.option("--neo4j-user", envvar="NEO4J_USERNAME", default="neo4j", show_default=True,
                           help="Neo4j user (env NEO4J_USERNAME).")(command)
    command = click.option("--neo4j-database", envvar="NEO4J_DATABASE", default="neo4j", show_default=True,
                           help="Neo4j database (env NEO4J_DATABASE).")(command)
    return click.option("--neo4j", "neo4j_uri", metavar="URI",
                        help="Neo4j URI (bolt:// or neo4j://); env NEO4J_URI. The password comes from env NEO4J_PASSWORD.")(command)


def _neo4j_sink(uri, user, database):
    import os

    from kgbuild.sinks.neo4j import Neo4jSink

    uri = uri or os.environ.get("NEO4J_URI")
    if not uri:
        raise click.UsageError("no Neo4j URI: pass --neo4j URI or set NEO4J_URI")
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        raise click.UsageError("set NEO4J_PASSWORD in the environment (it is never taken on the command line)")
    return Neo4jSink(uri, user, password, database)


def _write_sinks(graph, db: str | None, graphml: str | None, neo4j: tuple | None, out: Output,
                 replace_db: bool) -> None:
    if db:
        from kgbuild.sinks.embedded import EmbeddedStore

        with EmbeddedStore(db) as store:
            store.load(graph, replace=replace_db)
        out.info(f"embedded store: {db}")
    if graphml:
        from kgbuild.sinks.graphml import write_graphml

        write_graphml(graph, graphml)
        out.info(f"GraphML: {graphml}")
    if neo4j:
        with _neo4j_sink(*neo4j) as sink:
            sink.load(graph)
        out.info(f"Neo4j: {neo4j[0]}")


def _print_counts(graph, out: Output) -> None:
    if out.quiet:
        return
    rows = [["node", label, count] for label, count in graph.node_counts().items()]
    rows += [["relationship", rel_type, count] for rel_type, count in graph.relationship_counts().items()]
    _print_table(["kind", "label / type", "count"], rows, sys.stderr)


@cli.command()
@_input_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="kgbuild-out", show_default=True,
              help="Output directory: extracted.jsonl, graph.lbdb (embedded store), graph.graphml.")
@click.option("--db", type=click.Path(), help="Embedded store path (default: OUT/graph.lbdb).")
@click.option("--graphml", type=click.Path(dir_okay=False), help="GraphML file (default: OUT/graph.graphml).")
@_neo4j_options
@_linking_options
@_output_options
def build(inputs, input_format, out_dir, db, graphml, neo4j_uri, neo4j_user, neo4j_database,
          aliases, workers, batch_size, out: Output) -> None:
    """Read, extract, link and relate INPUT..., then write the graph to every sink asked for."""
    from pathlib import Path

    from kgbuild.pipeline import write_jsonl

    _, corpus = _linked(inputs, input_format, aliases, workers, batch_size, out)
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    write_jsonl(corpus.papers, target / "extracted.jsonl")
    graph = corpus.graph()
    neo4j = (neo4j_uri, neo4j_user, neo4j_database) if neo4j_uri else None
    # build's purpose is to (re)make its outputs, so an existing embedded store is replaced.
    _write_sinks(graph, db or str(target / "graph.lbdb"), graphml or str(target / "graph.graphml"), neo4j, out,
                 replace_db=True)
    _print_counts(graph, out)


@cli.command()
@click.argument("extracted", type=click.Path(exists=True, dir_okay=False))
@click.option("--db", type=click.Path(), help="Embedded store to build.")
@click.option("--replace", is_flag=True, help="Replace an existing embedded store (otherwise refused).")
@click.option("--graphml", type=click.Path(dir_okay=False), help="GraphML file to write.")
@_neo4j_options
@click.option("--aliases", type=click.Path(exists=True, dir_okay=False), help="Extra alias table (YAML).")
@_output_options
def load(extracted, db, replace, graphml, neo4j_uri, neo4j_user, neo4j_database, aliases, out: Output) -> None:
    """Load a `kgbuild extract` JSONL file into sinks without re-extracting."""
    from kgbuild.pipeline import link_extracted, read_extracted

    if not (db or graphml or neo4j_uri):
        raise click.UsageError("name at least one sink: --db, --graphml or --neo4j")
    graph = link_extracted(read_extracted(extracted), aliases).graph()
    neo4j = (neo4j_uri, neo4j_user, neo4j_database) if neo4j_uri else None
    _write_sinks(graph, db, graphml, neo4j, out, replace_db=replace)
    _print_counts(graph, out)


@cli.command()
@click.argument("extracted", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "export_format", type=click.Choice(["graphml", "jsonl", "csv", "neo4j-import"]), required=True)
@click.option("-o", "--output", required=True, type=click.Path(), help="File (graphml, jsonl) or directory (csv, neo4j-import).")
@click.option("--aliases", type=click.Path(exists=True, dir_okay=False), help="Extra alias table (YAML).")
@_output_options
def export(extracted, export_format, output, aliases, out: Output) -> None:
    """Export the graph of a `kgbuild extract` JSONL file to another tool's format."""
    from kgbuild.pipeline import link_extracted, read_extracted

    graph = link_extracted(read_extracted(extracted), aliases).graph()
    if export_format == "graphml":
        from kgbuild.sinks.graphml import write_graphml

        write_graphml(graph, output)
    elif export_format == "jsonl":
        from kgbuild.sinks.export import export_jsonl

        export_jsonl(graph, output)
    elif export_format == "csv":
        from kgbuild.sinks.export import export_csv

        export_csv(graph, output)
    else:
        from kgbuild.sinks.neo4j_import import export_neo4j_import

        command = export_neo4j_import(graph, output)
        out.info(f"import with:\n{command}")
    out.info(f"{export_format}: {output}")


def _parse_params(params: tuple[str, ...]) -> dict:
    parsed = {}
    for param in params:
        key, sep, value = param.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{param!r} is not k=v", param_hint="--param")
        try:
            parsed[key] = json.loads(value)
        except json.JSONDecodeError:
            parsed[key] = value
    return parsed


def _query_target(target: str, db: str, neo4j: tuple):
    if target == "neo4j":
        return _neo4j_sink(*neo4j)
    from pathlib import Path

    from kgbuild.sinks.embedded import EmbeddedStore

    if not Path(db).exists():
        raise click.UsageError(f"no embedded store at {db}: run `kgbuild build` first or pass --db")
    return EmbeddedStore(db)


@cli.command()
@click.argument("cypher", required=False)
@click.option("--name", help="Run a named query from kgbuild/queries (see --list).")
@click.option("--list", "list_names", is_flag=True, help="List the named queries.")
@click.option("--param", "params", multiple=True, metavar="K=V", help="Query parameter (value parsed as JSON when it is JSON).")
@click.option("--target", type=click.Choice(["embedded", "neo4j"]), default="embedded", show_default=True)
@click.option("--db", type=click.Path(), default="kgbuild-out/graph.lbdb", show_default=True, help="Embedded store.")
@_neo4j_options
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default: stdout).")
def query(cypher, name, list_names, params, target, db, neo4j_uri, neo4j_user, neo4j_database, output_format, output) -> None:
    """Run a Cypher query (always with parameters) on the embedded store or Neo4j."""
    from kgbuild.queries import load_query, named_queries

    if list_names:
        for query_name in named_queries():
            output.write(f"{query_name}\n")
        return
    if bool(cypher) == bool(name):
        raise click.UsageError("give either CYPHER or --name NAME")
    text = load_query(name) if name else cypher
    store = _query_target(target, db, (neo4j_uri, neo4j_user, neo4j_database))
    with store:
        columns, rows = store.query(text, _parse_params(params))
    _write_rows(columns, rows, output_format, output)


def _write_rows(columns: list[str], rows: list[list], output_format: str, output) -> None:
    if output_format == "json":
        for row in rows:
            output.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str) + "\n")
    elif output_format == "csv":
        import csv

        writer = csv.writer(output)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        _print_table(columns, rows, output)


@cli.command()
@click.option("--target", type=click.Choice(["embedded", "neo4j"]), default="embedded", show_default=True)
@click.option("--db", type=click.Path(), default="kgbuild-out/graph.lbdb", show_default=True, help="Embedded store.")
@_neo4j_options
@click.option("--top", type=click.IntRange(0), default=10, show_default=True, help="Top entities per label.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default: stdout).")
def stats(target, db, neo4j_uri, neo4j_user, neo4j_database, top, output_format, output) -> None:
    """Counts per node label and relationship type, and the top entities by papers."""
    from kgbuild.queries import load_query

    store = _query_target(target, db, (neo4j_uri, neo4j_user, neo4j_database))
    with store:
        counts = store.counts()
        rows = [["node", label, count] for label, count in counts["nodes"].items()]
        rows += [["relationship", rel_type, count] for rel_type, count in counts["relationships"].items()]
        _write_rows(["kind", "label / type", "count"], rows, output_format, output)
        columns, top_rows = store.query(load_query("top_entities"), {"limit": top})
    _write_rows(columns, top_rows, output_format, output)


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--labels", help="Comma-separated labels to score (default: those in the gold file).")
@click.option("--links", "mode", flag_value="links", help="Score entity links against the gold clusters.")
@click.option("--relations", "mode", flag_value="relations", help="Score relations end to end against the gold relations.")
@click.option("--mentions", type=click.Choice(["predicted", "gold"]), default="predicted", show_default=True,
              help="With --relations: relate the extractor's mentions (end to end) or the gold mentions.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default: stdout).")
def evaluate(gold, labels, mode, mentions, as_json, output) -> None:
    """Score the extractor (default), the linker (--links) or relations (--relations) on gold JSONL."""
    if mode == "links":
        from kgbuild.evaluation.links import evaluate_links as score, format_links_report as report

        result = score(gold)
    elif mode == "relations":
        from kgbuild.evaluation.relations import evaluate_relations as score, format_relations_report as report

        result = score(gold, mentions=mentions)
    else:
        from kgbuild.evaluation.ner import evaluate_ner as score, format_ner_report as report

        result = score(gold, labels=labels.split(",") if labels else None)
    output.write((json.dumps(result, indent=2) if as_json else report(result)) + "\n")


@cli.command(name="train", context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                           "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def train(args) -> None:
    """Fine-tune the encoder tagger (needs the [train] extra); options: `kgbuild train --help`."""
    from kgbuild.encoder.train import main as train_main  # noqa: PLC0415 - torch only here

    train_main(list(args))


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
    except (KgbuildError, OSError) as error:
        if "-v" in sys.argv or "--verbose" in sys.argv:
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
