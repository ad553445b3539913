"""Events triggered by other events: ``triggered_by``, ``delay_days`` and ``on``."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.scenario.model import Scenario
from detente.simulation import SimOptions, simulate
from detente.simulation.protocol import OUTCOMES


def _scenario(trigger: dict) -> Scenario:
    """P, Q and R bargain at m1 (a calendar meeting event, 2010-02-01) without agreeing."""
    return Scenario.model_validate({
        "issues": [{"id": "X", "status_quo": 50}, {"id": "Y", "status_quo": 50}],
        "actors": [
            {"id": "P", "position": {"X": 20, "Y": 30}, "salience": {"X": 80, "Y": 60},
             "capability": 50, "behaviour": {"strategy": "coercive"}},
            {"id": "Q", "position": {"X": 80, "Y": 70}, "salience": {"X": 80, "Y": 60},
             "capability": 50},
            {"id": "R", "position": {"X": 50, "Y": 40}, "salience": {"X": 50, "Y": 50},
             "capability": 30},
        ],
        "forums": [{"id": "f", "name": "the forum", "members": ["P", "Q", "R"],
                    "agenda": ["X", "Y"], "meetings": [{"date": "2010-06-01",
                                                        "status": "planned"}]}],
        "calendar": [{"id": "m1", "date": "2010-02-01", "kind": "meeting", "forum": "f",
                      "description": "m1"}, trigger],
        "simulation": {"start": "2010-01-01", "end": "2010-12-31",
                       "forums": {"f": {"continues": False}}},
    })


def _steps(sc: Scenario) -> list[tuple[str, str, str]]:
    h = simulate(sc, SimOptions(until=dt.date(2010, 12, 31)), seed=0)
    return [(r.date.isoformat(), r.kind, r.label) for r in h.records if r.kind != "end"]


POLICY = {"id": "pol", "kind": "policy", "triggered_by": "m1", "actors": ["P"],
          "params": {"actor": "P", "strategy": "inducement", "delay_days": 30}}


def test_an_event_triggered_by_a_meeting_follows_it():
    """Children of a forum meeting given as a calendar event were never scheduled."""
    h = simulate(_scenario(POLICY), SimOptions(until=dt.date(2010, 12, 31)), seed=0)
    m1 = next(r for r in h.records if r.kind == "meeting")
    assert OUTCOMES[int(m1.outcome[0])] == "impasse"
    assert ("2010-03-03", "policy", "pol") in _steps(_scenario(POLICY))


@pytest.mark.parametrize(("on", "fires"), [("impasse", True), ("agreement", False),
                                           ("any", True)])
def test_on_selects_the_meetings_outcome(on, fires):
    trigger = {**POLICY, "params": {**POLICY["params"], "on": on}}
    assert (("2010-03-03", "policy", "pol") in _steps(_scenario(trigger))) is fires


def test_a_triggered_meeting_convenes_its_forum():
    """A meeting event scheduled by its trigger was recorded as a bare event: the forum did
    not bargain."""
    follow_up = {"id": "m1b", "kind": "meeting", "forum": "f", "triggered_by": "m1",
                 "description": "follow-up", "params": {"delay_days": 14}}
    h = simulate(_scenario(follow_up), SimOptions(until=dt.date(2010, 12, 31)), seed=0)
    meetings = [r for r in h.records if r.kind == "meeting"]
    assert [(r.date.isoformat(), r.label) for r in meetings] == [
        ("2010-02-01", "the forum m1"), ("2010-02-15", "the forum follow-up"),
        ("2010-06-01", "the forum")]
    assert all(r.package is not None for r in meetings)
