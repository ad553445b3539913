"""Monte Carlo distributions and the sensitivity ranking of a scenario, for reports and the web.

Everything goes through the public entry points of :mod:`detente.uncertainty`:
:func:`~detente.uncertainty.montecarlo.monte_carlo` (what ``detente forecast --draws N --seed S``
runs) and :func:`~detente.uncertainty.sensitivity.sensitivity` (what ``detente sensitivity``
runs), so the numbers shown equal those the commands print for the same seed and options.

Defaults, documented choices: 500 draws per model (enough for stable 10/50/90 % quantiles at a
fraction of a second per fast model); sensitivity of the ``compromise`` model with a Sobol base
sample of 64 (the model then runs 64 (D + 2) times, about 5,600 runs for the flagship's 83
inputs: S1/ST carry visible confidence intervals, which the table shows; raise
``sobol_samples`` for tighter ones). A scenario with no ``uncertainty`` block gets the
default widths (:func:`~detente.uncertainty.draws.fallback_spec`)
for both the Monte Carlo and the sensitivity, and the report says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from detente.errors import DetenteError, OptionError
from detente.report.collect import FINISHING, Cancelled, OptionalPart, Progress, RunCancelled
from detente.scenario.model import Scenario
from detente.uncertainty.draws import DEFAULT_WIDTHS_NOTE, drawn_spec

DEFAULT_DRAWS = 500
MAX_DRAWS = 20_000
DEFAULT_SOBOL_SAMPLES = 64
MAX_SOBOL_SAMPLES = 1024
DEFAULT_SENSITIVITY_MODEL = "compromise"
HIST_BINS = 24


def with_spec(sc: Scenario) -> tuple[Scenario, bool]:
    """The scenario with an uncertainty block to draw from, and whether it was its own.

    With no block of its own it gets the default widths (:func:`drawn_spec`), as Monte Carlo
    and sensitivity draw it everywhere.
    """
    spec = drawn_spec(sc)
    if spec is sc.uncertainty:
        return sc, True
    return sc.model_copy(update={"uncertainty": spec}), False


def _histogram(values: np.ndarray, bounds: tuple[float, float]) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    counts, edges = np.histogram(finite, bins=HIST_BINS, range=bounds)
    return {"bins": [float(e) for e in edges], "counts": [int(c) for c in counts]}


# sees each Monte Carlo run as it finishes: a MonteCarloRun (a model's draws) or a
# SimulationMC (the simulation over the draws); the web app records them
OnRun = Callable[[Any], None]


def distribution(sc: Scenario, model: str, draws: int, seed: int,
                 capability: str = "default", on_run: OnRun | None = None) -> dict[str, Any]:
    """One model's forecast distribution per issue: median, 10/50/90 % quantiles, histogram.

    ``sc`` must already carry the uncertainty block to use (see :func:`with_spec`).
    """
    from detente.uncertainty.montecarlo import monte_carlo

    run = monte_carlo(sc, model, draws, seed, capability=capability)
    if on_run is not None:
        on_run(run)
    values = run.arrays.to_issue_scale(run.output.forecast)  # (draws, issues)
    issues = []
    for k, iss in enumerate(run.result.to_dict()["issues"]):
        issue = sc.issue(iss["id"])
        col = values[:, k]
        issues.append({"id": iss["id"], "median": iss["forecast"], **iss["quantiles"],
                       "mean": float(np.nanmean(col)) if np.isfinite(col).any() else None,
                       **_histogram(col, issue.bounds)})
    return {"model": run.result.model, "issues": issues}


def simulation_draws(sc: Scenario, draws: int, seed: int, until: dt.date | None = None,
                     capability: str = "default", on_run: OnRun | None = None
                     ) -> dict[str, Any]:
    """The dynamic simulation over the same draws: ``SimulationMC.to_dict()`` (what
    ``detente simulate FILE --draws N --seed S --until U --json`` prints), or why it did not
    run (``{"error": ...}``). ``until`` defaults as for the report's simulation section."""
    from detente.report.collect import simulation_available

    if not simulation_available():
        return {"error": "the simulation part of detente is not available"}
    from detente.report.simulation import check_simulable, default_until
    from detente.simulation import SimOptions
    from detente.uncertainty.simulation import simulate_mc

    try:
        check_simulable(sc)
        mc = simulate_mc(sc, SimOptions(until=until or default_until(sc),
                                        capability=capability), draws, seed)
    except DetenteError as exc:
        return {"error": str(exc)}
    if on_run is not None:
        on_run(mc)
    return mc.to_dict()


