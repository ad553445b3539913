"""Claim 6: a leader's support rises with what it gets and falls with what it gives.

P gives Q a concession worth 0.2 and gets 0.05 back. P's support falls, Q's rises; a gain in
the months before Q's election counts more. Switched off, support does not move.
"""

import datetime as dt

import pytest

from detente.simulation.mechanisms.domestic import Params

AFTER = dt.date(2010, 3, 1)


def _scenario(build, election=None):
    actors = [{"id": "P", "position": {"X": 20}, "salience": {"X": 80}},
              {"id": "Q", "position": {"X": 80}, "salience": {"X": 80}}]
    cal = [{"id": "deal", "date": "2010-02-01", "kind": "concession", "actors": ["P", "Q"],
            "params": {"value": 0.2, "returned": 0.05}}]
    if election:
        cal.append({"id": "vote", "date": election, "kind": "election", "actors": ["Q"]})
    return build(actors, cal)


def test_giver_loses_and_receiver_gains_support(build, simulate_it):
    p = Params()
    h = simulate_it(_scenario(build))
    assert float(h.support_at("P", AFTER)[0]) == pytest.approx(
        0.5 + p.gain_weight * 0.05 - p.cost_weight * 0.2)
    assert float(h.support_at("Q", AFTER)[0]) == pytest.approx(
        0.5 + p.gain_weight * 0.2 - p.cost_weight * 0.05)
    assert float(h.support_at("P", AFTER)[0]) < 0.5 < float(h.support_at("Q", AFTER)[0])


def test_gain_before_election_counts_more(build, simulate_it):
    plain = float(simulate_it(_scenario(build)).support_at("Q", AFTER)[0])
    near = float(simulate_it(_scenario(build, "2010-03-15")).support_at("Q", AFTER)[0])
    assert near - 0.5 > 1.5 * (plain - 0.5)


def test_support_unmoved_when_switched_off(build, simulate_it):
    h = simulate_it(_scenario(build, "2010-03-15"), off=("domestic",))
    assert float(h.support_at("P", AFTER)[0]) == 0.5
    assert float(h.support_at("Q", AFTER)[0]) == 0.5
