"""The simulation's start date never depends on the day it is run."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.errors import ScenarioError
from detente.scenario.model import Scenario
from detente.simulation import SimOptions, simulate
from detente.simulation.calendar import default_start

ACTORS = [{"id": "P", "position": {"X": 10}, "salience": {"X": 50}},
          {"id": "Q", "position": {"X": 90}, "salience": {"X": 50}}]


def _scenario(**extra) -> Scenario:
    return Scenario.model_validate({"issues": [{"id": "X"}], "actors": ACTORS, **extra})


def test_no_dated_event_and_no_as_of_is_an_error_naming_the_field():
    sc = _scenario()
    with pytest.raises(ScenarioError) as exc:
        default_start(sc)
    (problem,) = exc.value.problems
    assert problem.path == "simulation.start"
    assert "as_of" in problem.message


def test_simulate_without_a_start_raises_instead_of_using_today():
    with pytest.raises(ScenarioError):
        simulate(_scenario())


def test_as_of_is_the_fallback_start():
    assert default_start(_scenario(as_of="2001-02-03")) == dt.date(2001, 2, 3)


def test_explicit_start_wins_over_events_and_as_of():
    sc = _scenario(as_of="2001-02-03", simulation={"start": "2000-05-05"},
                   calendar=[{"id": "e", "date": "2000-06-01", "kind": "shock"}])
    assert default_start(sc) == dt.date(2000, 5, 5)
    h = simulate(sc, SimOptions(until=dt.date(2000, 12, 31)))
    assert h.start == dt.date(2000, 5, 5)


def test_an_end_date_centuries_away_is_a_clear_error(flagship_path):
    """--until 9999-12-31 laid recurring meetings out until the date arithmetic overflowed
    (OverflowError traceback)."""
    from typer.testing import CliRunner

    from detente.cli import app
    from detente.errors import OptionError
    from detente.scenario.io import load_scenario
    from detente.simulation.calendar import MAX_YEARS

    sc = load_scenario(flagship_path)
    with pytest.raises(OptionError, match=f"at most {MAX_YEARS} years"):
        simulate(sc, SimOptions(until=dt.date(9999, 12, 31)))
    res = CliRunner().invoke(app, ["simulate", str(flagship_path), "--until", "9999-12-31",
                                   "--no-record"])
    assert res.exit_code == 2 and "at most 100 years" in res.stderr


def test_a_forum_with_an_empty_agenda_does_not_meet(flagship_path):
    """An empty agenda (the editor removed the forum's last issue) validated and then raised
    IndexError in the first meeting; it has nothing to bargain over, so it does not meet."""
    from detente.scenario.io import load_scenario

    sc = load_scenario(flagship_path)
    forums = [f.model_copy(update={"agenda": []}) if f.id == "six-party" else f
              for f in sc.forums]
    h = simulate(sc.model_copy(update={"forums": forums}),
                 SimOptions(until=dt.date(2005, 12, 31)))
    labels = [r.label for r in h.meetings()]
    assert labels and not any("Six-Party" in label for label in labels)
