"""Inducement: concede on schedule and offer the main opponent aid, visits and assurances.

Source: D. A. Baldwin (1971), "The power of positive power: going beyond carrots and sticks",
World Politics 24(1); Faratin et al. (1998) for the time-dependent schedule (linear unless
``beta`` is set). The inducement is ``INDUCEMENT x capability share`` per round, in the
target's utility; the ``sumo`` mechanism (claim 4) decides how the target answers it.
"""

from __future__ import annotations

import numpy as np

from detente.simulation.strategies.base import RoundView, time_dependent_step

INDUCEMENT = 0.02  # utility offered to the target per round, per unit capability share


class Inducement:
    presses = False  # exerts pressure on its main opponent
    reacts = False  # its step answers the value of the others' moves
    induces = True  # offers inducements to its main opponent
    name = "inducement"

    def step(self, view: RoundView) -> np.ndarray:
        return time_dependent_step(view)

    def pressure(self, view: RoundView) -> np.ndarray:
        return np.zeros_like(view.aspiration)

    def inducement(self, view: RoundView) -> np.ndarray:
        return INDUCEMENT * view.capability_share
