"""Time a Monte Carlo run over the DEU data set's separate cases on 1 and more worker processes.

    .venv/bin/python benchmarks/bench_cases.py [--model smp] [--draws 50] [--workers 2]

The 248 rows of the public DEU split are unrelated one-issue cases, so the models that link
issues (condorcet, exchange, smp) forecast each alone, and ``case_workers`` (the commands'
``--workers``) runs them side by side. Baseline measured in the same run: the same Monte Carlo
run in one process. Prints both wall times, their ratio, and whether the forecasts are the same
bits (they must be). The pool's start (about a second: fresh processes import detente and load
numba's cache) is included in the timing. Timings on a shared machine are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from detente.evaluation.backtest import load_dataset
from detente.execution.cases import case_workers
from detente.uncertainty.montecarlo import monte_carlo

DEU = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "bdm" / "deu3_public__blksv.tsv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smp")
    ap.add_argument("--draws", type=int, default=50)
    ap.add_argument("--workers", type=int, nargs="+", default=[2])
    args = ap.parse_args()
    if not DEU.exists():
        raise SystemExit(f"needs the anchor data at {DEU}")
    sc, _ = load_dataset(DEU, "deu")
    print(f"{args.model} on {len(sc.issues)} DEU cases, {args.draws} draws; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    times, forecasts = {}, {}
    for w in [1, *args.workers]:
        start = time.perf_counter()
        with case_workers(w):
            forecasts[w] = monte_carlo(sc, args.model, args.draws, 0).output.forecast
        times[w] = time.perf_counter() - start
        same = np.array_equal(forecasts[w], forecasts[1], equal_nan=True)
        print(f"  workers {w:>3}: {times[w]:8.1f} s   x{times[1] / times[w]:.2f} against 1"
              f"   same forecasts: {same}", flush=True)


if __name__ == "__main__":
    main()
