"""Output files that never half-exist, never replace a user's file, and leave no litter.

Every file kgbuild writes (extracted.jsonl, the embedded store, GraphML, JSONL/CSV exports,
neo4j-import CSVs) goes through an `OutputSet`:

* `claim(path, kind)` locks `path` against a concurrent kgbuild (a `flock` on `.NAME.kgbuild-lock`
  next to it; a second writer fails at once with one line), refuses an existing file that is
  not a kgbuild output unless the set was made with `replace=True` (`--replace`), and returns a
  temporary path in the same directory (`.kgbuild-tmp-<pid>-...`) to write the output to.
* `commit()` fsyncs every temporary, removes the old manifest, renames each temporary onto its
  path (`os.replace`, atomic on one file system), fsyncs the directories, and writes the
  manifest LAST. If anything fails before, the temporaries are removed and the previous outputs
  are untouched. Killed during the renames (milliseconds), the directory has no manifest, which
  says the set is not whole.

A kgbuild output is recognised by what it holds, or by being listed in the manifest of its
directory: an embedded store is a LadybugDB file with kgbuild's node tables; GraphML names
`kgbuild` as its graph-level `generator`; an extract's first record parses as an ExtractedPaper;
a JSON Lines export's first record is a kgbuild node or relationship; a manifest says
`"generator": "kgbuild"`.

The manifest, `kgbuild-manifest.json` (written by `kgbuild build` into OUT and by directory
exports), is one JSON object:
    {"generator": "kgbuild", "version": "0.1.0", "written": "2026-12-03T08:30:00+00:00",
     "outputs": {"extracted.jsonl": {"sha256": "...", "bytes": 123}, "graph.lbdb": {...}, ...},
     "counts": {"papers": 336, "nodes": {...}, "relationships": {...}}}
Paths in `outputs` are relative to the manifest's directory when inside it, absolute otherwise.
`verify_manifest(directory)` rechecks every size and hash.

Temporaries carry the pid of the process that owns them (`.kgbuild-tmp-<pid>-`, and
`kgbuild-spool-<pid>-` / `kgbuild-csv-<pid>-` in the system temporary directory): the next run
removes those whose process is gone (`remove_stale`), and each run removes its own on exit.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from kgbuild import __version__
from kgbuild.errors import KgbuildError

MANIFEST = "kgbuild-manifest.json"
GENERATOR = "kgbuild"
_TEMPORARY = re.compile(r"\.?kgbuild-(?:tmp|spool|csv|graph)-(\d+)-")
# Temporaries of kgbuild versions that did not name their owner (tempfile's 8 random characters):
# removed once older than a day, as no build runs that long. Spools and CSV directories only in the
# system temporary directory, where a user's own file of that shape is unlikely.
_LEGACY_BUILD = re.compile(r"\.kgbuild-build-[a-z0-9_]{8}")
_LEGACY_SYSTEM = re.compile(r"kgbuild-csv-[a-z0-9_]{8}|kgbuild-[a-z0-9_]{8}\.jsonl")
_LEGACY_AGE = 24 * 3600  # seconds
_LOCK_SUFFIX = ".kgbuild-lock"
_LOCK_GRACE = 0.2  # seconds a lock held by someone else is retried before giving up
_SNIFF_BYTES = 1 << 16  # how much of a file is read to recognise it


class OutputExistsError(KgbuildError, FileExistsError):
    """An existing file that kgbuild did not write would be replaced."""


class OutputLockedError(KgbuildError, BlockingIOError):
    """Another kgbuild process is writing the same output."""


def temporary_prefix(kind: str, hidden: bool = False) -> str:
    """Prefix for a temporary owned by this process (`remove_stale` knows it by the pid)."""
    return f"{'.' if hidden else ''}kgbuild-{kind}-{os.getpid()}-"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def remove_stale(directory: str | os.PathLike[str], legacy: re.Pattern = _LEGACY_BUILD) -> list[Path]:
    """Remove the kgbuild temporaries in `directory` whose owning process no longer runs, those of
    older kgbuild versions once a day old, and the lock files no process holds (left by a killed writer)."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith(".") and entry.name.endswith(_LOCK_SUFFIX):
            if _remove_unheld_lock(path):
                removed.append(path)
            continue
        match = _TEMPORARY.match(entry.name)
        if match:
            if _process_alive(int(match.group(1))):
                continue
        elif not legacy.fullmatch(entry.name) or _age(entry) < _LEGACY_AGE:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _age(entry: os.DirEntry) -> float:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return 0.0


def _remove_unheld_lock(path: Path) -> bool:
    try:
        descriptor = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return False  # held: its writer runs
    path.unlink(missing_ok=True)  # a process that opened it meanwhile sees it gone and locks a new one
    os.close(descriptor)
    return True


