"""Claim 8: an overstretched actor's reduced capacity to coerce works like an assurance.

S, nine times T's capability and distrusted by T, meets T. When 80% of S's capacity is tied
down elsewhere, T perceives less threat and comes down further at the table, as if it had
received a security assurance: its offer ends nearer S's ideal by about ``assurance x`` the
fall in threat (in utility, 0.8 salience per 100 points). Where T trusts S fully there is no
threat to lower. With ``overstretch`` off, S's commitments elsewhere make no difference.
"""

from detente.simulation.mechanisms.overstretch import Params


def _scenario(build, overstretch, trust=0.2):
    actors = [{"id": "S", "capability": 9, "position": {"X": 10}, "salience": {"X": 80},
               "behaviour": {"overstretch": overstretch}},
              {"id": "T", "position": {"X": 90}, "salience": {"X": 80}}]
    forums = [{"id": "f", "members": ["S", "T"], "agenda": ["X"], "rule": "bilateral",
               "meetings": [{"date": "2010-03-01"}]}]
    return build(actors, [], forums,
                 relations={"trust": [{"a": "S", "b": "T", "value": trust}]})


def _t_offer(simulate_it, sc, off=()):
    return float(simulate_it(sc, off=off, until="2010-04-01").meetings("f")[0].positions[0, 1, 0])


def test_overstretch_lowers_target_demands(build, simulate_it):
    fresh = _t_offer(simulate_it, _scenario(build, 0.0))
    stretched = _t_offer(simulate_it, _scenario(build, 0.8))
    threat_fall = 0.9 * 0.8 * (1 - 0.2)  # S's share x overstretch x T's distrust
    expected = Params().assurance * threat_fall / 0.8 * 100
    assert fresh - stretched > 0.7 * expected


def test_no_threat_no_assurance(build, simulate_it):
    assert _t_offer(simulate_it, _scenario(build, 0.0, trust=1.0)) == _t_offer(
        simulate_it, _scenario(build, 0.8, trust=1.0))


def test_no_effect_when_switched_off(build, simulate_it):
    assert _t_offer(simulate_it, _scenario(build, 0.0), off=("overstretch",)) == _t_offer(
        simulate_it, _scenario(build, 0.8), off=("overstretch",))
