"""Gather everything a report or the web app shows about one scenario: every model's result,
and the simulation and uncertainty results when those parts of the library exist.

The output is plain JSON-ready data (:class:`ReportData`), so the HTML report, the static
figures and the web API all draw from the same numbers. Progress is reported through a callback
and a run can be cancelled between models (:class:`RunCancelled`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from detente.api import run_model_output
from detente.errors import DetenteError, RunCancelled
from detente.models import models
from detente.models.base import ModelOutput
from detente.result import ForecastResult, fallback_notes
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.model import Scenario

Progress = Callable[[int, int, str], None]  # (steps done, steps in all, what runs next)
# the step reported once the work is done and the results are being put together: not "done",
# which is a job's status (a page waiting for "done" would read the results too early)
FINISHING = "finishing"
Cancelled = Callable[[], bool]
# called with each model's inputs, raw output and result as it finishes (e.g. to record it)
OnOutput = Callable[[ScenarioArrays, ModelOutput, ForecastResult], None]


@dataclass(frozen=True)
class ModelRun:
    """One model's outcome: the result JSON (``ForecastResult.to_dict``) or why it failed."""

    name: str
    summary: str
    source: str
    result: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "summary": self.summary, "source": self.source,
                "result": self.result, "error": self.error}


@dataclass(frozen=True)
class OptionalPart:
    """A part of the library that may not exist yet (simulation, uncertainty)."""

    available: bool
    note: str
    data: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"available": self.available, "note": self.note, "data": self.data}


@dataclass(frozen=True)
class ReportData:
    """Everything known about one run of a scenario, ready to draw or serialise."""

    scenario: Scenario
    capability: str
    seed: int
    models: list[ModelRun]
    simulation: OptionalPart = field(default_factory=lambda: unavailable("simulation"))
    uncertainty: OptionalPart = field(default_factory=lambda: unavailable("uncertainty"))
    # where the web app recorded the model runs (detente.web.recording), None: nowhere
    recorded: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario.model_dump(mode="json", exclude_none=True),
                "capability": self.capability, "seed": self.seed,
                "models": [m.to_dict() for m in self.models],
                "simulation": self.simulation.to_dict(),
                "uncertainty": self.uncertainty.to_dict()}

    def notes(self) -> list[str]:
        """What the forecast table alone hides: where a model gave another model's forecast
        (:func:`detente.result.fallback_notes`)."""
        return [text for run in self.models if run.result is not None
                for text in fallback_notes(run.name, [(iss["id"], iss)
                                                      for iss in run.result["issues"]])]

    def intervals(self) -> dict[str, dict[str, dict[str, float]]]:
        """The prediction intervals of the models that give them (``best``,
        ``role-weighted``): ``{model name: {issue id: {"level", "low", "high"}}}``."""
        out: dict[str, dict[str, dict[str, float]]] = {}
        for run in self.models:
            spans = {iss["id"]: iss["interval"] for iss in (run.result or {}).get("issues", [])
                     if isinstance(iss.get("interval"), dict)}
            if spans:
                out[run.name] = spans
        return out

    def forecast_table(self) -> dict[str, dict[str, float | None]]:
        """Forecasts as ``{issue id: {model name: value}}`` on each issue's own scale."""
        table: dict[str, dict[str, float | None]] = {i.id: {} for i in self.scenario.issues}
        for run in self.models:
            if run.result is None:
                continue
            for iss in run.result["issues"]:
                table.setdefault(iss["id"], {})[run.name] = iss["forecast"]
        return table


def unavailable(part: str) -> OptionalPart:
    return OptionalPart(False, f"the {part} part of detente is not available in this installation")


def _has_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return False
        raise
    return True


def simulation_available() -> bool:
    """Whether :mod:`detente.simulation` exists in this installation."""
    return _has_module("detente.simulation")


def uncertainty_available() -> bool:
    """Whether :mod:`detente.uncertainty` exists in this installation."""
    return _has_module("detente.uncertainty")


