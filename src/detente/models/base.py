"""The one interface every static model implements.

A model is a :class:`ModelSpec`: a name, a source, a frozen options dataclass with named presets,
and a ``run`` function from (:class:`ScenarioArrays`, options, rounds, rng) to a
:class:`ModelOutput`. Models that treat issues one at a time write only an issue function and
wrap it with :func:`per_issue`, which hands it the involved actors of each issue as batched
``(B, n)`` arrays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from detente.errors import ModelError, OptionError
from detente.execution.cancel import check_cancelled
from detente.execution.cases import map_cases
from detente.execution.cases import workers as case_workers_now
from detente.scenario.arrays import ScenarioArrays


@dataclass(frozen=True)
class LogEntry:
    """One step of a model's reasoning: who moved, towards whom, and why (draw 0 only)."""

    round: int
    issue: str
    actor: str
    action: str  # e.g. "compromise", "capitulation", "conflict", "exchange", "moves"
    before: float  # 0-100 scale; converted to the issue scale on output
    after: float
    target: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelOutput:
    """What a model returns for a batch.

    ``trajectory`` is (B, T+1, A, I) on 0-100 with NaN for uninvolved actors; row 0 is the input
    (draw 0's alone, (1, T+1, A, I), inside :func:`first_trajectory_only`). ``forecast`` is
    (B, I). ``median``/``mean`` (B, T+1, I), or draw 0's, override the summaries the result
    would otherwise compute (c*s weighted median and mean). ``extras`` holds model-specific,
    JSON-ready additions keyed by issue id (merged into that issue's JSON object);
    ``model_extras`` are merged into the top level of the result JSON (for example the
    exchange model's per-round ``rounds: [{"round", "exchanges": [...]}]``).
    """

    trajectory: np.ndarray
    forecast: np.ndarray
    median: np.ndarray | None = None
    mean: np.ndarray | None = None
    log: list[LogEntry] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    model_extras: dict[str, Any] = field(default_factory=dict)


RunFn = Callable[[ScenarioArrays, Any, int, np.random.Generator], ModelOutput]
Output = TypeVar("Output", "ModelOutput", "IssueOutput")

# inside first_trajectory_only(): outputs keep draw 0's trajectory only (see its doc)
_FIRST_ONLY: ContextVar[bool] = ContextVar("first_trajectory_only", default=False)


@contextmanager
def first_trajectory_only(on: bool = True) -> Iterator[None]:
    """Inside the block, model outputs keep draw 0's trajectory (and round medians and means)
    only; every draw's forecast is kept.

    Why. Results, reports and the web app show draw 0's rounds, and the run store keeps only
    draw 0's beyond 2 million rows; the other draws' trajectories were held to be dropped.
    ``smp`` on the 248 DEU cases held 11 MB per draw (4-5 GB at a report's 500 draws). Models
    that run issue by issue or case by case drop each issue's other draws as soon as it has
    run; a model that runs the issues jointly drops them when it returns."""
    token = _FIRST_ONLY.set(on)
    try:
        yield
    finally:
        _FIRST_ONLY.reset(token)


def keeps_first_only() -> bool:
    """Whether outputs keep draw 0's trajectory only here (:func:`first_trajectory_only`)."""
    return _FIRST_ONLY.get()


def _first(a: np.ndarray | None, on: bool) -> np.ndarray | None:
    """Draw 0 of ``a`` as its own small array (a view would keep the whole batch alive)."""
    return a if a is None or not on else a[:1].copy()


def trim_output(out: Output, on: bool = True) -> Output:
    """``out`` (a :class:`ModelOutput` or an issue's :class:`IssueOutput`) with draw 0's
    trajectory, median and mean only (``on``), every forecast kept."""
    if not on or out.trajectory.shape[0] == 1:
        return out
    return dataclasses.replace(out, trajectory=_first(out.trajectory, on),
                               median=_first(out.median, on), mean=_first(out.mean, on))


