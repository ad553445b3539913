"""Time the KTAB SMP on KTAB's shipped inputs: per run, per turn, against two references.

    .venv/bin/python benchmarks/bench_smp.py [--repeat 3] [--draws 100]

Reference column: KTAB's own wall times (C++ -O2 build, 2 cores) from
``shared/anchors/ktab/README.md``. Baseline measured in the same run: the same model computing,
as KTAB does, every actor's view of every challenge (O(N^4) per turn instead of O(N^3)),
timed per turn on the smaller inputs. Timings on a shared machine are pessimistic.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from detente.models.kernels import smp as k
from detente.models.smp import SMPOptions, _assess, prepare, simulate
from detente.scenario.arrays import to_arrays
from detente.scenario.io import load_scenario

ANCHORS = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "ktab" / "smp"
KTAB_SECONDS = {"SOE-Pol-Comp": 0.56, "SOE-Policy": 1.8, "SOE-Competitive": 8.8,
                "dummyData-a160": 19.5 * 60}
BASELINE_ON = ("SOE-Pol-Comp", "SOE-Policy", "SOE-Competitive")


def _all_views_turn(inp, o: SMPOptions) -> float:
    """One turn's challenge arithmetic as KTAB does it: every viewer h scores every i -> j."""
    pos, sal, cap = inp.position, inp.salience, inp.capability
    S = sal.sum(-1)
    omega = cap * S
    t0 = time.perf_counter()
    st = _assess(pos, pos, sal, cap, o)
    r = k.perceived_risk(st.risk, o.big_r_adjust)
    N = pos.shape[1]
    init = np.arange(N)[None]
    targets = np.broadcast_to(np.arange(N), (1, N, N))
    for h in range(N):
        k.challenges(st.d, r, omega, S, init, targets, np.full((1, N), h), o.voting_rule,
                     o.third_party_commit)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=100, help="Monte Carlo batch for SOE-Policy")
    args = ap.parse_args()
    o = SMPOptions()
    print(f"{'input':18} {'N':>4} {'D':>2} {'turns':>5} {'s/run':>9} {'ms/turn':>9} "
          f"{'KTAB s':>8} {'x KTAB':>8} {'all-views ms/turn':>18} {'x all-views':>11}")
    for name, ktab in KTAB_SECONDS.items():
        inp = prepare(to_arrays(load_scenario(ANCHORS / f"{name}.csv")))
        N, D = inp.position.shape[1:]
        reps = 1 if N > 100 else args.repeat
        best, turns = np.inf, 0
        for _ in range(reps):
            t0 = time.perf_counter()
            sim = simulate(inp, o, 100, np.random.default_rng(0))
            best = min(best, time.perf_counter() - t0)
            turns = int(sim["turns"][0])
        per_turn = best / max(turns, 1)
        base = "-"
        ratio = "-"
        if name in BASELINE_ON:
            naive = min(_all_views_turn(inp, o) for _ in range(reps))
            base = f"{naive * 1e3:.1f}"
            ratio = f"{naive / per_turn:.1f}"
        print(f"{name:18} {N:4d} {D:2d} {turns:5d} {best:9.3f} {per_turn * 1e3:9.1f} "
              f"{ktab:8.1f} {ktab / best:8.1f} {base:>18} {ratio:>11}")
    inp = prepare(to_arrays(load_scenario(ANCHORS / "SOE-Policy.csv").model_copy()))
    batch = prepare(to_arrays(load_scenario(ANCHORS / "SOE-Policy.csv")).repeat(args.draws))
    t0 = time.perf_counter()
    simulate(batch, SMPOptions(transitions="stochastic"), 100, np.random.default_rng(0))
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate(inp, SMPOptions(transitions="stochastic"), 100, np.random.default_rng(0))
    t_one = time.perf_counter() - t0
    print(f"SOE-Policy stochastic, {args.draws} draws in one batch: {t_batch:.2f} s "
          f"({t_batch / args.draws * 1e3:.1f} ms/draw; one draw alone {t_one * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
