"""The calendar of forum meetings: planned, held and cancelled meetings and the cadence."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.scenario.model import Scenario
from detente.simulation.calendar import forum_meetings


def _forum(statuses: list[str], continues: bool | None = None) -> Scenario:
    dates = ["2010-01-10", "2010-03-10"]
    return Scenario.model_validate({
        "issues": [{"id": "X"}],
        "actors": [{"id": a, "position": {"X": x}, "salience": {"X": 50}}
                   for a, x in (("P", 10), ("Q", 90))],
        "forums": [{"id": "f", "members": ["P", "Q"], "agenda": ["X"], "meetings": [
            {"date": d, "name": f"round {n + 1}", "status": s}
            for n, (d, s) in enumerate(zip(dates, statuses, strict=True))]}],
        "simulation": {"cadence_days": 100, **({"forums": {"f": {"continues": continues}}}
                                               if continues is not None else {})},
    })


def _dates(sc: Scenario) -> list[tuple[str, str]]:
    return [(s.date.isoformat(), s.label) for s in
            forum_meetings(sc, dt.date(2010, 1, 1), dt.date(2010, 12, 31))]


def test_a_forum_with_a_planned_meeting_continues_at_its_cadence():
    assert _dates(_forum(["held", "planned"])) == [
        ("2010-01-10", "f round 1"), ("2010-03-10", "f round 2"),
        ("2010-06-18", "f round 3"), ("2010-09-26", "f round 4")]


@pytest.mark.parametrize("continues", [None, True])
def test_a_cancelled_meeting_is_no_step_but_keeps_the_schedule(continues):
    assert _dates(_forum(["held", "cancelled"], continues)) == [
        ("2010-01-10", "f round 1"), ("2010-06-18", "f round 3"), ("2010-09-26", "f round 4")]


def test_only_held_meetings_do_not_continue_unless_told():
    assert _dates(_forum(["held", "held"])) == [("2010-01-10", "f round 1"),
                                               ("2010-03-10", "f round 2")]
    assert _dates(_forum(["held", "cancelled"], continues=False)) == [
        ("2010-01-10", "f round 1")]
