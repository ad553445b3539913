"""Single-run time and batched throughput of every registered model on the emission case.

    python benchmarks/bench_models.py [--draws 10000] [--loop 50] [--rounds 10] [--models a,b]
                                      [--threads N]

For each model: the time of one run (a batch of one, median of several), the throughput of
one batched run over ``--draws`` perturbed draws, and the baseline measured in the same run:
a Python loop of single runs over the first ``--loop`` draws, extrapolated linearly to
``--draws`` (the loop is too slow to run in full). The ratio is batched / loop throughput.
Model ``run`` functions are called directly, so result assembly is not timed. "per CPU-s" is
draws per second of this process's CPU time (less sensitive to other load on the machine).

The challenge model runs compiled (numba) where numba is installed; it is then measured a
second time on its vectorised numpy round ("challenge (numpy)"), the baseline that shows
why the compiled round exists, and once more on one thread ("challenge (1 thread)").
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from detente.models import challenge, models  # noqa: E402
from detente.scenario.arrays import ScenarioArrays, to_arrays  # noqa: E402
from detente.scenario.io import load_scenario  # noqa: E402

EMISSION = ROOT / "scenarios" / "ec-emissions-1994.yaml"


def perturbed(base: ScenarioArrays, n: int, seed: int = 1) -> ScenarioArrays:
    """``n`` draws around ``base``: positions +- N(0, 5) on 0-100 (clipped), saliences and
    capabilities times a log-normal factor (sd 0.2), saliences clipped to [0.01, 1]."""
    rng = np.random.default_rng(seed)
    big = base.repeat(n)
    pos = np.clip(big.position + rng.normal(0, 5, big.position.shape), 0, 100)
    sal = np.clip(big.salience * rng.lognormal(0, 0.2, big.salience.shape), 0.01, 1.0)
    cap = big.capability * rng.lognormal(0, 0.2, big.capability.shape)
    return dataclasses.replace(big, position=pos, salience=sal, capability=cap)


def _time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(name: str, draws: ScenarioArrays, loop: int, rounds: int) -> dict[str, float]:
    spec = models()[name]
    opts = spec.options()
    rng = np.random.default_rng(0)
    one = draws.draw(0)
    spec.run(one, opts, rounds, rng)  # warm-up
    single = _time(lambda: spec.run(one, opts, rounds, rng), 5)
    t0 = time.perf_counter()
    for b in range(loop):
        spec.run(draws.draw(b), opts, rounds, rng)
    loop_rate = loop / (time.perf_counter() - t0)
    t0, c0 = time.perf_counter(), time.process_time()
    spec.run(draws, opts, rounds, rng)
    batch_s = time.perf_counter() - t0
    cpu_rate = draws.n_draws / max(time.process_time() - c0, 1e-9)
    batch_rate = draws.n_draws / batch_s
    return {"single_ms": single * 1e3, "loop_rate": loop_rate, "batch_s": batch_s,
            "batch_rate": batch_rate, "cpu_rate": cpu_rate, "ratio": batch_rate / loop_rate}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--loop", type=int, default=50, help="single runs in the loop baseline")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--models", default="", help="comma-separated; default: all registered")
    ap.add_argument("--threads", type=int, default=0,
                    help="threads for the compiled challenge model (0: one per core)")
    args = ap.parse_args(argv)
    names = [m for m in args.models.split(",") if m] or list(models())
    draws = perturbed(to_arrays(load_scenario(EMISSION)), args.draws)
    print(f"emission case, {draws.n_actors} actors, {args.rounds} rounds, "
          f"{args.draws} perturbed draws; loop baseline: {args.loop} single runs, "
          f"extrapolated to {args.draws}")
    print(f"compiled challenge model: "
          f"{'numba' if challenge.compiled_kernel() is not None else 'not available'}, "
          f"{args.threads or os.cpu_count()} thread(s); {os.cpu_count()} CPU cores")
    head = (f"{'model':<22}{'single ms':>10}{'loop draws/s':>14}{'batched s':>11}"
            f"{'batched draws/s':>17}{'per CPU-s':>11}{'batched/loop':>14}")
    print(head)
    print("-" * len(head))
    challenge.THREADS = args.threads
    for name in names:
        for label, compiled, threads in _variants(name, args.threads):
            challenge.COMPILED, challenge.THREADS = compiled, threads
            r = bench(name, draws, min(args.loop, args.draws), args.rounds)
            print(f"{label:<22}{r['single_ms']:>10.2f}{r['loop_rate']:>14.0f}"
                  f"{r['batch_s']:>11.2f}{r['batch_rate']:>17.0f}{r['cpu_rate']:>11.0f}"
                  f"{r['ratio']:>13.1f}x", flush=True)
        challenge.COMPILED, challenge.THREADS = True, args.threads
    return 0


def _variants(name: str, threads: int) -> list[tuple[str, bool, int]]:
    """(label, compiled, threads) rows for a model: the challenge model three times."""
    if name != "challenge" or challenge.compiled_kernel() is None:
        return [(name, True, threads)]
    return [(name, True, threads), ("challenge (1 thread)", True, 1),
            ("challenge (numpy)", False, threads)]


if __name__ == "__main__":
    raise SystemExit(main())
