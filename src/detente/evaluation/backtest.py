"""Backtests: run models on issues with known outcomes and measure their errors.

An issue is usable when at least ``MIN_ACTORS`` actors have a position and a salience on it and
its known outcome lies on the issue's scale (for DEU data, 0-100: codes above 100 mean "no
outcome"). Errors are forecast minus outcome on each issue's own scale.

Issues run either jointly (one model run over all usable issues, right for a scenario whose
issues are negotiated together) or as separate one-issue cases (``cases=True``, right for a
data set such as DEU whose rows are unrelated decisions; otherwise a multi-issue model such as
the exchange model would trade across them). Per-issue models give the same numbers either way.

Besides the error summary, each model is compared issue by issue with a baseline (the
compromise model, famously hard to beat on EU data: Achen 2006): the share of issues where its
absolute error is strictly smaller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from detente.errors import DetenteError, OptionError, Problem, ScenarioError
from detente.evaluation.metrics import ErrorSummary, share_better, summarise
from detente.execution.cases import map_cases
from detente.execution.cases import workers as case_workers_now
from detente.models import get_model, run_label
from detente.models.base import ModelSpec
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.io import load_scenario
from detente.scenario.model import Scenario

MIN_ACTORS = 3
BASELINE = "compromise"
_OUTCOME_TOLERANCE = 1e-9


@dataclass(frozen=True)
class IssueError:
    """One issue's forecast and outcome on the issue's own scale."""

    issue: str
    forecast: float
    outcome: float

    @property
    def error(self) -> float:
        return self.forecast - self.outcome


@dataclass(frozen=True)
class BacktestResult:
    """A model's errors on the usable issues of one data set."""

    model: str
    preset: str
    capability: str
    summary: ErrorSummary
    issues: list[IssueError]
    beats_baseline: float | None  # share of issues better than the baseline; None if baseline
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> number of issues
    coverage: float | None = None  # share of outcomes inside the model's interval, if any
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The model's name, with its preset when that is not the default."""
        return run_label(self.model, self.preset)

    def to_dict(self, detail: bool = False) -> dict[str, Any]:
        """The JSON object ``detente backtest --json`` prints (more keys with ``detail``); the
        preset is named when it is not the model's default."""
        s = self.summary
        out: dict[str, Any] = {"model": self.model}
        if self.label != self.model and not detail:
            out["preset"] = self.preset
        out |= {"n_issues": s.n, "mae": s.mae, "rmse": s.rmse, "median_ae": s.median_ae}
        if self.coverage is not None:
            out["interval_coverage"] = self.coverage
        if self.notes:
            out["notes"] = self.notes
        if detail:
            out |= {"preset": self.preset, "capability": self.capability,
                    "beats_compromise": self.beats_baseline, "skipped": self.skipped,
                    "issues": [{"id": e.issue, "forecast": e.forecast, "outcome": e.outcome,
                                "error": e.error} for e in self.issues]}
        return out


def load_dataset(path: str | Path, fmt: str | None = None) -> tuple[Scenario, bool]:
    """Read a scenario file for backtesting; True when its issues are separate cases (DEU
    rows, case files: the scenario's ``separate_cases``)."""
    sc = load_scenario(path, fmt)
    return sc, sc.separate_cases


def usable_issues(arrays: ScenarioArrays) -> tuple[list[str], dict[str, int]]:
    """The issues a backtest can use, and how many were left out for each reason."""
    n_actors = arrays.involved.sum(axis=0)
    known = ~np.isnan(arrays.outcome)
    inside = known & (arrays.outcome >= -_OUTCOME_TOLERANCE) & (
        arrays.outcome <= 100 + _OUTCOME_TOLERANCE)
    usable = inside & (n_actors >= MIN_ACTORS)
    skipped = {"no known outcome": int((~known).sum()),
               "outcome outside the issue's scale": int((known & ~inside).sum()),
               f"fewer than {MIN_ACTORS} actors": int((inside & (n_actors < MIN_ACTORS)).sum())}
    ids = [i for i, ok in zip(arrays.issue_ids, usable, strict=True) if ok]
    return ids, {k: v for k, v in skipped.items() if v}


