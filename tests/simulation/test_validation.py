"""Bad simulation inputs get clear validation errors naming the field."""

import pytest

from detente.errors import ScenarioError
from detente.scenario.formats.yaml_format import read_yaml

BASE = """
issues: [{id: X}]
actors:
  - {id: P, position: {X: 10}, salience: {X: 50}}
  - {id: Q, position: {X: 90}, salience: {X: 50}}
simulation: {start: 2010-01-01, end: 2010-12-31}
"""


def _errors(extra: str) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        read_yaml(BASE + extra, "s.yaml")
    return [str(p) for p in exc.value.problems]


def test_forum_member_not_an_actor():
    errs = _errors("forums: [{id: f, members: [P, Z], agenda: [X]}]\n")
    assert any("forums[0].members[1]" in e and "unknown actor 'Z'" in e for e in errs)


def test_event_outside_calendar_window():
    errs = _errors("calendar: [{id: e, date: 2012-01-01, kind: shock}]\n")
    assert any("calendar[0].date" in e and "after the calendar window" in e for e in errs)


def test_an_end_before_the_start_is_one_problem_not_one_per_event():
    """Each event was also reported as outside the (empty) window."""
    text = (BASE.replace("end: 2010-12-31", "end: 2009-12-31")
            + "calendar: [{id: a, date: 2010-03-01, kind: shock}, "
              "{id: b, date: 2011-01-01, kind: shock}]\n")
    with pytest.raises(ScenarioError) as exc:
        read_yaml(text, "s.yaml")
    assert [str(p) for p in exc.value.problems] == [
        "s.yaml:6: simulation.end: end 2009-12-31 is not after start 2010-01-01"]


def test_cycle_in_triggered_by():
    errs = _errors("calendar: [{id: a, kind: shock, triggered_by: b}, "
                   "{id: b, kind: shock, triggered_by: a}]\n")
    assert any("cycle" in e for e in errs)


def test_unknown_behaviour_field_names_the_line():
    errs = _errors("") if False else None
    with pytest.raises(ScenarioError) as exc:
        read_yaml(BASE.replace("salience: {X: 50}}\n  - {id: Q",
                               "salience: {X: 50}, behaviour: {agilty: 1}}\n  - {id: Q"),
                  "s.yaml")
    assert any("actors[0].behaviour.agilty" in str(p) for p in exc.value.problems)
    assert errs is None


def test_an_election_without_actors_is_refused_where_it_stands():
    # it was accepted and froze no one's position ("election ()" in the narrative)
    errs = _errors("calendar: [{id: vote, date: 2010-03-01, kind: election}]\n")
    assert errs == ["s.yaml:7: calendar[0].actors: an election needs the actors who hold it "
                    "(actors: [...]); without them it freezes no one's position"]
