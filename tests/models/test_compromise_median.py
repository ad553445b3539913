"""Compromise (weighted mean) and weighted median models on the emission case and by hand."""

from __future__ import annotations

import pytest

from detente.api import forecast
from detente.scenario.model import Actor, Issue, Scenario


def test_emission_case_reference_figures(emission_path):
    """Round-0 figures of the anchors README (BDM 1994 p. 78 table): median 7.0 years,
    c*s-weighted mean 7.38996 years, on the issue's own 4-10 scale."""
    assert forecast(emission_path, "compromise").forecasts()["date"] == pytest.approx(
        7.38996, abs=5e-6)
    assert forecast(emission_path, "median").forecasts()["date"] == 7.0


def test_equal_capability_changes_the_weights(emission_path):
    # with equal capability the weights are the saliences alone:
    # sum s x / sum s = (0.8*4 + 0.4*7 + 0.2*4 + 0.8*4 + 0.6*10 + 0.6*10 + 0.9*10 + 0.1*7
    #                    + 1.0*4 + 0.7*7) / 6.1
    expected = (3.2 + 2.8 + 0.8 + 3.2 + 6 + 6 + 9 + 0.7 + 4 + 4.9) / 6.1
    result = forecast(emission_path, "compromise", capability="equal").forecasts()["date"]
    assert result == pytest.approx(expected, abs=1e-9)


def test_uninvolved_actors_do_not_count():
    sc = Scenario(issues=[Issue(id="x"), Issue(id="y")], actors=[
        Actor(id="a", capability=1, position={"x": 0, "y": 100}, salience={"x": 50, "y": 50}),
        Actor(id="b", capability=3, position={"x": 100}, salience={"x": 50}),
        Actor(id="c", capability=1, position={"y": 0}, salience={"y": 100})])
    mean = forecast(sc, "compromise").forecasts()
    median = forecast(sc, "median").forecasts()
    assert mean == pytest.approx({"x": 75.0, "y": 100 / 3})
    assert median == {"x": 100.0, "y": 0.0}


def test_round_zero_summary_matches_the_forecast(emission_path):
    issue = forecast(emission_path, "compromise").issues[0]
    assert len(issue.rounds) == 1
    assert issue.rounds[0].mean == pytest.approx(issue.forecast)
    assert issue.rounds[0].median == 7.0
    assert issue.rounds[0].positions["UK"] == 10.0
