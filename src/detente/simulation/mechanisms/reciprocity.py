"""Claim 1, give and take: a deal is an exchange of concessions of similar value.

Source: D. G. Pruitt (1981), *Negotiation Behavior*, ch. 5 (reciprocity and the norm of
matching concessions); G. C. Homans (1961) on distributive justice in exchange. A member
accepts a package only if its gain over the status quo is at least ``balance`` times the mean
gain of the others: a lopsided exchange is refused by the side that gets the short end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    balance: float = 0.25  # my gain must reach this share of the others' mean gain


MECHANISM = Mechanism("reciprocity", 1, "exchanges of similar value are accepted, lopsided "
                      "ones refused", "Pruitt (1981), Negotiation Behavior, ch. 5", Params)


def balanced(gain: np.ndarray, p: Params) -> np.ndarray:
    """(B, M) gains over the status quo -> (B, M) whether each member finds the deal fair."""
    M = gain.shape[1]
    others = (gain.sum(1, keepdims=True) - gain) / max(M - 1, 1)
    return gain >= p.balance * np.maximum(others, 0.0) - 1e-9
