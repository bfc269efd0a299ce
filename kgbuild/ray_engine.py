"""The Ray engine: extraction and the linker's pass 1 on a Ray cluster, the rest as the local path does it.

    from kgbuild.ray_engine import RayCluster, link_on_ray
    corpus = link_on_ray(["papers/"], RayCluster(address=None, workers=2))   # a LinkedCorpus
    graph = corpus.graph()

Extraction is a pure map over papers and pass 1 of the linker (kgbuild.link.linker) is a sum of
statistics per key, so both run in Ray Data `map_batches` on a pool of actors, each of which loads
the spaCy pipeline once. The driver reads the inputs with kgbuild.read (so ids, duplicates and
skipped records are exactly the local reader's; on the corpus reading took 0.6 s of 24) and puts
them all into the object store, a block per batch, before extraction starts (Ray spills the store
to disk past its size, ~30% of RAM by default); it merges the per-batch statistics by key (Linker.merge), spools
the extracted papers in input order, and resolves them in pass 2 like the local path. The linked
papers then go to the same sinks, so the outputs are those of `--engine local`, byte for byte.

Ray runs only for extraction: a local in-process cluster is started for it and stopped after,
and a cluster given by address is connected to and disconnected from.
"""

from __future__ import annotations

import copy
import logging
import os
import pickle
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

from kgbuild.errors import KgbuildError
from kgbuild.link import Linker
from kgbuild.models import ExtractedPaper, Paper
from kgbuild.pipeline import LinkedCorpus, Spool, finish_linking
from kgbuild.read import ReadReport, read_papers

# How long a cluster address may take to accept a connection: Ray itself retries an unreachable
# one for minutes before it gives up.
CONNECT_TIMEOUT_S = 5.0


class RayError(KgbuildError):
    """The Ray cluster cannot be used (bad address, unreachable, refused the connection)."""


@dataclass(frozen=True)
class RayCluster:
    """Where to run: `address` of an existing cluster ("host:port" of its head, "auto", "ray://host:port"),
    or None for a local in-process cluster; `workers` extraction actors (None: one per CPU of the cluster)."""

    address: str | None = None
    workers: int | None = None


