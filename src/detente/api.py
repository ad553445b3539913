"""The Python API: load a scenario, run a model, get a result.

    >>> from detente.api import forecast
    >>> result = forecast("scenarios/ec-emissions-1994.yaml", model="challenge")
    >>> result.forecasts()
    >>> [r.summary.mae for r in backtest("DEU_FILE.tsv", models=["compromise", "best"])]
    >>> cross_validate(["DEU_A.tsv", "DEU_B.tsv"], models="best", folds=10).to_dict()
    >>> forecast_draws("scenarios/northeast-asia-2004.yaml", "compromise", draws=1000).result
    >>> sensitivity("scenarios/ec-emissions-1994.yaml", "compromise").ranked("date")
    >>> simulate("scenarios/northeast-asia-2004.yaml", until="2005-12-31").narrative()
    >>> simulate_draws("scenarios/northeast-asia-2004.yaml", draws=1000).to_dict()
    >>> compare("scenarios/northeast-asia-2004.yaml",
    ...         ["scenarios/interventions/jenkins-amnesty.yaml"], runs=100)

Each function mirrors the command of the same name (``forecast --draws`` for
:func:`forecast_draws`, ``simulate --draws`` for :func:`simulate_draws`): same defaults, same
seeds, same numbers.

The separate cases of a data file (DEU rows, case files) run on several processes inside
``with detente.execution.cases.case_workers(4): ...`` (the same results; the script needs the
usual ``if __name__ == "__main__":`` guard).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from detente.uncertainty.montecarlo import DEFAULT_QUANTILES, MonteCarloRun

if TYPE_CHECKING:  # the simulation and sensitivity modules load when first used (pandas ...)
    from detente.simulation.compare import Intervention
    from detente.simulation.engine import SimOptions
    from detente.simulation.history import History
    from detente.uncertainty.sensitivity import SensitivityResult
    from detente.uncertainty.simulation import SimulationMC


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


def forecast_draws(scenario: Scenario | str | Path, model: str = "challenge",
                   draws: int = 1000, seed: int = 0, preset: str | None = None,
                   rounds: int | None = None, capability: str = "default",
                   quantiles: tuple[float, ...] = DEFAULT_QUANTILES, fmt: str | None = None,
                   cases: bool | None = None, **options: Any) -> MonteCarloRun:
    """``detente forecast --draws``: ``model`` on ``draws`` Monte Carlo draws of the inputs
    (the scenario's ``uncertainty`` block, or the default widths when it has none; the run's
    ``default_widths`` says which). ``.result`` holds the per-issue median and ``quantiles``
    (``.result.forecasts()``: the medians); ``.output.forecast`` every draw's forecast
    (draws x issues, on 0-100)."""
    from detente.uncertainty.montecarlo import monte_carlo

    sc, capability = resolve_capability(_dataset(scenario, fmt, cases), capability)
    return monte_carlo(sc, model, draws, seed, preset, rounds, capability, tuple(quantiles),
                       **options)


def sensitivity(scenario: Scenario | str | Path, model: str = "compromise",
                samples: int = 256, seed: int = 0, preset: str | None = None,
                rounds: int | None = None, capability: str = "default",
                sobol: bool | None = None, fmt: str | None = None,
                **options: Any) -> SensitivityResult:
    """``detente sensitivity``: the uncertain inputs ranked by their effect on each issue's
    forecast (tornado swings; Sobol indices unless ``sobol`` is False, or when None, when their
    runs fit in memory). ``ranked(issue)`` orders an issue's inputs; ``to_dict()`` is the
    command's ``--json``."""
    from detente.uncertainty.sensitivity import sensitivity as analyse

    sc, capability = resolve_capability(_dataset(scenario, fmt), capability)
    return analyse(sc, model, samples, seed, preset, rounds, capability, sobol=sobol, **options)


def simulate(scenario: Scenario | str | Path, until: dt.date | str | None = None,
             seed: int = 0, step: str = "concession", capability: str = "default",
             mechanisms: dict[str, Any] | None = None, fmt: str | None = None) -> History:
    """``detente simulate``: one seeded run of the forums over the calendar, to ``until``
    (a date or ``YYYY-MM-DD``; default the scenario's ``simulation.end``, else the later of
    the end of the year after ``as_of`` and its last dated event). ``step``: ``concession``
    or a static model's name. ``mechanisms``: ``{"wedge": False}`` switches a mechanism off,
    ``{"wedge": {"erosion_per_month": 0.02}}`` sets its parameters (``--off``, ``--param``).
    The history's ``narrative()`` is the command's text, ``to_dict()`` its ``--json``."""
    from detente.simulation.engine import simulate as run_simulation

    sc, options = _simulation(scenario, until, step, capability, mechanisms, fmt)
    return run_simulation(sc, options, seed)


def simulate_draws(scenario: Scenario | str | Path, draws: int = 1000, seed: int = 0,
                   until: dt.date | str | None = None, step: str = "concession",
                   capability: str = "default", mechanisms: dict[str, Any] | None = None,
                   quantiles: tuple[float, ...] = DEFAULT_QUANTILES,
                   fixed_inputs: bool = False, fmt: str | None = None) -> SimulationMC:
    """``detente simulate --draws``: ``draws`` simulations over draws of the uncertain inputs
    (``fixed_inputs``: the coded inputs, so draws differ only by the simulation's own
    randomness); ``to_dict()`` gives outcome probabilities of every meeting and quantiles of
    the package, trust and support at the end. Other arguments as :func:`simulate`."""
    from detente.uncertainty.simulation import simulate_mc

    sc, options = _simulation(scenario, until, step, capability, mechanisms, fmt)
    return simulate_mc(sc, options, draws, seed, tuple(quantiles), fixed_inputs=fixed_inputs)


def compare(scenario: Scenario | str | Path,
            interventions: list[Intervention | str | Path] | Intervention | str | Path,
            runs: int = 100, seed: int = 0, until: dt.date | str | None = None,
            step: str = "concession", capability: str = "default",
            mechanisms: dict[str, Any] | None = None, fmt: str | None = None) -> dict[str, Any]:
    """``detente compare --json``: the same ``runs`` seeds with and without each intervention
    (a file such as ``scenarios/interventions/jenkins-amnesty.yaml``, or an
    :class:`~detente.simulation.compare.Intervention`), and the paired differences with their
    90 % confidence intervals. Other arguments as :func:`simulate`."""
    from detente.simulation.compare import Intervention, load_intervention
    from detente.simulation.compare import compare as run_compare

    sc, options = _simulation(scenario, until, step, capability, mechanisms, fmt)
    items = interventions if isinstance(interventions, list) else [interventions]
    ivs = [iv if isinstance(iv, Intervention) else load_intervention(iv) for iv in items]
    if not ivs:
        raise OptionError("compare needs at least one intervention")
    return run_compare(sc, ivs, options, runs=runs, seed=seed)


def _simulation(scenario: Scenario | str | Path, until: dt.date | str | None, step: str,
                capability: str, mechanisms: dict[str, Any] | None,
                fmt: str | None) -> tuple[Scenario, SimOptions]:
    """The scenario (capability coding resolved) and the simulation options."""
    from detente.simulation.calendar import parse_until
    from detente.simulation.engine import SimOptions

    sc, capability = resolve_capability(_dataset(scenario, fmt), capability)
    return sc, SimOptions(until=parse_until(until), step=step, capability=capability,
                          mechanisms=dict(mechanisms or {}))


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

