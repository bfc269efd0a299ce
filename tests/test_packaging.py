"""The installed package must carry every subpackage and data file, not only the source checkout."""

from __future__ import annotations

import tomllib

from helpers import REPO


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(REPO).parts) for init in (REPO / "kgbuild").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml packages: {sorted(found - listed)}"


def test_every_shipped_data_file_matches_a_package_data_pattern():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for package, directory in (
        ("kgbuild.data", REPO / "kgbuild" / "data"),
        ("kgbuild.queries", REPO / "kgbuild" / "queries"),
    ):
        installed = {path for pattern in config[package] for path in directory.glob(pattern)}  # as setuptools globs
        for path in directory.rglob("*"):
            if path.is_dir() or path.suffix in (".py", ".pyc"):
                continue
            assert path in installed, f"{path.relative_to(directory)} would not be installed"
