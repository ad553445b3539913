"""The DuckDB run store: runs, their scenario and their results in long format.

:mod:`.runstore` opens the file and reads and writes it; :mod:`.rows` turns a model's batched
output into long-format rows; :func:`record_result` records one finished run.
"""

from __future__ import annotations

from typing import Any

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

__all__ = ["DEFAULT_NAME", "RunRecord", "RunStore", "StoreError", "default_store_path",
           "record_result", "scenario_hash", "summary_of"]


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
