"""Claim 12: a cohesive coalition lowers the target's gain from holding out; the target turns
to the weakest link.

Allies A, B, C (X about 20) face the target T (X 90). At a round with all four, T demands
less when the allies trust each other (cohesion high) than when they do not. Met alone, the
weakest link (C, the ally with the least trust in its partners) gets more out of T than B
does. With ``squeeze`` off, neither the coalition's cohesion nor who T meets makes a
difference.
"""

from detente.simulation.mechanisms.squeeze import Params

COHESIVE = {"ab": 0.9, "ac": 0.8, "bc": 0.5}
SPLIT = {"ab": 0.2, "ac": 0.15, "bc": 0.1}


def _scenario(build, members, trust):
    actors = [{"id": "A", "position": {"X": 20}, "salience": {"X": 80}},
              {"id": "B", "position": {"X": 22}, "salience": {"X": 80}},
              {"id": "C", "position": {"X": 22}, "salience": {"X": 80}},
              {"id": "T", "position": {"X": 90}, "salience": {"X": 80}}]
    forums = [{"id": "f", "members": [*members, "T"], "agenda": ["X"],
               "meetings": [{"date": "2010-03-01"}]}]
    return build(actors, [], forums, relations={
        "alliances": [{"id": "al", "members": ["A", "B", "C"]}],
        "trust": [{"a": k[0].upper(), "b": k[1].upper(), "value": v}
                  for k, v in trust.items()]})


def _t_offer(simulate_it, sc, off=()):
    r = simulate_it(sc, off=off, until="2010-04-01").meetings("f")[0]
    return float(r.positions[0, -1, 0])


def test_cohesive_coalition_squeezes_target(build, simulate_it):
    tight = _t_offer(simulate_it, _scenario(build, "ABC", COHESIVE))
    loose = _t_offer(simulate_it, _scenario(build, "ABC", SPLIT))
    # cohesion (mean trust x (1 - dispersion)) is ~0.73 against ~0.15: T's aspiration falls
    # by squeeze x 0.58 more, i.e. ~7 points of X at salience 0.8
    assert loose - tight > 0.5 * Params().squeeze * 0.58 / 0.8 * 100


def test_target_turns_to_the_weakest_link(build, simulate_it):
    with_weakest = _t_offer(simulate_it, _scenario(build, "C", COHESIVE))
    with_other = _t_offer(simulate_it, _scenario(build, "B", COHESIVE))
    assert with_other - with_weakest > 0.5 * (Params().squeeze + Params().weakest_link) \
        * 0.58 / 0.8 * 100


def test_no_squeeze_when_switched_off(build, simulate_it):
    off = ("squeeze",)
    assert _t_offer(simulate_it, _scenario(build, "ABC", COHESIVE), off) == _t_offer(
        simulate_it, _scenario(build, "ABC", SPLIT), off)
    assert _t_offer(simulate_it, _scenario(build, "C", COHESIVE), off) == _t_offer(
        simulate_it, _scenario(build, "B", COHESIVE), off)
