"""The dynamic simulation of the flagship scenario: one run, and many seeded runs batched.

    python benchmarks/bench_simulation.py [--runs 1000] [--loop 30] [--until 2005-12-31]

Figures printed (wall clock, median of ``--repeat`` timings where stated):

* one flagship simulation to ``--until`` (a batch of one), median and best of ``--repeat``;
* ``--runs`` seeded runs in one batch (``simulate(..., runs=N)``), wall and CPU seconds;
* the baseline measured in the same run: the same draws as a Python loop of single runs
  (``simulate(..., runs=1, first_draw=k)``, which gives draw k exactly the numbers it gets in
  the batch). The loop covers only the first ``--loop`` draws and is extrapolated linearly to
  ``--runs`` (running it in full takes minutes); the ratio is loop / batched time.

Building the JSON of a history is not timed. Targets (issue 4): one run < 50 ms, 1,000 runs
< 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from detente.scenario.io import load_scenario  # noqa: E402
from detente.simulation import SimOptions, simulate  # noqa: E402

FLAGSHIP = ROOT / "scenarios" / "northeast-asia-2004.yaml"


def _timed(fn) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--loop", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--until", default="2005-12-31")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sc = load_scenario(FLAGSHIP)
    opts = SimOptions(until=dt.date.fromisoformat(args.until))

    simulate(sc, opts, args.seed)  # warm-up: imports, registries
    timings = [_timed(lambda: simulate(sc, opts, args.seed)) for _ in range(args.repeat)]
    singles, single_cpu = [t[0] for t in timings], [t[1] for t in timings]
    batch_wall, batch_cpu = _timed(lambda: simulate(sc, opts, args.seed, runs=args.runs))
    n = min(args.loop, args.runs)
    loop_wall, loop_cpu = _timed(lambda: [simulate(sc, opts, args.seed, 1, first_draw=k)
                                          for k in range(n)])
    loop_est = loop_wall * args.runs / n
    # the baseline computes the same draws: check the claim on the loop's first draw
    one = simulate(sc, opts, args.seed, 1, first_draw=0)
    many = simulate(sc, opts, args.seed, runs=min(args.runs, 4))
    same = bool(np.array_equal(one.offer[0], many.offer[0]))

    print(f"flagship {sc.name!r} to {args.until}, seed {args.seed}")
    print(f"one run: median {statistics.median(singles) * 1e3:.1f} ms, best "
          f"{min(singles) * 1e3:.1f} ms over {args.repeat}, median CPU "
          f"{statistics.median(single_cpu) * 1e3:.1f} ms (target < 50 ms)")
    print(f"{args.runs} runs batched: {batch_wall:.2f} s wall, {batch_cpu:.2f} s CPU, "
          f"{args.runs / batch_wall:,.0f} runs/s (target < 10 s)")
    print(f"baseline, Python loop of single runs: {n} runs in {loop_wall:.2f} s wall "
          f"({loop_cpu:.2f} s CPU), extrapolated to {args.runs}: {loop_est:.1f} s")
    print(f"batched / loop speed-up: {loop_est / batch_wall:.1f}x "
          f"(loop draw 0 equals batch draw 0: {same})")


if __name__ == "__main__":
    main()
