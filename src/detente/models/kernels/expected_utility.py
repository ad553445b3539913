"""Batched arithmetic of Bueno de Mesquita's expected-utility ("challenge") model.

Every function works on one issue's actors as ``(B, n)`` arrays (B draws, n actors) and
returns ``(B, n)`` or ``(B, n, n)`` arrays: pairs of actors are matrices, never Python loops.
Matrix entries ``M[b, i, j]`` always mean "actor i against actor j" in draw b. The formulas
follow Bueno de Mesquita (1994, pp. 74-88) as written out by Scholz, Calbert and Smith (2011,
eqs. 1-9); the places where readings differ are arguments, documented where they are used and
named in :class:`detente.models.challenge.ChallengeOptions`.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-12


def _pairwise_distance(x: np.ndarray, R: np.ndarray) -> np.ndarray:
    """d[b, i, j] = |x_i - x_j| / R, clipped to [0, 1] against float noise."""
    d = np.abs(x[:, :, None] - x[:, None, :]) / R[:, None, None]
    return np.clip(d, 0.0, 1.0)


def voter_disutility(x: np.ndarray, c: np.ndarray, s: np.ndarray, r: np.ndarray,
                     R: np.ndarray) -> np.ndarray:
    """u[b, k, a] = c_k s_k (|x_k - x_a| / R)^r_k: voter k's weighted distance to position a.

    The vote of k for x_a over x_b (Scholz et al. 2011 eq. 1, BDM 1994 p. 80) is
    ``u[k, b] - u[k, a]``. Pass ``r = 1`` for linear votes.
    """
    d = _pairwise_distance(x, R)
    return (c * s)[:, :, None] * _power(d, r[:, :, None])


def _power(z: np.ndarray, r: np.ndarray) -> np.ndarray:
    """z ** r, skipping the (slow) power where every exponent is 1 (linear utilities)."""
    return z if np.all(r == 1.0) else z ** r


def win_probability(u: np.ndarray, denominator: str = "all-pairs") -> np.ndarray:
    """P[b, i, j]: the probability that actor i's position beats actor j's.

    The numerator sums the positive votes for x_i over x_j (Scholz et al. eq. 2). The
    denominator is either

    * ``"contest"``: the absolute votes in the i-against-j contest, as printed, so that
      P_ij + P_ji = 1 whenever anyone cares (P = 0.5 when nobody does, e.g. x_i = x_j);
    * ``"all-pairs"``: the absolute votes summed over every voter and every ordered pair of
      actor positions, the reading of the public replication ("Scholz code"); then
      P_ij + P_ji <= 1 and P = 0 when all positions coincide.

    Only sum_k |vote| needs the (B, n, n, n) tensor: the positive votes are half of
    (sum_k |vote| + sum_k vote) and sum_k vote = U_j - U_i with U_a = sum_k u_ka.
    """
    B, n, _ = u.shape
    # the batch axis goes last here so numpy's inner loops run over draws, not over n actors
    uT = np.ascontiguousarray(np.moveaxis(u, 0, -1))  # (k, a, B)
    buf = np.empty((n, n, n, B))
    np.subtract(uT[:, None, :, :], uT[:, :, None, :], out=buf)  # [k, i, j]: k's vote i over j
    np.abs(buf, out=buf)
    absolute = np.moveaxis(buf.sum(axis=0), -1, 0)  # (B, n, n), symmetric
    total_u = u.sum(axis=1)
    positive = 0.5 * (absolute + (total_u[:, None, :] - total_u[:, :, None]))
    np.clip(positive, 0.0, absolute, out=positive)  # float noise only
    if denominator == "contest":
        total = absolute
        fallback = 0.5
    elif denominator == "all-pairs":
        total = absolute.sum(axis=(1, 2))[:, None, None]
        fallback = 0.0
    else:
        raise ValueError(f"unknown probability denominator {denominator!r}")
    ok = total > _EPS
    return np.where(ok, positive / np.where(ok, total, 1.0), fallback)


def _utility(z: np.ndarray, r: np.ndarray) -> np.ndarray:
    """BDM's utility form 2 - 4 z^r (z in [0, 1]), the shape of eqs. 4-8 of Scholz et al."""
    return 2.0 - 4.0 * _power(np.maximum(z, 0.0), r)


