"""Where the web app records finished model runs and backtests: one DuckDB run store, or
nowhere.

``detente serve --store FILE`` names the store; each finished run of the models then records
every model's forecast as ``detente forecast`` does, each finished uncertainty job every
model's Monte Carlo run as ``detente forecast --draws`` does (and the simulation over the
draws as ``detente simulate --draws`` does), and each finished backtest job every model's
backtest of every data set as ``detente backtest --store FILE`` does (kind ``backtest``, with
the cross-validation figures), and each finished simulation job its run as ``detente
simulate`` records it (one draw); the job's result says where. A store that cannot be
written does not lose the figures: the result carries the reason instead.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from detente.evaluation.backtest import BacktestResult
    from detente.evaluation.crossval import CVReport
    from detente.models.base import ModelOutput
    from detente.result import ForecastResult
    from detente.scenario.arrays import ScenarioArrays
    from detente.scenario.model import Scenario

    Output = tuple[ScenarioArrays, ModelOutput, ForecastResult]


class Recorder:
    """Records web runs and backtests in the run store at ``path`` (None: records nothing),
    one job at a time."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def check(self) -> None:
        """Open (and create) the store once, so that a bad path fails at start-up
        (:class:`~detente.store.StoreError`), not after the first backtest."""
        if self.path is not None:
            from detente.store import RunStore

            with self._lock, RunStore(self.path):
                pass

    def runs(self, sc: Scenario, outputs: list[Output], seed: int) -> dict[str, Any] | None:
        """Record each model's run of ``sc`` (its arrays, raw output and result); None without
        a store, else ``{"store", "runs": [ids]}`` or ``{"store", "error"}``."""
        from detente.store import record_result

        return self._write(lambda store: [record_result(store, sc, arrays, out, result, seed)
                                          for arrays, out, result in outputs])

    def uncertainty(self, sc: Scenario, runs: list[Any], seed: int) -> dict[str, Any] | None:
        """Record the Monte Carlo runs of an uncertainty job on ``sc`` (as given: without an
        uncertainty block, both here and in ``detente forecast --draws`` the draws use the
        default widths): each model's as ``detente forecast --draws`` records it, the
        simulation's as ``detente simulate --draws`` does (with the scenario it simulated).
        None without a store, else ``{"store", "runs": [ids]}`` or ``{"store", "error"}``."""
        from detente.store import record_result
        from detente.uncertainty.simulation import SimulationMC, record_simulation

        return self._write(lambda store: [
            record_simulation(store, run) if isinstance(run, SimulationMC)
            else record_result(store, sc, run.arrays, run.output, run.result, seed)
            for run in runs])

    def simulation(self, run: Any) -> dict[str, Any] | None:
        """Record a single seeded simulation (a one-draw ``SimulationMC``) as ``detente
        simulate`` does; None without a store, else ``{"store", "runs": [id]}`` or
        ``{"store", "error"}``."""
        from detente.uncertainty.simulation import record_simulation

        return self._write(lambda store: [record_simulation(store, run)])

    def backtests(self, data: list[tuple[Scenario, str, list[BacktestResult]]], seed: int,
                  report: CVReport | None) -> dict[str, Any] | None:
        """Record each data set's (scenario, source name, results); None without a store, else
        ``{"store", "runs": [ids]}`` or ``{"store", "error"}``."""
        from detente.store import record_backtests

        pooled_over = [source for _, source, _ in data] if len(data) > 1 else None
        return self._write(lambda store: [
            run for sc, source, results in data
            for run in record_backtests(store, sc, results, seed, source, report, pooled_over)])

    def _write(self, write: Callable[[Any], list[str]]) -> dict[str, Any] | None:
        if self.path is None:
            return None
        from detente.store import RunStore, StoreError

        try:
            with self._lock, RunStore(self.path) as store:
                ids = write(store)
        except StoreError as exc:
            return {"store": str(self.path), "error": str(exc)}
        return {"store": str(self.path), "runs": ids}
