"""Shared test helpers: paths to the real data, and running the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
EVAL = SHARED / "data" / "eval"


def run_cli(
    *args: str, stdin: bytes | None = None, env: dict | None = None, clear_env: bool = False
) -> subprocess.CompletedProcess:
    """Run `python -m kgbuild ARGS` as a user would; returns the finished process (text output).

    `env` is added to the environment (or replaces it with `clear_env`)."""
    environment = dict(env or {}) if clear_env else {**os.environ, **(env or {})}
    process = subprocess.run(
        [sys.executable, "-m", "kgbuild", *args], input=stdin, capture_output=True, timeout=600, env=environment
    )
    process.stdout = process.stdout.decode("utf-8")
    process.stderr = process.stderr.decode("utf-8")
    return process
