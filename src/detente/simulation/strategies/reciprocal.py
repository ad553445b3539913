"""Reciprocal concession: tit-for-tat in value.

Source: Faratin, Sierra & Jennings (1998), section 4.2.3 (behaviour-dependent, "relative
tit-for-tat" tactics), here measured in utility rather than in issue units: the actor gives
up as much of its own utility as the others' last concessions were worth to it, plus a small
opening step so that two reciprocators can start (Axelrod 1984: be nice first).
"""

from __future__ import annotations

import numpy as np

from detente.simulation.strategies.base import RoundView

OPENING_STEP = 0.01  # utility conceded when nothing has been received yet


class Reciprocal:
    presses = False  # exerts pressure on its main opponent
    reacts = True  # its step answers the value of the others' moves
    induces = False  # offers inducements to its main opponent
    name = "reciprocal"

    def step(self, view: RoundView) -> np.ndarray:
        return np.maximum(view.received, 0.0) + OPENING_STEP

    def pressure(self, view: RoundView) -> np.ndarray:
        return np.zeros_like(view.aspiration)

    def inducement(self, view: RoundView) -> np.ndarray:
        return np.zeros_like(view.aspiration)
