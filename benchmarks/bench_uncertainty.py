"""Benchmark: Monte Carlo draws through every registered model, and sweep throughput.

    .venv/bin/python benchmarks/bench_uncertainty.py [--draws 100000] [--cells 40]

Prints, for the EC emission case with positions ± 1 year and saliences ± 0.1: seconds for
``--draws`` draws through each model, and the ratio to a baseline measured in the same run
(the same draws through the compromise model, the cheapest kernel). Then a sweep of ``--cells``
challenge-model cells (or compromise if challenge is absent) with 1 and 2 local workers, in
cells per second, and the ratio 2 workers / 1 worker (workers run one BLAS thread each).

Simulation part (``--sim-draws``, default 10,000; 0 skips it): the flagship scenario to
``--until`` (default 2005-12-31) with Monte Carlo over its ``uncertainty`` block
(``simulate_mc``), against a baseline measured in the same run: the same number of seeded
runs with the inputs fixed (``simulate(..., runs=N)``, the scenario's own randomness only).
Timings on a shared machine are pessimistic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from detente.execution.executors import make_executor
from detente.execution.sweep import run_sweep
from detente.models import models
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
    ap.add_argument("--cells", type=int, default=40)
    ap.add_argument("--models", default="", help="comma-separated; default: all registered")
    ap.add_argument("--sim-draws", type=int, default=10_000)
    ap.add_argument("--until", default="2005-12-31")
    ap.add_argument("--skip-static", action="store_true", help="only the simulation part")
    args = ap.parse_args()
    if args.sim_draws:
        bench_simulation(args.sim_draws, dt.date.fromisoformat(args.until))
    if not args.skip_static:
        bench_static(args)


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
    model = "challenge" if "challenge" in models() else "compromise"
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.yaml"
        spec.write_text(f"scenario: {EMISSION}\nmodel: {model}\nseed: 1\ndraws: 200\n"
                        f"parameters:\n  actors[Germany].capability: "
                        f"{{low: 0.05, high: 0.3, steps: {args.cells}}}\n"
                        "  uncertainty.default: [{position: '±1'}]\n")
        rates = {}
        for workers in (1, 2):
            ex = make_executor("local", workers)
            try:
                s = timed(lambda e=ex, w=workers: run_sweep(spec, Path(tmp) / f"{w}.duckdb", e))
            finally:
                ex.close()
            rates[workers] = args.cells / s
            print(f"sweep, {args.cells} {model} cells x 200 draws, {workers} worker(s): "
                  f"{s:6.2f} s, {rates[workers]:6.1f} cells/s")
        print(f"  2 workers / 1 worker: {rates[2] / rates[1]:.2f} x")


if __name__ == "__main__":
    main()
