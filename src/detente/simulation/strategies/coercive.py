"""Coercive bargaining: concede like a Boulware and press the main opponent.

Sources: T. C. Schelling (1966), *Arms and Influence*, ch. 2 (compellence); A. L. George
(1991), *Forceful Persuasion*. The concession schedule is time-dependent with the actor's beta
(Boulware 0.3 unless set); the pressure is ``PRESSURE x capability share`` per round. What
pressure does to the target is the business of the ``sumo`` mechanism (claim 4).
"""

from __future__ import annotations

import numpy as np

from detente.simulation.strategies.base import RoundView, time_dependent_step

PRESSURE = 0.03  # aspiration drop demanded of the target per round, per unit capability share


class Coercive:
    presses = True  # exerts pressure on its main opponent
    reacts = False  # its step answers the value of the others' moves
    induces = False  # offers inducements to its main opponent
    name = "coercive"

    def step(self, view: RoundView) -> np.ndarray:
        return time_dependent_step(view)

    def pressure(self, view: RoundView) -> np.ndarray:
        return PRESSURE * view.capability_share

    def inducement(self, view: RoundView) -> np.ndarray:
        return np.zeros_like(view.aspiration)
