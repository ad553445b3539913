"""Claim 10, perceptions and publics matter: how an act looks moves trust and support.

Sources: R. Jervis (1976), *Perception and Misperception in International Politics*; Putnam
(1988) on publics as the second level. An act with an ``image`` in -1 (villain) .. +1 (friend)
in the eyes of the affected actors' publics changes their trust in the actor by
``trust_weight x image`` and the support of each affected leader by
``support_weight x image x trust`` (a leader seen close to a villain pays for it).
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    trust_weight: float = 0.1
    support_weight: float = 0.08


MECHANISM = Mechanism("perceptions", 10, "how an act looks to the other public moves trust "
                      "and domestic support", "Jervis (1976); Putnam (1988)", Params)
