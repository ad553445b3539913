"""Distributions over the behavioural parameters of the dynamic simulation."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import ScenarioError
from detente.scenario.arrays import to_arrays
from detente.scenario.io import load_scenario
from detente.scenario.validate import scenario_from_data
from detente.simulation import SimOptions, simulate
from detente.uncertainty.draws import BETA_MIN, inputs
from detente.uncertainty.montecarlo import monte_carlo
from detente.uncertainty.simulation import draw_inputs, simulate_mc

UNTIL = SimOptions(until=dt.date(2005, 6, 30))


def data_of(path) -> dict:
    return load_scenario(path).model_dump(mode="json", by_alias=True)


def with_block(path, block) -> object:
    data = data_of(path)
    data["uncertainty"] = block
    return scenario_from_data(data, str(path), {})


def test_behaviour_inputs_one_per_actor_and_only_for_the_simulation(flagship_path):
    sc = with_block(flagship_path, {"default": {"support": "±0.1"},
                                    "cells": [{"actor": "KP", "field": "agility",
                                               "dist": "uniform", "low": 0.3, "high": 0.9}]})
    base = to_arrays(sc)
    names = [i.name for i in inputs(sc, base, behaviour=True)]
    assert "KP.agility" in names
    assert sorted(n for n in names if n.endswith(".support")) == sorted(
        f"{a}.support" for a in base.actor_ids)
    assert inputs(sc, base) == []  # the static models read no behavioural parameter


def test_an_issue_on_a_behavioural_cell_is_an_error_with_its_path(flagship_path):
    with pytest.raises(ScenarioError) as err:
        with_block(flagship_path, {"cells": [{"actor": "KP", "issue": "A", "field": "agility",
                                              "±": 0.1}]})
    assert "uncertainty.cells[0].issue" in str(err.value)
    assert "behavioural parameter" in str(err.value)


@settings(max_examples=15, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(width=st.floats(0.01, 3.0), field=st.sampled_from(
    ["reservation", "initial_aspiration", "agility", "overstretch", "support", "beta"]),
    seed=st.integers(0, 2**31))
def test_draws_keep_their_bounds(flagship_path, width, field, seed):
    sc = with_block(flagship_path, {"default": {field: {"dist": "normal", "sd": width}}})
    drawn = draw_inputs(sc, to_arrays(sc), 50, seed)
    values = drawn.behaviour[field]
    assert values.shape == (50, len(sc.actors))
    lo, hi = (BETA_MIN, np.inf) if field == "beta" else (0.0, 1.0)
    assert np.all((values >= lo) & (values <= hi))
    assert values.std(axis=0).max() > 0


def test_a_draw_is_the_simulation_of_its_values_coded_in_the_file(flagship_path):
    """Draw k of the Monte Carlo equals a plain run of the scenario with draw k's values
    written into the actors' behaviour, on stream k: the draws reach the simulation exactly."""
    block = {"cells": [{"actor": "KP", "field": "agility", "dist": "uniform", "low": 0.0,
                        "high": 1.0},
                       {"actor": "US", "field": "reservation", "±": 0.2},
                       {"actor": "JP", "field": "beta", "dist": "uniform", "low": 0.2,
                        "high": 3.0}]}
    sc = with_block(flagship_path, block)
    mc = simulate_mc(sc, UNTIL, 6, seed=3)
    drawn = draw_inputs(sc, to_arrays(sc), 6, 3)
    ids = list(to_arrays(sc).actor_ids)
    assert sorted(drawn.behaviour) == ["agility", "beta", "reservation"]
    for k in (0, 4):
        data = data_of(flagship_path)
        data.pop("uncertainty", None)
        actors = {a["id"]: a for a in data["actors"]}
        for actor, field in (("KP", "agility"), ("US", "reservation"), ("JP", "beta")):
            actors[actor]["behaviour"][field] = float(
                drawn.behaviour[field][k, ids.index(actor)])
        plain = simulate(scenario_from_data(data, "draw", {}), UNTIL, seed=3, first_draw=k)
        outcomes = np.stack([r.outcome for r in plain.meetings()], axis=1)[0]
        np.testing.assert_array_equal(mc.results.outcome[k], outcomes)
        np.testing.assert_array_equal(mc.results.package[k], plain.status_quo[0])


def test_reservation_draws_spread_the_outcomes(flagship_path):
    """North Korea's reservation utility decides which meetings end in agreement."""
    until = SimOptions(until=dt.date(2005, 12, 31))
    fixed = simulate_mc(with_block(flagship_path, {}), until, 40, seed=2, fixed_inputs=True)
    loose = simulate_mc(with_block(flagship_path, {"cells": [
        {"actor": "KP", "field": "reservation", "dist": "uniform", "low": 0.05, "high": 0.95}]}),
        until, 40, seed=2)
    assert loose.uncertain == ("KP.reservation",)
    assert len({tuple(x) for x in fixed.results.outcome}) == 1
    assert len({tuple(x) for x in loose.results.outcome}) > 1
    assert loose.results.package.std(0).max() > 5 * fixed.results.package.std(0).max()


def test_static_forecasts_ignore_behavioural_draws(flagship_path):
    sc = with_block(flagship_path, {"default": {"agility": "±0.3", "support": "±0.2"}})
    res = monte_carlo(sc, "compromise", 30, seed=1).result
    assert all(i.quantiles["q90"] == i.quantiles["q10"] for i in res.issues)


def test_simulate_draws_lists_the_behavioural_inputs(tmp_path, flagship_path):
    data = data_of(flagship_path)
    data["uncertainty"] = {"cells": [{"actor": "KP", "field": "agility", "±": 0.2}]}
    f = tmp_path / "s.json"
    f.write_text(json.dumps(data))
    res = CliRunner().invoke(app, ["simulate", str(f), "--until", "2005-06-30", "--draws", "8",
                                   "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["uncertain_inputs"] == ["KP.agility"]
