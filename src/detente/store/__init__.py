"""The DuckDB run store: runs, their scenario and their results in long format.

:mod:`.runstore` opens the file and reads and writes it; :mod:`.rows` turns a model's batched
output into long-format rows; :func:`record_result` records one finished run,
:func:`record_backtest` one model's backtest and :func:`record_backtests` a data set's, with
their cross-validation figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from detente.models.base import ModelOutput
from detente.result import ForecastResult
from detente.scenario.arrays import ScenarioArrays
from detente.scenario.model import Scenario
from detente.store.rows import result_rows
from detente.store.runstore import (
    DEFAULT_NAME,
    RunRecord,
    RunStore,
    StoreError,
    default_store_path,
    scenario_hash,
)

if TYPE_CHECKING:
    from detente.evaluation.backtest import BacktestResult
    from detente.evaluation.crossval import CVReport

__all__ = ["DEFAULT_NAME", "RunRecord", "RunStore", "StoreError", "default_store_path",
           "record_backtest", "record_backtests", "record_result", "scenario_hash",
           "summary_of"]


def summary_of(result: ForecastResult) -> dict[str, Any]:
    """Per issue: the forecast (median over draws) and its quantiles."""
    return {"issues": {i.id: {"forecast": i.forecast, **i.quantiles} for i in result.issues}}


def record_result(store: RunStore, sc: Scenario, arrays: ScenarioArrays, out: ModelOutput,
                  result: ForecastResult, seed: int, kind: str = "forecast",
                  all_trajectories: bool = True, **cell: Any) -> str:
    """Record one run (metadata, summary and long-format rows) in one transaction.

    ``all_trajectories=False`` stores draw 0's trajectory only (every draw's forecast still).
    """
    rows, full = result_rows(arrays, out, all_draws=all_trajectories)
    summary = summary_of(result) | {"all_trajectories": full}
    record = RunRecord(scenario=sc, model=result.model, preset=result.preset,
                       capability=result.capability, options=result.options, seed=seed,
                       draws=result.draws, rounds=int(out.trajectory.shape[1] - 1), kind=kind,
                       summary=summary, **cell)
    return store.record(record, rows)


def record_backtest(store: RunStore, sc: Scenario, result: BacktestResult, seed: int,
                    extra: dict[str, Any] | None = None) -> str:
    """Record one model's backtest (kind ``backtest``) in one transaction.

    The summary holds the error metrics (as ``detente backtest --json --detail`` prints them,
    plus ``extra``, e.g. the model's cross-validation figures) and, per issue, the forecast
    and the outcome, so ``detente runs show`` lists both; the rows hold each issue's forecast
    (actor NULL, draw 0, round 0).
    """
    metrics = {k: v for k, v in result.to_dict(detail=True).items() if k != "issues"}
    issues = {e.issue: {"forecast": e.forecast, "outcome": e.outcome} for e in result.issues}
    rows = pd.DataFrame({"draw": 0, "round": 0, "actor": None,
                         "issue": [e.issue for e in result.issues],
                         "value": [e.forecast for e in result.issues]},
                        columns=["draw", "round", "actor", "issue", "value"])
    record = RunRecord(scenario=sc, model=result.model, preset=result.preset,
                       capability=result.capability, options={}, seed=seed, draws=1, rounds=0,
                       kind="backtest",
                       summary={"backtest": metrics | (extra or {}), "issues": issues})
    return store.record(record, rows)


_CV_HEAD = ("folds", "seed", "grouped_by", "interval_level", "scale")


def record_backtests(store: RunStore, sc: Scenario, results: list[BacktestResult], seed: int,
                     source: str, report: CVReport | None = None,
                     pooled_over: list[str] | None = None) -> list[str]:
    """Record each model's backtest of one data set (``source``: its file), with the model's
    cross-validation figures when ``report`` has them (the pool's, naming its files in
    ``pooled_over``, when several files were cross-validated together). Returns the run ids."""
    cv = {} if report is None else {m.label: m.to_dict() for m in report.models}
    head = {} if report is None else {k: v for k, v in report.to_dict().items()
                                      if k in _CV_HEAD}
    if pooled_over is not None:
        head |= {"pooled_over": pooled_over}
    return [record_backtest(store, sc, r, seed,
                            {"source": source} | ({"cross_validation": head | cv[r.label]}
                                                  if r.label in cv else {}))
            for r in results]
