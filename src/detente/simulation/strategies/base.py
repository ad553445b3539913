"""What a strategy sees in an offer round, and the interface every strategy implements."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class RoundView:
    """One offer round, for the M members of a meeting, batched over B draws."""

    aspiration: np.ndarray  # (B, M)
    initial: np.ndarray  # (B, M) aspiration at the start of the calendar
    reservation: np.ndarray  # (B, M)
    clock: np.ndarray  # (B, M) rounds bargained so far
    horizon: float  # rounds over which time-dependent strategies concede fully
    beta: np.ndarray  # (B, M)
    received: np.ndarray  # (B, M) value to me of the others' last concessions
    capability_share: np.ndarray  # (B, M) capability / forum total on the agenda

    @cached_property
    def time_step(self) -> np.ndarray:
        """(B, M) :func:`time_dependent_step`, computed once per round for all strategies."""
        return _time_dependent_step(self)


def time_dependent_step(view: RoundView) -> np.ndarray:
    """Faratin, Sierra & Jennings (1998) time-dependent step (cached on the round's view)."""
    return view.time_step


def _time_dependent_step(view: RoundView) -> np.ndarray:
    """Faratin, Sierra & Jennings (1998), eq. for polynomial time-dependent tactics.

    The aspiration at time t is ``init - kappa(t) (init - reservation)`` with
    ``kappa(t) = (t / T) ** (1 / beta)``; the step is the drop from round t to t+1.
    beta < 1 is Boulware (holds out, concedes late), 1 linear, > 1 conceder.
    """
    T = view.horizon
    t0 = np.minimum(view.clock / T, 1.0)
    t1 = np.minimum((view.clock + 1.0) / T, 1.0)
    span = np.maximum(view.initial - view.reservation, 0.0)
    k = 1.0 / view.beta
    return span * (t1**k - t0**k)


class Strategy(Protocol):
    name: str
    presses: bool  # False: ``pressure`` is always 0 (the protocol skips it)
    induces: bool  # False: ``inducement`` is always 0 (the protocol skips it)
    reacts: bool  # False: ``step`` ignores ``received`` (the protocol need not compute it)

    def step(self, view: RoundView) -> np.ndarray:
        """(B, M) non-negative drop of aspiration this round."""
        ...

    def pressure(self, view: RoundView) -> np.ndarray:
        """(B, M) coercive pressure on the main opponent (0 for non-coercive strategies)."""
        ...

    def inducement(self, view: RoundView) -> np.ndarray:
        """(B, M) inducement offered to the main opponent, in its utility (0 if none)."""
        ...
