"""Distributions, draws and their bounds; the uncertainty block's checks."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import ScenarioError
from detente.scenario.arrays import to_arrays
from detente.scenario.io import load_scenario
from detente.scenario.validate import scenario_from_data
from detente.uncertainty.draws import inputs, quantile, sample
from detente.uncertainty.spec import Dist


def with_uncertainty(path, block):
    data = load_scenario(path).model_dump(mode="json", by_alias=True)
    data["uncertainty"] = block
    return scenario_from_data(data, str(path), {})


@pytest.mark.parametrize("text,width,percent", [("±5", 5, False), ("+-2.5", 2.5, False),
                                                ("±10%", 10, True), (3, 3, False)])
def test_short_forms(text, width, percent):
    d = Dist.model_validate(text)
    assert (d.dist, d.width, d.percent) == ("pm", width, percent)


@pytest.mark.parametrize("bad,message", [
    ("±-5", "cannot read"), ({"±": -3}, "must be positive"), ({"dist": "normal"}, "needs sd"),
    ({"dist": "normal", "sd": -1}, "sd must be positive"),
    ({"dist": "uniform", "low": 5, "high": 1}, "must be below high"),
    ({"dist": "triangular", "low": 0, "high": 10, "mode": 20}, "outside low..high")])
def test_bad_distributions_are_rejected(bad, message):
    with pytest.raises(ValueError, match=message):
        Dist.model_validate(bad)


def test_errors_are_located(flagship_path):
    with pytest.raises(ScenarioError) as err:
        with_uncertainty(flagship_path, {"cells": [
            {"actor": "XX", "field": "capability", "±": 3},
            {"actor": ["KP", "ZZ"], "issue": "Q", "field": "position", "±": 3}]})
    paths = {p.path for p in err.value.problems}
    assert paths == {"uncertainty.cells[0].actor", "uncertainty.cells[1].actor[1]",
                     "uncertainty.cells[1].issue"}
    with pytest.raises(ScenarioError) as err:
        with_uncertainty(flagship_path, {"default": {"position": {"±": -1}}})
    assert err.value.problems[0].path.startswith("uncertainty.default.position")


def test_negative_width_in_yaml_names_the_line(tmp_path, emission_path):
    text = emission_path.read_text().replace(
        "salience_scale: 1\n", "salience_scale: 1\nuncertainty:\n  default:\n"
        "    position: {dist: normal, sd: -2}\n")
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(f)
    p = err.value.problems[0]
    assert p.line == text.splitlines().index("    position: {dist: normal, sd: -2}") + 1
    assert "sd must be positive" in p.message


dists = st.sampled_from([
    Dist(width=30), Dist(dist="uniform", low=-50, high=200), Dist(dist="normal", sd=40),
    Dist(dist="truncnormal", sd=40), Dist(dist="triangular", width=80),
    Dist(width=50, percent=True)])


@settings(max_examples=60, deadline=None)
@given(d=dists, value=st.floats(0, 100), u=st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_quantiles_stay_within_bounds_and_are_monotone(d, value, u):
    uu = np.sort(np.array(u))[:, None]
    x = quantile(d, uu, np.array([value]), np.array([0.0]), np.array([100.0]))[:, 0]
    assert np.all((x >= 0) & (x <= 100))
    assert np.all(np.diff(x) >= -1e-9)


def test_draws_respect_bounds_and_fields(flagship_path):
    sc = with_uncertainty(flagship_path, {
        "default": {"position": {"dist": "normal", "sd": 30}, "salience": "±50"},
        "cells": [{"actor": "KP", "field": "capability", "dist": "uniform", "low": 20,
                   "high": 50},
                  {"issue": "A", "field": "status_quo", "dist": "truncnormal", "sd": 10}]})
    base = to_arrays(sc)
    b = sample(sc, base, 4000, np.random.default_rng(1))
    inv = base.involved
    pos = b.position[:, inv]
    assert pos.min() >= 0 and pos.max() <= 100 and pos.std() > 5
    assert b.salience.min() >= 0 and b.salience.max() <= 1
    kp = b.capability[:, base.actor_ids.index("KP"), :]
    assert np.all(kp == kp[:, :1])  # one draw shared by KP's issues
    assert kp.min() >= 20 and kp.max() <= 50 and abs(kp.mean() - 35) < 1
    others = np.delete(b.capability, base.actor_ids.index("KP"), axis=1)
    assert np.all(others == base.capability[:, np.arange(6) != 5])
    assert np.all(np.isnan(b.position[:, ~inv]))
    sq = b.status_quo[:, 0]
    assert sq.min() >= 0 and sq.std() > 1
    assert np.all(b.status_quo[:, 1:] == base.status_quo[:, 1:])


def test_cells_override_defaults_and_emission_scale(emission_path):
    sc = with_uncertainty(emission_path, {
        "default": {"position": "±1"},
        "cells": [{"actor": "France", "issue": "date", "field": "position",
                   "dist": "uniform", "low": 8, "high": 9}]})
    base = to_arrays(sc)
    names = [i.name for i in inputs(sc, base)]
    assert len(names) == 10 and "France.position.date" in names
    b = sample(sc, base, 2000, np.random.default_rng(0))
    fr = base.to_issue_scale(b.position[:, base.actor_ids.index("France"), :])
    assert fr.min() >= 8 and fr.max() <= 9  # years, not 0-100 points
    nl = base.to_issue_scale(b.position[:, base.actor_ids.index("Netherlands"), :])
    assert nl.min() >= 4 and nl.max() <= 5  # ±1 year cut at the scale's lower end 4


def test_no_uncertainty_means_identical_draws(emission_path):
    sc = load_scenario(emission_path)
    base = to_arrays(sc)
    b = sample(sc, base, 5, np.random.default_rng(0))
    assert np.array_equal(b.position, np.repeat(base.position, 5, axis=0), equal_nan=True)


def test_a_default_leaves_a_salience_coded_zero_at_zero(emission_path, tmp_path):
    """A blanket salience width drew a coded 0 up to 10 % of the scale, so an actor that does
    not weigh an issue (and an issue nobody weighs) got weight in the draws; a cell naming the
    actor and issue still makes it uncertain."""
    from detente.uncertainty.draws import drawn_spec
    from detente.uncertainty.montecarlo import monte_carlo

    path = tmp_path / "zero.yaml"
    path.write_text(emission_path.read_text().replace("salience: {date: 0.8}",
                                                      "salience: {date: 0}"))
    sc = load_scenario(path)
    base = to_arrays(sc)
    zero = base.salience[0, :, 0] == 0
    assert zero.sum() == 2  # Netherlands and Germany
    for spec in (drawn_spec(sc), with_uncertainty(path, {"default": {"salience": "±0.2"}})
                 .uncertainty):
        b = sample(sc, base, 500, np.random.default_rng(1), spec)
        assert np.all(b.salience[:, zero, 0] == 0) and b.salience[:, ~zero, 0].std() > 0
    named = with_uncertainty(path, {"default": {"salience": "±0.2"}, "cells": [
        {"actor": "Germany", "issue": "date", "field": "salience", "±": 0.2}]})
    b = sample(named, base, 500, np.random.default_rng(1))
    assert b.salience[:, base.actor_ids.index("Germany"), 0].max() > 0
    # nobody weighs the issue: no forecast in any draw, as in the coded run
    path.write_text(re.sub(r"date: [0-9.]+}\}$", "date: 0}}", path.read_text(), flags=re.M))
    run = monte_carlo(load_scenario(path), "compromise", 50, 0)
    assert np.isnan(run.output.forecast).all() and run.result.issues[0].forecast is None


@pytest.mark.parametrize("coding", ["structural", "equal"])
def test_capability_cells_keep_their_relative_width_under_another_coding(flagship_path, coding):
    """The block's absolute capability cells (KP uniform 20-50, written as 35) were drawn in
    the written units whatever the coding: under 'equal' (everyone 1) North Korea got 20-50
    and the compromise on A fell from 64.7 (coded) to a median of 21.6 over the draws."""
    sc = load_scenario(flagship_path)
    written, coded = to_arrays(sc), to_arrays(sc, coding)
    kp = coded.actor_ids.index("KP")
    drawn = sample(sc, coded, 400, np.random.default_rng(0))
    ratio = drawn.capability[:, kp, 0] / coded.capability[0, kp, 0]
    assert ratio.min() >= 20 / 35 - 1e-9 and ratio.max() <= 50 / 35 + 1e-9
    assert ratio.max() - ratio.min() > 0.5  # the block's relative width, in the coding's units
    own = sample(sc, written, 400, np.random.default_rng(0))  # the written coding: as before
    assert own.capability[:, kp, 0].min() >= 20 and own.capability[:, kp, 0].max() <= 50
    from detente.uncertainty.montecarlo import monte_carlo

    run = monte_carlo(sc, "compromise", 300, 0, capability=coding)
    at_coded = monte_carlo(sc, "compromise", 1, 0, capability=coding)
    a_median = run.result.issues[0].forecast
    assert abs(a_median - at_coded.result.issues[0].forecast) < 2.0
