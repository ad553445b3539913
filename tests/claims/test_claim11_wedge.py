"""Claim 11: a move that helps one ally and sets it against another erodes their trust
unless the dispute is settled.

T releases something A wants (a concession to A) that puts A in a dispute with its ally B (the
Jenkins pattern). While the dispute is open, A-B trust falls month by month, faster than for a
dispute nobody exploits; a settlement (an amnesty) stops the slide and restores some trust.
With ``wedge`` off the dispute leaves their trust alone.
"""

import datetime as dt

import pytest

from detente.simulation.mechanisms.wedge import Params

START_TRUST = 0.8


def _scenario(build, settle=False, wedge_by="T"):
    actors = [{"id": "A", "position": {"X": 40}, "salience": {"X": 60}},
              {"id": "B", "position": {"X": 30}, "salience": {"X": 60}},
              {"id": "T", "position": {"X": 90}, "salience": {"X": 60}}]
    params = {"wedge_by": wedge_by} if wedge_by else {}
    cal = [{"id": "release", "date": "2010-02-01", "kind": "concession", "actors": ["T", "A"],
            "params": {"value": 0.2}},
           {"id": "custody", "date": "2010-02-01", "kind": "dispute", "actors": ["A", "B"],
            "params": params}]
    # observation points: History records trust at each step, so mark the dates we read
    cal += [{"id": f"look{k}", "date": d, "kind": "note"}
            for k, d in enumerate(("2010-04-01", "2010-08-01"))]
    if settle:
        cal.append({"id": "amnesty", "date": "2010-04-01", "kind": "settlement",
                    "actors": ["A", "B"], "params": {"settles": "custody"}})
    return build(actors, cal, relations={
        "alliances": [{"id": "al", "members": ["A", "B"]}],
        "trust": [{"a": "A", "b": "B", "value": START_TRUST}]})


def _trust(simulate_it, sc, off=(), until="2010-08-01"):
    return float(simulate_it(sc, off=off, until=until).trust_at(
        "A", "B", dt.date.fromisoformat(until))[0])


def test_open_wedge_erodes_trust(build, simulate_it):
    p = Params()
    lost = START_TRUST - _trust(simulate_it, _scenario(build))
    days = (dt.date(2010, 8, 1) - dt.date(2010, 2, 1)).days
    assert lost == pytest.approx(p.erosion_per_month * p.exploited * days / 30)
    plain = START_TRUST - _trust(simulate_it, _scenario(build, wedge_by=None))
    assert 0 < plain < lost  # a dispute nobody exploits erodes more slowly


def test_settlement_stops_the_slide(build, simulate_it):
    settled = _trust(simulate_it, _scenario(build, settle=True))
    at_settlement = _trust(simulate_it, _scenario(build, settle=True), until="2010-04-01")
    assert settled == pytest.approx(at_settlement)  # no erosion after the amnesty
    assert settled > _trust(simulate_it, _scenario(build)) + 0.05


def test_no_erosion_when_switched_off(build, simulate_it):
    assert _trust(simulate_it, _scenario(build), off=("wedge",)) == START_TRUST
