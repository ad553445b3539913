"""Claim 10: how an act looks to the ally's public moves trust and domestic support.

The same consulted act by P that affects its ally Q is staged three times: seen by Q's public
as villainous (image -0.8), neutral (0) or friendly (+0.5). Trust and Q's leader's support
follow the image; with ``perceptions`` off the image makes no difference.
"""

import datetime as dt

AFTER = dt.date(2010, 3, 1)


def _scenario(build, image):
    actors = [{"id": "P", "position": {"X": 50}, "salience": {"X": 50}},
              {"id": "Q", "position": {"X": 60}, "salience": {"X": 50}}]
    cal = [{"id": "act", "date": "2010-02-01", "kind": "unilateral_act", "actors": ["P", "Q"],
            "params": {"consultation": "consulted", "image": image}}]
    return build(actors, cal, relations={"trust": [{"a": "P", "b": "Q", "value": 0.7}]})


def _after(simulate_it, sc, off=()):
    h = simulate_it(sc, off=off)
    return float(h.trust_at("P", "Q", AFTER)[0]), float(h.support_at("Q", AFTER)[0])


def test_image_moves_trust_and_support(build, simulate_it):
    villain, neutral, friend = (_after(simulate_it, _scenario(build, i))
                                for i in (-0.8, 0.0, 0.5))
    assert villain[0] < neutral[0] - 0.05 and friend[0] > neutral[0] + 0.03
    assert villain[1] < neutral[1] - 0.03 and friend[1] > neutral[1] + 0.01
    assert neutral[1] == 0.5  # the act itself, consulted and neutral, costs no support


def test_image_irrelevant_when_switched_off(build, simulate_it):
    res = {i: _after(simulate_it, _scenario(build, i), off=("perceptions",))
           for i in (-0.8, 0.0, 0.5)}
    assert res[-0.8] == res[0.0] == res[0.5]
