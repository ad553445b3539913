"""``detente --version``."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

from typer.testing import CliRunner

import detente
from detente.cli import app


def test_version_is_the_packages_and_the_projects():
    """`detente --version` did not exist; the version is stated in pyproject.toml and in
    detente/__init__.py, so the test keeps them in step."""
    res = CliRunner().invoke(app, ["--version"])
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml")
                            .read_text())["project"]["version"]
    assert res.exit_code == 0 and res.stdout == f"detente {detente.__version__}\n"
    assert detente.__version__ == project == version("detente")
