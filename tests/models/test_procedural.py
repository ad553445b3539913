"""The EU setter model: hand-derived cases from the acceptance condition, invariants, fallback."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import OptionError
from detente.models import get_model
from detente.models.procedural import ProceduralOptions, council_limit, setter_outcome
from detente.scenario.arrays import to_arrays
from detente.scenario.formats.deu import read_deu

STATES = ("s1", "s2", "s3", "s4", "s5")
HEADER = "\t".join(f'"{c}"' for c in ["isnr", "pcom", "pep", *[f"p{s}" for s in STATES],
                                        "scom", "sep", *[f"s{s}" for s in STATES], "rp", "out"])


def arrays_for(*rows: list[object]):
    lines = ["\t".join("" if v is None else str(v) for v in row) for row in rows]
    return to_arrays(read_deu("\n".join([HEADER, *lines]) + "\n", "t.tsv"))


def row(issue: str, com, ep, states, rp, sal=50) -> list[object]:
    return [f'"{issue}"', com, ep, *states, sal, sal, *[sal] * len(states), rp, ""]


def forecast(arrays, **opts) -> np.ndarray:
    out = get_model("procedural").run(arrays, ProceduralOptions(**opts), 0,
                                      np.random.default_rng(0))
    return out.forecast[0]


# Reference point 0, Commission at 100, members at 10..50: member i accepts steps up to
# 2 x_i (20, 40, 60, 80, 100), the Parliament at 25 up to 50.
CASE = row("a", 100, 25, [10, 20, 30, 40, 50], 0)


def test_qualified_majority_passes_the_step_the_threshold_member_accepts():
    a = arrays_for(CASE)
    assert forecast(a, qmv_threshold=0.6)[0] == pytest.approx(60.0)  # 3 of 5: the s3 bound
    assert forecast(a, qmv_threshold=0.74)[0] == pytest.approx(40.0)  # 4 of 5: s2
    assert forecast(a, qmv_threshold=0.5)[0] == pytest.approx(60.0)  # 2.5 of 5 needs 3


def test_unanimity_binds_at_the_member_nearest_the_reference_point():
    assert forecast(arrays_for(CASE), voting_rule="unanimity")[0] == pytest.approx(20.0)


def test_parliament_veto_under_codecision():
    a = arrays_for(CASE)
    assert forecast(a, qmv_threshold=0.6, parliament_veto=True)[0] == pytest.approx(50.0)
    assert forecast(a, qmv_threshold=0.6)[0] == pytest.approx(60.0)  # no veto: EP ignored


def test_setter_gets_its_ideal_when_it_passes_and_direction_down():
    a = arrays_for(row("a", 30, None, [10, 20, 30, 40, 50], 0),
                   row("b", 0, None, [90, 80, 70, 60, 50], 100))
    fc = forecast(a, qmv_threshold=0.6)
    assert fc[0] == pytest.approx(30.0)  # s3..s5 accept a step of 30
    assert fc[1] == pytest.approx(40.0)  # bounds 20,40,60,80,100 from 100 downwards: 3rd is 60


def test_vote_weights_from_capability():
    bounds = np.array([20.0, 40, 60, 80, 100])[None, :, None]
    votes = np.array([10.0, 1, 1, 1, 1])[None, :, None]
    assert council_limit(bounds, votes, 0.74)[0, 0] == pytest.approx(20.0)  # big member binds
    assert council_limit(bounds, np.ones_like(votes), 0.74)[0, 0] == pytest.approx(40.0)


def test_no_reference_point_or_silent_setter_falls_back_to_compromise():
    a = arrays_for(row("a", 100, 25, [10, 20, 30, 40, 50], None),
                   row("b", None, 25, [10, 20, 30, 40, 50], 0))
    out = get_model("procedural").run(a, ProceduralOptions(), 0, np.random.default_rng(0))
    ref = get_model("compromise").run(a, None, 0, np.random.default_rng(0))
    assert out.forecast[0] == pytest.approx(ref.forecast[0])
    assert out.extras == {
        "a": {"fallback": "compromise", "fallback_reason": "no reference point"},
        "b": {"fallback": "compromise",
              "fallback_reason": "the agenda setter 'com' states no position"}}
    nobody = get_model("procedural").run(a, ProceduralOptions(setter="x"), 0,
                                         np.random.default_rng(0))
    assert {e["fallback_reason"] for e in nobody.extras.values()} == {
        "no agenda setter 'x' among the actors"}


def test_an_issue_nobody_weighs_gets_no_forecast_from_the_fallback_as_from_compromise():
    """The fallback used to weigh such an issue equally and give a figure where the
    compromise model gives none; a setter game does not weigh and still gives one."""
    a = arrays_for(row("a", 100, 25, [10, 20, 30, 40, 50], None, sal=0),
                   row("b", 100, 25, [10, 20, 30, 40, 50], 0, sal=0),
                   row("c", 100, 25, [10, 20, 30, 40, 50], None))
    fc = forecast(a, qmv_threshold=0.6)
    ref = get_model("compromise").run(a, None, 0, np.random.default_rng(0)).forecast[0]
    assert np.isnan(fc[0]) and np.isnan(ref[0])
    assert fc[1] == pytest.approx(60.0)  # the game, as in CASE
    assert fc[2] == pytest.approx(ref[2]) and not np.isnan(fc[2])


def test_bad_options_are_refused():
    with pytest.raises(OptionError, match="voting_rule"):
        ProceduralOptions(voting_rule="majority")  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="qmv_threshold"):
        ProceduralOptions(qmv_threshold=1.5)


positions = st.lists(st.integers(0, 100), min_size=5, max_size=5)


@settings(max_examples=60, deadline=None)
@given(com=st.integers(0, 100), ep=st.integers(0, 100), states=positions,
       rp=st.integers(0, 100), q=st.floats(0.3, 1.0))
def test_outcome_between_reference_point_and_setter_and_unanimity_is_tighter(com, ep, states,
                                                                            rp, q):
    a = arrays_for(row("a", com, ep, states, rp))
    x, game = setter_outcome(a, ProceduralOptions(qmv_threshold=q, parliament_veto=True))
    u, _ = setter_outcome(a, ProceduralOptions(voting_rule="unanimity",
                                               parliament_veto=True))
    assert game[0]
    lo, hi = min(com, rp), max(com, rp)
    assert lo - 1e-9 <= x[0, 0] <= hi + 1e-9
    assert abs(u[0, 0] - rp) <= abs(x[0, 0] - rp) + 1e-9
    # every member that must agree under unanimity prefers the outcome to the reference point
    assert all(abs(u[0, 0] - s) <= abs(rp - s) + 1e-9 for s in states)


@settings(max_examples=30, deadline=None)
@given(states=positions, rp=st.integers(0, 100), com=st.integers(0, 100),
       perm=st.permutations(range(5)))
def test_order_of_members_does_not_matter(states, rp, com, perm):
    a = arrays_for(row("a", com, 50, states, rp))
    b = arrays_for(row("a", com, 50, [states[i] for i in perm], rp))
    assert forecast(a)[0] == pytest.approx(forecast(b)[0])


def test_batch_of_draws_equals_single_runs():
    a = arrays_for(CASE, row("b", 0, None, [90, 80, 70, 60, 50], 100))
    pos = a.repeat(3).position.copy()
    pos[1] = np.where(a.involved, 100 - a.position[0], np.nan)  # a different draw
    batch = replace(a.repeat(3), position=pos)
    fc, _ = setter_outcome(batch, ProceduralOptions())
    for b in range(3):
        single, _ = setter_outcome(batch.draw(b), ProceduralOptions())
        assert fc[b] == pytest.approx(single[0])
    assert fc[0] == pytest.approx(fc[2])
    assert not np.allclose(fc[0], fc[1])
