"""The Nash bargaining solution: closed forms, the compromise-model limit, invariances, options."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.api import forecast, run_model
from detente.errors import OptionError, ScenarioError
from detente.models.kernels.nash import nash_solution
from detente.models.kernels.weights import weighted_mean
from detente.scenario.arrays import to_arrays
from detente.scenario.io import load_scenario
from detente.scenario.model import Actor, Issue, Scale, Scenario


def solve(pos, weight, d, utility="quadratic"):
    pos = np.atleast_2d(np.asarray(pos, dtype=float))
    d = np.atleast_1d(np.asarray(d, dtype=float))
    reach = np.abs(d[:, None] - pos)
    x, at_d = nash_solution(pos, reach, np.broadcast_to(weight, pos.shape), d, utility)
    return x, at_d


def two_actor_quadratic(x1, x2, w1, w2, q):
    """Closed form: with d = q below both ideal points, gains are (x - q)(2 x_i - q - x), so the
    first-order condition of w1 log g1 + w2 log g2 is the quadratic
    2W y^2 - (W(a + b) + w1 b + w2 a) y + W a b = 0, y = x - q, a = 2(x1 - q), b = 2(x2 - q),
    whose smaller root is the NBS."""
    W, a, b = w1 + w2, 2 * (x1 - q), 2 * (x2 - q)
    B = W * (a + b) + w1 * b + w2 * a
    y = (B - math.sqrt(B * B - 8 * W * W * a * b)) / (4 * W)
    return q + y


@pytest.mark.parametrize("x1,x2,w1,w2,q", [
    (20, 80, 1, 1, 0), (30, 60, 1, 1, 10), (20, 80, 1, 3, 0), (50, 90, 2, 1, 5),
    (40, 45, 1, 1, 0)])
def test_two_actors_quadratic_closed_form(x1, x2, w1, w2, q):
    x, at_d = solve([x1, x2], [w1, w2], q)
    assert x[0] == pytest.approx(two_actor_quadratic(x1, x2, w1, w2, q), abs=1e-9)
    assert not at_d[0]


def test_two_actors_symmetric_textbook_number():
    # x1 = 20, x2 = 80, d = 0: maximise x^2 (40 - x)(160 - x); the first-order condition is
    # 4x^2 - 600x + 12800 = 0, whose root in (20, 40) is 75 - sqrt(2425) = 25.7565...
    x, _ = solve([20, 80], [1, 1], 0)
    expected = 75 - math.sqrt(2425)
    assert x[0] == pytest.approx(expected, abs=1e-9)
    assert 20 < x[0] < 40


def test_two_actors_linear_closed_form():
    # linear gains (x1 - q) - (x - x1) and (x - q): x = q + 2 w2 (x1 - q) / (w1 + w2)
    x, _ = solve([20, 80], [1, 3], 0, "linear")
    assert x[0] == pytest.approx(30.0, abs=1e-9)
    x, _ = solve([20, 80], [1, 1], 0, "linear")  # symmetric: the nearer actor's ideal point
    assert x[0] == pytest.approx(20.0, abs=1e-9)


@pytest.mark.parametrize("weights", ["c", "cs"])
def test_far_disagreement_gives_weighted_mean(weights):
    """Achen (2006, ch. 4): with quadratic loss and d far from every position, the asymmetric
    NBS approaches the weighted mean of positions (the compromise model when w = c*s)."""
    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 100, (4, 7))
    c, s = rng.uniform(0.1, 1, (4, 7)), rng.uniform(0.1, 1, (4, 7))
    w = c if weights == "c" else c * s
    target = weighted_mean(pos, w)
    errors = []
    for far in (1e3, 1e4, 1e5):
        x, _ = solve(pos, w, np.full(4, -far))
        errors.append(np.abs(x - target).max())
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.05


def test_achen_preset_is_compromise_model_in_the_limit():
    """Through the registered model: squeeze positions near one end and put the status quo at
    the other, so d is far relative to the spread; the achen preset tracks the c*s mean."""
    actors = [Actor(id=f"a{i}", capability=c, position={"x": p}, salience={"x": s})
              for i, (c, p, s) in enumerate([(3, 99.0, 50), (1, 99.6, 90), (2, 99.9, 20)])]
    sc = Scenario(issues=[Issue(id="x", status_quo=0)], actors=actors)
    achen = forecast(sc, "nash-asymmetric", preset="achen").forecasts()["x"]
    by_capability = forecast(sc, "nash-asymmetric").forecasts()["x"]
    cs_mean = forecast(sc, "compromise").forecasts()["x"]
    c_mean = (3 * 99.0 + 99.6 + 2 * 99.9) / 6
    assert abs(c_mean - cs_mean) > 0.07  # the two limits are distinguishable
    assert achen == pytest.approx(cs_mean, abs=4e-3)
    assert by_capability == pytest.approx(c_mean, abs=4e-3)


positions = st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=6)


@settings(max_examples=40, deadline=None)
@given(positions, st.floats(0, 100), st.data(), st.sampled_from(["quadratic", "linear"]))
def test_solution_is_feasible_and_maximises_the_nash_product(pos, d, data, utility):
    n = len(pos)
    w = data.draw(st.lists(st.floats(0.1, 5), min_size=n, max_size=n))
    x, at_d = solve(pos, w, d, utility)
    pos_a, w_a = np.array(pos), np.array(w)
    reach = np.abs(d - pos_a)
    phi = (lambda t: t * t) if utility == "quadratic" else (lambda t: t)

    def log_product(z):
        g = phi(reach) - phi(np.abs(z - pos_a))
        return -np.inf if (g < 0).any() else float((w_a * np.log(np.maximum(g, 1e-300))).sum())

    assert pos_a.min() - 1e-9 <= x[0] <= pos_a.max() + 1e-9 or x[0] == d
    gains = phi(reach) - phi(np.abs(x[0] - pos_a))
    assert (gains >= -1e-6 * max(1.0, phi(reach).max())).all()
    if at_d[0]:
        assert x[0] == d
        return
    grid = np.linspace(pos_a.min(), pos_a.max(), 401)
    best = max(log_product(z) for z in grid)
    assert log_product(x[0]) >= best - 1e-6


@settings(max_examples=40, deadline=None)
@given(positions, st.floats(0, 100), st.floats(-3, 3).filter(lambda a: abs(a) > 0.05),
       st.floats(-50, 50))
def test_affine_rescaling_of_the_issue_moves_the_solution_alike(pos, d, a, b):
    x, at_d = solve(pos, 1.0, d)
    y, at_d2 = solve(np.array(pos) * a + b, 1.0, d * a + b)
    assert at_d2[0] == at_d[0]
    assert y[0] == pytest.approx(x[0] * a + b, abs=1e-6 * max(1, abs(a)) * 100)


@settings(max_examples=40, deadline=None)
@given(positions, st.floats(0, 100))
def test_symmetric_form_treats_actors_alike(pos, d):
    x, _ = solve(pos, 1.0, d)
    y, _ = solve(pos[::-1], 1.0, d)
    m, _ = solve(100 - np.array(pos), 1.0, 100 - d)  # mirror the issue
    assert y[0] == pytest.approx(x[0], abs=1e-7)
    assert m[0] == pytest.approx(100 - x[0], abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(positions, st.data())
def test_disagreement_inside_the_pareto_set_gives_disagreement(pos, data):
    lo, hi = min(pos), max(pos)
    d = data.draw(st.floats(lo, hi))
    x, at_d = solve(pos, 1.0, d)
    assert x[0] == d and at_d[0]


def test_gainers_drops_actors_sitting_at_disagreement():
    sc = Scenario(issues=[Issue(id="x", reference_point=0)], actors=[
        Actor(id="a", position={"x": 0}, salience={"x": 50}),
        Actor(id="b", position={"x": 40}, salience={"x": 50}),
        Actor(id="c", position={"x": 80}, salience={"x": 50})])
    strict = forecast(sc, "nash").issues[0]
    loose = forecast(sc, "nash", feasible="gainers").issues[0]
    assert strict.forecast == 0 and strict.extras["share_only_disagreement_feasible"] == 1.0
    assert loose.forecast == pytest.approx(two_actor_quadratic(40, 80, 1, 1, 0), abs=1e-9)
    assert loose.extras["disagreement"] == "reference_point"


def test_auto_prefers_reference_point_then_status_quo_then_worst():
    def issue_result(**issue):
        sc = Scenario(issues=[Issue(id="x", **issue)], actors=[
            Actor(id="a", position={"x": 30}, salience={"x": 50}),
            Actor(id="b", position={"x": 70}, salience={"x": 50})])
        return forecast(sc, "nash").issues[0]

    assert issue_result(reference_point=0, status_quo=100).extras["disagreement"] == \
        "reference_point"
    sq = issue_result(status_quo=100)
    assert sq.extras["disagreement"] == "status_quo" and sq.extras["disagreement_point"] == 100
    worst = issue_result()
    assert worst.extras["disagreement"] == "worst"
    assert worst.extras["disagreement_point"] is None
    # worst-case breakdown is symmetric here: both lose 70^2 at the far end, so they meet at 50
    assert worst.forecast == pytest.approx(50.0, abs=1e-9)


def test_issue_scale_does_not_matter():
    def run(scale, conv):
        sc = Scenario(issues=[Issue(id="x", status_quo=conv(5), scale=scale)], actors=[
            Actor(id=n, capability=c, position={"x": conv(p)}, salience={"x": s})
            for n, c, p, s in [("a", 2, 20, 80), ("b", 1, 60, 30), ("c", 5, 90, 60)]])
        return forecast(sc, "nash-asymmetric").forecasts()["x"]

    years = run(Scale(min=4, max=10), lambda p: 4 + p * 6 / 100)
    plain = run(None, lambda p: p)
    assert years == pytest.approx(4 + plain * 6 / 100, abs=1e-9)


def test_missing_disagreement_point_is_a_clear_error(emission_path):
    with pytest.raises(ScenarioError) as err:
        forecast(emission_path, "nash", disagreement="status_quo")
    problem = err.value.problems[0]
    assert problem.path == "issues[0].status_quo" and "date" in problem.message


def test_unknown_option_value_is_rejected(emission_path):
    with pytest.raises(OptionError, match="utility"):
        forecast(emission_path, "nash", utility="cubic")


def test_salience_only_matters_through_the_exponent(flagship_path):
    arrays = to_arrays(load_scenario(flagship_path))
    base = run_model(arrays, "nash").forecasts()
    rescaled = replace(arrays, salience=arrays.salience * 0.37)
    assert run_model(rescaled, "nash").forecasts() == pytest.approx(base)
    sal = run_model(arrays, "nash", preset="salience").forecasts()
    assert sal != pytest.approx(base)
