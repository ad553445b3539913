"""The Condorcet winner: the Black median on one issue, cycles and the Copeland fallback in two."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.api import forecast, run_model
from detente.errors import OptionError, ScenarioError
from detente.models import get_model
from detente.models.condorcet import platform_distances
from detente.models.kernels.weights import condorcet_winner, weighted_median
from detente.scenario.arrays import to_arrays
from detente.scenario.io import load_scenario
from detente.scenario.model import Actor, Issue, Scenario


def one_issue(points):
    return Scenario(issues=[Issue(id="x")], actors=[
        Actor(id=f"a{i}", capability=c, position={"x": p}, salience={"x": s})
        for i, (p, c, s) in enumerate(points)])


# positions on a coarse grid and integer weights, so exact ties (the lower-median rule) happen
point = st.tuples(st.integers(0, 10).map(lambda v: v * 10.0), st.integers(0, 3),
                  st.integers(1, 4).map(lambda v: v * 25.0))


@settings(max_examples=40, deadline=None)
@given(st.lists(point, min_size=1, max_size=7).filter(lambda ps: any(c > 0 for _, c, _ in ps)))
def test_one_issue_is_the_lower_weighted_median(points):
    result = forecast(one_issue(points), "condorcet").issues[0]
    median = forecast(one_issue(points), "median").issues[0]
    assert result.forecast == median.forecast
    assert result.extras["condorcet_exists"] is True


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=5, max_size=5), min_size=1, max_size=6),
       st.lists(st.lists(st.integers(0, 3), min_size=5, max_size=5), min_size=1, max_size=6))
def test_kernel_matches_weighted_median_in_batches(xs, ws):
    n = min(len(xs), len(ws))
    x = np.array(xs[:n], dtype=float) * 25
    w = np.array(ws[:n], dtype=float)
    pos, exists = condorcet_winner(x, w)
    np.testing.assert_array_equal(pos, weighted_median(x, w))
    np.testing.assert_array_equal(exists, (w > 0).any(axis=-1))


def cycle_scenario():
    """Three platforms A, B, C in the X-Y plane and three heavy voters (not involved in Z, so
    not candidates) each a third of the way along one side of the triangle: voter 1 ranks
    A > B > C, voter 2 B > C > A, voter 3 C > A > B. Majority: A beats B, B beats C, C beats A."""
    corners = {"A": (0.0, 0.0), "B": (90.0, 0.0), "C": (45.0, 78.0)}
    actors = [Actor(id=k, capability=0.01, position={"X": x, "Y": y, "Z": 50},
                    salience={"X": 50, "Y": 50, "Z": 1}) for k, (x, y) in corners.items()]
    for n, (a, b) in enumerate([("A", "B"), ("B", "C"), ("C", "A")], start=1):
        (ax, ay), (bx, by) = corners[a], corners[b]
        actors.append(Actor(id=f"v{n}", capability=10, salience={"X": 50, "Y": 50},
                            position={"X": ax + (bx - ax) / 3, "Y": ay + (by - ay) / 3}))
    return Scenario(issues=[Issue(id=i) for i in "XYZ"], actors=actors)


@pytest.mark.parametrize("metric", ["euclidean", "city_block"])
def test_cycle_has_no_condorcet_winner_and_reports_copeland(metric):
    result = forecast(cycle_scenario(), "condorcet", metric=metric)
    for issue in result.issues:
        assert issue.extras["condorcet_exists"] is False
        # one pairwise win each: the Copeland tie goes to the lowest platform on X, A's
        assert issue.extras["winner"] == "A"
    assert result.forecasts() == {"X": 0.0, "Y": 0.0, "Z": 50.0}


def test_cycle_disappears_issue_by_issue():
    result = forecast(cycle_scenario(), "condorcet", dimensions="separate")
    assert all(i.extras["condorcet_exists"] for i in result.issues)
    median = forecast(cycle_scenario(), "median")
    assert result.forecasts() == median.forecasts()


def test_platform_distances_by_hand():
    voter = np.array([[[10.0, 20.0], [np.nan, 50.0]]])  # second voter not on issue 1
    sal = np.array([[[0.5, 1.0], [0.0, 0.25]]])
    platforms = np.array([[[10.0, 20.0], [40.0, 60.0]]])
    euclid = platform_distances(voter, sal, platforms, "euclidean")
    block = platform_distances(voter, sal, platforms, "city_block")
    np.testing.assert_allclose(euclid[0], [[0.0, np.sqrt(0.5 * 900 + 1600)],
                                           [np.sqrt(0.25 * 900), np.sqrt(0.25 * 100)]])
    np.testing.assert_allclose(block[0], [[0.0, 0.5 * 30 + 40], [0.25 * 30, 0.25 * 10]])


def test_joint_vote_on_the_flagship_is_one_actors_platform(flagship_path):
    result = forecast(flagship_path, "condorcet")
    winners = {i.extras["winner"] for i in result.issues}
    assert len(winners) == 1
    (winner,) = winners
    arrays = to_arrays(load_scenario(flagship_path))
    a = arrays.actor_ids.index(winner)
    np.testing.assert_allclose(list(result.forecasts().values()), arrays.position[0, a])


def test_batch_of_draws_equals_single_runs(flagship_path):
    arrays = to_arrays(load_scenario(flagship_path)).repeat(6)
    rng = np.random.default_rng(11)
    noisy = np.clip(arrays.position + rng.normal(0, 20, arrays.position.shape), 0, 100)
    batch = replace(arrays, position=noisy)
    spec = get_model("condorcet")
    out = spec.run(batch, spec.options(), 0, rng)
    winners = set()
    for b in range(6):
        single = run_model(batch.draw(b), "condorcet")
        np.testing.assert_allclose(out.forecast[b], list(single.forecasts().values()))
        winners.add(single.issues[0].extras["winner"])
    assert len(winners) > 1  # the draws differ, so the test compares different answers


def test_no_complete_actor_is_a_clear_error():
    sc = Scenario(issues=[Issue(id="X"), Issue(id="Y")], actors=[
        Actor(id="a", position={"X": 10}, salience={"X": 50}),
        Actor(id="b", position={"Y": 90}, salience={"Y": 50})])
    with pytest.raises(ScenarioError, match="dimensions=separate"):
        forecast(sc, "condorcet")
    assert forecast(sc, "condorcet", dimensions="separate").forecasts() == {"X": 10, "Y": 90}


def test_unknown_metric_is_rejected(emission_path):
    with pytest.raises(OptionError, match="metric"):
        forecast(emission_path, "condorcet", metric="chebyshev")