def weighed(arrays: ScenarioArrays) -> np.ndarray:
    """(B, I): whether some involved actor has capability x salience above 0 on the issue in
    the draw; where none has, NaN is a model's legitimate "no forecast"."""
    return (arrays.involved[None] & (arrays.capability * arrays.salience > 0)).any(1)


def runs_cases_alone(links_issues: bool, separate_cases: bool, n_issues: int) -> bool:
    """Whether a model that ``links_issues`` or not runs each issue as a case alone
    (:func:`each_issue_alone`): one that links issues, on issues that are separate cases."""
    return links_issues and separate_cases and n_issues > 1


def check_rounds(rounds: Any, name: str) -> None:
    """Refuse rounds that are not a whole number >= 0 (the API and sweep files take any
    value; numpy would fail deep inside a model on a negative one)."""
    if isinstance(rounds, bool) or not isinstance(rounds, int | np.integer) or rounds < 0:
        raise OptionError(f"rounds of model {name!r} must be a whole number, 0 or more; "
                          f"got {rounds!r}")


def _checked(name: str, run: RunFn, capability_scale_free: bool, links_issues: bool,
             weighs_actors: bool = True) -> RunFn:
    """``run`` on capabilities in unit scale (when the model is indifferent to their scale),
    raising :class:`ModelError` (naming the issue and draw) when a forecast is infinite, or
    NaN on an issue where some involved actor has capability x salience above 0. NaN is the
    "no forecast" for an issue nobody weighs of every model that ``weighs_actors``: one whose
    arithmetic gives a number there anyway (the challenge model's unweighted median,
    ``best``'s equal weights) is overruled, so that these models agree on which issues they
    forecast. A model that links
    issues runs on each issue alone when the issues are separate cases
    (:func:`each_issue_alone`)."""
    def checked(arrays: ScenarioArrays, options: Any, rounds: int,
                rng: np.random.Generator) -> ModelOutput:
        check_rounds(rounds, name)
        if runs_cases_alone(links_issues, arrays.separate_cases, arrays.n_issues):
            return each_issue_alone(checked, name)(arrays, options, rounds, rng)
        out = run(arrays.with_unit_capabilities() if capability_scale_free else arrays,
                  options, rounds, rng)
        someone = weighed(arrays)
        if weighs_actors and not someone.all():  # no forecast where nobody weighs the issue
            out = dataclasses.replace(out, forecast=np.where(someone, out.forecast, np.nan))
        bad = np.isinf(out.forecast) | (np.isnan(out.forecast) & someone)
        if bad.any():
            draw, issue = (int(v[0]) for v in np.nonzero(bad))
            where = f" (draw {draw + 1} of {bad.shape[0]})" if bad.shape[0] > 1 else ""
            raise ModelError(
                f"model {name!r} gave no finite forecast for issue "
                f"{arrays.issue_ids[issue]!r}{where}: the inputs are too extreme for its "
                f"arithmetic (look for capabilities or saliences near 0 or very large)")
        return out

    checked.__wrapped__ = run  # type: ignore[attr-defined]
    return checked


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: metadata, options and the run function."""

    name: str
    summary: str
    source: str
    options_type: type
    presets: dict[str, Any]
    run: RunFn
    default_rounds: int = 0
    default_preset: str = "default"
    # whether multiplying every capability by one factor leaves the result unchanged (then
    # the model runs on capabilities scaled to a largest of 1); KTAB's SMP is not
    capability_scale_free: bool = True
    # whether one issue's forecast depends on the others (trades across issues, votes over
    # positions in several dimensions): such a model must not pool unrelated cases
    links_issues: bool = False
    # whether the forecast rests on the actors' capability x salience: such a model gives no
    # forecast where nobody weighs an issue (the procedural setter game rests on positions
    # and the voting rule, and plays on such an issue too)
    weighs_actors: bool = True

    def __post_init__(self) -> None:
        # every caller gets a checked run: a NaN or infinite forecast never reaches a table,
        # a JSON file or the run store
        object.__setattr__(self, "run", _checked(self.name, self.run,
                                                 self.capability_scale_free, self.links_issues,
                                                 self.weighs_actors))

    def options(self, preset: str | None = None, **overrides: Any) -> Any:
        """The options of ``preset`` (default preset if None), with fields overridden."""
        name = preset or self.default_preset
        if name not in self.presets:
            raise OptionError(f"model {self.name!r} has no preset {name!r}; "
                              f"presets: {', '.join(self.presets)}")
        opts = self.presets[name]
        if overrides:
            known = {f.name for f in dataclasses.fields(opts)}
            bad = sorted(set(overrides) - known)
            if bad:
                raise OptionError(f"model {self.name!r} has no option {', '.join(bad)}; " + (
                    f"options: {', '.join(sorted(known))}" if known else "it takes none"))
            opts = dataclasses.replace(opts, **overrides)
        return opts


@dataclass(frozen=True)
class IssueInputs:
    """One issue's involved actors as batched arrays, for models that go issue by issue."""

    issue_id: str
    actor_ids: tuple[str, ...]
    position: np.ndarray  # (B, n) on 0-100
    salience: np.ndarray  # (B, n) in 0-1
    capability: np.ndarray  # (B, n)
    status_quo: np.ndarray  # (B,) NaN if unknown
    reference_point: float  # NaN if unknown


