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
