"""Scenario -> arrays: scale mapping, capability codings, involvement."""

from __future__ import annotations

import numpy as np
import pytest

from detente.errors import OptionError
from detente.scenario.arrays import to_arrays
from detente.scenario.model import Actor, Issue, Outcome, Scale, Scenario


def scenario() -> Scenario:
    return Scenario(
        salience_scale=100,
        issues=[Issue(id="years", scale=Scale(min=4, max=10), status_quo=7, reference_point=4,
                      outcome=Outcome(value=8.5)),
                Issue(id="plain", status_quo=25)],
        actors=[
            Actor(id="a", capability={"years": 2, "plain": 6}, capabilities={"gdp": 10},
                  position={"years": 4, "plain": 80}, salience={"years": 50, "plain": 100}),
            Actor(id="b", capability=3, capabilities={"gdp": {"years": 1, "plain": 7}},
                  position={"years": 10}, salience={"years": 20}),
            Actor(id="c", capability=5, position={"plain": 0}, salience={"plain": 40}),
        ])


def test_positions_map_to_0_100_and_back():
    arr = to_arrays(scenario())
    np.testing.assert_allclose(arr.position[0, :, 0], [0, 100, np.nan])
    assert arr.status_quo[0, 0] == pytest.approx(50.0)
    assert arr.reference_point[0] == 0.0 and arr.outcome[0] == pytest.approx(75.0)
    back = arr.to_issue_scale(np.array([[0.0, 50.0], [100.0, 25.0]]))
    np.testing.assert_allclose(back, [[4.0, 50.0], [10.0, 25.0]])
    # issues on another axis
    np.testing.assert_allclose(arr.to_issue_scale(np.array([[50.0], [50.0]]), axis=0),
                               [[7.0], [50.0]])


def test_saliences_are_0_1_and_missing_positions_are_not_involved():
    arr = to_arrays(scenario())
    np.testing.assert_array_equal(arr.involved, [[True, True], [True, False], [False, True]])
    np.testing.assert_allclose(arr.salience[0], [[0.5, 1.0], [0.2, 0.0], [0.0, 0.4]])
    assert np.isnan(arr.position[0, 1, 1]) and np.isnan(arr.position[0, 2, 0])
    assert np.isnan(arr.reference_point[1]) and np.isnan(arr.outcome[1])


def test_capability_codings():
    sc = scenario()
    np.testing.assert_allclose(to_arrays(sc).capability[0], [[2, 6], [3, 3], [5, 5]])
    np.testing.assert_allclose(to_arrays(sc, "equal").capability[0], np.ones((3, 2)))
    # a named coding, per issue where given, falling back to the default capability
    np.testing.assert_allclose(to_arrays(sc, "gdp").capability[0], [[10, 10], [1, 7], [5, 5]])
    with pytest.raises(OptionError, match="gdp"):
        to_arrays(sc, "population")


def test_batch_helpers_keep_draws_apart():
    arr = to_arrays(scenario())
    many = arr.repeat(4)
    assert many.n_draws == 4 and many.position.shape == (4, 3, 2)
    np.testing.assert_array_equal(many.draw(2).position, arr.position)
    sub = arr.subset_actors(["c", "a"])
    assert sub.actor_ids == ("c", "a")
    np.testing.assert_array_equal(sub.involved, [[False, True], [True, True]])
    one = arr.subset_issues(["plain"])
    assert one.issue_ids == ("plain",) and one.scale_max[0] == 100.0
    np.testing.assert_allclose(one.status_quo, [[25.0]])


def test_unit_capabilities_scale_each_draw_by_its_largest():
    from dataclasses import replace

    arr = to_arrays(scenario()).repeat(3)
    cap = arr.capability.copy()
    cap[1] *= 1e-40
    cap[2] = 0.0  # nobody has capability in this draw: left as it is
    unit = replace(arr, capability=cap).with_unit_capabilities()
    np.testing.assert_allclose(unit.capability[0], arr.capability[0] / 6)
    np.testing.assert_allclose(unit.capability[1], arr.capability[0] / 6)
    assert (unit.capability[2] == 0).all()
    assert unit.with_unit_capabilities() is unit
    np.testing.assert_array_equal(unit.position, arr.position)


def test_concat_issues_matches_actors_by_id_and_keeps_parts_apart():
    from detente.scenario.arrays import concat_issues

    whole = to_arrays(scenario())
    first = whole.subset_actors(["b", "a"]).subset_issues(["years"])
    second = whole.subset_actors(["c", "a"]).subset_issues(["plain"])
    both = concat_issues([first, second], ["1:", "2:"])
    assert both.actor_ids == ("b", "a", "c") and both.issue_ids == ("1:years", "2:plain")
    # every part's values come back where they were; an absent actor is not involved
    for part, prefix in ((first, "1:"), (second, "2:")):
        back = both.subset_issues([prefix + i for i in part.issue_ids]).subset_actors(
            list(part.actor_ids))
        for field in ("position", "salience", "capability", "involved", "status_quo",
                      "reference_point", "outcome", "scale_min", "scale_max"):
            np.testing.assert_array_equal(getattr(back, field), getattr(part, field))
    c = both.actor_ids.index("c")
    assert not both.involved[c, 0] and np.isnan(both.position[0, c, 0])
    assert both.salience[0, c, 0] == 0 and both.capability[0, c, 0] == 0
    # equal issue ids of two parts stay apart; batches must agree
    assert concat_issues([first, first], ["x", "y"]).issue_ids == ("xyears", "yyears")
    with pytest.raises(ValueError, match="different sizes"):
        concat_issues([first, second.repeat(2)], ["1:", "2:"])
