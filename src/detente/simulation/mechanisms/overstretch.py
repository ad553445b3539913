"""Claim 8, overstretch works like an assurance.

Source: S. M. Walt (1987), *The Origins of Alliances*, ch. 2 (threat = aggregate power x
offensive capability x intentions). A coercer's usable capability is
``capability x (1 - overstretch)``; the threat a member perceives from the others is the
usable capability share of those it distrusts. The drop in threat due to overstretch acts
like a security assurance: the member's aspiration and reservation in the meeting fall by
``assurance x (threat without overstretch - threat with it)``. Overstretch also scales the
pressure a coercer can apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    assurance: float = 0.3


MECHANISM = Mechanism("overstretch", 8, "a stretched actor's reduced capacity to coerce "
                      "lowers the threat the target perceives", "Walt (1987) ch. 2", Params)


def threat(share: np.ndarray, overstretch: np.ndarray, trust: np.ndarray) -> np.ndarray:
    """(B, M) perceived threat: sum over others of usable share x distrust."""
    usable = share * (1 - overstretch)  # (B, M)
    distrust = 1 - trust  # (B, M, M), diagonal 0
    return (distrust * usable[:, None, :]).sum(2)


def assurance_shift(share: np.ndarray, overstretch: np.ndarray, trust: np.ndarray,
                    p: Params) -> np.ndarray:
    """(B, M) fall of each member's aspiration due to the others' overstretch."""
    return p.assurance * (threat(share, np.zeros_like(overstretch), trust)
                          - threat(share, overstretch, trust))
