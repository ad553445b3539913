"""Claim 2, giving too much raises the other side's expectations.

Source: S. Siegel & L. E. Fouraker (1960), *Bargaining and Group Decision Making*
(aspiration levels rise after easy success); Pruitt (1981) ch. 2. After an exchange, the
receiver's aspiration rises by ``rate x (net - threshold)`` where ``net`` is the value it
received minus the value it gave back (both 0-1 utility), capped at ``ceiling``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    threshold: float = 0.05  # unreciprocated value tolerated without effect
    rate: float = 0.8  # aspiration rise per unit of unreciprocated value
    ceiling: float = 1.0


MECHANISM = Mechanism("aspiration", 2, "a large unreciprocated concession raises the "
                      "receiver's aspiration", "Siegel & Fouraker (1960); Pruitt (1981) ch. 2",
                      Params)


def raise_after(aspiration: np.ndarray, net: np.ndarray, p: Params) -> np.ndarray:
    """New aspiration of a receiver given the net value it got (any matching shapes)."""
    return np.minimum(aspiration + p.rate * np.maximum(net - p.threshold, 0.0),
                      max(p.ceiling, 0.0))
