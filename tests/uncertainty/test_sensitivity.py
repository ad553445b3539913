"""Tornado swings and Sobol indices."""

from __future__ import annotations

import pytest

from detente.scenario.io import load_scenario
from detente.uncertainty.sensitivity import fallback_spec, sensitivity
from detente.uncertainty.spec import Uncertainty

SPEC = Uncertainty.model_validate({"cells": [
    {"actor": "KP", "field": "capability", "dist": "uniform", "low": 20, "high": 50},
    {"actor": "CN", "issue": "A", "field": "position", "±": 10},
    {"issue": "A", "field": "status_quo", "±": 5}]})


@pytest.fixture
def result(flagship_path):
    return sensitivity(load_scenario(flagship_path), "compromise", samples=256, seed=1,
                       spec=SPEC)


def test_ignored_input_has_sobol_index_near_zero(result):
    """The compromise model never looks at the status quo."""
    a = {s.input: s for s in result.sobol if s.issue == "A"}
    assert abs(a["status_quo.A"].S1) < 0.02 and abs(a["status_quo.A"].ST) < 0.02
    assert a["KP.capability"].ST > 0.3 and a["CN.position.A"].ST > 0.1
    assert pytest.approx(1, abs=0.15) == a["KP.capability"].S1 + a["CN.position.A"].S1


def test_tornado_swings(result):
    ranked = result.ranked("A")
    assert ranked[-1].input == "status_quo.A" and ranked[-1].swing == 0
    cn = next(s for s in ranked if s.input == "CN.position.A")
    assert cn.high > cn.base > cn.low  # moving China's position up moves the mean up
    # CN's position only affects issue A
    assert all(s.swing == 0 for s in result.tornado
               if s.input == "CN.position.A" and s.issue != "A")


def test_fallback_when_scenario_has_no_uncertainty(emission_path):
    sc = load_scenario(emission_path)
    res = sensitivity(sc, "median", samples=8, sobol=False)
    assert len(res.inputs) == 30 and not res.sobol
    assert fallback_spec(sc).cells[0].dist.width == pytest.approx(0.3)  # 5 % of 4-10 years


def test_constant_forecast_gives_zero_indices(flagship_path):
    spec = Uncertainty.model_validate({"cells": [{"issue": "A", "field": "status_quo",
                                                  "±": 5}]})
    res = sensitivity(load_scenario(flagship_path), "compromise", samples=8, spec=spec)
    assert set(res.constant_issues) == set("ABCDEF")
    assert all(s.S1 == 0 and s.ST == 0 for s in res.sobol)
