"""Kernels of the challenge model: invariants (hypothesis) and hand-computed small cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from detente.models.base import IssueInputs
from detente.models.challenge import PRESETS, run_issue
from detente.models.kernels import offers
from detente.models.kernels.expected_utility import (
    expected_utilities,
    linear_condorcet_median,
    linear_security,
    pair_geometry,
    risk_exponents,
    risk_from_security,
    voter_disutility,
    win_probability,
)

N = st.integers(min_value=2, max_value=7)


@st.composite
def issue(draw: st.DrawFn, batch: int = 2) -> tuple[np.ndarray, ...]:
    n = draw(N)
    pos = st.floats(0, 100, allow_nan=False)
    unit = st.floats(0.01, 1.0, allow_nan=False)
    x = draw(arrays(float, (batch, n), elements=pos))
    c = draw(arrays(float, (batch, n), elements=unit))
    s = draw(arrays(float, (batch, n), elements=unit))
    r = draw(arrays(float, (batch, n), elements=st.floats(0.5, 2.0)))
    return x, c, s, r


def _range(x: np.ndarray) -> np.ndarray:
    R = np.ptp(x, axis=1)
    return np.where(R > 0, R, 1.0)


@settings(max_examples=60, deadline=None)
@given(issue())
def test_probabilities_in_unit_interval_and_complementary_in_contest(case) -> None:
    x, c, s, r = case
    u = voter_disutility(x, c, s, r, _range(x))
    contest = win_probability(u, "contest")
    every = win_probability(u, "all-pairs")
    for P in (contest, every):
        assert np.all((P >= 0) & (P <= 1))
    np.testing.assert_allclose(contest + np.swapaxes(contest, 1, 2), 1.0, atol=1e-12)
    assert np.all(every + np.swapaxes(every, 1, 2) <= 1.0 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(issue(), st.floats(0, 1), st.floats(0, 1))
def test_risk_exponents_within_half_and_two(case, Q: float, T: float) -> None:
    x, c, s, _ = case
    ones = np.ones_like(x)
    R = _range(x)
    P = win_probability(voter_disutility(x, c, s, ones, R), "all-pairs")
    eu, _ = expected_utilities(x, s, ones, P, R, Q, T, linear_condorcet_median(x, c * s))
    r = risk_exponents(eu)
    assert np.all((r >= 0.5 - 1e-12) & (r <= 2.0 + 1e-12))
    assert np.all(np.isfinite(eu))


@settings(max_examples=40, deadline=None)
@given(issue(batch=1))
def test_linear_condorcet_median_minimises_weighted_distance(case) -> None:
    x, c, s, _ = case
    w = c * s
    med = linear_condorcet_median(x, w)[0]
    assert med in x[0]
    cost = lambda a: float((w[0] * np.abs(x[0] - a)).sum())  # noqa: E731
    assert all(cost(med) <= cost(a) + 1e-9 for a in x[0])


def _inputs(x, c, s) -> IssueInputs:
    B, n = x.shape
    return IssueInputs("i", tuple(f"a{k}" for k in range(n)), x, s, c, np.full(B, np.nan),
                       float("nan"))


@settings(max_examples=25, deadline=None)
@given(issue(batch=1), st.integers(2, 5), st.sampled_from(list(PRESETS)))
def test_identical_draws_give_identical_rows(case, copies: int, preset: str) -> None:
    x, c, s, _ = case
    rep = lambda a: np.repeat(a, copies, axis=0)  # noqa: E731
    out = run_issue(_inputs(rep(x), rep(c), rep(s)), PRESETS[preset], 4)
    assert np.all(out.trajectory == out.trajectory[:1])
    assert np.all(out.median == out.median[:1])


@settings(max_examples=25, deadline=None)
@given(issue(batch=3), st.sampled_from(list(PRESETS)))
def test_batch_rows_equal_single_runs(case, preset: str) -> None:
    x, c, s, _ = case
    batch = run_issue(_inputs(x, c, s), PRESETS[preset], 4)
    for b in range(3):
        one = run_issue(_inputs(x[b:b + 1], c[b:b + 1], s[b:b + 1]), PRESETS[preset], 4)
        np.testing.assert_allclose(batch.trajectory[b], one.trajectory[0], atol=1e-12)
        np.testing.assert_allclose(batch.median[b], one.median[0], atol=1e-12)
        lo, hi = x[b].min(), x[b].max()
        assert np.all((one.trajectory >= lo - 1e-9) & (one.trajectory <= hi + 1e-9))


# --- hand-computed cases for the readings that separate the presets -------------------------

THREE = (np.array([[0.0, 50.0, 100.0]]), np.ones((1, 3)), np.ones((1, 3)))


def test_contest_probability_by_hand() -> None:
    """Voters at 0, 50, 100, linear votes. 0 vs 100: +1 (voter 0), 0, -1 -> P = 1/2.
    0 vs 50: +.5, -.5, -.5 -> P = .5 / 1.5 = 1/3."""
    x, c, s = THREE
    P = win_probability(voter_disutility(x, c, s, np.ones_like(x), np.array([100.0])),
                        "contest")
    assert P[0, 0, 2] == pytest.approx(0.5)
    assert P[0, 0, 1] == pytest.approx(1 / 3)
    assert P[0, 1, 0] == pytest.approx(2 / 3)


def test_all_pairs_probability_by_hand() -> None:
    """Same voters; the denominator sums |votes| over every voter and ordered pair:
    voter 0: 2 (.5 + 1 + .5) x 2 = 4, voter 1: 2, voter 2: 4 -> 10. P(0 beats 50) = .5/10."""
    x, c, s = THREE
    P = win_probability(voter_disutility(x, c, s, np.ones_like(x), np.array([100.0])),
                        "all-pairs")
    assert P[0, 0, 1] == pytest.approx(0.05)
    assert P[0, 0, 2] == pytest.approx(0.1)


def test_votes_with_risk_exponent_by_hand() -> None:
    """Voter at 0 with r = 2 weighs distance 50 as (.5)^2 = .25 and 100 as 1."""
    x, c, s = THREE
    r = np.array([[2.0, 1.0, 1.0]])
    u = voter_disutility(x, c, s, r, np.array([100.0]))
    np.testing.assert_allclose(u[0, 0], [0.0, 0.25, 1.0])


def test_better_worse_term_by_hand() -> None:
    """x = (0, 100), c = 1, s = (1, .5), r = 1, contest P_01 = 1 / 1.5 = 2/3.
    U_s = 2, U_f = -2, U_sq = 0. Without the term: .5 (2/3 2 - 1/3 2) + .5 2 = 4/3.
    Median 0, so U_b = 2 - 4 (.5 - .25 (0 + 1)) = 1; Q = .5, T = 1 subtracts .5 -> 5/6."""
    x = np.array([[0.0, 100.0]])
    c, s, r = np.ones((1, 2)), np.array([[1.0, 0.5]]), np.ones((1, 2))
    R = np.array([100.0])
    P = win_probability(voter_disutility(x, c, s, r, R), "contest")
    assert P[0, 0, 1] == pytest.approx(2 / 3)
    without, _ = expected_utilities(x, s, r, P, R, 0.5, 1.0, None)
    with_term, _ = expected_utilities(x, s, r, P, R, 0.5, 1.0, np.array([0.0]))
    assert without[0, 0, 1] == pytest.approx(4 / 3)
    assert with_term[0, 0, 1] == pytest.approx(5 / 6)
    # with Q = 1 the term vanishes whatever T
    a, _ = expected_utilities(x, s, r, P, R, 1.0, 0.3, np.array([0.0]))
    b, _ = expected_utilities(x, s, r, P, R, 1.0, 0.3, None)
    np.testing.assert_allclose(a, b)


def _pair_eus(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    eu_self = np.zeros((1, 2, 2))
    eu_other = np.zeros((1, 2, 2))
    eu_self[0, 0, 1], eu_other[0, 0, 1] = a, b
    return eu_self, eu_other


def test_offer_typology_by_hand() -> None:
    x = np.array([[0.0, 10.0]])
    kind, new = offers.classify(x, *_pair_eus(-0.1, 0.4), capitulation=True)
    assert kind[0, 0, 1] == offers.COMPROMISE and new[0, 0, 1] == pytest.approx(2.5)
    kind, new = offers.classify(x, *_pair_eus(0.2, 0.5), capitulation=False)
    assert kind[0, 0, 1] == offers.CONFRONTATION and new[0, 0, 1] == 10.0
    kind, new = offers.classify(x, *_pair_eus(-0.5, 0.2), capitulation=True)
    assert kind[0, 0, 1] == offers.CAPITULATION and new[0, 0, 1] == 10.0
    kind, _ = offers.classify(x, *_pair_eus(-0.5, 0.2), capitulation=False)
    assert kind[0, 0, 1] == offers.NONE
    for a, b in ((0.5, 0.2), (0.3, -0.1), (-0.3, -0.1)):  # i wins, IV, III: nothing to take
        kind, _ = offers.classify(x, *_pair_eus(a, b), capitulation=True)
        assert kind[0, 0, 1] == offers.NONE


def test_offer_choice_rules_by_hand() -> None:
    """Actor 0 at 0: a lost confrontation to 10 and a compromise 5% of the way to 100 (-> 5).
    scholz-code takes the confrontation; least-movement the smaller move."""
    x = np.array([[0.0, 10.0, 100.0]])
    eu_self = np.zeros((1, 3, 3))
    eu_other = np.zeros((1, 3, 3))
    eu_self[0, 0, 1], eu_other[0, 0, 1] = 0.2, 0.5
    eu_self[0, 0, 2], eu_other[0, 0, 2] = -0.05, 1.0
    kind, new = offers.classify(x, eu_self, eu_other, capitulation=False)
    assert new[0, 0, 2] == pytest.approx(5.0)
    code = offers.choose(x, kind, new, eu_self, eu_other, "scholz-code")
    least = offers.choose(x, kind, new, eu_self, eu_other, "least-movement")
    assert code[0, 0] == 1 and least[0, 0] == 2
    assert code[0, 1] == -1 and least[0, 2] == -1


def test_chunked_batches_equal_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.models.challenge as challenge

    rng = np.random.default_rng(3)
    x, c, s = rng.uniform(0, 100, (5, 6)), rng.uniform(.1, 1, (5, 6)), rng.uniform(.1, 1, (5, 6))
    whole = run_issue(_inputs(x, c, s), PRESETS["scholz-code"], 5)
    monkeypatch.setattr(challenge, "CHUNK", 2)
    parts = challenge.run_issue(_inputs(x, c, s), PRESETS["scholz-code"], 5)
    np.testing.assert_array_equal(whole.trajectory, parts.trajectory)
    np.testing.assert_array_equal(whole.median, parts.median)
    assert [e.actor for e in whole.log] == [e.actor for e in parts.log]


# --- the fast paths against the plain ones ----------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(issue(batch=3), st.sampled_from(["contest", "all-pairs"]), st.booleans())
def test_running_sum_probabilities_equal_the_vote_tensor(case, denominator: str,
                                                         coarse: bool) -> None:
    """The O(n^2) path through voters in position order gives the n^3 tensor's P."""
    x, c, s, r = case
    # positions 1e-8 apart (on 0-100) leave cancellation error of ~1e-9 in the running sums;
    # data carry at most a few decimals
    x = np.round(x, -1) if coarse else np.round(x, 6)  # coarse: many ties, exact midpoints
    R = _range(x)
    geo = pair_geometry(x, R)
    u = voter_disutility(x, c, s, r, R)
    np.testing.assert_allclose(voter_disutility(x, c, s, r, R, geo), u, rtol=1e-12, atol=1e-15)
    want = win_probability(u, denominator)
    got = win_probability(u, denominator, geo)
    np.testing.assert_allclose(got, want, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(issue(batch=2), st.floats(0, 1))
def test_linear_security_gives_the_risk_exponents_of_the_matrix(case, Q: float) -> None:
    x, c, s, _ = case
    ones = np.ones_like(x)
    R = _range(x)
    P = win_probability(voter_disutility(x, c, s, ones, R), "all-pairs")
    eu, _ = expected_utilities(x, s, ones, P, R, Q, 1.0, None)
    d = pair_geometry(x, R).d
    np.testing.assert_allclose(risk_from_security(linear_security(d, s, P)), risk_exponents(eu),
                               atol=1e-9)


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 6), st.booleans(), st.data())
def test_respond_equals_classify_then_choose(n: int, capitulation: bool, data) -> None:
    eu = st.floats(-2, 2, allow_nan=False)
    x = data.draw(arrays(float, (2, n), elements=st.sampled_from([0.0, 10.0, 25.0, 60.0])))
    a = data.draw(arrays(float, (2, n, n), elements=eu))
    b = data.draw(arrays(float, (2, n, n), elements=eu))
    for rule in ("scholz-code", "least-movement"):
        kind, new = offers.classify(x, a, b, capitulation)
        pick = offers.choose(x, kind, new, a, b, rule)
        got_pick, got_kind, got_new = offers.respond(x, a, b, capitulation, rule)
        np.testing.assert_array_equal(got_pick, pick)
        idx = np.maximum(pick, 0)[:, :, None]
        taken = pick >= 0
        want_kind = np.where(taken, np.take_along_axis(kind, idx, 2)[:, :, 0], offers.NONE)
        want_new = np.where(taken, np.take_along_axis(new, idx, 2)[:, :, 0], x)
        np.testing.assert_array_equal(got_kind, want_kind)
        np.testing.assert_array_equal(got_new, want_new)