def check_sizes(draws: int, sobol_samples: int) -> None:
    """Refuse draw counts that would make a report or a web job run for minutes."""
    if not 1 <= draws <= MAX_DRAWS:
        raise OptionError(f"draws must be between 1 and {MAX_DRAWS}, got {draws}")
    if not 2 <= sobol_samples <= MAX_SOBOL_SAMPLES:
        raise OptionError(f"Sobol samples must be between 2 and {MAX_SOBOL_SAMPLES}, "
                          f"got {sobol_samples}")


def uncertainty_data(sc: Scenario, models: list[str], draws: int = DEFAULT_DRAWS,
                     seed: int = 0, capability: str = "default",
                     sensitivity_model: str | None = DEFAULT_SENSITIVITY_MODEL,
                     sobol_samples: int = DEFAULT_SOBOL_SAMPLES,
                     progress: Progress | None = None,
                     cancelled: Cancelled | None = None, simulation: bool = False,
                     until: dt.date | None = None,
                     on_run: OnRun | None = None) -> dict[str, Any]:
    """Distributions of every model in ``models`` and the sensitivity of one model.

    A model that rejects the scenario is recorded with its message; cancelling stops between
    models. ``sensitivity_model=None`` leaves the sensitivity out; ``simulation=True`` adds
    the dynamic simulation over the same number of draws (:func:`simulation_draws`).
    ``on_run`` sees each Monte Carlo run (each model's, the simulation's) as it finishes.
    """
    check_sizes(draws, sobol_samples)
    drawn, own = with_spec(sc)
    steps = len(models) + (sensitivity_model is not None) + simulation
    dists: list[dict[str, Any]] = []
    for k, name in enumerate(models):
        if cancelled is not None and cancelled():
            raise RunCancelled(f"cancelled after {k} of {len(models)} models")
        if progress is not None:
            progress(k, steps, f"{name}: {draws} draws")
        try:
            dists.append(distribution(drawn, name, draws, seed, capability, on_run))
        except DetenteError as exc:
            dists.append({"model": name, "error": str(exc)})
    sens: dict[str, Any] | None = None
    if sensitivity_model is not None:
        from detente.uncertainty.sensitivity import sensitivity

        if cancelled is not None and cancelled():
            raise RunCancelled("cancelled before the sensitivity analysis")
        if progress is not None:
            progress(len(models), steps, f"sensitivity of {sensitivity_model}")
        try:
            res = sensitivity(sc, sensitivity_model, sobol_samples, seed,
                              capability=capability, sobol=None)
            sens = res.to_dict() | {"issues": res.issues}
        except DetenteError as exc:
            sens = {"model": sensitivity_model, "error": str(exc)}
    sim: dict[str, Any] | None = None
    if simulation:
        if cancelled is not None and cancelled():
            raise RunCancelled("cancelled before the simulation over the draws")
        if progress is not None:
            progress(steps - 1, steps, f"simulation: {draws} draws")
        sim = simulation_draws(drawn, draws, seed, until, capability, on_run)
    if progress is not None:
        progress(steps, steps, FINISHING)
    return {"simulation": sim, "draws": draws, "seed": seed, "capability": capability,
            "own_spec": own,
            "spec_note": None if own else DEFAULT_WIDTHS_NOTE,
            "spec": drawn.uncertainty.model_dump(mode="json", exclude_defaults=True,
                                                 exclude_none=True),
            "distributions": dists, "sensitivity": sens}


def uncertainty_part(sc: Scenario, models: list[str], draws: int = DEFAULT_DRAWS,
                     seed: int = 0, capability: str = "default",
                     sensitivity_model: str | None = DEFAULT_SENSITIVITY_MODEL,
                     sobol_samples: int = DEFAULT_SOBOL_SAMPLES, simulation: bool = False,
                     until: dt.date | None = None,
                     progress: Progress | None = None) -> OptionalPart:
    """:func:`uncertainty_data` as the report's optional part, with a one-line summary."""
    data = uncertainty_data(sc, models, draws, seed, capability, sensitivity_model,
                            sobol_samples, progress, simulation=simulation, until=until)
    note = (f"{draws} Monte Carlo draws of the inputs per model, seed {seed}. "
            + ("Inputs drawn from the scenario's uncertainty block."
               if data["own_spec"] else DEFAULT_WIDTHS_NOTE))
    return OptionalPart(True, note, data)
