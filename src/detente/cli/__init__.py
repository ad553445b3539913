"""The ``detente`` command line: thin wrappers that parse arguments, call the library, print.

Each sub-module adds its commands to :data:`app`; importing it registers them.
"""

from __future__ import annotations

# isort: off
from detente.cli.app import app
import detente.cli.scenario_cmds
import detente.cli.web_cmds
import detente.cli.backtest_cmd
import detente.cli.forecast_cmd
import detente.cli.simulate_cmd
import detente.cli.uncertainty_cmds
# isort: on


def main() -> None:
    app()


__all__ = ["app", "main"]
