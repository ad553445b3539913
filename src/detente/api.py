"""The Python API: load a scenario, run a model, get a result.

    >>> from detente.api import forecast
    >>> result = forecast("scenarios/ec-emissions-1994.yaml", model="challenge")
    >>> result.forecasts()
    >>> [r.summary.mae for r in backtest("DEU_FILE.tsv", models=["compromise", "best"])]
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from detente.evaluation.backtest import BacktestResult, load_dataset
from detente.evaluation.backtest import backtest as run_backtest
from detente.models import get_model
from detente.models import models as list_models
from detente.result import ForecastResult, build_result
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.capability_table import resolve_capability
from detente.scenario.io import load_scenario
from detente.scenario.model import Scenario


def _as_scenario(scenario: Scenario | str | Path, fmt: str | None = None) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario, fmt)


def run_model(arrays: ScenarioArrays, model: str = "compromise", preset: str | None = None,
              rounds: int | None = None, seed: int | None = 0, capability: str = "default",
              **options: Any) -> ForecastResult:
    """Run ``model`` on scenario arrays (any batch size) and assemble the result."""
    spec = get_model(model)
    opts = spec.options(preset, **options)
    n_rounds = spec.default_rounds if rounds is None else rounds
    rng = np.random.default_rng(seed)
    out = spec.run(arrays, opts, n_rounds, rng)
    return build_result(spec.name, preset or spec.default_preset, capability,
                        dataclasses.asdict(opts), arrays, out)


def forecast(scenario: Scenario | str | Path, model: str = "compromise",
             preset: str | None = None, rounds: int | None = None, seed: int | None = 0,
             capability: str = "default", fmt: str | None = None,
             **options: Any) -> ForecastResult:
    """Forecast every issue of ``scenario`` (a Scenario or a file path) with ``model``.

    ``capability``: ``default``, ``equal``, a named coding, or a table ``FILE.csv[:COLUMN]``
    (:mod:`detente.scenario.capability_table`)."""
    sc, capability = resolve_capability(_as_scenario(scenario, fmt), capability)
    return run_model(to_arrays(sc, capability), model, preset, rounds, seed, capability,
                     **options)


def backtest(data: Scenario | str | Path, models: str | list[str] = "compromise",
             preset: str | None = None, capability: str = "default", seed: int = 0,
             fmt: str | None = None, cases: bool | None = None) -> list[BacktestResult]:
    """The figures of ``detente backtest`` (one result per model and preset) on the issues of
    ``data`` with a known outcome.

    ``models``: a name, a list, or ``"all"``. A file's rows run as separate one-issue cases when
    its format says so (DEU), a Scenario's issues jointly; ``cases`` overrides either."""
    if isinstance(data, Scenario):
        sc, multi = data, False
    else:
        sc, multi = load_dataset(data, fmt)
    sc, capability = resolve_capability(sc, capability)
    names = list(list_models()) if models == "all" else (
        [models] if isinstance(models, str) else list(models))
    return run_backtest(sc, names, preset, capability, multi if cases is None else cases, seed,
                        "" if isinstance(data, Scenario) else str(data))

