"""Pool the backtests of several data files on one error scale.

Issues of different files are measured on different scales (years of a phase-out, 0-100 DEU
codes, euros), so their raw errors cannot be averaged. Pooled errors are expressed in percent
of each issue's range (the issue's ``bounds``): an error of 2 years on a 0-15 year issue counts
as 13.3, an error of 20 on a 0-100 issue as 20. On DEU files (0-100) the pooled figures equal
the raw ones. Issues weigh equally, so a file with many issues dominates the pool: the
per-file tables remain the primary record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.errors import DetenteError
from detente.evaluation.backtest import BacktestResult
from detente.evaluation.metrics import ErrorSummary, summarise
from detente.scenario.model import Scenario

SCALE = "percent of each issue's range"


@dataclass(frozen=True)
class PooledResult:
    """One model's errors over the usable issues of several files, in percent of range."""

    label: str
    n_files: int
    summary: ErrorSummary
    beats_baseline: float | None  # share of issues better than the compromise model
    coverage: float | None  # share of outcomes inside the interval, when every file has one

    def to_dict(self) -> dict[str, Any]:
        """The entry of ``pooled.models`` in ``detente backtest FILE FILE ... --json``."""
        s = self.summary
        out: dict[str, Any] = {"model": self.label, "n_files": self.n_files,
                               "n_issues": s.n, "mae": s.mae, "rmse": s.rmse,
                               "median_ae": s.median_ae,
                               "beats_compromise": self.beats_baseline}
        if self.coverage is not None:
            out["interval_coverage"] = self.coverage
        return out


def refuse_repeats(names: list[str], keys: list[object] | None = None) -> None:
    """A DetenteError naming the files given more than once (the same ``keys``, by default the
    same names): each file counts once in the pooled figures."""
    keys = list(names) if keys is None else keys
    twice = sorted({n for n, k in zip(names, keys, strict=True) if keys.count(k) > 1})
    if twice:
        raise DetenteError(f"{', '.join(twice)} given more than once; each file counts once "
                           "in the pooled figures")


def relative_errors(sc: Scenario, result: BacktestResult) -> np.ndarray:
    """The result's errors (forecast - outcome) in percent of each issue's range."""
    span = {i.id: i.bounds[1] - i.bounds[0] for i in sc.issues}
    return np.array([100.0 * e.error / span[e.issue] for e in result.issues])


def pool(backtests: list[tuple[Scenario, list[BacktestResult]]]) -> list[PooledResult]:
    """Pool per-file backtests model by model (the files must have run the same models,
    in the same order, as :func:`detente.evaluation.backtest.backtest` does for one list)."""
    if not backtests:
        raise ValueError("nothing to pool")
    labels = [r.label for r in backtests[0][1]]
    for _, results in backtests[1:]:
        if [r.label for r in results] != labels:
            raise ValueError("the files' backtests ran different models")
    out = []
    for k, label in enumerate(labels):
        runs = [(sc, results[k]) for sc, results in backtests]
        errors = np.concatenate([relative_errors(sc, r) for sc, r in runs])
        n = np.array([r.summary.n for _, r in runs], dtype=float)
        beats = [r.beats_baseline for _, r in runs]
        cover = [r.coverage for _, r in runs]
        out.append(PooledResult(
            label=label, n_files=len(runs), summary=summarise(errors),
            beats_baseline=None if None in beats else float(np.dot(beats, n) / n.sum()),
            coverage=None if None in cover else float(np.dot(cover, n) / n.sum())))
    return out
