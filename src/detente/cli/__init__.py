"""The ``detente`` command line: thin wrappers that parse arguments, call the library, print.

Each sub-module adds its commands to :data:`app`.
"""

from __future__ import annotations

from detente.cli.app import app
from detente.cli import scenario_cmds, forecast_cmd  # noqa: F401  (register commands)


def main() -> None:
    app()


__all__ = ["app", "main"]
