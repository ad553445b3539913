"""Peak memory of a Monte Carlo run over the DEU cases, keeping every draw's trajectory or
draw 0's only.

    .venv/bin/python benchmarks/bench_memory.py [--model smp] [--draws 50]

A report, the web app and big runs keep draw 0's trajectory only (the rounds they show); models
that run case by case then drop each case's other draws as soon as it has run
(:func:`detente.models.base.first_trajectory_only`). Baseline measured in the same run: the
same Monte Carlo run keeping every draw's trajectory. Each run is a fresh process, so its peak
resident memory is its own; prints both peaks and times, the ratio, and whether the forecasts
are the same bits (they must be).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

DEU = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "bdm" / "deu3_public__blksv.tsv"

CHILD = """
import hashlib, json, resource, sys, time
from detente.evaluation.backtest import load_dataset
from detente.uncertainty.montecarlo import monte_carlo
sc, _ = load_dataset(sys.argv[1], "deu")
start = time.perf_counter()
run = monte_carlo(sc, sys.argv[2], int(sys.argv[3]), 0, all_trajectories=sys.argv[4] == "all")
print(json.dumps({"seconds": time.perf_counter() - start,
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
                  "forecasts": hashlib.sha256(run.output.forecast.tobytes()).hexdigest()}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smp")
    ap.add_argument("--draws", type=int, default=50)
    args = ap.parse_args()
    if not DEU.exists():
        raise SystemExit(f"needs the anchor data at {DEU}")
    print(f"{args.model} on the DEU cases, {args.draws} draws, one process each")
    seen = {}
    for keep in ("all", "first"):
        done = subprocess.run([sys.executable, "-c", CHILD, str(DEU), args.model,
                               str(args.draws), keep], capture_output=True, text=True, check=True)
        seen[keep] = json.loads(done.stdout.splitlines()[-1])
        print(f"  trajectories {keep:>5}: peak {seen[keep]['peak_gb']:.2f} GB, "
              f"{seen[keep]['seconds']:.1f} s", flush=True)
    print(f"  peak memory x{seen['all']['peak_gb'] / seen['first']['peak_gb']:.1f} lower with "
          f"draw 0's only; same forecasts: "
          f"{seen['all']['forecasts'] == seen['first']['forecasts']}")


if __name__ == "__main__":
    main()
