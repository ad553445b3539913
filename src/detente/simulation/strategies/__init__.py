"""Concession strategies, one small class each, all batched over draws and members.

A strategy answers one question per offer round: by how much (in the actor's own utility,
0-1) does the actor lower its aspiration now? The coercive and inducement strategies also
say how hard the actor presses or how much it offers its main opponent; the mechanisms of
:mod:`detente.simulation.mechanisms.sumo` decide what that does.

Index order (``STRATEGY_NAMES``) is the integer code stored in the state's ``tactic`` array.
"""

from __future__ import annotations

from detente.simulation.strategies.base import RoundView, Strategy
from detente.simulation.strategies.coercive import Coercive
from detente.simulation.strategies.inducement import Inducement
from detente.simulation.strategies.reciprocal import Reciprocal
from detente.simulation.strategies.time_dependent import TimeDependent

STRATEGY_NAMES = ("boulware", "linear", "conceder", "reciprocal", "coercive", "inducement")
STRATEGIES: tuple[Strategy, ...] = (
    TimeDependent("boulware"), TimeDependent("linear"), TimeDependent("conceder"),
    Reciprocal(), Coercive(), Inducement(),
)
_DEFAULT_BETA = {"boulware": 0.3, "linear": 1.0, "conceder": 3.0, "reciprocal": 1.0,
                 "coercive": 0.3, "inducement": 1.0}


def default_beta(name: str) -> float:
    """The Faratin et al. (1998) exponent a strategy uses unless the scenario sets ``beta``."""
    return _DEFAULT_BETA[name]


__all__ = ["STRATEGIES", "STRATEGY_NAMES", "RoundView", "Strategy", "default_beta"]