def run_models(scenario: Scenario, names: list[str] | None = None, capability: str = "default",
               seed: int = 0, progress: Progress | None = None,
               cancelled: Cancelled | None = None,
               on_output: OnOutput | None = None) -> list[ModelRun]:
    """Run each named model (every registered one if None) on ``scenario``.

    A model that rejects the scenario (a :class:`DetenteError`) is recorded with its message
    rather than stopping the others; an unknown capability coding or model name raises.
    """
    known = models()
    chosen = list(known) if names is None else names
    unknown = [n for n in chosen if n not in known]
    if unknown:
        from detente.errors import OptionError
        raise OptionError(f"unknown model {', '.join(map(repr, unknown))}; "
                          f"models: {', '.join(known)}")
    arrays = to_arrays(scenario, capability)
    runs: list[ModelRun] = []
    for k, name in enumerate(chosen):
        if cancelled is not None and cancelled():
            raise RunCancelled(f"cancelled after {k} of {len(chosen)} models")
        if progress is not None:
            progress(k, len(chosen), name)
        spec = known[name]
        try:
            out, result = run_model_output(arrays, name, seed=seed, capability=capability)
            if on_output is not None:
                on_output(arrays, out, result)
            runs.append(ModelRun(name, spec.summary, spec.source, result.to_dict()))
        except DetenteError as exc:
            runs.append(ModelRun(name, spec.summary, spec.source, error=str(exc)))
    if progress is not None:
        progress(len(chosen), len(chosen), FINISHING)
    return runs


def collect(scenario: Scenario, names: list[str] | None = None, capability: str = "default",
            seed: int = 0, progress: Progress | None = None,
            cancelled: Cancelled | None = None, until: dt.date | None = None,
            simulation: bool = True, draws: int = 0,
            sensitivity_model: str | None = "compromise",
            sobol_samples: int = 64, on_output: OnOutput | None = None) -> ReportData:
    """Run the models (and the optional parts that exist) and gather the results.

    ``until`` is the simulation's end date (default
    :func:`detente.report.simulation.default_until`); ``simulation=False`` leaves it out.
    ``draws`` > 0 adds the uncertainty part (:mod:`detente.report.uncertainty`): every model
    that ran on ``draws`` Monte Carlo draws, and the sensitivity of ``sensitivity_model``.
    ``on_output`` sees each model's run as it finishes (see :func:`run_models`); ``progress``
    hears of each model, the simulation and each step of the uncertainty part as it starts.
    """
    runs = run_models(scenario, names, capability, seed, progress, cancelled, on_output)
    if simulation and progress is not None:
        progress(len(runs), len(runs), "simulation")
    sim = (simulation_part(scenario, seed, until, capability) if simulation
           else OptionalPart(False, "the simulation was not requested"))
    unc = _uncertainty(scenario, [r.name for r in runs if r.result is not None], draws, seed,
                       capability, sensitivity_model, sobol_samples, simulation, until,
                       progress)
    return ReportData(scenario, capability, seed, runs, sim, unc)


def simulation_part(scenario: Scenario, seed: int = 0, until: dt.date | None = None,
                    capability: str = "default") -> OptionalPart:
    """One seeded simulation run, or why there is none (no forums, no start date, ...)."""
    if not simulation_available():
        return unavailable("simulation")
    from detente.report.simulation import run_simulation

    try:
        data = run_simulation(scenario, until, seed, capability)
    except DetenteError as exc:
        return OptionalPart(False, f"the simulation did not run: {exc}")
    return OptionalPart(True, f"One simulated history from {data['start']} to "
                              f"{data['until']}, seed {seed}.", data)


def _uncertainty(scenario: Scenario, names: list[str], draws: int, seed: int,
                 capability: str, sensitivity_model: str | None,
                 sobol_samples: int, simulation: bool = False,
                 until: dt.date | None = None, progress: Progress | None = None
                 ) -> OptionalPart:
    if not uncertainty_available():
        return unavailable("uncertainty")
    if draws <= 0:
        return OptionalPart(False, "the uncertainty analysis was not part of this run "
                                   "(`detente report` adds it unless given --draws 0; in the "
                                   "web app it runs on the Uncertainty page)")
    from detente.report.uncertainty import uncertainty_part

    return uncertainty_part(scenario, names, draws, seed, capability, sensitivity_model,
                            sobol_samples, simulation, until, progress)
