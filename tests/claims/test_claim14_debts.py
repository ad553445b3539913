"""Claim 14: a favour creates a debt that the giver calls in later.

P does Q a favour worth 0.2. Q then meets R (P is absent: nothing is called in) and later
meets P, who calls in ``call_rate`` of the debt: Q comes down further towards P than it would
have without the debt. With ``debts`` off the favour buys nothing at the later meeting (the
favour's other effects, on aspiration and support, are the same in both runs).
"""

from detente.simulation.mechanisms.debts import Params


def _scenario(build):
    actors = [{"id": "P", "position": {"X": 10}, "salience": {"X": 80}},
              {"id": "Q", "position": {"X": 90}, "salience": {"X": 80},
               "behaviour": {"initial_aspiration": 0.7}},
              {"id": "R", "position": {"X": 50}, "salience": {"X": 80}}]
    forums = [{"id": "qr", "members": ["Q", "R"], "agenda": ["X"], "rule": "bilateral",
               "meetings": [{"date": "2010-03-01"}]},
              {"id": "pq", "members": ["P", "Q"], "agenda": ["X"], "rule": "bilateral",
               "meetings": [{"date": "2010-05-01"}]}]
    cal = [{"id": "favour", "date": "2010-02-01", "kind": "concession", "actors": ["P", "Q"],
            "params": {"value": 0.2}}]
    return build(actors, cal, forums)


def _q_offers(simulate_it, sc, off=()):
    h = simulate_it(sc, off=off, until="2010-06-01")
    return float(h.meetings("qr")[0].positions[0, 0, 0]), float(
        h.meetings("pq")[0].positions[0, 1, 0])


def test_debt_is_called_in_by_the_creditor(build, simulate_it):
    q_with_r, q_with_p = _q_offers(simulate_it, _scenario(build))
    base_r, base_p = _q_offers(simulate_it, _scenario(build), off=("debts",))
    assert q_with_r == base_r  # not called in where the creditor is absent
    # called in: Q's aspiration is 0.1 lower, about 0.1 / 0.8 x 100 = 12 points on X
    called = Params().call_rate * 0.2
    assert base_p - q_with_p > 0.5 * called / 0.8 * 100


def test_favour_buys_nothing_when_switched_off(build, simulate_it):
    sc = _scenario(build)
    no_favour = sc.model_copy(update={"calendar": []})
    with_favour = _q_offers(simulate_it, sc, off=("debts", "aspiration", "domestic"))
    assert with_favour == _q_offers(simulate_it, no_favour, off=("debts", "aspiration",
                                                                  "domestic"))
