"""Claim 13, coordination mechanisms maintain cohesion.

Sources: G. H. Snyder (1997), *Alliance Politics*, ch. 5 (alliance management); R. O.
Keohane (1984), *After Hegemony* (institutions reduce uncertainty). A coordination meeting (a
forum with rule ``consultation``, or a ``coordination`` event) raises trust among the
participants by ``trust_gain x (1 - trust)`` and pulls their offers and ideal points on the
agenda ``pull`` of the way towards their capability x salience weighted mean.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    trust_gain: float = 0.15
    pull: float = 0.2


MECHANISM = Mechanism("coordination", 13, "a coordination meeting raises trust and pulls "
                      "allies' positions together", "Snyder (1997) ch. 5; Keohane (1984)",
                      Params)
