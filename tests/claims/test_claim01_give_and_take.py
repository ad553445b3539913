"""Claim 1: an exchange of concessions of similar value is accepted, a lopsided one is not.

Two actors logroll on two issues from a status quo both dislike: P cares almost only about X,
Q mostly about Y, where they agree. With equal capabilities the text splits X and both gain
alike; with Q fifty times stronger the opening text gives P almost nothing. ``stalling`` is off
in every run so that acceptance is "better than the status quo" plus, when ``reciprocity`` is
on, "fair": the test isolates the reciprocity mechanism.
"""

import numpy as np

from detente.simulation.mechanisms.reciprocity import Params
from detente.simulation.protocol import AGREEMENT

SAL = {"P": np.array([0.98, 0.02]), "Q": np.array([0.3, 0.7])}
IDEAL = {"P": np.array([100.0, 100.0]), "Q": np.array([0.0, 100.0])}
SQ = np.array([0.0, 0.0])


def _scenario(build, cap_q):
    actors = [{"id": "P", "position": {"X": 100, "Y": 100}, "salience": {"X": 98, "Y": 2}},
              {"id": "Q", "capability": cap_q, "position": {"X": 0, "Y": 100},
               "salience": {"X": 30, "Y": 70}}]
    forums = [{"id": "f", "members": ["P", "Q"], "agenda": ["X", "Y"], "rule": "bilateral",
               "meetings": [{"date": "2010-03-01"}]}]
    return build(actors, [], forums,
                 issues=[{"id": "X", "status_quo": 0}, {"id": "Y", "status_quo": 0}])


def _gain(who, x):
    u = 1 - (SAL[who] * np.abs(x - IDEAL[who])).sum() / 100
    u0 = 1 - (SAL[who] * np.abs(SQ - IDEAL[who])).sum() / 100
    return u - u0


def _first_deal(simulate_it, sc, off):
    r = simulate_it(sc, off=off, until="2010-04-30").meetings("f")[0]
    assert r.outcome[0] == AGREEMENT
    return r.package[0]


def test_balanced_exchange_is_accepted_as_is(build, simulate_it):
    on = _first_deal(simulate_it, _scenario(build, 1), ("stalling",))
    off = _first_deal(simulate_it, _scenario(build, 1), ("stalling", "reciprocity"))
    assert np.allclose(on, off)  # the fairness test does not bind on a fair exchange
    assert _gain("P", on) >= 0.5 * _gain("Q", on) > 0


def test_lopsided_exchange_is_refused_until_rebalanced(build, simulate_it):
    balance = Params().balance
    on = _first_deal(simulate_it, _scenario(build, 50), ("stalling",))
    assert _gain("P", on) >= balance * _gain("Q", on) - 1e-6
    off = _first_deal(simulate_it, _scenario(build, 50), ("stalling", "reciprocity"))
    # switched off, P takes the lopsided opening text: far below a fair share
    assert 0 < _gain("P", off) < 0.6 * balance * _gain("Q", off)
    assert on[0] > off[0] + 5  # Q had to give P more on X before P would sign
