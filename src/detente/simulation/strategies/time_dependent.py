"""Time-dependent concession: Boulware, linear, conceder (Faratin, Sierra & Jennings 1998).

Source: P. Faratin, C. Sierra, N. R. Jennings (1998), "Negotiation decision functions for
autonomous agents", Robotics and Autonomous Systems 24, 159-182, section 4.2.1 (polynomial
time-dependent tactics). The exponent beta is the actor's ``behaviour.beta`` (defaults
boulware 0.3, linear 1, conceder 3); time is counted in offer rounds bargained.
"""

from __future__ import annotations

import numpy as np

from detente.simulation.strategies.base import RoundView, time_dependent_step


class TimeDependent:
    """Concede on a schedule set by the deadline alone, whatever the others do."""

    presses = False  # exerts pressure on its main opponent
    reacts = False  # its step answers the value of the others' moves
    induces = False  # offers inducements to its main opponent
    def __init__(self, name: str) -> None:
        self.name = name

    def step(self, view: RoundView) -> np.ndarray:
        return time_dependent_step(view)

    def pressure(self, view: RoundView) -> np.ndarray:
        return np.zeros_like(view.aspiration)

    def inducement(self, view: RoundView) -> np.ndarray:
        return np.zeros_like(view.aspiration)
