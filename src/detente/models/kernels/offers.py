"""The offer typology of the challenge model and each actor's choice among its offers.

From actor i's point of view, for each j at another position, x = E^i(U_ij) and
y = E^i(U_ji) place the pair in a quadrant (Bueno de Mesquita 1994, Fig. 4.2; Scholz, Calbert
and Smith 2011, Figs. 1-2):

* I (x > 0, y > 0), y > x: i expects to lose the confrontation and moves to x_j
  (``CONFRONTATION``); with x > y it is j that should give way, nothing for i to accept;
* II (x < 0 < y): j can coerce i. If y > |x| i ``COMPROMISE``s, moving the fraction |x| / y
  of the way to x_j; otherwise (|x| >= y) i ``CAPITULATION``s to x_j, where allowed;
* III (both negative) is the status quo and IV (x > 0 > y) is i's own leverage over j:
  neither gives i an offer to accept.

Arrays are ``(B, n, n)`` with entry [b, i, j] for i receiving j's demand, as elsewhere.
"""

from __future__ import annotations

import numpy as np

NONE, CONFRONTATION, COMPROMISE, CAPITULATION = 0, 1, 2, 3
ACTION_NAMES = {CONFRONTATION: "confrontation", COMPROMISE: "compromise",
                CAPITULATION: "capitulation"}


def classify(x: np.ndarray, eu_self: np.ndarray, eu_other: np.ndarray,
             capitulation: bool) -> tuple[np.ndarray, np.ndarray]:
    """(kind, new position) of the offer i would accept from each j; kind NONE where none."""
    xi, xj = x[:, :, None], x[:, None, :]
    a, b = eu_self, eu_other
    distinct = xi != xj
    confront = distinct & (b > a) & (a > 0)
    yields = distinct & (a < 0) & (b > 0)
    compromise = yields & (b > -a)
    capitulate = yields & ~compromise & capitulation
    kind = np.where(confront, CONFRONTATION, NONE)
    kind = np.where(compromise, COMPROMISE, kind)
    kind = np.where(capitulate, CAPITULATION, kind)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(compromise, -a / np.where(compromise, b, 1.0), 1.0)
    new = np.where(kind == COMPROMISE, xi + fraction * (xj - xi), np.broadcast_to(xj, a.shape))
    return kind, new


def choose(x: np.ndarray, kind: np.ndarray, new: np.ndarray, eu_self: np.ndarray,
           eu_other: np.ndarray, rule: str) -> np.ndarray:
    """Index j of the offer each actor takes, or -1 for none: (B, n).

    ``rule``:

    * ``"scholz-code"``: a lost confrontation (or capitulation) first, the one needing the
      least movement; otherwise the compromise whose EU-weighted average of the two positions,
      (|x| x_i + y x_j) / (|x| + y), is smallest. This is the public replication's rule.
    * ``"least-movement"``: whichever offer moves i the least (BDM 1994 p. 86: an actor
      accepts the offer closest to its own position).

    Ties go to the actor listed first.
    """
    xi = x[:, :, None]
    has = kind != NONE
    if rule == "least-movement":
        cost = np.where(has, np.abs(new - xi), np.inf)
        pick = cost.argmin(axis=2)
    elif rule == "scholz-code":
        full = (kind == CONFRONTATION) | (kind == CAPITULATION)
        full_cost = np.where(full, np.abs(new - xi), np.inf)
        a, b = np.abs(eu_self), eu_other
        with np.errstate(divide="ignore", invalid="ignore"):
            avg = (a * xi + b * x[:, None, :]) / (a + b)
        comp_cost = np.where(kind == COMPROMISE, avg, np.inf)
        pick = np.where(full.any(axis=2), full_cost.argmin(axis=2), comp_cost.argmin(axis=2))
    else:
        raise ValueError(f"unknown offer rule {rule!r}")
    return np.where(has.any(axis=2), pick, -1)
