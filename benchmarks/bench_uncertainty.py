"""Benchmark: Monte Carlo draws through every registered model, and sweep throughput.

    .venv/bin/python benchmarks/bench_uncertainty.py [--draws 100000] [--cells 40]
        [--cell-draws 1000] [--sim-draws 10000] [--skip-static]

Prints, for the EC emission case with positions ± 1 year and saliences ± 0.1: seconds for
``--draws`` draws through each model, and the ratio to a baseline measured in the same run
(the same draws through the compromise model, the cheapest kernel). Then a sweep of ``--cells``
challenge-model cells of ``--cell-draws`` draws each (compromise if challenge is absent) with
1 and 2 local workers and a 2-worker Dask local cluster, in cells per second once the workers
are warm, and the ratios to 1 worker (every worker runs one thread).

Simulation part (``--sim-draws``, default 10,000; 0 skips it): the flagship scenario to
``--until`` (default 2005-12-31) with Monte Carlo over its ``uncertainty`` block
(``simulate_mc``), against a baseline measured in the same run: the same number of seeded
runs with the inputs fixed (``simulate(..., runs=N)``, the scenario's own randomness only).
Timings on a shared machine are pessimistic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from detente.errors import OptionError
from detente.execution.executors import make_executor
from detente.execution.sweep import run_sweep
from detente.models import models
from detente.models.challenge import THREADS_VAR
from detente.scenario.io import load_scenario
from detente.scenario.validate import scenario_from_data
from detente.simulation import SimOptions, simulate
from detente.uncertainty.montecarlo import monte_carlo
from detente.uncertainty.simulation import simulate_mc

ROOT = Path(__file__).resolve().parents[1]
EMISSION = ROOT / "scenarios" / "ec-emissions-1994.yaml"
FLAGSHIP = ROOT / "scenarios" / "northeast-asia-2004.yaml"


def emission_with_uncertainty():
    data = load_scenario(EMISSION).model_dump(mode="json", by_alias=True)
    data["uncertainty"] = {"default": {"position": "±1", "salience": "±0.1"}}
    return scenario_from_data(data, str(EMISSION), {})


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--cells", type=int, default=40, help="sweep cells; 0 skips the sweep")
    ap.add_argument("--cell-draws", type=int, default=1000, help="Monte Carlo draws per cell")
    ap.add_argument("--models", default="", help="comma-separated; default: all registered")
    ap.add_argument("--sim-draws", type=int, default=10_000)
    ap.add_argument("--until", default="2005-12-31")
    ap.add_argument("--skip-static", action="store_true", help="skip the static models")
    args = ap.parse_args()
    if args.sim_draws:
        bench_simulation(args.sim_draws, dt.date.fromisoformat(args.until))
    if not args.skip_static:
        bench_static(args)
    if args.cells:
        bench_sweep(args.cells, args.cell_draws)


def bench_simulation(n: int, until: dt.date) -> None:
    sc = load_scenario(FLAGSHIP)
    opts = SimOptions(until=until)
    simulate(sc, opts, 0)  # warm-up: imports, registries
    base = timed(lambda: simulate(sc, opts, 0, runs=n))
    mc = timed(lambda: simulate_mc(sc, opts, n, seed=0))
    print(f"Simulation Monte Carlo, flagship to {until}, {n} draws "
          f"({len(sc.uncertainty.cells)} uncertainty cells + defaults)")
    print(f"  baseline, inputs fixed (simulate runs={n}): {base:8.2f} s")
    print(f"  Monte Carlo over inputs (simulate_mc):      {mc:8.2f} s  "
          f"({mc / base:5.2f} x baseline, {n / mc:8.0f} simulations/s)")


def bench_static(args: argparse.Namespace) -> None:
    sc = emission_with_uncertainty()
    names = args.models.split(",") if args.models else list(models())
    base = timed(lambda: monte_carlo(sc, "compromise", args.draws, seed=0))
    print(f"Monte Carlo, EC emission case, {args.draws} draws")
    print(f"  baseline compromise: {base:8.2f} s")
    for name in names:
        s = timed(lambda n=name: monte_carlo(sc, n, args.draws, seed=0))
        print(f"  {name:18s}: {s:8.2f} s  ({s / base:7.1f} x baseline, "
              f"{args.draws / s:10.0f} draws/s)")


def sweep_spec(folder: Path, name: str, model: str, cells: int, draws: int) -> Path:
    spec = folder / f"{name}.yaml"
    spec.write_text(f"scenario: {EMISSION}\nmodel: {model}\nseed: 1\ndraws: {draws}\n"
                    f"parameters:\n  actors[Germany].capability: "
                    f"{{low: 0.05, high: 0.3, steps: {cells}}}\n"
                    "  uncertainty.default: [{position: '±1'}]\n")
    return spec


def bench_sweep(cells: int, draws: int) -> None:
    """Sweep throughput with 1 and 2 workers, each worker on one thread.

    Workers are started and warmed up (imports, numba cache) by a small sweep first: starting
    a pool costs about a second per worker on this machine and is reported apart, so the
    cells/s figures are the steady state a long sweep sees. The 1-worker baseline runs in
    process on one thread (``DETENTE_THREADS=1``), as each worker of a pool does.
    """
    model = "challenge" if "challenge" in models() else "compromise"
    os.environ[THREADS_VAR] = "1"
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        main = sweep_spec(folder, "main", model, cells, draws)
        for kind, workers in (("local", 1), ("local", 2), ("dask-local", 2)):
            try:
                t0 = time.perf_counter()
                ex = make_executor(kind, workers)
            except OptionError as exc:
                print(f"sweep, {kind}: skipped ({exc})")
                continue
            try:
                warm = sweep_spec(folder, f"warm-{kind}-{workers}", model, 2 * workers, 20)
                run_sweep(warm, folder / f"warm-{kind}-{workers}.duckdb", ex)
                start = time.perf_counter() - t0
                s = timed(lambda e=ex, k=kind, w=workers: run_sweep(
                    main, folder / f"{k}-{w}.duckdb", e))
            finally:
                ex.close()
            rates[(kind, workers)] = cells / s
            print(f"sweep, {cells} {model} cells x {draws} draws, {kind} x {workers}: "
                  f"{s:6.2f} s, {cells / s:6.1f} cells/s (start-up and warm-up {start:.2f} s)")
    base = rates.get(("local", 1))
    for key, rate in rates.items():
        if base and key != ("local", 1):
            print(f"  {key[0]} x {key[1]} / local x 1: {rate / base:.2f} x")


if __name__ == "__main__":
    main()
