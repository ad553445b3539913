"""Extreme inputs: the unit of capabilities does not matter, and a NaN is never handed on."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from detente.errors import ModelError
from detente.scenario.arrays import to_arrays
from detente.scenario.io import load_scenario
from detente.simulation import SimOptions, simulate_batch

UNTIL = SimOptions(until=dt.date(2005, 3, 1))


def test_a_non_finite_result_is_named_with_step_and_draw(flagship_path):
    # arrays bypass the scenario's checks; an infinite capability gives inf / inf inside
    sc = load_scenario(flagship_path)
    arrays = to_arrays(sc).repeat(3)
    cap = arrays.capability.copy()
    cap[1, 2, 2] = np.inf
    with np.errstate(all="ignore"), pytest.raises(ModelError) as exc:
        simulate_batch(replace(arrays, capability=cap), sc, UNTIL, np.random.default_rng(0))
    message = str(exc.value)
    assert "not a finite number" in message and "(draw 2)" in message
    assert " after 2004-" in message  # the first step where it appeared, not the end state


def test_capabilities_near_the_float_limit_simulate_finitely(flagship_path):
    sc = load_scenario(flagship_path)
    arrays = to_arrays(sc)
    cap = arrays.capability.copy()
    cap[0, 2, 2] = 1e308  # 1e308 x salience would overflow
    history = simulate_batch(replace(arrays, capability=cap), sc, UNTIL,
                             np.random.default_rng(0))
    assert history.first_non_finite() is None
    assert np.isfinite(history.records[-1].support).all()


@pytest.mark.parametrize("factor", [1e-20, 1e-9, 1e30])
def test_the_unit_of_capabilities_does_not_matter(flagship_path, factor):
    # the dynamics use capabilities only relative to each other; before they were scaled to
    # a largest of 1 inside, absolute tolerances changed three meeting outcomes at 1e-20
    sc = load_scenario(flagship_path)
    arrays = to_arrays(sc)
    base = simulate_batch(arrays, sc, UNTIL, np.random.default_rng(0))
    scaled = simulate_batch(replace(arrays, capability=arrays.capability * factor), sc, UNTIL,
                            np.random.default_rng(0))
    assert [r.outcome[0] for r in scaled.meetings()] == [r.outcome[0] for r in base.meetings()]
    np.testing.assert_allclose(scaled.offer, base.offer, atol=1e-9)
    np.testing.assert_allclose(scaled.records[-1].support, base.records[-1].support, atol=1e-9)
    np.testing.assert_array_equal(scaled.arrays.capability, arrays.capability * factor)


ZERO = """\
issues: [{id: x, status_quo: 30}, {id: y, status_quo: 70}]
actors:
  - {id: A, capability: 1, position: {x: 10, y: 60}, salience: {x: 0, y: 50}}
  - {id: B, capability: 2, position: {x: 90, y: 20}, salience: {x: 0, y: 50}}
forums:
  - {id: talks, members: [A, B], agenda: [x, y], rule: unanimity,
     meetings: [{date: 2020-01-10}, {date: 2020-04-10}]}
"""


def test_an_agenda_issue_no_member_weighs_is_refused_not_agreed_at_0(tmp_path):
    """The text is the capability x salience weighted mean of the offers: with every weight
    0 it was 0, and the run reported agreement on x at the bottom of the scale."""
    from detente.errors import ScenarioError
    from detente.simulation import simulate

    path = tmp_path / "zero.yaml"
    path.write_text(ZERO)
    with pytest.raises(ScenarioError) as exc:
        simulate(load_scenario(path), SimOptions(until=dt.date(2020, 12, 31)))
    (problem,) = exc.value.problems
    assert problem.path == "forums[0].agenda[0]"
    assert "no member of forum 'talks' weighs issue 'x'" in problem.message


@pytest.mark.parametrize("step", ["concession", "compromise"])
def test_a_draw_that_alone_leaves_an_issue_unweighed_takes_the_plain_mean(tmp_path, step):
    """With a static model as the step, the model gives no forecast there (NaN) and the run
    stopped with "not a finite number"; the text is then the plain mean, as in the protocol."""
    path = tmp_path / "weighed.yaml"
    path.write_text(ZERO.replace("salience: {x: 0,", "salience: {x: 40,"))
    sc = load_scenario(path)
    arrays = to_arrays(sc).repeat(2)
    sal = arrays.salience.copy()
    sal[1, :, 0] = 0.0  # draw 1: nobody weighs x
    until = SimOptions(until=dt.date(2020, 12, 31), step=step)
    history = simulate_batch(replace(arrays, salience=sal), sc, until, np.random.default_rng(0))
    assert history.first_non_finite() is None
    first = history.meetings()[0]
    offers = first.positions[1, :, 0]  # draw 1's offers on x after the meeting
    assert first.package[1, 0] == pytest.approx(offers.mean())  # the text was 0 before
    assert 10 <= first.package[1, 0] <= 90
