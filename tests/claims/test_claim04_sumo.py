"""Claim 4: coercion by a much stronger actor against a small agile one fails and escalates;
inducements win cooperation ("sumo" diplomacy).

S (nine times T's capability) bargains with the agile T (agility 0.9) over three rounds,
either pressing it (coercive) or offering inducements. With ``sumo`` on, pressure is
sidestepped: T stiffens instead of conceding, S's frustration makes it press harder each round
so the relation sours faster and faster; inducements bring T far towards S. Switched off
(classical power politics) pressure converts into concessions, coercion gets at least as much
as inducements, and trust is untouched.
"""

ROUNDS = [{"date": "2010-03-01", "name": "round 1"}, {"date": "2010-05-01", "name": "round 2"},
          {"date": "2010-07-01", "name": "round 3"}]


def _scenario(build, strategy):
    actors = [{"id": "S", "capability": 9, "position": {"X": 10}, "salience": {"X": 80},
               "behaviour": {"strategy": strategy}},
              {"id": "T", "position": {"X": 90}, "salience": {"X": 80},
               "behaviour": {"agility": 0.9}}]
    forums = [{"id": "f", "members": ["S", "T"], "agenda": ["X"], "rule": "bilateral",
               "meetings": ROUNDS}]
    return build(actors, [], forums,
                 relations={"trust": [{"a": "S", "b": "T", "value": 0.9}]})


def _rounds(simulate_it, sc, off=()):
    """T's offer and S-T trust after each round."""
    ms = simulate_it(sc, off=off, until="2010-08-01").meetings("f")
    return [float(r.positions[0, 1, 0]) for r in ms], [float(r.trust[0, 0, 1]) for r in ms]


def test_coercion_fails_and_escalates_inducement_works(build, simulate_it):
    coerced, trust = _rounds(simulate_it, _scenario(build, "coercive"))
    induced, trust_induced = _rounds(simulate_it, _scenario(build, "inducement"))
    assert coerced[-1] >= coerced[0] > 75  # T stiffens instead of coming towards S
    assert coerced[-1] - induced[-1] > 30  # inducements bring T much further
    losses = [0.9 - trust[0], trust[0] - trust[1]]
    assert 0 < losses[0] < losses[1]  # S presses harder each round: the relation sours faster
    assert trust_induced == [0.9] * 3


def test_coercion_works_when_switched_off(build, simulate_it):
    coerced, trust = _rounds(simulate_it, _scenario(build, "coercive"), off=("sumo",))
    induced, _ = _rounds(simulate_it, _scenario(build, "inducement"), off=("sumo",))
    assert coerced[-1] < 60 and coerced[-1] <= induced[-1]
    assert trust == [0.9] * 3
