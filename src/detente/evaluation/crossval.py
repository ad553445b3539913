"""Cross-validation grouped by legislative proposal, and the fit of the shipped fitted models.

Issues of one proposal share actors, saliences and often outcomes, so a random split of issues
leaks information from test to training. Folds here are groups of whole proposals (DEU
``prnr``): the proposal ids are shuffled with the seeded generator and dealt round-robin into
``k`` folds. Every tuned parameter (the coefficients or weights of the fitted models ``best``
and ``role-weighted``, and their interval quantile) is fitted on the training folds only: the
interval quantile comes from an inner grouped cross-validation inside the training folds
(nested), so no test outcome reaches it. Models
without parameters get their interval quantile from the training folds' residuals.

Several data files are cross-validated as one pool (:func:`cross_validate_files`): their usable
issues are put side by side (actors matched by id), a proposal id shared by two files is one
proposal (so it never straddles training and test), and errors are in percent of each issue's
range, as in the pooled backtest; with one file they stay on the issue's own scale.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from detente.errors import OptionError
from detente.evaluation.backtest import (
    _forecasts,
    check_capability,
    check_usable,
    model_presets,
)
from detente.evaluation.calibration import conformal_quantile, coverage, covered
from detente.evaluation.metrics import ErrorSummary, summarise
from detente.evaluation.pooling import SCALE
from detente.models import choice, ensemble, get_model, run_label
from detente.models.ensemble import BestOptions, Grid
from detente.models.fitted import FITTED_MODELS, fitted_module, interval
from detente.scenario.arrays import ScenarioArrays, concat_issues, to_arrays
from detente.scenario.model import Scenario

BEST = "best"
ISSUE_SCALE = "each issue's own scale"
_PRNR_IN_NAME = re.compile(r"\(([^()]+)\)\s*$")
_ISSUE_SUFFIX = re.compile(r"^(.+?)i\d+$")


def proposal_of(issue_id: str, name: str = "") -> str:
    """The proposal an issue belongs to: the DEU ``prnr`` kept in the issue name as
    ``"prname (prnr)"``, else the ``isnr`` without its ``i<k>`` suffix, else the issue itself."""
    if m := _PRNR_IN_NAME.search(name):
        return m.group(1).strip()
    if m := _ISSUE_SUFFIX.match(issue_id):
        return m.group(1)
    return issue_id


def proposal_groups(sc: Scenario, issue_ids: list[str]) -> list[str]:
    """The proposal of each of ``issue_ids`` (see :func:`proposal_of`)."""
    names = {i.id: i.name for i in sc.issues}
    return [proposal_of(i, names.get(i, "")) for i in issue_ids]


def grouped_folds(groups: list[str], k: int, seed: int, unit: str = "proposals") -> np.ndarray:
    """Fold number (0..k-1) of each item; all items of a group share one fold.

    Groups are shuffled with ``numpy.random.default_rng(seed)`` (in sorted order first, so
    the input order does not matter) and dealt round-robin. Refuses k < 2 or more folds
    than groups (``unit`` names them in the message).
    """
    unique = sorted(set(groups))
    if k < 2:
        raise OptionError(f"cross-validation needs at least 2 folds, not {k}")
    if k > len(unique):
        raise OptionError(f"{k} folds need at least {k} {unit}; the data have "
                          f"{len(unique)}")
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = {unique[g]: n % k for n, g in enumerate(order)}
    return np.array([fold_of[g] for g in groups], dtype=int)


def _compromise_dispersion(arrays: ScenarioArrays) -> np.ndarray:
    return ensemble.forecast_and_dispersion(arrays, BestOptions())[1][0]


def unfitted_options(model: str, preset: str | None = None) -> Any:
    """The fitted model's options before any fit: ``preset``'s (None: the default), with
    every parameter a fit sets (the module's ``FITTED_FIELDS``) back at its unfitted value,
    so that what a preset chooses and no fit changes (``best``'s orientation) is kept."""
    module = fitted_module(model)
    blank = type(module.SHIPPED)()
    return replace(get_model(model).options(preset),
                   **{f: getattr(blank, f) for f in module.FITTED_FIELDS})


def fit_calibrated(model: str, arrays: ScenarioArrays, groups: list[str], k: int = 10,
                   seed: int = 0, grid: Grid | None = None, base: Any = None) -> Any:
    """Fit the parameters of the fitted model ``model`` on all of ``arrays`` and calibrate its
    interval quantile on out-of-fold residuals of a grouped ``k``-fold cross-validation
    (parameters refitted per fold). Deterministic for a given seed. Every issue needs an
    outcome."""
    module = fitted_module(model)
    base = base if base is not None else unfitted_options(model)
    if len(set(groups)) < 2:
        raise OptionError(f"{model}: calibrating its intervals needs at least 2 proposals in "
                          f"the training data, found {len(set(groups))}; use more data (or, "
                          f"in a cross-validation, more folds)")
    opts = module.fit_parameters(arrays, grid, base)
    k = min(k, len(set(groups)))
    folds = grouped_folds(groups, k, seed)
    resid = np.empty(arrays.n_issues)
    disp = np.empty(arrays.n_issues)
    for f in range(k):
        train, test = _split(arrays, folds, f)
        o = module.fit_parameters(train, grid, base)
        fc, sd = module.forecast_and_dispersion(test, o)
        resid[folds == f] = fc[0] - test.outcome
        disp[folds == f] = sd[0]
    q = conformal_quantile(resid, disp + base.interval_floor, base.coverage)
    return replace(opts, interval_quantile=q)


def fit_best_model(arrays: ScenarioArrays, groups: list[str], k: int = 10, seed: int = 0,
                   grid: Grid | None = None, base: BestOptions | None = None) -> BestOptions:
    """The role-weighted model's calibrated fit (see :func:`fit_calibrated`)."""
    return fit_calibrated("role-weighted", arrays, groups, k, seed, grid, base)


def _summary_of(opts: Any) -> dict[str, Any]:
    """A fold's fitted parameters, small enough for a report (coefficients averaged over
    the grid for the choice model)."""
    d = asdict(opts)
    if "coefficients" in d:
        mean = np.mean(np.asarray(d["coefficients"]), axis=0)
        return {"interval_quantile": d["interval_quantile"],
                "mean_coefficients": dict(zip(choice.FEATURES, map(float, mean), strict=True))}
    return {key: v for key, v in d.items() if key not in ("agenda_setter", "parliament")}


def _split(arrays: ScenarioArrays, folds: np.ndarray,
           f: int) -> tuple[ScenarioArrays, ScenarioArrays]:
    ids = np.array(arrays.issue_ids)
    return (arrays.subset_issues(list(ids[folds != f])),
            arrays.subset_issues(list(ids[folds == f])))


@dataclass(frozen=True)
class FoldUnits:
    """What the test folds deal when it is not the proposal: ``of_issue[j]`` is issue j's unit
    (its file, for ``--cv-by file``). The calibration inside the training folds still deals
    proposals."""

    name: str  # "file"
    of_issue: list[str]


# the most calibration folds inside the training data (k - 1 up to this, and this when the
# test folds deal files): a fitted model is fitted 1 + INNER_FOLDS times per test fold at most,
# so the time of a k-fold cross-validation grows with k, not k squared
INNER_FOLDS = 10


@dataclass(frozen=True)
class ModelCV:
    """A model's out-of-fold errors and interval coverage."""

    model: str
    summary: ErrorSummary
    coverage: float  # share of held-out outcomes inside the nominal interval
    mean_width: float  # mean interval width on the issue scale
    beats_compromise: float | None = None
    preset: str = "default"
    mae_by_file: tuple[float, ...] | None = None  # several files: each file's CV MAE
    coverage_by_file: tuple[float, ...] | None = None  # ... and each file's coverage
    errors: np.ndarray | None = field(default=None, compare=False, repr=False)  # per issue
    inside: np.ndarray | None = field(default=None, compare=False, repr=False)  # per issue

    @property
    def label(self) -> str:
        """The model's name, with its preset when that is not the default."""
        return run_label(self.model, self.preset)

    def to_dict(self) -> dict[str, Any]:
        s = self.summary
        named = {} if self.label == self.model else {"preset": self.preset}
        by_file = ({} if self.mae_by_file is None or self.coverage_by_file is None
                   else {"cv_mae_by_file": list(self.mae_by_file),
                         "coverage_by_file": list(self.coverage_by_file)})
        return {"model": self.model, **named, "n_issues": s.n, "cv_mae": s.mae,
                "cv_rmse": s.rmse,
                "cv_median_ae": s.median_ae, "coverage": self.coverage,
                "mean_interval_width": self.mean_width,
                "beats_compromise": self.beats_compromise} | by_file


@dataclass(frozen=True)
class CVReport:
    """Grouped cross-validation of several models on the same folds."""

    k: int
    seed: int
    level: float
    n_issues: int
    n_proposals: int
    models: list[ModelCV]
    fold_parameters: list[dict[str, Any]]  # the best model's parameters fitted in each fold
    n_files: int = 1
    scale: str = ISSUE_SCALE  # what the errors and widths are measured in
    grouped_by: str = "proposal"  # what the folds deal: proposals, or whole files
    # models added by ``--model all`` that these data cannot cross-validate, and why
    left_out: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"folds": self.k, "seed": self.seed, "grouped_by": self.grouped_by,
                "interval_level": self.level, "n_files": self.n_files, "scale": self.scale,
                "n_issues": self.n_issues,
                "n_proposals": self.n_proposals, "models": [m.to_dict() for m in self.models],
                "best_fold_parameters": self.fold_parameters,
                **({"left_out": self.left_out} if self.left_out else {})}


def _steps(models: list[str], preset: str | None, k: int) -> list[str]:
    """The labels of the steps of a cross-validation: each fold of a fitted model (refitted
    per fold), one step for each other model (run once on every issue)."""
    out = []
    for spec, chosen in model_presets([get_model(m) for m in models], preset):
        label = run_label(spec.name, chosen or spec.default_preset)
        out += ([f"cross-validation: {label}, fold {f + 1} of {k}" for f in range(k)]
                if spec.name in FITTED_MODELS else [f"cross-validation: {label}"])
    return out


def cross_validate(sc: Scenario, arrays: ScenarioArrays, models: list[str], k: int = 10,
                   seed: int = 0, level: float = ensemble.COVERAGE,
                   grid: Grid | None = None, preset: str | None = None,
                   before_each: Callable[[int, str], None] | None = None) -> CVReport:
    """Grouped ``k``-fold cross-validation of ``models`` on the issues of ``arrays``, grouped
    by the proposals of ``sc`` (see :func:`cross_validate_grouped`)."""
    return cross_validate_grouped(arrays, proposal_groups(sc, list(arrays.issue_ids)), models,
                                  k, seed, level, grid, preset, before_each)


def cross_validate_grouped(arrays: ScenarioArrays, groups: list[str], models: list[str],
                           k: int = 10, seed: int = 0, level: float = ensemble.COVERAGE,
                           grid: Grid | None = None, preset: str | None = None,
                           before_each: Callable[[int, str], None] | None = None,
                           by: FoldUnits | None = None) -> CVReport:
    """Grouped ``k``-fold cross-validation of ``models`` on the issues of ``arrays``; issue
    j belongs to proposal ``groups[j]``. The folds deal proposals, or the units of ``by``
    (files); the calibration inside the training folds deals proposals either way, in k - 1
    folds (at least 2, at most :data:`INNER_FOLDS`; :data:`INNER_FOLDS` when the test folds
    deal files).

    ``arrays`` holds only usable issues (all with outcomes). ``best`` is refitted in each
    fold (weights on the training folds, interval quantile by an inner grouped CV on the
    training folds); other models run as fixed one-issue cases and their interval quantile
    (dispersion-scaled, as for ``best``) comes from the training folds' residuals.
    ``preset`` as in :func:`detente.evaluation.backtest.backtest` (``"all"``: every preset).
    The first entry is the baseline of ``beats_compromise`` when it is the compromise model.
    ``before_each(j, label)`` is called before the j-th step (a fold of a fitted model, or a
    whole other model; :func:`cv_steps` counts them), for progress; it may raise to stop.
    """
    labels = iter(enumerate(_steps(models, preset, k)))

    def step() -> None:
        j, label = next(labels)
        if before_each is not None:
            before_each(j, label)

    ids = list(arrays.issue_ids)
    folds = _fold_of_issues(groups, k, seed, by)
    inner_k = min(max(k - 1, 2), INNER_FOLDS) if by is None else INNER_FOLDS
    y = arrays.to_issue_scale(arrays.outcome)
    width = arrays.scale_max - arrays.scale_min
    floor = BestOptions().interval_floor
    results: list[ModelCV] = []
    fold_params: list[dict[str, Any]] = []
    baseline_err: np.ndarray | None = None
    for spec, chosen in model_presets([get_model(m) for m in models], preset):
        name = spec.name
        fc = np.empty(len(ids))
        lo = np.empty(len(ids))
        hi = np.empty(len(ids))
        if name in FITTED_MODELS:  # parameters fitted on data: refitted in every fold
            _check_training_proposals(name, groups, folds, k)
            module = fitted_module(name)
            base = replace(unfitted_options(name, chosen), coverage=level)
            for f in range(k):
                step()
                train, test = _split(arrays, folds, f)
                tg = [g for g, fo in zip(groups, folds, strict=True) if fo != f]
                o = fit_calibrated(name, train, tg, inner_k, seed, grid, base)
                if name == BEST:
                    fold_params.append({"fold": f} | _summary_of(o))
                p, sd = module.forecast_and_dispersion(test, o)
                low, high = interval(p[0], sd[0], o)
                m = folds == f
                fc[m], lo[m], hi[m] = (test.to_issue_scale(v) for v in (p[0], low, high))
        else:
            step()
            fc, refused = _forecasts(arrays, ids, name, chosen, True, seed)
            if np.isnan(fc).any():
                raise OptionError(f"model {name!r} gives no forecast on some issues "
                                  f"({next(iter(refused), 'no reason given')}); it cannot "
                                  f"be cross-validated on these data")
            scale = (_compromise_dispersion(arrays) + floor) * width / 100
            for f in range(k):
                tr, te = folds != f, folds == f
                q = conformal_quantile(fc[tr] - y[tr], scale[tr], level)
                lo[te] = np.maximum(fc[te] - q * scale[te], arrays.scale_min[te])
                hi[te] = np.minimum(fc[te] + q * scale[te], arrays.scale_max[te])
        err = fc - y
        if name == "compromise":
            baseline_err = err
        beats = (None if name == "compromise" or baseline_err is None
                 else float(np.mean(np.abs(err) < np.abs(baseline_err) - 1e-9)))
        results.append(ModelCV(name, summarise(err), coverage(lo, hi, y),
                               float(np.mean(hi - lo)), beats, chosen or spec.default_preset,
                               errors=err, inside=covered(lo, hi, y)))
    return CVReport(k, seed, level, len(ids), len(set(groups)), results, fold_params,
                    grouped_by="proposal" if by is None else by.name)


def _fold_of_issues(groups: list[str], k: int, seed: int, by: FoldUnits | None) -> np.ndarray:
    """The test fold of each issue: proposals dealt (``by`` None), or ``by``'s units."""
    return (grouped_folds(groups, k, seed) if by is None
            else grouped_folds(by.of_issue, k, seed, by.name + "s"))


def _training_proposals_problem(name: str, groups: list[str], folds: np.ndarray,
                                k: int) -> str | None:
    """Why a fitted model cannot be cross-validated on these folds (its smallest training
    fold holds fewer than 2 proposals, across which its interval is calibrated), or None."""
    g = np.array(groups)
    fewest = min(len(set(g[folds != f])) for f in range(k))
    if fewest >= 2:
        return None
    return (f"{name} cannot be cross-validated on these data: with {k} folds over "
            f"{len(set(groups))} proposals a training fold holds {fewest}, and refitting "
            f"{name} (its interval calibrated across proposals) needs at least 2")


def _check_training_proposals(name: str, groups: list[str], folds: np.ndarray, k: int) -> None:
    problem = _training_proposals_problem(name, groups, folds, k)
    if problem is not None:
        raise OptionError(f"{problem}; use more data, or leave {name} out")


CV_UNITS = ("proposal", "file")  # what the folds can deal

# too slow to run in every fold of a cross-validation over hundreds of cases
SLOW_MODELS = ("exchange", "smp", "challenge")


def _usable_models(names: list[str], every_model: bool) -> list[str]:
    """The compromise model first (the baseline), then ``names``; with ``every_model`` the
    slow models are left out and ``best`` is added."""
    chosen = [m for m in names if m not in SLOW_MODELS] + ["best"] if every_model else names
    return list(dict.fromkeys(["compromise", *chosen]))


def cv_steps(names: list[str], k: int, preset: str | None = None,
             every_model: bool = False) -> int:
    """How many steps :func:`cross_validate_files` reports through ``before_each``."""
    return len(_steps(_usable_models(names, every_model), preset, k))


def usable_pool(datasets: list[tuple[Scenario, str]], sources: list[str] | None = None
                ) -> tuple[ScenarioArrays, list[str], list[str]]:
    """The usable issues of one or several ``(scenario, capability coding)`` data sets as one
    problem, and each issue's proposal.

    With several, the issues are put side by side (actors matched by id; an actor absent from
    a file is not involved in its issues), issue ids are prefixed with the file's number
    (``"2:d00032i1"``) and every issue is put on a 0-100 scale, so that errors are in percent of
    the issue's range. Proposal ids are not prefixed: a proposal found in two files is one
    proposal and lands in one fold. Also returns each issue's file (``"file 2"``). A data set
    without a usable issue is a ScenarioError naming its entry of ``sources`` (file names); a
    named capability coding must cover every actor used, as in a backtest.
    """
    parts = []
    groups: list[str] = []
    files: list[str] = []
    for n, (sc, capability) in enumerate(datasets):
        arrays = to_arrays(sc, capability)
        source = sources[n] if sources else (f"data set {n + 1}" if len(datasets) > 1 else "")
        usable = check_usable(arrays, source)
        check_capability(sc, arrays, capability, usable)
        arrays = arrays.subset_issues(usable)
        parts.append(arrays)
        groups += proposal_groups(sc, list(arrays.issue_ids))
        files += [f"file {n + 1}"] * arrays.n_issues
    if len(parts) == 1:
        return parts[0], groups, files
    merged = concat_issues(parts, [f"{n + 1}:" for n in range(len(parts))])
    return replace(merged, scale_min=np.zeros(merged.n_issues),
                   scale_max=np.full(merged.n_issues, 100.0)), groups, files


@dataclass(frozen=True)
class _Plan:
    """What a cross-validation of data files will run: the pooled issues, their proposals and
    files, the test folds' units, the models and the models left out (with why)."""

    arrays: ScenarioArrays
    groups: list[str]
    files: list[str]
    units: FoldUnits | None
    models: list[str]
    left_out: dict[str, str]


def _plan(datasets: list[tuple[Scenario, str]], names: list[str], k: int, seed: int,
          every_model: bool, by: str, sources: list[str] | None) -> _Plan:
    """Everything a cross-validation checks before any model runs: the fold unit, usable
    issues in each data set, enough proposals (or files) for ``k`` folds, and enough
    proposals in every training fold for each fitted model (refused; with ``every_model``
    the model is left out instead)."""
    if by not in CV_UNITS:
        raise OptionError(f"folds deal {' or '.join(CV_UNITS)}, not {by!r}")
    arrays, groups, files = usable_pool(datasets, sources)
    n_proposals = len(set(groups))
    if by == "file" and len(datasets) < 2:
        raise OptionError("folds by file need at least 2 files")
    if by == "proposal" and len(datasets) > 1 and n_proposals < k:
        raise OptionError(f"{k} folds need at least {k} proposals; the {len(datasets)} files "
                          f"have {n_proposals} (a proposal found in several files counts "
                          f"once)")
    units = FoldUnits("file", files) if by == "file" else None
    chosen = _usable_models(names, every_model)
    folds = _fold_of_issues(groups, k, seed, units)
    left_out: dict[str, str] = {}
    for name in [m for m in chosen if m in FITTED_MODELS]:
        problem = _training_proposals_problem(name, groups, folds, k)
        if problem is None:
            continue
        if not every_model:
            raise OptionError(f"{problem}; use more data, or leave {name} out")
        chosen, left_out[name] = [m for m in chosen if m != name], problem
    return _Plan(arrays, groups, files, units, chosen, left_out)


def check_cross_validation(datasets: list[tuple[Scenario, str]], names: list[str], k: int,
                           seed: int, every_model: bool = False, by: str = "proposal",
                           sources: list[str] | None = None) -> None:
    """Raise the error :func:`cross_validate_files` would raise before running any model
    (too few proposals or files for ``k`` folds, no usable issue, ...), without running one:
    for callers that start long work first (the web app's jobs)."""
    _plan(datasets, names, k, seed, every_model, by, sources)


def cross_validate_files(datasets: list[tuple[Scenario, str]], names: list[str], k: int,
                         seed: int, preset: str | None = None, every_model: bool = False,
                         before_each: Callable[[int, str], None] | None = None,
                         by: str = "proposal", sources: list[str] | None = None) -> CVReport:
    """Grouped cross-validation on the usable issues of one or several ``(scenario, capability
    coding)`` data sets pooled (:func:`usable_pool`): the compromise model first (the
    baseline), then ``names``; with ``every_model`` (``--model all``) the slow models are left
    out and ``best`` is added. ``by``: what the folds deal, ``"proposal"`` or ``"file"``
    (whole files: with k the number of files, each file is predicted by models fitted on the
    others). ``sources`` name the data sets in messages."""
    plan = _plan(datasets, names, k, seed, every_model, by, sources)
    report = cross_validate_grouped(plan.arrays, plan.groups, plan.models, k, seed,
                                    preset=preset, before_each=before_each, by=plan.units)
    report = replace(report, left_out=plan.left_out)
    n = len(datasets)
    if n == 1:
        return replace(report, n_files=1, scale=ISSUE_SCALE)
    of_file = np.array(plan.files)
    masks = [of_file == f for f in dict.fromkeys(plan.files)]
    per_file = [replace(m, mae_by_file=tuple(float(np.mean(np.abs(m.errors[k])))
                                             for k in masks),
                        coverage_by_file=tuple(float(np.mean(m.inside[k])) for k in masks))
                for m in report.models if m.errors is not None and m.inside is not None]
    return replace(report, n_files=n, scale=SCALE, models=per_file)
