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
    for package, directory in (("kgbuild.data", REPO / "kgbuild" / "data"), ("kgbuild.queries", REPO / "kgbuild" / "queries")):
        for path in directory.iterdir():
            if path.suffix == ".py" or path.name == "__pycache__":
                continue
            assert any(path.match(pattern) for pattern in config[package]), f"{path.name} would not be installed"
