"""Claim 2: a large unreciprocated concession raises the receiver's aspiration next meeting.

P gives Q a favour worth 0.3 (Q's utility) a month before they meet. Unreciprocated, Q comes
to the table demanding more: its offer after the meeting stays nearer its own ideal than when
it paid the favour back in full. With the ``aspiration`` mechanism off, the favour leaves Q's
demands where they were.
"""

from detente.simulation.mechanisms.aspiration import Params


def _scenario(build, returned):
    actors = [{"id": "P", "position": {"X": 20}, "salience": {"X": 80},
               "behaviour": {"strategy": "linear", "reservation": 0.3}},
              {"id": "Q", "position": {"X": 90}, "salience": {"X": 80},
               "behaviour": {"strategy": "linear", "reservation": 0.3,
                             "initial_aspiration": 0.6}}]
    forums = [{"id": "f", "members": ["P", "Q"], "agenda": ["X"], "rule": "bilateral",
               "meetings": [{"date": "2010-03-01"}]}]
    cal = [{"id": "gift", "date": "2010-02-01", "kind": "concession", "actors": ["P", "Q"],
            "params": {"value": 0.3, "returned": returned}}]
    return build(actors, cal, forums)


def _q_demand(simulate_it, sc, off=()):
    """How far Q's offer after the meeting stays from P's ideal (higher = demands more)."""
    r = simulate_it(sc, off=off, until="2010-04-30").meetings("f")[0]
    return float(r.positions[0, 1, 0]) - 20.0


def test_unreciprocated_favour_raises_demands(build, simulate_it):
    given = _q_demand(simulate_it, _scenario(build, 0.0))
    repaid = _q_demand(simulate_it, _scenario(build, 0.3))
    # aspiration up by rate x (0.3 - threshold) = 0.2 -> Q's offer ~0.2/0.8 x 100 = 25 points
    p = Params()
    expected = p.rate * (0.3 - p.threshold) / 0.8 * 100
    assert given - repaid > 0.5 * expected


def test_no_rise_when_switched_off(build, simulate_it):
    given = _q_demand(simulate_it, _scenario(build, 0.0), off=("aspiration",))
    repaid = _q_demand(simulate_it, _scenario(build, 0.3), off=("aspiration",))
    assert abs(given - repaid) < 1e-9
