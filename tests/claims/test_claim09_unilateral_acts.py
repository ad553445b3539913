"""Claim 9: trust falls most for an act without notice, less informed, least consulted."""

import datetime as dt


def _scenario(build, consultation):
    actors = [{"id": "P", "position": {"X": 50}, "salience": {"X": 50}},
              {"id": "Q", "position": {"X": 60}, "salience": {"X": 50}}]
    cal = [{"id": "act", "date": "2010-02-01", "kind": "unilateral_act", "actors": ["P", "Q"],
            "params": {"consultation": consultation}}]
    return build(actors, cal, relations={"trust": [{"a": "P", "b": "Q", "value": 0.7}]})


def test_trust_drop_orders_by_consultation(build, simulate_it):
    after = {c: float(simulate_it(_scenario(build, c)).trust_at("P", "Q", dt.date(2010, 3, 1))[0])
             for c in ("none", "informed", "consulted")}
    assert after["none"] < after["informed"] < after["consulted"] < 0.7


def test_no_drop_when_switched_off(build, simulate_it):
    h = simulate_it(_scenario(build, "none"), off=("alliance_trust",))
    assert float(h.trust_at("P", "Q", dt.date(2010, 3, 1))[0]) == 0.7
