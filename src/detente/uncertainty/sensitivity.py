"""Which inputs drive a forecast: one-at-a-time swings and variance-based Sobol indices.

Both work on the uncertain inputs of :mod:`detente.uncertainty.draws` (the scenario's
``uncertainty`` block, or :func:`~detente.uncertainty.draws.fallback_spec` when it has none).

* Tornado (one at a time): each input alone is set to its ``low`` and ``high`` quantile (10 %
  and 90 % by default) while every other input keeps its coded value; the swing is the span
  of each issue's forecasts at the low quantile, the coded value and the high quantile (so an
  input that moves the forecast the same way at both ends still counts). Cheap (2 D + 1 model
  runs) but blind to interactions.
* Sobol: first-order (S1) and total (ST) indices from Saltelli's design and estimators, as
  implemented by SALib (Herman & Usher 2017, *JOSS* 2(9):97; Saltelli et al. 2010, *Comput.
  Phys. Commun.* 181:259-270). SALib draws points in the unit cube; each column goes through its
  input's quantile function, so the indices are for the inputs' own distributions. An input the
  model ignores gets indices near zero (up to the estimator's noise, reported as ``*_conf``).

All model runs of one analysis go through the model as one batch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.errors import OptionError
from detente.limits import check_cells
from detente.models import get_model
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.model import Scenario
from detente.uncertainty.draws import Input, apply, drawn_spec, inputs
from detente.uncertainty.montecarlo import run_batch
from detente.uncertainty.spec import Uncertainty


@dataclass(frozen=True)
class Swing:
    """One bar of the tornado: an input's effect on one issue's forecast."""

    input: str
    issue: str
    base: float
    low: float  # forecast with the input at its low quantile
    high: float

    @property
    def swing(self) -> float:
        """The width of the bar: from the lowest to the highest of the forecasts at the low
        quantile, the coded value and the high quantile. (|high - low| ranked an input that
        moves the forecast the same way at both quantiles, 0 -> 100 and 0 -> 100, at 0.)"""
        ends = (self.low, self.base, self.high)
        return max(ends) - min(ends)


@dataclass(frozen=True)
class SobolIndex:
    input: str
    issue: str
    S1: float
    S1_conf: float
    ST: float
    ST_conf: float


@dataclass(frozen=True)
class SensitivityResult:
    model: str
    inputs: list[str]
    issues: list[str]
    tornado: list[Swing]
    sobol: list[SobolIndex] = field(default_factory=list)
    sobol_samples: int = 0
    evaluations: int = 0
    constant_issues: list[str] = field(default_factory=list)
    sobol_skipped: str | None = None  # why no Sobol indices were computed (sobol=None)
    # the scenario has no uncertainty block: the inputs are the default widths'
    default_widths: bool = False
    # issues with no forecast to vary (nobody weighs them: capability x salience all 0),
    # at the coded inputs or in some Sobol run; they have no swings and no indices
    no_forecast: list[str] = field(default_factory=list)

    def ranked(self, issue: str) -> list[Swing]:
        """The tornado of one issue, largest swing first."""
        return sorted((s for s in self.tornado if s.issue == issue), key=lambda s: -s.swing)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "inputs": self.inputs, "evaluations": self.evaluations,
                "sobol_samples": self.sobol_samples, "sobol_skipped": self.sobol_skipped,
                "default_widths": self.default_widths, "no_forecast": self.no_forecast,
                "constant_issues": self.constant_issues,
                "tornado": [dataclasses.asdict(s) | {"swing": s.swing} for s in self.tornado],
                "sobol": [dataclasses.asdict(s) for s in self.sobol]}


def _forecasts(arrays: ScenarioArrays, model: str, options: Any, rounds: int,
               seed: int) -> np.ndarray:
    # only the forecasts are read: no draw's trajectory is kept beyond the first
    out = run_batch(arrays, model, options, rounds, np.random.default_rng(seed),
                    all_trajectories=False)
    return arrays.to_issue_scale(out.forecast)  # (B, I)


def _stack(parts: list[ScenarioArrays]) -> ScenarioArrays:
    first = parts[0]
    return dataclasses.replace(
        first, position=np.concatenate([p.position for p in parts]),
        salience=np.concatenate([p.salience for p in parts]),
        capability=np.concatenate([p.capability for p in parts]),
        status_quo=np.concatenate([p.status_quo for p in parts]))


MAX_CELLS = 25_000_000  # model runs x actors x issues held at once (200 MB per input array)


def check_size(n_inputs: int, cells: int, sobol_n: int) -> None:
    """Refuse a sensitivity analysis whose input arrays would not fit in memory, before any
    run: the tornado runs the model 1 + 2 D times and Sobol N (D + 2) times on every actor x
    issue cell, for D inputs (``sobol_n`` = N, 0 without Sobol). The public DEU file (248
    unrelated cases, 9,888 inputs at the default widths) asked for 46.6 GiB and failed with
    numpy's memory error after a report's other parts had run."""
    for problem in (too_big("the tornado", 1 + 2 * n_inputs, n_inputs, cells,
                            "an uncertainty block naming fewer inputs"),
                    too_big("the Sobol indices", sobol_n * (n_inputs + 2), n_inputs, cells,
                            "fewer Sobol samples, no Sobol indices (--no-sobol), or an "
                            "uncertainty block naming fewer inputs")):
        if problem is not None:
            raise OptionError(problem)


def too_big(what: str, runs: int, n_inputs: int, cells: int, fix: str) -> str | None:
    """Why ``runs`` model runs on ``cells`` actor x issue cells do not fit (None if they do)."""
    if runs * max(cells, n_inputs) <= MAX_CELLS:
        return None
    return (f"{what} of {n_inputs} uncertain inputs would run the model {runs:,} times on "
            f"{cells:,} actor x issue cells ({runs * cells * 8 / 2**30:.1f} GiB per input "
            f"array), more than detente holds at once ({MAX_CELLS:,} cells); use {fix}")


def tornado(base: ScenarioArrays, ins: list[Input], salience_scale: float, model: str,
            options: Any, rounds: int, seed: int, low: float = 0.1,
            high: float = 0.9) -> list[Swing]:
    """One-at-a-time swings of every input between its ``low`` and ``high`` quantiles."""
    parts = [base] + [apply(base, [inp], np.array([[low], [high]]), salience_scale)
                      for inp in ins]
    y = _forecasts(_stack(parts), model, options, rounds, seed)
    out = []
    for d, inp in enumerate(ins):
        for k, issue in enumerate(base.issue_ids):
            out.append(Swing(inp.name, issue, float(y[0, k]), float(y[1 + 2 * d, k]),
                             float(y[2 + 2 * d, k])))
    return out


def sensitivity(sc: Scenario, model: str = "compromise", samples: int = 256, seed: int = 0,
                preset: str | None = None, rounds: int | None = None,
                capability: str = "default", spec: Uncertainty | None = None,
                sobol: bool | None = True, low: float = 0.1, high: float = 0.9,
                **options: Any) -> SensitivityResult:
    """Tornado swings and (unless ``sobol`` is False) Sobol indices of ``model`` on ``sc``.

    ``sobol=None``: Sobol indices when their runs fit in memory (:func:`check_size`);
    otherwise the tornado alone, with the reason in ``sobol_skipped``.

    ``samples`` is SALib's base sample size N (rounded up to a power of two); the model runs
    N (D + 2) times for D inputs, in one batch.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if not 0.0 <= low < high <= 1.0:
        raise OptionError(f"need 0 <= low < high <= 1 quantiles, got {low} and {high}")
    if samples < 2:
        raise OptionError(f"samples must be at least 2, got {samples}")
    mspec = get_model(model)
    opts = mspec.options(preset, **options)
    n_rounds = mspec.default_rounds if rounds is None else rounds
    base = to_arrays(sc, capability)
    default_widths = False
    if spec is None:
        spec = drawn_spec(sc)
        default_widths = spec is not sc.uncertainty
    ins = inputs(sc, base, spec)
    if not ins:
        raise OptionError("the scenario has no uncertain inputs to analyse")
    n = 1 << max(1, int(np.ceil(np.log2(samples))))
    cells = base.n_actors * base.n_issues
    skipped = None
    if sobol is None:
        skipped = too_big("the Sobol indices", n * (len(ins) + 2), len(ins), cells,
                          "fewer Sobol samples or an uncertainty block naming fewer inputs "
                          "to get them")
        sobol = skipped is None
    check_size(len(ins), cells, n if sobol else 0)
    runs = max(1 + 2 * len(ins), n * (len(ins) + 2) if sobol else 0)
    check_cells(f"{mspec.name} on {runs:,} runs x {n_rounds + 1:,} rounds",
                runs * (n_rounds + 1) * cells, "ask for fewer rounds or Sobol samples")
    swings = tornado(base, ins, sc.salience_scale, mspec.name, opts, n_rounds, seed, low, high)
    blank = {s.issue for s in swings if np.isnan((s.base, s.low, s.high)).any()}
    no_forecast = [i for i in base.issue_ids if i in blank]  # in the scenario's order
    result = SensitivityResult(mspec.name, [i.name for i in ins], list(base.issue_ids),
                               [s for s in swings if s.issue not in no_forecast],
                               evaluations=1 + 2 * len(ins), sobol_skipped=skipped,
                               default_widths=default_widths, no_forecast=no_forecast)
    if not sobol:
        return result
    problem = {"num_vars": len(ins), "names": [f"x{d}" for d in range(len(ins))],
               "bounds": [[0.0, 1.0]] * len(ins)}
    U = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    U = np.clip(U, 1e-9, 1.0 - 1e-9)
    y = _forecasts(apply(base, ins, U, sc.salience_scale), mspec.name, opts, n_rounds, seed)
    indices, constant = [], []
    for k, issue in enumerate(base.issue_ids):
        col = y[:, k]
        if np.isnan(col).any():  # some run left nobody weighing the issue: no variance
            if issue not in no_forecast:
                no_forecast.append(issue)
            continue
        if np.std(col) <= 1e-12 * max(1.0, float(np.max(np.abs(col)))):
            constant.append(issue)
            indices += [SobolIndex(inp.name, issue, 0.0, 0.0, 0.0, 0.0) for inp in ins]
            continue
        # SALib seeds its bootstrap only with a truthy seed ("if seed:"): seed 0 gave
        # different confidence intervals on every run
        si = sobol_analyze.analyze(problem, col, calc_second_order=False, seed=seed + 1,
                                   print_to_console=False)
        for d, inp in enumerate(ins):
            indices.append(SobolIndex(inp.name, issue, float(si["S1"][d]),
                                      float(si["S1_conf"][d]), float(si["ST"][d]),
                                      float(si["ST_conf"][d])))
    return dataclasses.replace(result, sobol=indices, sobol_samples=n,
                               evaluations=result.evaluations + len(U),
                               constant_issues=constant, no_forecast=no_forecast)
