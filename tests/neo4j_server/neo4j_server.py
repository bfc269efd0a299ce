"""Start a real Neo4j 5.26 (LTS) Community server for tests, without Docker.

The server is an embedded Neo4j started by the tiny Java launcher in this directory
(``src/main/java/kgbuild/testserver/Neo4jLauncher.java``), built with Maven from
Maven Central artifacts. Needs ``java`` (17+) and ``mvn`` on PATH; uses ~/.m2 as cache.

    from neo4j_server import java_available, running_neo4j

    with running_neo4j() as server:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password))
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError

HERE = Path(__file__).resolve().parent
TARGET = HERE / "target"
JAR = TARGET / "neo4j-launcher.jar"
LIB = TARGET / "lib"
_STAMP = TARGET / ".kgbuild-build-stamp"
MAIN_CLASS = "kgbuild.testserver.Neo4jLauncher"

# Small, test-friendly JVM (the default, fast_start=True). C1-only JIT + serial GC roughly halve
# the CPU needed to start (measured: ~9 s instead of ~17 s of CPU), which matters on small CI
# machines -- but C1-only code is several times slower at steady state, so benchmarks pass
# fast_start=False (full tiered JIT, parallel GC). The --add-opens flags are the ones the neo4j
# start script uses; without them Neo4j logs fallback warnings.
_COMMON_JVM_OPTS = [
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
]
_FAST_START_JVM_OPTS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
_THROUGHPUT_JVM_OPTS = ["-XX:+UseParallelGC"]
DEFAULT_HEAP = "1g"
DEFAULT_PAGECACHE = "64m"  # the launcher's own default
JVM_OPTS = ["-Xms256m", f"-Xmx{DEFAULT_HEAP}", *_FAST_START_JVM_OPTS, *_COMMON_JVM_OPTS]  # the test defaults


def jvm_options(heap: str = DEFAULT_HEAP, fast_start: bool = True, extra: tuple[str, ...] = ()) -> list[str]:
    """JVM flags for the launcher: -Xmx`heap`; fast_start=True is C1-only JIT + serial GC (quick
    start, slow steady state), False full tiered JIT + parallel GC with -Xms = -Xmx (throughput)."""
    if fast_start:
        return ["-Xms256m", f"-Xmx{heap}", *_FAST_START_JVM_OPTS, *_COMMON_JVM_OPTS, *extra]
    return [f"-Xms{heap}", f"-Xmx{heap}", *_THROUGHPUT_JVM_OPTS, *_COMMON_JVM_OPTS, *extra]


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    password: str
    user: str = "neo4j"
    database: str = "neo4j"

    def env(self) -> dict[str, str]:
        """Environment variables that point kgbuild at this server."""
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USERNAME": self.user,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }


def java_available() -> bool:
    """True if both ``java`` and ``mvn`` are on PATH."""
    return shutil.which("java") is not None and shutil.which("mvn") is not None


def _require_tools() -> None:
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"Neo4j test server needs {' and '.join(missing)} on PATH (Java 17+ and Maven 3.8+)")


def _needs_build() -> bool:
    if not (_STAMP.exists() and JAR.exists() and any(LIB.glob("neo4j-kernel-*.jar"))):
        return True
    sources = [HERE / "pom.xml", *HERE.glob("src/**/*")]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    return _STAMP.stat().st_mtime < newest


def build_launcher() -> Path:
    """Build the launcher (``mvn -q -B package``) if missing or stale; return the jar path.

    The jar's manifest lists ``lib/*.jar`` so ``java -jar`` works; dependencies are in target/lib.
    """
    _require_tools()
    TARGET.mkdir(exist_ok=True)
    with open(TARGET / ".build.lock", "w") as lock:
        try:  # serialise concurrent builds (e.g. pytest-xdist workers)
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - non-POSIX
            pass
        if _needs_build():
            proc = subprocess.run(
                ["mvn", "-q", "-B", "package"],
                cwd=HERE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            if proc.returncode != 0 or not JAR.exists():
                tail = "\n".join(proc.stdout.strip().splitlines()[-30:])
                raise RuntimeError(
                    f"building the Neo4j test launcher failed (mvn exit {proc.returncode}) in {HERE}:\n{tail}"
                )
            _STAMP.touch()
    return JAR


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.stdin.close()  # the launcher shuts down cleanly on stdin EOF
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.terminate()  # SIGTERM -> shutdown hook
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    with contextlib.suppress(OSError):
        proc.stdin.close()


@contextlib.contextmanager
def serving_store(home: Path, password: str, java_options: list[str], timeout: float = 300.0) -> Iterator[str]:
    """The launcher serving an existing store (e.g. one `neo4j-admin database import` wrote under `home`):
    yields its bolt URI once it printed READY, and stops it when the block ends."""
    port = free_port()
    server = subprocess.Popen(
        [
            "java",
            *java_options,
            "-cp",
            f"{build_launcher()}{os.pathsep}{LIB / '*'}",
            MAIN_CLASS,
            str(home),
            str(port),
            password,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line, deadline = "", time.monotonic() + timeout
        while not line.startswith("READY") and time.monotonic() < deadline and server.poll() is None:
            line = server.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError(f"the launcher did not start on the store in {home}")
        yield f"bolt://127.0.0.1:{port}"
    finally:
        _stop(server)


def _tail(path: Path, n: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


@contextlib.contextmanager
def running_neo4j(
    password: str = "kgbuild-test-pw",
    *,
    timeout: float = 120.0,
    heap: str = DEFAULT_HEAP,
    pagecache: str | None = None,
    fast_start: bool = True,
    settings: dict[str, object] | None = None,
    jvm_extra: tuple[str, ...] = (),
) -> Iterator[Neo4jServer]:
    """Run a fresh Neo4j server (empty temp data dir) for the duration of the ``with`` block.

    Defaults suit tests (quick start, 1 GB heap, 64 MB page cache). For benchmarks pass e.g.
    ``heap="2g", pagecache="1g", fast_start=False``. ``settings`` are extra neo4j.conf settings
    (``{"db.tx_state.memory_allocation": "ON_HEAP"}``); ``jvm_extra`` extra JVM flags."""
    jar = build_launcher()
    started = time.monotonic()
    deadline = started + timeout
    data_dir = Path(tempfile.mkdtemp(prefix="kgbuild-neo4j-"))
    config = dict(settings or {})
    if pagecache is not None:
        config["server.memory.pagecache.size"] = pagecache
    settings_args: list[str] = []
    if config:
        settings_file = data_dir / "neo4j-settings.conf"
        settings_file.write_text("".join(f"{name}={value}\n" for name, value in config.items()))
        settings_args = [str(settings_file)]
    java_options = jvm_options(heap, fast_start, tuple(jvm_extra))
    proc = None
    reader = None
    try:
        for attempt in range(3):  # retry if another process grabbed the port in between
            port = free_port()
            output: collections.deque[str] = collections.deque(maxlen=200)
            ready = threading.Event()
            proc = subprocess.Popen(
                [
                    "java",
                    *java_options,
                    "-cp",
                    f"{jar}{os.pathsep}{LIB / '*'}",
                    MAIN_CLASS,
                    str(data_dir / f"run{attempt}"),
                    str(port),
                    password,
                    *settings_args,
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                start_new_session=True,  # Ctrl-C goes to Python, which stops the server cleanly
            )

            def _read(stream=proc.stdout, output=output, ready=ready) -> None:
                for line in stream:
                    output.append(line.rstrip("\n"))
                    if line.startswith("READY "):
                        ready.set()

            reader = threading.Thread(target=_read, name="neo4j-server-output", daemon=True)
            reader.start()
            while not ready.wait(0.1) and proc.poll() is None and time.monotonic() < deadline:
                pass
            if ready.is_set():
                break
            _stop(proc)
            reader.join(5)
            text = "\n".join(output)
            if proc.returncode not in (None, 0) and "already in use" in text and attempt < 2:
                continue
            debug_log = _tail(data_dir / f"run{attempt}" / "logs" / "debug.log", 10)
            raise RuntimeError(
                f"Neo4j test server did not become ready within {timeout:.0f}s "
                f"(exit code {proc.returncode}); last output:\n"
                + "\n".join(list(output)[-25:])
                + (f"\n--- debug.log tail ---\n{debug_log}" if debug_log else "")
            )

        server = Neo4jServer(uri=f"bolt://127.0.0.1:{port}", password=password)
        last_error: Exception | None = None
        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            while True:
                try:
                    driver.verify_connectivity()
                    break
                except AuthError:
                    raise
                except Exception as exc:  # ServiceUnavailable, connection refused, ...
                    last_error = exc
                    if proc.poll() is not None or time.monotonic() >= deadline:
                        raise RuntimeError(
                            f"Neo4j test server at {server.uri} printed READY but is not reachable "
                            f"({last_error!r}); last output:\n" + "\n".join(list(output)[-25:])
                        ) from exc
                    time.sleep(0.2)
        yield server
    finally:
        if proc is not None:
            _stop(proc)
        if reader is not None:
            reader.join(5)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":  # manual use: python tests/neo4j_server/neo4j_server.py
    with running_neo4j() as srv:
        print(" ".join(f"{k}={v}" for k, v in srv.env().items()), flush=True)
        print("Neo4j running; press Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
