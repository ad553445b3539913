"""Speed of the exchange model: time per run and per round, with baselines from the same run.

Inputs: CoP21 (../shared/anchors/exchange/history/CoP21_2016.csv, 15 actors x 13 issues) and a
seeded synthetic 30 actors x 20 issues, 10 rounds each. Baselines measured here:

- ``full-recompute``: the same kernel but recomputing every remaining candidate after each
  exchange (what a straightforward vectorised port does), on round 1;
- ``naive python``: a plain-Python round (scalar loops over candidates, everything recomputed
  after each exchange, like the existing implementations), on CoP21 round 1 only;
- ``numpy``: the whole model with the compiled path switched off (``kernels.exchange.COMPILED
  = False``): what runs where numba is not installed, and the figure that shows numpy alone
  does not reach the targets (its per-exchange cost is ~1 us numpy calls on small arrays).

Draws of a batch run one after another (the greedy sequence of a draw is sequential); the
batch figure shows the cost per draw. Run: ``.venv/bin/python benchmarks/bench_exchange.py``.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np

from detente.models.exchange import MODEL, ExchangeOptions
from detente.models.kernels import exchange as kernel
from detente.models.kernels.exchange import ExchangeRound
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.io import load_scenario
from detente.scenario.model import Actor, Issue, Scenario

ROOT = Path(__file__).resolve().parents[1]
COP21 = ROOT.parent / "shared" / "anchors" / "exchange" / "history" / "CoP21_2016.csv"
ROUNDS = 10


class FullRecompute(ExchangeRound):
    """Baseline: after each exchange recompute every remaining candidate."""

    def execute(self, n: int):  # type: ignore[override]
        ex = super().execute(n)
        self._compute(np.flatnonzero(self.alive))
        return ex


def synthetic(n_actors: int, n_issues: int, seed: int) -> Scenario:
    rng = np.random.default_rng(seed)
    issues = [Issue(id=f"i{d}") for d in range(n_issues)]
    actors = [Actor(id=f"a{k}", capability=float(rng.uniform(0.05, 1)),
                    position={f"i{d}": float(rng.integers(0, 101)) for d in range(n_issues)},
                    salience={f"i{d}": float(rng.uniform(0.1, 1)) for d in range(n_issues)})
              for k in range(n_actors)]
    return Scenario(salience_scale=1, issues=issues, actors=actors)


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run_rounds(arrays: ScenarioArrays, round_cls: type[ExchangeRound]) -> int:
    """10 rounds with ``round_cls``; returns the number of exchanges executed."""
    import detente.models.exchange as mod

    saved = mod.ExchangeRound
    mod.ExchangeRound = round_cls
    try:
        out = MODEL.run(arrays, ExchangeOptions(tie_break="first"), ROUNDS,
                        np.random.default_rng(0))
    finally:
        mod.ExchangeRound = saved
    return sum(len(r["exchanges"]) for r in out.model_extras["rounds"])


def naive_round(x: np.ndarray, s: np.ndarray, c: np.ndarray) -> int:
    """Plain-Python equal-gain round (reference-style bookkeeping, full recompute)."""
    A, n = x.shape
    present = ~np.isnan(x)
    W = [sum(c[a, d] * s[a, d] for a in range(A) if present[a, d]) for d in range(n)]
    O = [sum(c[a, d] * s[a, d] * x[a, d] for a in range(A) if present[a, d]) / W[d]
         for d in range(n)]
    cands = []
    for p, q in itertools.combinations(range(n), 2):
        for a, b in itertools.combinations(range(A), 2):
            if not (present[a, p] and present[a, q] and present[b, p] and present[b, q]):
                continue
            if (x[a, p] <= O[p]) != (x[b, p] <= O[p]) and (x[a, q] <= O[q]) != (
                    x[b, q] <= O[q]):
                I, J = (a, b) if s[a, p] * s[b, q] > s[b, p] * s[a, q] else (b, a)
                cands.append((I, J, p, q))
    y = x.copy()
    toward = np.zeros_like(x)
    direction = np.zeros_like(x)
    done = 0
    alive = set(range(len(cands)))
    while True:
        best = None
        for k in alive:
            I, J, p, q = cands[k]
            aJ, aI = c[J, p] * s[J, p] / W[p], c[I, q] * s[I, q] / W[q]
            den = s[I, q] + s[J, q]
            r, g = (s[I, p] + s[J, p]) / den, (s[I, p] * s[J, q] - s[I, q] * s[J, p]) / den
            sp, sq = np.sign(x[I, p] - x[J, p]), np.sign(x[J, q] - x[I, q])
            dp = min(aJ * sp * (x[I, p] - y[J, p]), sp * (x[I, p] - O[p] - toward[I, p]),
                     aI * sq * (x[J, q] - y[I, q]) / r, sq * (x[J, q] - O[q] - toward[J, q]) / r)
            ok = (direction[J, p] * sp >= 0 and direction[I, q] * sq >= 0 and g * dp >= 1e-10
                  and dp > 1e-10 * aJ)
            if ok and (best is None or g * dp > best[0]):
                best = (g * dp, k, dp, r * dp, aJ, aI, sp, sq)
        if best is None:
            return done
        _, k, dp, dq, aJ, aI, sp, sq = best
        I, J, p, q = cands[k]
        y[J, p] += sp * dp / aJ
        y[I, q] += sq * dq / aI
        direction[J, p], direction[I, q] = sp, sq
        toward[I, p] += sp * dp
        toward[J, q] += sq * dq
        alive.discard(k)
        done += 1


def round_one(x: np.ndarray, s: np.ndarray, c: np.ndarray, cls: type[ExchangeRound]) -> int:
    return _play(cls(x, s, c))


def numpy_only(fn):
    """``fn`` run with the compiled path switched off."""
    def run():
        kernel.COMPILED = False
        try:
            return fn()
        finally:
            kernel.COMPILED = True
    return run


def report(name: str, arrays: ScenarioArrays, naive: bool = False) -> None:
    x = np.where(arrays.involved, arrays.position[0], np.nan)
    s, c = arrays.salience[0], arrays.capability[0]
    cands = ExchangeRound(x, s, c).n_candidates
    n_ex = run_rounds(arrays, ExchangeRound)  # also compiles (or loads numba's cache)
    fast = best_of(lambda: run_rounds(arrays, ExchangeRound))
    slow = best_of(numpy_only(lambda: run_rounds(arrays, ExchangeRound)), repeat=1)
    print(f"{name}: {arrays.n_actors} actors x {arrays.n_issues} issues, {cands} candidates "
          f"in round 1, {n_ex} exchanges in {ROUNDS} rounds")
    print(f"  {ROUNDS} rounds, compiled : {fast:8.4f} s per run, "
          f"{1000 * fast / ROUNDS:7.2f} ms per round")
    print(f"  {ROUNDS} rounds, numpy    : {slow:8.4f} s per run (x{slow / fast:.1f} the compiled)")
    n1 = round_one(x, s, c, ExchangeRound)
    t1 = best_of(lambda: round_one(x, s, c, ExchangeRound))
    t1n = best_of(numpy_only(lambda: round_one(x, s, c, ExchangeRound)))
    tf = best_of(numpy_only(lambda: round_one(x, s, c, FullRecompute)), repeat=1)
    print(f"  round 1 ({n1:4d} exchanges): compiled {t1:8.4f} s; numpy {t1n:.4f} s "
          f"(x{t1n / t1:.1f}); numpy full-recompute baseline {tf:.4f} s (x{tf / t1:.1f})")
    if naive:
        t = time.perf_counter()
        nn = naive_round(x, s, c)
        tn = time.perf_counter() - t
        print(f"  round 1 naive python baseline: {tn:.3f} s ({nn} exchanges; x{tn / t1:.0f})")
    batch = arrays.repeat(4)
    tb = best_of(lambda: run_rounds(batch, ExchangeRound), repeat=1)
    print(f"  batch of 4, {ROUNDS} rounds, compiled: {tb:8.4f} s, {tb / 4:.4f} s per draw "
          f"(draws run one after another)")


def main() -> None:
    print("exchange model benchmark (2-core shared machine: timings are pessimistic)")
    if COP21.exists():
        report("CoP21", to_arrays(load_scenario(COP21)), naive=True)
    else:
        print(f"CoP21: skipped, anchor file not found at {COP21}")
    report("synthetic", to_arrays(synthetic(30, 20, seed=1)))


def _play(rnd: ExchangeRound) -> int:
    if type(rnd) is ExchangeRound:
        rnd.play(lambda tied: int(tied[0]))
    else:  # the full-recompute baseline runs its own execute
        while (tied := rnd.best()).size:
            rnd.execute(int(tied[0]))
    return rnd.n_executed


if __name__ == "__main__":
    main()