@dataclass(frozen=True)
class IssueOutput:
    trajectory: np.ndarray  # (B, T+1, n)
    forecast: np.ndarray  # (B,)
    median: np.ndarray | None = None  # (B, T+1)
    mean: np.ndarray | None = None
    log: list[LogEntry] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


IssueFn = Callable[[IssueInputs, Any, int, np.random.Generator], IssueOutput]


def _pad_rounds(a: np.ndarray, T: int, axis: int = 1) -> np.ndarray:
    """Extend the round axis to T+1 entries by repeating the last (converged) round."""
    missing = T + 1 - a.shape[axis]
    if missing <= 0:
        return a
    last = np.take(a, [-1], axis=axis)
    return np.concatenate([a, np.repeat(last, missing, axis=axis)], axis=axis)


def per_issue(fn: IssueFn) -> RunFn:
    """Turn a one-issue model into a scenario model: run ``fn`` on each issue's actors."""

    def run(arrays: ScenarioArrays, options: Any, rounds: int,
            rng: np.random.Generator) -> ModelOutput:
        first = keeps_first_only()
        outputs: list[tuple[np.ndarray, IssueOutput]] = []
        for k, issue_id in enumerate(arrays.issue_ids):
            if k:
                check_cancelled(f"after {k} of {arrays.n_issues} issues")
            idx = np.flatnonzero(arrays.involved[:, k])
            # C order: numpy sums in memory order, and fancy indexing gives a batch of one
            # another layout than a batch of many, so a draw's bits would depend on its batch
            inputs = IssueInputs(
                issue_id=issue_id,
                actor_ids=tuple(arrays.actor_ids[i] for i in idx),
                position=np.ascontiguousarray(arrays.position[:, idx, k]),
                salience=np.ascontiguousarray(arrays.salience[:, idx, k]),
                capability=np.ascontiguousarray(arrays.capability[:, idx, k]),
                status_quo=arrays.status_quo[:, k],
                reference_point=float(arrays.reference_point[k]),
            )
            outputs.append((idx, trim_output(fn(inputs, options, rounds, rng), first)))
        return merge_issues(arrays, outputs)

    return run


@dataclass(frozen=True)
class _Case:
    """One separate case for a worker process: the registered model's name, not its run."""

    model: str
    arrays: ScenarioArrays
    options: Any
    rounds: int
    rng: np.random.Generator
    first_only: bool = False  # keep draw 0's trajectory only (the worker drops the rest)


def _run_case(case: _Case) -> ModelOutput:
    from detente.models import get_model

    out = get_model(case.model).run(case.arrays, case.options, case.rounds, case.rng)
    return trim_output(out, case.first_only)


