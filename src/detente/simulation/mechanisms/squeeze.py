"""Claim 12, a cohesive coalition squeezes the target towards the weakest link.

Sources: T. C. Schelling (1960), *The Strategy of Conflict* (a united front removes the
target's options); D. A. Lax & J. K. Sebenius (1986), *The Manager as Negotiator*, ch. 11
(coalitions, and splitting them at the weakest link); Crawford (2011).
The coalition is the largest group of actors joined by alliances. Its cohesion in a meeting is
``mean trust among its members x (1 - dispersion of their offers / 100)``. The target is
the non-member farthest from the coalition's mean. When the whole coalition sits at the table
the target's aspiration falls by ``squeeze x cohesion``; where it meets only the weakest link
(the member with the least trust in its partners) without the rest, by
``(squeeze + weakest_link) x cohesion``: that is where it turns to deal.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    squeeze: float = 0.1
    weakest_link: float = 0.15


MECHANISM = Mechanism("squeeze", 12, "a cohesive coalition lowers the target's gain from "
                      "holding out; it turns to the weakest link",
                      "Schelling (1960); Lax & Sebenius (1986) ch. 11", Params)


def coalition(alliances: list[list[int]]) -> list[int]:
    """The largest connected group of allied actors (indices), empty if none."""
    groups: list[set[int]] = []
    for members in alliances:
        merged = set(members)
        for g in [g for g in groups if g & merged]:
            merged |= g
            groups.remove(g)
        groups.append(merged)
    best = max(groups, key=len, default=set())
    return sorted(best) if len(best) >= 2 else []
