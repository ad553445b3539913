"""Claim 3: offering too little while demanding too much stalls the talks, which continue.

P, much the stronger, offers a text near its own ideal (X about 25) and never comes below a
utility of 0.9; Q demands at least 0.8 (X of 70 or more). The text beats the status quo (0)
for both, so with the ``stalling`` mechanism off Q takes it; with it on the under-offer ends
the meeting in impasse with Q the holdout, and the forum meets again at the next round.
"""

from detente.simulation.protocol import AGREEMENT, IMPASSE, NO_MEETING


def _scenario(build):
    actors = [{"id": "P", "capability": 13, "position": {"X": 20}, "salience": {"X": 80},
               "behaviour": {"strategy": "boulware", "reservation": 0.9,
                             "initial_aspiration": 1.0}},
              {"id": "Q", "position": {"X": 90}, "salience": {"X": 80},
               "behaviour": {"strategy": "boulware", "reservation": 0.8}}]
    forums = [{"id": "f", "members": ["P", "Q"], "agenda": ["X"], "rule": "bilateral",
               "meetings": [{"date": "2010-03-01", "name": "round 1"},
                            {"date": "2010-07-01", "name": "round 2"}]}]
    return build(actors, [], forums, issues=[{"id": "X", "status_quo": 0}])


def test_under_offer_ends_in_impasse_and_talks_go_on(build, simulate_it):
    first, second = simulate_it(_scenario(build), until="2010-08-01").meetings("f")
    assert first.outcome[0] == IMPASSE and first.holdout == ["Q"]
    assert first.package[0, 0] < 30  # the text stayed an under-offer for Q
    assert first.positions[0, 1, 0] > 70  # Q still demands more than P gives
    assert second.outcome[0] != NO_MEETING  # talks continue
    assert second.outcome[0] == IMPASSE


def test_under_offer_taken_when_switched_off(build, simulate_it):
    first = simulate_it(_scenario(build), off=("stalling",), until="2010-04-01").meetings("f")[0]
    assert first.outcome[0] == AGREEMENT
    assert 20 < first.package[0, 0] < 30
