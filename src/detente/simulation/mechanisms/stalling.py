"""Claim 3, offering too little while demanding too much stalls the talks.

Source: Pruitt (1981), ch. 2 (a demand above the other's limit ends in impasse); Faratin et
al. (1998) acceptance rule (accept when the offer is worth at least what I would ask next).
With the mechanism on, a member accepts a package only if it meets its current aspiration
(less ``tolerance``); an under-offer ends the meeting in impasse and the forum meets again.
Switched off, members accept any package that beats the status quo for them (the
bargaining-set view of cooperative game theory), so under-offers still produce deals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.simulation.mechanisms import Mechanism


@dataclass(frozen=True)
class Params:
    tolerance: float = 0.01  # utility short of the aspiration still accepted


MECHANISM = Mechanism("stalling", 3, "a package below a member's aspiration ends in impasse; "
                      "talks continue", "Pruitt (1981) ch. 2; Faratin et al. (1998)", Params)


def accepts(u_package: np.ndarray, aspiration: np.ndarray, u_status_quo: np.ndarray,
            p: Params | None) -> np.ndarray:
    """(B, M) whether each member accepts the package."""
    if p is None:
        return u_package > u_status_quo + 1e-9
    return u_package >= aspiration - p.tolerance