def expected_utilities(x: np.ndarray, s: np.ndarray, r: np.ndarray, P: np.ndarray,
                       R: np.ndarray, Q: float, T: float, median: np.ndarray | None = None,
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(E^i(U_ij), E^i(U_ji)) for every ordered pair, both as seen by i with i's exponent r_i.

    E^i(U_ij) = s_j [P_ij U_s + (1 - P_ij) U_f] + (1 - s_j) U_s - Q U_sq
                - (1 - Q) [T U_b + (1 - T) U_w]                  (Scholz et al. eq. 3)

    with U_s = 2 - 4 (0.5 - 0.5 d)^r_i, U_f = 2 - 4 (0.5 + 0.5 d)^r_i, U_sq = 2 - 4 (0.5)^r_i,
    d = |x_i - x_j| / R (eqs. 4-6), and, for a challenger a of target b,
    U_b = 2 - 4 (0.5 - 0.25 (|x_a - mu| + |x_a - x_b|) / R)^r_i and U_w the same with "+"
    (eqs. 7-8), mu the median. E^i(U_ji) is j's expected utility of challenging i as i
    estimates it: i's exponent, s_i resisting, P_ji. When ``median`` is None the bracketed
    (1 - Q)(...) term is left out, as in the public replication, so Q only scales U_sq.
    """
    d = _pairwise_distance(x, R)
    ri = r[:, :, None]
    u_success = _utility(0.5 - 0.5 * d, ri)
    u_failure = _utility(0.5 + 0.5 * d, ri)
    u_status_quo = _utility(np.full_like(ri, 0.5), ri)  # (B, n, 1)
    # s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s = U_s - s_j (1 - P)(U_s - U_f)
    gap = u_success - u_failure
    base = u_success - Q * u_status_quo
    eu_self = base - s[:, None, :] * (1 - P) * gap
    eu_other = base - s[:, :, None] * (1 - np.swapaxes(P, 1, 2)) * gap
    if median is not None:
        to_mu = np.abs(x - median[:, None]) / R[:, None]  # (B, n)
        spread_self = 0.25 * (to_mu[:, :, None] + d)  # challenger i
        spread_other = 0.25 * (to_mu[:, None, :] + d)  # challenger j
        for eu, spread in ((eu_self, spread_self), (eu_other, spread_other)):
            better = _utility(0.5 - spread, ri)
            worse = _utility(0.5 + spread, ri)
            eu -= (1 - Q) * (T * better + (1 - T) * worse)
    return eu_self, eu_other


def risk_exponents(eu: np.ndarray) -> np.ndarray:
    """r_i from the matrix eu[b, i, j] = E(U_ij) computed with every exponent at 1.

    BDM (1994, p. 84), Scholz et al. eqs. 10-11: the security of i is the sum over j != i of
    the expected utility j gets from challenging i; R_i = (2 S_i - max S - min S) /
    (max S - min S) maps it onto [-1, 1] and r_i = (1 - R_i / 3) / (1 + R_i / 3) onto
    [0.5, 2]. With no spread at all (every S_i equal) every r_i is 1.
    """
    n = eu.shape[-1]
    off = ~np.eye(n, dtype=bool)
    S = np.where(off, eu, 0.0).sum(axis=1)  # sum over challengers j of E(U_ji)
    hi, lo = S.max(axis=1, keepdims=True), S.min(axis=1, keepdims=True)
    spread = hi - lo
    Rr = np.where(spread > _EPS, (2 * S - hi - lo) / np.where(spread > _EPS, spread, 1.0), 0.0)
    return (1 - Rr / 3) / (1 + Rr / 3)


def linear_condorcet_median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The actor position that wins every pairwise vote with linear votes w_k (|x_k - x_b| -
    |x_k - x_a|), i.e. the position minimising sum_k w_k |x_k - a| (ties: the lower one).

    On one dimension this is the weighted median of Black (1948); computed over the distinct
    actor positions as in the public replication of Scholz et al.
    """
    cost = (w[:, :, None] * np.abs(x[:, :, None] - x[:, None, :])).sum(axis=1)  # (B, n)
    best = cost.min(axis=1, keepdims=True)
    tol = 1e-9 * np.maximum(np.abs(best), 1.0)
    tied = cost <= best + tol
    return np.where(tied, x, np.inf).min(axis=1)


def risk_condorcet_median(x: np.ndarray, c: np.ndarray, s: np.ndarray, r: np.ndarray,
                          R: np.ndarray) -> np.ndarray:
    """Condorcet winner among actor positions with votes weighted by each voter's exponent.

    Net vote net_votes[a, b] = sum_k (u_kb - u_ka). The position beating or tying every other is
    returned (the lowest of several); without one, the position with the most pairwise wins.
    """
    u = voter_disutility(x, c, s, r, R)
    net_votes = (u[:, :, None, :] - u[:, :, :, None]).sum(axis=1)  # (B, a, b)
    tol = 1e-12
    unbeaten = ~(net_votes < -tol).any(axis=2)
    wins = (net_votes > tol).sum(axis=2)
    score = np.where(unbeaten, wins + x.shape[1] + 1, wins)
    top = score.max(axis=1, keepdims=True)
    return np.where(score == top, x, np.inf).min(axis=1)