def remove_stale_system_temporaries() -> list[Path]:
    return remove_stale(tempfile.gettempdir(), _LEGACY_SYSTEM)


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so `finally` blocks and finalizers remove this run's temporaries."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_tree(path: Path) -> None:
    paths = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for file in paths:
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())


def file_digest(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


# -- recognising kgbuild outputs ----------------------------------------------------------------


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(_SNIFF_BYTES)


def _first_line(path: Path) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                return line
    return ""


def _is_store(path: Path) -> bool:
    if not _head(path).startswith(b"LBUG"):
        return False
    import ladybug

    from kgbuild.schema import load_schema

    try:
        database = ladybug.Database(str(path), read_only=True)
        connection = ladybug.Connection(database)
        try:
            result = connection.execute("CALL show_tables() RETURN name")
            assert isinstance(result, ladybug.QueryResult)  # one statement, one result (a list only for "A; B")
            rows = cast("list[list[str]]", result.get_all())  # lists, as the connection does not ask for dicts
            tables = {row[0] for row in rows}
        finally:
            connection.close()
            database.close()
    except RuntimeError:
        return False
    return set(load_schema().nodes) <= tables


def _tail(path: Path) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(max(0, handle.seek(0, os.SEEK_END) - _SNIFF_BYTES))
        return handle.read()


def _is_graphml(path: Path) -> bool:
    """The graph-level generator key is declared first and its value written last (networkx's order)."""
    return re.search(
        rb'<key id="generator" for="graph"', _head(path)
    ) is not None and f'<data key="generator">{GENERATOR}</data>'.encode() in _tail(path)


def _is_extract(path: Path) -> bool:
    from kgbuild.models import ExtractedPaper

    try:
        ExtractedPaper.model_validate_json(_first_line(path))
    except ValueError:
        return False
    return True


def _is_graph_jsonl(path: Path) -> bool:
    try:
        record = json.loads(_first_line(path))
    except ValueError:
        return False
    return isinstance(record, dict) and record.get("kind") in ("node", "relationship") and "properties" in record


def _is_manifest(path: Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (ValueError, AttributeError, UnicodeDecodeError):
        return False


RECOGNISERS: dict[str, Callable[[Path], bool]] = {
    "store": _is_store,
    "graphml": _is_graphml,
    "extract": _is_extract,
    "jsonl": _is_graph_jsonl,
    "manifest": _is_manifest,
    "file": lambda path: False,  # recognised only by a manifest
}


def read_manifest(directory: str | os.PathLike[str]) -> dict | None:
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("generator") == GENERATOR else None


def _manifest_key(path: Path, directory: Path) -> str:
    path, directory = path.absolute(), directory.absolute()
    return str(path.relative_to(directory)) if path.parent == directory else str(path)


def is_kgbuild_output(path: str | os.PathLike[str], kind: str) -> bool:
    """`path` was written by kgbuild: listed in its directory's manifest with its present size and hash
    (so not a file the user put there since), or recognised by content."""
    path = Path(path)
    manifest = read_manifest(path.parent)
    try:
        listed = manifest.get("outputs", {}).get(_manifest_key(path, path.parent)) if manifest else None
        return (listed is not None and listed == file_digest(path)) or RECOGNISERS[kind](path)
    except OSError:
        return False


def verify_manifest(directory: str | os.PathLike[str]) -> list[str]:
    """Problems with the outputs the manifest of `directory` lists (missing, other size or hash); [] when whole."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest is None:
        return [f"{directory / MANIFEST}: missing or not a kgbuild manifest (the outputs are not one whole build)"]
    problems = []
    for name, expected in manifest.get("outputs", {}).items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif file_digest(path) != expected:
            problems.append(f"{path}: changed since the manifest was written")
    return problems


# -- locks ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def output_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for writing `path`; fail (within _LOCK_GRACE) when another process holds it.

    The lock file is removed on release; a locker checks it still locked the file at that name
    (not one just removed), so two processes can never both hold the lock of one path."""
    lock_path = path.with_name(f".{path.name}{_LOCK_SUFFIX}")
    # remove_stale holds an unheld lock file for microseconds while removing it: a short grace period
    # tells that from a writer, which holds it for the whole write.
    deadline = time.monotonic() + _LOCK_GRACE
    while True:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                raise OutputLockedError(
                    f"{path}: another kgbuild process is writing it; wait for it to finish"
                ) from None
            time.sleep(0.02)
            continue
        try:
            if os.fstat(descriptor).st_ino == os.stat(lock_path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(descriptor)  # removed by its previous holder in between: lock the new one
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        os.close(descriptor)


# -- the set of outputs ---------------------------------------------------------------------------


class OutputSet:
    """Outputs written to temporaries and renamed into place together; optionally a manifest last.

        with OutputSet(replace=False, manifest_dir=out) as outputs:
            write_graphml(graph, outputs.claim(out / "graph.graphml", "graphml"))
            outputs.commit(counts={...})

    Leaving the block without commit() (an exception) removes the temporaries, and the previous
    outputs stay as they were."""

    def __init__(self, *, replace: bool = False, manifest_dir: str | os.PathLike[str] | None = None):
        self.replace = replace
        self.manifest_dir = Path(manifest_dir) if manifest_dir is not None else None
        self._staged: list[tuple[Path, Path, tuple[str, ...]]] = []  # temporary, final path, companions
        self._locks = contextlib.ExitStack()
        self._cleaned: set[Path] = set()
        if self.manifest_dir is not None:
            try:
                self._check(self.manifest_dir / MANIFEST, "manifest")
            except BaseException:
                self._locks.close()
                raise

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def claim(self, path: str | os.PathLike[str], kind: str, companions: tuple[str, ...] = ()) -> Path:
        """Lock `path`, check it may be replaced, and return the temporary path to write it to
        (the same one when `path` was claimed before).

        companions: file names next to `path` that belong to the output being replaced (a store's
        write-ahead log) and are removed with it."""
        path = Path(path)
        for index, (temporary, staged, known) in enumerate(self._staged):
            if staged.absolute() == path.absolute():  # claimed up front (to fail before the work), now written
                self._staged[index] = (temporary, path, tuple(dict.fromkeys(known + companions)))
                return temporary
        self._check(path, kind)
        temporary = path.with_name(f"{temporary_prefix('tmp', hidden=True)}{secrets.token_hex(4)}-{path.name}")
        self._staged.append((temporary, path, companions))
        return temporary

    def _check(self, path: Path, kind: str) -> None:
        """Lock `path` for this set; refuse a directory, and a file kgbuild did not write unless replace."""
        if path.is_dir():
            raise OutputExistsError(f"{path} is a directory; name a file")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent not in self._cleaned:
            remove_stale(path.parent)
            self._cleaned.add(path.parent)
        self._locks.enter_context(output_lock(path))
        if path.exists() and not self.replace and not is_kgbuild_output(path, kind):
            raise OutputExistsError(f"{path} exists and was not written by kgbuild; pass --replace to overwrite it")

    def commit(self, **manifest_fields: Any) -> dict[str, Any] | None:
        """Rename every written temporary into place, then write the manifest (if the set has one)."""
        manifest_dir = self.manifest_dir  # None: this set has no manifest
        outputs = {}
        for temporary, path, _ in self._staged:
            if not temporary.exists():
                raise FileNotFoundError(f"{path}: nothing was written for this output")
            _fsync_tree(temporary)
            if manifest_dir is not None:
                outputs[_manifest_key(path, manifest_dir)] = file_digest(temporary)
        if manifest_dir is not None:
            (manifest_dir / MANIFEST).unlink(missing_ok=True)  # from here until the new one, the set is not whole
        for temporary, path, companions in self._staged:
            for name in companions:
                path.with_name(name).unlink(missing_ok=True)
            os.replace(temporary, path)
        for directory in {path.parent for _, path, _ in self._staged}:
            _fsync_directory(directory)
        self._staged.clear()
        manifest = None
        if manifest_dir is not None:
            manifest = {
                "generator": GENERATOR,
                "version": __version__,
                "written": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "outputs": outputs,
                **manifest_fields,
            }
            temporary = manifest_dir / (temporary_prefix("tmp", hidden=True) + MANIFEST)
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, manifest_dir / MANIFEST)
            _fsync_directory(manifest_dir)
        self.discard()
        return manifest

    def discard(self) -> None:
        """Remove the temporaries not committed and release the locks."""
        for temporary, _, _ in self._staged:
            for leftover in temporary.parent.iterdir():
                if leftover.name.startswith(temporary.name):  # with a store's .wal
                    if leftover.is_dir():
                        shutil.rmtree(leftover, ignore_errors=True)
                    else:
                        leftover.unlink(missing_ok=True)
        self._staged.clear()
        self._locks.close()


@contextlib.contextmanager
def output_set(
    outputs: OutputSet | None, manifest_dir: str | os.PathLike[str] | None = None, replace: bool = False
) -> Iterator[OutputSet]:
    """`outputs` when given (its owner commits it), else a new set committed when the block ends
    without an exception (replacing files kgbuild did not write only when `replace`)."""
    if outputs is not None:
        yield outputs
        return
    with OutputSet(manifest_dir=manifest_dir, replace=replace) as own:
        yield own
        own.commit()


@contextlib.contextmanager
def written(path: str | os.PathLike[str], kind: str, outputs: OutputSet | None = None) -> Iterator[Path]:
    """The temporary path to write one output to, renamed onto `path` with `outputs` (see output_set)."""
    with output_set(outputs) as owner:
        yield owner.claim(path, kind)
