"""Time the KTAB SMP on KTAB's shipped inputs and on the DEU data set: per run, per turn.

    .venv/bin/python benchmarks/bench_smp.py [--repeat 3] [--draws 100] [--deu-draws 5]

Reference column: KTAB's own wall times (C++ -O2 build, 2 cores) from
``shared/anchors/ktab/README.md``. Baselines measured in the same run: the model with its
numba-compiled challenges switched off (``smp_compiled.COMPILED = False``: the vectorised numpy
arithmetic, which gives the same bits), and, per turn on the smaller inputs, the same model
computing as KTAB does every actor's view of every challenge (O(N^4) per turn instead of
O(N^3)). The DEU lines forecast its 248 rows (each a separate case, 2-30 actors) once and
with ``--deu-draws`` Monte Carlo draws of inputs varied by the default widths (what
``detente report`` draws). Timings on a shared machine are pessimistic.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from detente.models import get_model
from detente.models.kernels import smp as k
from detente.models.kernels import smp_compiled
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


def _timed(fn, reps: int) -> tuple[float, float, object]:
    """Best of ``reps`` wall times of fn() with the compiled challenges, then without."""
    times, out = [], None
    for compiled in (True, False):
        smp_compiled.COMPILED = compiled
        best = np.inf
        for _ in range(reps):
            t0 = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t0)
        times.append(best)
    smp_compiled.COMPILED = True
    return times[0], times[1], out


def _deu(draws: int) -> None:
    from detente.evaluation.backtest import load_dataset
    from detente.report.uncertainty import with_spec
    from detente.uncertainty.montecarlo import monte_carlo

    path = ANCHORS.parents[1] / "bdm" / "deu3_public__blksv.tsv"
    sc, _ = load_dataset(path)
    arrays = to_arrays(sc)
    spec = get_model("smp")
    one = lambda: spec.run(arrays, spec.options(), 100, np.random.default_rng(0))  # noqa: E731
    t_c, t_n, _ = _timed(one, 1)
    print(f"DEU, 248 separate cases, one forecast: {t_c:.2f} s (numpy {t_n:.2f} s, "
          f"{t_n / t_c:.1f}x)")
    # the file has no uncertainty block: the draws vary the inputs by the default widths, as
    # `detente report` and the web's uncertainty page do
    varied = with_spec(sc)[0]
    mc = lambda: monte_carlo(varied, "smp", draws=draws, seed=0)  # noqa: E731
    t_c, t_n, _ = _timed(mc, 1)
    print(f"DEU, {draws} Monte Carlo draws (default input widths): {t_c:.2f} s "
          f"(numpy {t_n:.2f} s, {t_n / t_c:.1f}x)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=100, help="Monte Carlo batch for SOE-Policy")
    ap.add_argument("--deu-draws", type=int, default=5, help="Monte Carlo draws on DEU")
    args = ap.parse_args()
    o = SMPOptions()
    get_model("smp").run(to_arrays(load_scenario(ANCHORS / "SOE-Pol-Comp.csv")), o, 2,
                         np.random.default_rng(0))  # numba loads or compiles the kernel
    print(f"{'input':18} {'N':>4} {'D':>2} {'turns':>5} {'s/run':>9} {'ms/turn':>9} "
          f"{'numpy s':>8} {'x numpy':>8} {'KTAB s':>8} {'x KTAB':>8} "
          f"{'all-views ms/turn':>18} {'x all-views':>11}")
    for name, ktab in KTAB_SECONDS.items():
        inp = prepare(to_arrays(load_scenario(ANCHORS / f"{name}.csv")))
        N, D = inp.position.shape[1:]
        reps = 1 if N > 100 else args.repeat
        best, numpy_best, sim = _timed(lambda inp=inp: simulate(inp, o, 100,
                                                                np.random.default_rng(0)), reps)
        turns = int(sim["turns"][0])  # type: ignore[index]
        per_turn = best / max(turns, 1)
        base = "-"
        ratio = "-"
        if name in BASELINE_ON:
            naive = min(_all_views_turn(inp, o) for _ in range(reps))
            base = f"{naive * 1e3:.1f}"
            ratio = f"{naive / per_turn:.1f}"
        print(f"{name:18} {N:4d} {D:2d} {turns:5d} {best:9.3f} {per_turn * 1e3:9.1f} "
              f"{numpy_best:8.3f} {numpy_best / best:8.1f} "
              f"{ktab:8.1f} {ktab / best:8.1f} {base:>18} {ratio:>11}")
    inp = prepare(to_arrays(load_scenario(ANCHORS / "SOE-Policy.csv").model_copy()))
    batch = prepare(to_arrays(load_scenario(ANCHORS / "SOE-Policy.csv")).repeat(args.draws))
    stochastic = SMPOptions(transitions="stochastic")
    t_batch, t_numpy, _ = _timed(lambda: simulate(batch, stochastic, 100,
                                                  np.random.default_rng(0)), 1)
    t_one, _, _ = _timed(lambda: simulate(inp, stochastic, 100, np.random.default_rng(0)), 1)
    print(f"SOE-Policy stochastic, {args.draws} draws in one batch: {t_batch:.2f} s "
          f"({t_batch / args.draws * 1e3:.1f} ms/draw; numpy {t_numpy:.2f} s; one draw alone "
          f"{t_one * 1e3:.1f} ms)")
    _deu(args.deu_draws)


if __name__ == "__main__":
    main()