def check_usable(arrays: ScenarioArrays, source: str) -> list[str]:
    """The usable issues (:func:`usable_issues`), or a ScenarioError naming ``source`` and
    why none is."""
    ids, skipped = usable_issues(arrays)
    if ids:
        return ids
    if np.isnan(arrays.outcome).all():
        msg = ("no issue has a known outcome; a backtest needs outcomes (the DEU 'out' column, "
               "or 'outcome: {value: ...}' on an issue)")
    else:
        why = ", ".join(f"{n} with {reason}" for reason, n in skipped.items())
        msg = (f"no usable issue: a backtest needs issues with at least {MIN_ACTORS} actors "
               f"with position and salience and an outcome on the issue's scale ({why})")
    raise ScenarioError([Problem(msg, file=source or None)])


def check_capability(sc: Scenario, arrays: ScenarioArrays, capability: str,
                      issue_ids: list[str]) -> None:
    """A named coding must cover every actor the backtest uses (no silent fallback)."""
    if capability in ("default", "equal"):
        return
    cols = [arrays.issue_ids.index(i) for i in issue_ids]
    used = arrays.involved[:, cols].any(axis=1)
    lacking = [a.id for a, u in zip(sc.actors, used, strict=True)
               if u and capability not in a.capabilities]
    if lacking:
        raise OptionError(f"capability coding {capability!r} has no value for actor(s) "
                          f"{', '.join(lacking)}")


def _forecasts(arrays: ScenarioArrays, issue_ids: list[str], model: str, preset: str | None,
               cases: bool, seed: int) -> tuple[np.ndarray, dict[str, int]]:
    """Forecasts on each issue's own scale for ``issue_ids`` (draw 0 of a batch of one).

    In ``cases`` mode a model that refuses one case (a :class:`DetenteError`) gives NaN there;
    the refusals are counted by message so that one odd issue does not stop a whole backtest.
    """
    spec = get_model(model)
    opts = spec.options(preset)
    rounds = spec.default_rounds
    if not cases:  # jointly, even where the data call the issues separate cases
        sub = replace(arrays.subset_issues(issue_ids), separate_cases=False)
        out = spec.run(sub, opts, rounds, np.random.default_rng(seed))
        return sub.to_issue_scale(out.forecast[0]), {}
    tasks = [_BacktestCase(model, opts, rounds, arrays.issue_alone(issue_id), (seed, k))
             for k, issue_id in enumerate(issue_ids)]
    # the models that link issues are the slow ones; the others run faster than a pool starts
    outcomes = (map_cases(_forecast_case, tasks) if spec.links_issues and case_workers_now() > 1
                else [_forecast_case(t) for t in tasks])
    refusals = [why for _, why in outcomes if why is not None]
    refused = ({f"{model} refusing the case (e.g. {refusals[0]})": len(refusals)}
               if refusals else {})
    return np.array([value for value, _ in outcomes], dtype=float), refused


@dataclass(frozen=True)
class _BacktestCase:
    """One backtest case for :func:`_forecast_case` (picklable, for worker processes)."""

    model: str
    options: Any
    rounds: int
    arrays: ScenarioArrays
    seed: tuple[int, int]


def _forecast_case(case: _BacktestCase) -> tuple[float, str | None]:
    """The case's forecast on its own scale, or NaN and the first line of the model's refusal."""
    try:
        out = get_model(case.model).run(case.arrays, case.options, case.rounds,
                                        np.random.default_rng(list(case.seed)))
    except DetenteError as exc:
        return float("nan"), str(exc).splitlines()[0]
    return float(case.arrays.to_issue_scale(out.forecast[0])[0]), None