def _check_reachable(address: str) -> None:
    """Fail at once, in one line, on an address nothing answers at (ray.init would retry for minutes)."""
    if address == "auto":  # Ray's rule: RAY_ADDRESS, else the cluster `ray start` left on this machine
        address = os.environ.get("RAY_ADDRESS") or address
    if address in ("auto", "local"):
        return
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or port is None:
        raise RayError(f"bad Ray address {address!r}: expected HOST:PORT of the head node, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise RayError(f"cannot reach the Ray cluster at {address}: {error.strerror or error}") from None


@contextmanager
def _connected(cluster: RayCluster) -> Iterator[None]:
    """Start or join the cluster, and stop or leave it after; a process already connected stays so."""
    try:
        import ray
    except ImportError:
        raise RayError("--engine ray needs Ray: pip install 'kgbuild[ray]'") from None

    if ray.is_initialized():
        yield
        return
    if cluster.address is not None:
        _check_reachable(cluster.address)
    # a new local cluster uses token authentication (Ray's default), and says so on stderr every time
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
    try:
        # "local": a new cluster, even where `ray start` left one running that address=None would join
        ray.init(
            address=cluster.address or "local",
            num_cpus=cluster.workers if cluster.address is None else None,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
            configure_logging=False,
        )
    except (ConnectionError, ValueError, RuntimeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RayError(
            f"cannot use the Ray cluster at {cluster.address or 'a local in-process cluster'}: {first}"
        ) from None
    try:
        yield
    finally:
        ray.shutdown()


_ACTOR_THREADS = 1  # the encoder's threads per actor: the pool has an actor per CPU


class _ExtractAndObserve:
    """A Ray Data actor: loads the extraction pipeline once, then for each batch of papers extracts them
    and observes them into an empty copy of the driver's linker (its alias table, no statistics)."""

    def __init__(self, linker: Linker, relations: bool, fast: bool):
        from kgbuild.extract import load_pipeline
        from kgbuild.relate import relate

        self._empty_linker = linker
        self._relate = relate if relations else None
        self._fast = fast
        load_pipeline(fast=fast, threads=_ACTOR_THREADS)

    def __call__(self, batch):
        import pyarrow as pa

        from kgbuild.extract import extract_papers

        papers = [Paper.model_validate_json(text) for text in batch["paper"].to_pylist()]
        failures: dict[str, str] = {}
        extracted = {
            paper.paper_id: paper
            for paper in extract_papers(
                papers,
                batch_size=len(papers),
                relate=self._relate,
                fast=self._fast,
                threads=_ACTOR_THREADS,
                on_error=lambda paper, message: failures.__setitem__(paper.id, message),
            )
        }
        statistics = copy.deepcopy(self._empty_linker)
        for paper in extracted.values():
            statistics.observe(paper)
        return pa.table(
            {
                "position": batch["position"],
                "extracted": pa.array(
                    [extracted[paper.id].model_dump_json() if paper.id in extracted else None for paper in papers],
                    pa.string(),
                ),
                # a paper whose extraction failed comes back whole, for the report to name its record
                "failed_paper": pa.array(
                    [None if paper.id in extracted else paper.model_dump_json() for paper in papers], pa.string()
                ),
                "failure": pa.array([failures.get(paper.id) for paper in papers], pa.string()),
                # the batch's statistics ride on its first row
                "link_statistics": pa.array([pickle.dumps(statistics)] + [None] * (len(papers) - 1), pa.binary()),
            }
        )


def _paper_blocks(papers: Iterable[Paper], batch_size: int) -> list:
    """The papers in the object store, `batch_size` a block, with their input positions."""
    import pyarrow as pa
    import ray

    blocks, position, iterator = [], 0, iter(papers)
    while batch := list(islice(iterator, batch_size)):
        blocks.append(
            ray.put(
                pa.table(
                    {
                        "position": pa.array(range(position, position + len(batch)), pa.int64()),
                        "paper": pa.array([paper.model_dump_json() for paper in batch], pa.string()),
                    }
                )
            )
        )
        position += len(batch)
    return blocks


def _extracted_in_order(
    blocks: list,
    linker: Linker,
    cluster: RayCluster,
    batch_size: int,
    relations: bool,
    report: ReadReport | None,
    fast: bool,
) -> Iterator[ExtractedPaper]:
    """Extract on the actor pool; yield the papers in input order, merging each batch's statistics into `linker`."""
    import ray
    import ray.data

    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False  # the command draws its own progress line
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "Progress bars disabled": we know
    workers = cluster.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    empty_linker = copy.deepcopy(linker)  # what the actors copy per batch; `linker` fills up as batches return
    results = ray.data.from_arrow_refs(blocks).map_batches(
        _ExtractAndObserve,
        fn_constructor_kwargs={"linker": empty_linker, "relations": relations, "fast": fast},
        batch_size=batch_size,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=workers),
    )
    expected = 0
    for batch in results.iter_batches(batch_size=None, batch_format="pyarrow"):
        # batch_format="pyarrow" gives pyarrow Tables; ray annotates a batch as a dict of numpy arrays
        for position, extracted, failed_paper, failure, statistics in zip(
            *(
                batch[name].to_pylist()  # type: ignore[union-attr]
                for name in (
                    "position",
                    "extracted",
                    "failed_paper",
                    "failure",
                    "link_statistics",
                )
            )
        ):
            if position != expected:  # preserve_order is what makes the outputs the local ones
                raise RuntimeError(f"Ray returned paper {position} where {expected} was due")
            expected += 1
            if statistics is not None:
                linker.merge(pickle.loads(statistics))
            if extracted is not None:
                yield ExtractedPaper.model_validate_json(extracted)
            elif report is not None:
                report.add_extraction_failure(Paper.model_validate_json(failed_paper), failure)
            else:  # as extract_papers says it
                from kgbuild.extract import ExtractionError

                paper = Paper.model_validate_json(failed_paper)
                raise ExtractionError(f"{paper.source}: paper {paper.id}: extraction failed: {failure}")


def link_on_ray(
    inputs: Iterable[str],
    cluster: RayCluster,
    *,
    input_format: str | None = None,
    report: ReadReport | None = None,
    aliases: str | Path | None = None,
    batch_size: int = 128,
    relations: bool = True,
    fast: bool = False,
    track: Callable[[Iterator[ExtractedPaper]], Iterable[ExtractedPaper]] = iter,
) -> LinkedCorpus:
    """Read `inputs`, extract and observe them on Ray, finish linking here: the LinkedCorpus of the local path.

    `track` wraps the stream of extracted papers as they come back (a progress line)."""
    linker = Linker(aliases_path=aliases)
    papers = read_papers(inputs, format=input_format, report=report)
    with _connected(cluster):
        blocks = _paper_blocks(papers, batch_size)
        extracted = (
            _extracted_in_order(blocks, linker, cluster, batch_size, relations, report, fast) if blocks else iter(())
        )
        spool = Spool(track(extracted))
    return finish_linking(linker, spool)