@pytest.mark.parametrize("options", [
    {}, {"probability": "contest"}, {"position_range": "current"}, {"vote_risk": False},
    {"capitulation": True, "Q": 0.5}])
def test_compiled_rounds_equal_the_numpy_rounds(monkeypatch: pytest.MonkeyPatch,
                                                options: dict) -> None:
    """Continuous positions (no ties to break): the two paths agree to rounding."""
    import dataclasses

    import detente.models.challenge as challenge

    if challenge.compiled_kernel() is None:
        pytest.skip("numba is not installed: only the numpy path exists")
    rng = np.random.default_rng(11)
    x, c, s = (rng.uniform(lo, hi, (40, 8)) for lo, hi in ((0, 100), (.1, 1), (.1, 1)))
    opts = dataclasses.replace(PRESETS["scholz-code"], **options)
    compiled = run_issue(_inputs(x, c, s), opts, 6)
    monkeypatch.setattr(challenge, "COMPILED", False)
    plain = run_issue(_inputs(x, c, s), opts, 6)
    np.testing.assert_allclose(compiled.trajectory, plain.trajectory, atol=1e-9)
    np.testing.assert_allclose(compiled.median, plain.median, atol=1e-9)
    np.testing.assert_allclose(compiled.mean, plain.mean, atol=1e-9)
    for got, want in zip(compiled.extras["risk_exponents"], plain.extras["risk_exponents"],
                         strict=True):
        assert got == pytest.approx(want, abs=1e-9)
    assert [(e.round, e.actor, e.action, e.target) for e in compiled.log] == \
        [(e.round, e.actor, e.action, e.target) for e in plain.log]


def test_compiled_result_does_not_depend_on_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.models.challenge as challenge

    rng = np.random.default_rng(5)
    x, c, s = (rng.uniform(lo, hi, (300, 7)) for lo, hi in ((0, 100), (.1, 1), (.1, 1)))
    monkeypatch.setattr(challenge, "THREADS", 1)
    one = run_issue(_inputs(x, c, s), PRESETS["scholz-code"], 5)
    monkeypatch.setattr(challenge, "THREADS", 3)
    three = run_issue(_inputs(x, c, s), PRESETS["scholz-code"], 5)
    np.testing.assert_array_equal(one.trajectory, three.trajectory)
    np.testing.assert_array_equal(one.median, three.median)
    assert [e.actor for e in one.log] == [e.actor for e in three.log]
