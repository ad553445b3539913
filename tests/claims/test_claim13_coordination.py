"""Claim 13: a coordination meeting raises trust and pulls the allies' positions together.

Allies A (X 30) and B (X 60) face T (X 90) in a three-party round. A month earlier they hold
a coordination meeting (a TCOG session). With ``coordination`` on their mutual trust rises by
``trust_gain x (1 - trust)`` and at the round their offers stand closer together than without;
switched off, the coordination meeting changes neither.
"""

import datetime as dt

import pytest

from detente.simulation.mechanisms.coordination import Params


def _scenario(build, coordinate=True):
    actors = [{"id": "A", "position": {"X": 30}, "salience": {"X": 70}},
              {"id": "B", "position": {"X": 60}, "salience": {"X": 70}},
              {"id": "T", "position": {"X": 90}, "salience": {"X": 70}}]
    forums = [{"id": "talks", "members": ["A", "B", "T"], "agenda": ["X"],
               "meetings": [{"date": "2010-03-01"}]}]
    cal = [{"id": "tcog", "date": "2010-02-01", "kind": "coordination" if coordinate else "note",
            "actors": ["A", "B"]}]
    return build(actors, cal, forums, relations={
        "alliances": [{"id": "al", "members": ["A", "B"]}],
        "trust": [{"a": "A", "b": "B", "value": 0.6}]})


def _after(simulate_it, sc, off=()):
    h = simulate_it(sc, off=off, until="2010-03-15")
    r = h.meetings("talks")[0]
    spread = abs(float(r.positions[0, 0, 0] - r.positions[0, 1, 0]))
    return float(h.trust_at("A", "B", dt.date(2010, 2, 15))[0]), spread


def test_coordination_raises_trust_and_closes_ranks(build, simulate_it):
    trust, spread = _after(simulate_it, _scenario(build))
    base_trust, base_spread = _after(simulate_it, _scenario(build, coordinate=False))
    assert base_trust == 0.6
    assert trust == pytest.approx(0.6 + Params().trust_gain * 0.4)
    assert spread < 0.9 * base_spread


def test_no_effect_when_switched_off(build, simulate_it):
    off = _after(simulate_it, _scenario(build), off=("coordination",))
    assert off == _after(simulate_it, _scenario(build, coordinate=False), off=("coordination",))