def backtest(sc: Scenario, models: list[str], preset: str | None = None,
             capability: str = "default", cases: bool = False, seed: int = 0,
             source: str = "",
             before_each: Callable[[int, str], None] | None = None) -> list[BacktestResult]:
    """Backtest each of ``models`` on the usable issues of ``sc``.

    ``preset`` applies to every model that has it (others use their default preset); ``"all"``
    backtests every preset of every model, in the order the models list them. ``cases`` runs
    each issue on its own (see the module docstring). ``before_each(k, label)`` is called
    before the k-th (model, preset) runs, for progress; it may raise to stop. Raises
    ScenarioError when no issue is usable and OptionError for an unknown model, preset or
    capability coding.
    """
    arrays = to_arrays(sc, capability)
    issue_ids = check_usable(arrays, source)
    check_capability(sc, arrays, capability, issue_ids)
    _, skipped = usable_issues(arrays)
    # as coded (back from 0-100, 8.833 years read 8.832999999999998)
    coded = {i.id: i.outcome.value for i in sc.issues if i.outcome is not None}
    outcome = np.array([coded[i] for i in issue_ids], dtype=float)
    specs = [get_model(m) for m in models]
    baseline, _ = _forecasts(arrays, issue_ids, BASELINE, None, cases, seed)
    results = []
    for k, (spec, chosen) in enumerate(model_presets(specs, preset)):
        label = run_label(spec.name, chosen or spec.default_preset)
        if before_each is not None:
            before_each(k, label)
        is_baseline = label == BASELINE
        fc, refused = (baseline, {}) if is_baseline else _forecasts(
            arrays, issue_ids, spec.name, chosen, cases, seed)
        ok = ~np.isnan(fc)
        if not ok.any():
            first = next(iter(refused), "")
            raise DetenteError(f"model {spec.name!r} gave no forecast on any usable issue"
                               + (f" ({first})" if first else ""))
        why = dict(skipped) | refused
        if (~ok).sum() > sum(refused.values()):
            why["no forecast from the model"] = int((~ok).sum()) - sum(refused.values())
        errors = fc[ok] - outcome[ok]
        beats = None if is_baseline else share_better(
            errors, baseline[ok] - outcome[ok])
        cover, notes = _interval_check(sc, arrays, spec.name, chosen, issue_ids, ok, outcome)
        results.append(BacktestResult(
            model=spec.name, preset=chosen or spec.default_preset, capability=capability,
            summary=summarise(errors),
            issues=[IssueError(i, float(f), float(o)) for i, f, o, good
                    in zip(issue_ids, fc, outcome, ok, strict=True) if good],
            beats_baseline=beats, skipped=why, coverage=cover, notes=notes))
    return results


def model_presets(specs: list[ModelSpec],
                  preset: str | None) -> list[tuple[ModelSpec, str | None]]:
    """(model, preset) pairs to backtest: ``preset`` for each model that has it (None: the
    default), every preset of each model for ``"all"``. A single model without the preset
    raises OptionError naming its presets."""
    if preset == "all":
        return [(spec, name) for spec in specs for name in spec.presets]
    if preset is not None and len(specs) == 1 and preset not in specs[0].presets:
        specs[0].options(preset)  # raises OptionError naming the presets
    return [(spec, preset if preset in spec.presets else None) for spec in specs]


_NAMED = 6  # actors named in a note; the rest are counted


def _interval_check(sc: Scenario, arrays: ScenarioArrays, model: str, preset: str | None,
                    issue_ids: list[str], ok: np.ndarray,
                    outcome: np.ndarray) -> tuple[float | None, list[str]]:
    """Interval coverage of a shipped fitted model (``best``, ``role-weighted``), and notes on
    actors it never saw."""
    from detente.models.fitted import fitted_module, interval

    module = fitted_module(model)
    if module is None:
        return None, []
    from detente.evaluation.calibration import coverage

    opts = get_model(model).options(preset)
    sub = arrays.subset_issues([i for i, good in zip(issue_ids, ok, strict=True) if good])
    notes: list[str] = []
    known = set(module.SHIPPED_META.get("known_actors", []))
    used = [a for a, inv in zip(sub.actor_ids, sub.involved.any(axis=1), strict=True) if inv]
    new = [a for a in used if known and a not in known]
    if new:
        shown = ", ".join(new[:_NAMED]) + (f" and {len(new) - _NAMED} more"
                                            if len(new) > _NAMED else "")
        notes.append(f"{len(new)} actor(s) not in the data the model was fitted on ({shown}): "
                     "counted as ordinary (Council) actors")
    if not np.isfinite(opts.interval_quantile):
        return None, notes
    fc, sd = module.forecast_and_dispersion(sub, opts)
    lo, hi = interval(fc[0], sd[0], opts)
    return coverage(sub.to_issue_scale(lo), sub.to_issue_scale(hi), outcome[ok]), notes
