"""The Python API: load a scenario, run a model, get a result.

    >>> from detente.api import forecast
    >>> result = forecast("scenarios/ec-emissions-1994.yaml", model="challenge")
    >>> result.forecasts()
    >>> [r.summary.mae for r in backtest("DEU_FILE.tsv", models=["compromise", "best"])]
    >>> cross_validate(["DEU_A.tsv", "DEU_B.tsv"], models="best", folds=10).to_dict()

The separate cases of a data file (DEU rows, case files) run on several processes inside
``with detente.execution.cases.case_workers(4): ...`` (the same results; the script needs the
usual ``if __name__ == "__main__":`` guard).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from detente.errors import OptionError
from detente.evaluation.backtest import BacktestResult
from detente.evaluation.backtest import backtest as run_backtest
from detente.evaluation.crossval import CVReport, cross_validate_files
from detente.models import get_model, parse_names
from detente.models import models as list_models
from detente.models.base import ModelOutput
from detente.result import ForecastResult, build_result
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.capability_table import resolve_capability
from detente.scenario.io import load_scenario
from detente.scenario.model import Scenario


def run_model(arrays: ScenarioArrays, model: str = "compromise", preset: str | None = None,
              rounds: int | None = None, seed: int | None = 0, capability: str = "default",
              **options: Any) -> ForecastResult:
    """Run ``model`` on scenario arrays (any batch size) and assemble the result."""
    return run_model_output(arrays, model, preset, rounds, seed, capability, **options)[1]


def run_model_output(arrays: ScenarioArrays, model: str = "compromise",
                     preset: str | None = None, rounds: int | None = None,
                     seed: int | None = 0, capability: str = "default",
                     **options: Any) -> tuple[ModelOutput, ForecastResult]:
    """:func:`run_model`, with the model's raw output (what the run store records)."""
    spec = get_model(model)
    opts = spec.options(preset, **options)
    n_rounds = spec.default_rounds if rounds is None else rounds
    rng = np.random.default_rng(seed)
    out = spec.run(arrays, opts, n_rounds, rng)
    return out, build_result(spec.name, preset or spec.default_preset, capability,
                             dataclasses.asdict(opts), arrays, out)


def forecast(scenario: Scenario | str | Path, model: str = "challenge",
             preset: str | None = None, rounds: int | None = None, seed: int | None = 0,
             capability: str = "default", fmt: str | None = None,
             cases: bool | None = None, **options: Any) -> ForecastResult:
    """Forecast every issue of ``scenario`` (a Scenario or a file path) with ``model``
    (default ``challenge``, as ``detente forecast``).

    ``capability``: ``default``, ``equal``, a named coding, or a table ``FILE.csv[:COLUMN]``
    (:mod:`detente.scenario.capability_table`). When the issues are separate one-issue cases
    (the scenario's ``separate_cases``: DEU rows and case files say so), a model that links
    issues (``exchange``, ``smp``) runs on each case alone, as in a backtest; ``cases``
    overrides the scenario's flag."""
    sc, capability = resolve_capability(_dataset(scenario, fmt, cases), capability)
    return run_model(to_arrays(sc, capability), model, preset, rounds, seed, capability,
                     **options)


def backtest(data: Scenario | str | Path, models: str | list[str] = "compromise",
             preset: str | None = None, capability: str = "default", seed: int = 0,
             fmt: str | None = None, cases: bool | None = None) -> list[BacktestResult]:
    """The figures of ``detente backtest`` (one result per model and preset) on the issues of
    ``data`` with a known outcome.

    ``models``: a name, a comma list, a list, or ``"all"``. The issues run as separate
    one-issue cases when the data say so (``separate_cases``: DEU rows, case files), otherwise
    jointly; ``cases`` overrides that."""
    sc, capability = resolve_capability(_dataset(data, fmt, cases), capability)
    names = _model_names(models)
    return run_backtest(sc, names, preset, capability, sc.separate_cases, seed,
                        "" if isinstance(data, Scenario) else str(data))


def cross_validate(data: Scenario | str | Path | list[Scenario | str | Path],
                   models: str | list[str] = "best", folds: int = 10, seed: int = 0,
                   preset: str | None = None, capability: str = "default",
                   fmt: str | None = None, by: str = "proposal") -> CVReport:
    """The cross-validation of ``detente backtest ... --cv FOLDS``: folds grouped by proposal,
    the compromise model first as the baseline, fitted models refitted in each fold.

    ``data``: one data set (a Scenario or a file) or a list of them, cross-validated as one
    pool (errors then in percent of each issue's range). ``models``: a name, a comma list, a
    list, or ``"all"`` (every model fast enough to run in each fold, and ``best``). ``by``:
    what the folds deal, ``"proposal"`` or ``"file"`` (``--cv-by``)."""
    items = data if isinstance(data, list) else [data]
    datasets = [resolve_capability(_dataset(item, fmt), capability) for item in items]
    names = _model_names(models)
    sources = [f"scenario {n + 1}" if isinstance(item, Scenario) else str(item)
               for n, item in enumerate(items)]
    return cross_validate_files(datasets, names, folds, seed, preset,
                                every_model=models == "all", by=by, sources=sources)


def _dataset(data: Scenario | str | Path, fmt: str | None,
             cases: bool | None = None) -> Scenario:
    """A data set, its ``separate_cases`` overridden by ``cases`` unless that is None."""
    sc = data if isinstance(data, Scenario) else load_scenario(data, fmt)
    return sc.with_cases(cases)


def _model_names(models: str | list[str]) -> list[str]:
    """A name, names separated by commas (as ``--model`` takes them), a list, or ``"all"``."""
    chosen, _ = parse_names([models] if isinstance(models, str) else list(models))
    if not chosen:
        raise OptionError(f"models names no model; models: {', '.join(list_models())}")
    return chosen

