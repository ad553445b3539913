"""Claim 6, voters constrain leaders: support rises with gains and falls with concessions.

Sources: R. D. Putnam (1988), "Diplomacy and domestic politics: the logic of two-level
games", International Organization 42(3) (ratification and win-sets); A. Healy & G. Lenz
(2014), "Substituting the end for the whole", AJPS 58(1) (voters weigh recent gains more).
Support moves by ``gain_weight x gained - cost_weight x given`` (0-1 utility values), gains in
the ``election_window_days`` before an election of the actor count ``election_boost`` times.
A leader whose support is below ``min_support`` has a narrower win-set: its reservation
rises by ``constraint x (min_support - support)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    gain_weight: float = 0.5
    cost_weight: float = 0.4
    election_window_days: float = 90.0
    election_boost: float = 2.0
    min_support: float = 0.35
    constraint: float = 1.0


MECHANISM = Mechanism("domestic", 6, "support rises with what a leader gets and falls with "
                      "what it gives", "Putnam (1988); Healy & Lenz (2014)", Params)


def update(support: np.ndarray, gained: np.ndarray, given: np.ndarray,
           before_election: np.ndarray | bool, p: Params) -> np.ndarray:
    """New support (any matching shapes)."""
    boost = np.where(before_election, p.election_boost, 1.0)
    return np.clip(support + p.gain_weight * boost * gained - p.cost_weight * given, 0.0, 1.0)


def reservation(reservation: np.ndarray, support: np.ndarray, p: Params | None) -> np.ndarray:
    """The reservation a leader can defend at home."""
    if p is None:
        return reservation
    return np.minimum(reservation + p.constraint * np.maximum(p.min_support - support, 0.0),
                      1.0)
