"""Claim 7: before an election an actor makes no concessions; talks stall until after it."""

import datetime as dt

from detente.simulation.protocol import AGREEMENT, FROZEN


def _scenario(build):
    actors = [{"id": "P", "position": {"X": 10}, "salience": {"X": 80},
               "behaviour": {"strategy": "conceder", "reservation": 0.3}},
              {"id": "Q", "position": {"X": 90}, "salience": {"X": 80},
               "behaviour": {"strategy": "conceder", "reservation": 0.3}}]
    forums = [{"id": "f", "members": ["P", "Q"], "agenda": ["X"], "rule": "bilateral",
               "meetings": [{"date": "2010-03-01"}]}]
    cal = [{"id": "vote", "date": "2010-04-01", "kind": "election", "actors": ["P"]}]
    return build(actors, cal, forums)


def test_frozen_before_election_then_concedes(build, simulate_it):
    h = simulate_it(_scenario(build))
    first = h.meetings("f")[0]
    assert first.date == dt.date(2010, 3, 1) and first.outcome[0] != AGREEMENT
    p_offer = first.positions[0, 0, 0]
    assert abs(p_offer - 15) < 1e-6  # P stays at its opening demand (aspiration 0.95)
    assert first.blocker is not None and first.reason is not None
    assert first.blocker[0] == 0 and first.reason[0] == FROZEN  # P blocks: frozen
    later = h.meetings("f")[1]
    assert later.positions[0, 0, 0] > 15.5  # after the election P concedes
    # ... and the pair reaches agreement at a later meeting
    assert any(r.outcome[0] == AGREEMENT for r in h.meetings("f")[1:])


def test_concedes_when_switched_off(build, simulate_it):
    first = simulate_it(_scenario(build), off=("freeze",)).meetings("f")[0]
    assert first.positions[0, 0, 0] > 15.5
