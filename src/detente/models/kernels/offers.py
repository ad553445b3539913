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


def respond(x: np.ndarray, eu_self: np.ndarray, eu_other: np.ndarray, capitulation: bool,
            rule: str, gap: np.ndarray | None = None,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each actor does this round: (index j taken or -1, kind taken, new position), (B, n).

    The same as :func:`classify` followed by :func:`choose` (and equal to it to the bit), but
    for the ``"scholz-code"`` rule it works out the new position only for the offer taken
    rather than for every pair. ``gap[b, i, j] = x_j - x_i`` may be passed in when at hand.
    """
    if rule != "scholz-code":
        kind, new = classify(x, eu_self, eu_other, capitulation)
        pick = choose(x, kind, new, eu_self, eu_other, rule)
        return _taken(x, pick, kind, new)
    xi, xj = x[:, :, None], x[:, None, :]
    a, b = eu_self, eu_other
    if gap is None:
        gap = xj - xi
    distinct = gap != 0
    full = (b > a) & (a > 0)  # lost confrontations
    full &= distinct
    yields = (a < 0) & (b > 0)
    yields &= distinct
    compromise = (b > -a) & yields
    if capitulation:
        full |= yields & ~compromise
    has_full = full.any(axis=2)
    has_any = has_full | compromise.any(axis=2)
    full_cost = np.where(full, np.abs(gap), np.inf).argmin(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        avg = (-a * xi + b * xj) / (b - a)  # (|x| x_i + y x_j) / (|x| + y) where x < 0
    comp_pick = np.where(compromise, avg, np.inf).argmin(axis=2)
    pick = np.where(has_full, full_cost, comp_pick)
    pick = np.where(has_any, pick, -1)
    idx = np.maximum(pick, 0)[:, :, None]
    at = lambda m: np.take_along_axis(m, idx, axis=2)[:, :, 0]  # noqa: E731
    target = at(np.broadcast_to(xj, a.shape))
    full_kind = CAPITULATION if capitulation else CONFRONTATION
    is_full = at(full)
    if capitulation:  # a capitulation is a full move with y <= |x| in quadrant II
        full_kind = np.where(at(a) > 0, CONFRONTATION, CAPITULATION)
    kind = np.where(is_full, full_kind, COMPROMISE)
    kind = np.where(pick >= 0, kind, NONE)
    own = x
    with np.errstate(all="ignore"):  # fraction is used only where a compromise was taken
        fraction = -at(a) / at(b)
        new = np.where(kind == COMPROMISE, own + fraction * (target - own), target)
    new = np.where(pick >= 0, new, own)
    return pick, kind, new


def _taken(x: np.ndarray, pick: np.ndarray, kind: np.ndarray, new: np.ndarray,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    idx = np.maximum(pick, 0)[:, :, None]
    taken = pick >= 0
    at = lambda m: np.take_along_axis(m, idx, axis=2)[:, :, 0]  # noqa: E731
    return pick, np.where(taken, at(kind), NONE), np.where(taken, at(new), x)
