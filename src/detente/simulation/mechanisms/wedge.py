"""Claim 11, the adversary drives wedges between allies unless the dispute is settled.

Sources: T. W. Crawford (2011), "Preventing enemy coalitions: how wedge strategies shape
power politics", International Security 35(4); Snyder (1984). While a dispute between two
actors is open (a ``dispute`` event, from its date or from the start if undated), their trust
falls by ``erosion_per_month`` (x ``exploited`` if an adversary created it, ``wedge_by``) for
each 30 days; a ``settlement`` event naming it (``settles``) ends it and restores
``restore``.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    erosion_per_month: float = 0.015
    exploited: float = 2.0
    restore: float = 0.05


MECHANISM = Mechanism("wedge", 11, "an open dispute between allies erodes their trust until "
                      "settled", "Crawford (2011); Snyder (1984)", Params)


def erosion(days: float, wedge: bool, p: Params) -> float:
    return p.erosion_per_month * days / 30.0 * (p.exploited if wedge else 1.0)
