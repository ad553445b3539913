"""The compiled SMP kernels (kernels/smp_compiled.py: best challenges, coalition strengths)
give numpy's results bit for bit."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.models import get_model, smp
from detente.models.kernels import smp as k
from detente.models.kernels import smp_compiled
from detente.models.smp import SMPOptions, _assess, _best_challenges

pytest.importorskip("numba")

SMP = get_model("smp")


def _both(pos: np.ndarray, sal: np.ndarray, cap: np.ndarray, o: SMPOptions,
          monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[np.ndarray, ...], ...]:
    st_ = _assess(pos, pos, sal, cap, o)
    total = sal.sum(-1)
    omega = cap * total
    out = []
    for compiled in (False, True):
        monkeypatch.setattr(smp_compiled, "COMPILED", compiled)
        out.append(_best_challenges(st_, omega, total, o))
    return out[0], out[1]


@pytest.mark.parametrize(("rule", "commit"),
                         list(itertools.product(k.VOTING_RULES, k.THIRD_PARTY_COMMITS)))
def test_every_rule_and_commitment_gives_numpy_bits(rule: str, commit: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    o = SMPOptions(voting_rule=rule, third_party_commit=commit, big_r_adjust="half")
    for B, N, D in [(3, 7, 1), (2, 12, 2), (1, 2, 1), (4, 20, 1), (1, 9, 3)]:
        pos, sal, cap = rng.random((B, N, D)), rng.random((B, N, D)), rng.random((B, N))
        pos[:, -1] = pos[:, 0]  # actors at one position tie as targets: the first one wins
        cap[:, -1] = cap[:, 0]
        numpy_out, compiled_out = _both(pos, sal, cap, o, monkeypatch)
        for a, b in zip(numpy_out, compiled_out, strict=True):
            assert np.array_equal(a, b), (rule, commit, B, N, D)


@pytest.mark.parametrize("rule", k.VOTING_RULES)
def test_coalition_strengths_give_numpy_bits(rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    for B, V, K in [(1, 1, 2), (3, 5, 2), (2, 13, 9), (40, 30, 31), (1, 140, 3)]:
        util = rng.random((B, V, K))
        util[:, :, -1] = util[:, :, 0]  # options every voter likes equally
        w = rng.random((B, V)) * 10 ** rng.uniform(-3, 3, (B, V))
        got = []
        for compiled in (False, True):
            monkeypatch.setattr(smp_compiled, "COMPILED", compiled)
            got.append(k.coalition_strength(util, w, rule))
        assert np.array_equal(got[0], got[1]), (rule, B, V, K)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 17), d=st.integers(1, 3), seed=st.integers(0, 2**32 - 1),
       rounded=st.booleans())
def test_random_cases_give_numpy_bits(n: int, d: int, seed: int, rounded: bool) -> None:
    rng = np.random.default_rng(seed)
    pos, sal, cap = rng.random((2, n, d)), rng.random((2, n, d)), rng.random((2, n)) * 100
    if rounded:  # coded data: positions and saliences on a coarse grid, many exact ties
        pos, sal = np.round(pos * 4) / 4, np.round(sal * 4) / 4 + 0.25
    with pytest.MonkeyPatch.context() as mp:
        numpy_out, compiled_out = _both(pos, sal, cap, SMPOptions(), mp)
    for a, b in zip(numpy_out, compiled_out, strict=True):
        assert np.array_equal(a, b)


def test_deu_cases_that_a_last_bit_changed_forecast_the_same(anchors: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """On these DEU rows a difference in the last bit of one gain (summing the third parties'
    votes in order instead of numpy's pairwise order) moved the forecast by up to 45 points."""
    from detente.evaluation.backtest import load_dataset
    from detente.scenario.arrays import to_arrays

    sc, _ = load_dataset(anchors / "bdm" / "deu3_public__blksv.tsv")
    arrays = to_arrays(sc)
    for issue in ("d97359i3", "n98110i2", "n99236i1", "d04167i3", "d05245i2"):
        one = arrays.issue_alone(issue)
        runs = []
        for compiled in (False, True):
            monkeypatch.setattr(smp_compiled, "COMPILED", compiled)
            out = SMP.run(one, SMP.options(), SMP.default_rounds, np.random.default_rng(0))
            runs.append((out.forecast, out.trajectory, out.model_extras["smp"]["stopped_at"]))
        assert np.array_equal(runs[0][0], runs[1][0]), issue
        assert np.array_equal(runs[0][1], runs[1][1], equal_nan=True), issue
        assert runs[0][2] == runs[1][2], issue


def test_more_actors_than_the_compiled_sums_take_run_on_numpy(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """Above MAX_ACTORS numpy's pairwise sums recurse; those cases use the numpy arithmetic."""
    calls: list[int] = []
    monkeypatch.setattr(smp, "best_challenges", lambda *a: calls.append(1))
    monkeypatch.setattr(smp_compiled, "MAX_ACTORS", 5)
    rng = np.random.default_rng(3)
    o = SMPOptions()
    pos, sal, cap = rng.random((1, 6, 1)), rng.random((1, 6, 1)), rng.random((1, 6))
    st_ = _assess(pos, pos, sal, cap, o)
    target, active, p = _best_challenges(st_, cap * sal.sum(-1), sal.sum(-1), o)
    assert calls == [] and target.shape == active.shape == p.shape == (1, 6)


def test_draws_that_stop_at_different_turns_run_as_they_would_alone() -> None:
    """Each turn computes only the draws still running; a batch whose draws stop at different
    turns gives each draw's own run, bit for bit (a stopped draw holds its last state)."""
    from detente.models.smp import SMPInputs, simulate

    rng = np.random.default_rng(8)
    B, N = 6, 9
    pos, sal = rng.random((B, N, 1)), rng.random((B, N, 1))
    cap = rng.random((B, N)) * 100
    batch = simulate(SMPInputs(pos, sal, cap, (), np.arange(N)), SMPOptions(), 100,
                     np.random.default_rng(0))
    assert len(set(batch["turns"].tolist())) > 1  # the draws stop at different turns
    for b in range(B):
        alone = simulate(SMPInputs(pos[b:b + 1], sal[b:b + 1], cap[b:b + 1], (), np.arange(N)),
                         SMPOptions(), 100, np.random.default_rng(0))
        T = int(alone["turns"][0])
        assert batch["turns"][b] == T
        assert np.array_equal(batch["position"][b, :T + 1], alone["position"][0])
        assert np.array_equal(batch["win_prob"][b, :T + 1], alone["win_prob"][0])
        # after its last turn a stopped draw holds its positions
        assert (batch["position"][b, T:] == alone["position"][0, -1]).all()
        assert batch["forecast_actor"][b] == alone["forecast_actor"][0]