def each_issue_alone(run: RunFn, name: str) -> RunFn:
    """``run`` (model ``name``'s) on each issue as a separate one-issue case, with only its
    involved actors.

    For a model that links issues (trades or votes across them) run on issues that are
    unrelated cases (``separate_cases``: DEU rows, case files): each case is then forecast as
    ``detente backtest`` forecasts it. A case's model-level details (``model_extras``: the
    exchange model's rounds, SMP's turns) go under ``case`` in its own issue's ``extras``. Each
    case gets its own child of ``rng`` (:meth:`numpy.random.Generator.spawn`), so what one case
    draws does not change another's, and the cases may run side by side in worker processes
    (:func:`detente.execution.cases.case_workers`) with the same result. An issue nobody weighs
    (no involved actor with capability x salience above 0) gets no forecast (NaN), as the
    per-issue models give it."""

    def run_each(arrays: ScenarioArrays, options: Any, rounds: int,
                 rng: np.random.Generator) -> ModelOutput:
        children = rng.spawn(arrays.n_issues)
        someone = weighed(arrays)
        first = keeps_first_only()
        cases = [k for k in range(arrays.n_issues) if someone[:, k].any()]
        tasks = [_Case(name, arrays.issue_alone(arrays.issue_ids[k]), options, rounds,
                       children[k], first) for k in cases]
        # in this process ``run`` itself, so that a model need not be registered; map_cases
        # checks for a cancel between cases either way
        outs = map_cases(_run_case if case_workers_now() > 1 else lambda t: trim_output(
            run(t.arrays, t.options, t.rounds, t.rng), t.first_only), tasks)
        ran = dict(zip(cases, outs, strict=True))
        outputs: list[tuple[np.ndarray, IssueOutput]] = []
        for k, issue_id in enumerate(arrays.issue_ids):
            idx = np.flatnonzero(arrays.involved[:, k])
            out = ran.get(k)
            if out is None:  # nobody weighs it: no forecast (NaN), nothing ran
                outputs.append((idx, trim_output(IssueOutput(
                    trajectory=arrays.position[:, None, idx, k],
                    forecast=np.full(arrays.n_draws, np.nan)), first)))
                continue
            outputs.append((idx, IssueOutput(
                trajectory=out.trajectory[..., 0], forecast=out.forecast[:, 0],
                median=None if out.median is None else out.median[..., 0],
                mean=None if out.mean is None else out.mean[..., 0], log=out.log,
                extras={**out.extras.get(issue_id, {}),
                        **({"case": out.model_extras} if out.model_extras else {})})))
        return merge_issues(arrays, outputs)

    return run_each


def merge_issues(arrays: ScenarioArrays,
                 outputs: list[tuple[np.ndarray, IssueOutput]]) -> ModelOutput:
    """One scenario output from each issue's own (its involved actors' indices in
    ``arrays`` and what ran on them), shorter runs padded with their last round."""
    T = max(out.trajectory.shape[1] - 1 for _, out in outputs)
    B, A, I = arrays.position.shape
    # the outputs' trajectories are every draw's, or draw 0's (first_trajectory_only)
    nb = min(out.trajectory.shape[0] for _, out in outputs)
    traj = np.full((nb, T + 1, A, I), np.nan)
    forecast = np.empty((B, I))
    has_med = any(o.median is not None for _, o in outputs)
    has_mean = any(o.mean is not None for _, o in outputs)
    median = np.full((nb, T + 1, I), np.nan) if has_med else None
    mean = np.full((nb, T + 1, I), np.nan) if has_mean else None
    log: list[LogEntry] = []
    extras: dict[str, Any] = {}
    for k, (idx, out) in enumerate(outputs):
        traj[:, :, idx, k] = _pad_rounds(out.trajectory, T)
        forecast[:, k] = out.forecast
        if median is not None and out.median is not None:
            median[:, :, k] = _pad_rounds(out.median, T)
        if mean is not None and out.mean is not None:
            mean[:, :, k] = _pad_rounds(out.mean, T)
        log += out.log
        if out.extras:
            extras[arrays.issue_ids[k]] = out.extras
    return ModelOutput(traj, forecast, median, mean, log, extras)


@dataclass(frozen=True)
class NoOptions:
    """A model with no options."""
