"""Batched arithmetic of Bueno de Mesquita's expected-utility ("challenge") model.

Every function works on one issue's actors as ``(B, n)`` arrays (B draws, n actors) and
returns ``(B, n)`` or ``(B, n, n)`` arrays: pairs of actors are matrices, never Python loops.
Matrix entries ``M[b, i, j]`` always mean "actor i against actor j" in draw b. The formulas
follow Bueno de Mesquita (1994, pp. 74-88) as written out by Scholz, Calbert and Smith (2011,
eqs. 1-9); the places where readings differ are arguments, documented where they are used and
named in :class:`detente.models.challenge.ChallengeOptions`.

Speed. What only the positions fix (distances, their logarithms, the order of the voters
along the line) is computed once per set of positions in a :class:`PairGeometry` and shared
by the round's passes. With a geometry, :func:`win_probability` needs O(n^2) work per draw
instead of the O(n^3) vote tensor (see there), and powers z^r are exp(r log z) with the
logarithms cached, because numpy's vectorised exp is several times faster than its power.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_EPS = 1e-12


@dataclass
class PairGeometry:
    """What one set of positions x (B, n) and ranges R (B,) fix for every pass of a round.

    ``gap[b, i, j] = x_j - x_i``, ``dist = |gap|``, ``d = dist / R`` clipped to [0, 1].
    ``take_i``/``take_j`` hold, per pair, where the voters divide: with ``below[b, i, j]``
    the number of actors strictly below the midpoint (x_i + x_j) / 2, they are the flat
    indices of entries [b, below, i] and [b, below, j] of a (B, n + 1, n) table of running
    sums over voters in position order (see :func:`win_probability`). Logarithms used by
    the powers are computed on first use.
    """

    x: np.ndarray
    R: np.ndarray
    gap: np.ndarray
    dist: np.ndarray  # |gap|
    d: np.ndarray
    sign: np.ndarray  # (B, n, n) sign of gap
    rows: np.ndarray  # (B * n,) flat rows of a (B * n, n) array, voters in position order
    take_i: np.ndarray  # (B, n, n) flat index of table[b, below_ij, i]
    take_j: np.ndarray  # (B, n, n) flat index of table[b, below_ij, j]
    _logs: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def log(self, name: str) -> np.ndarray:
        """log d (``"d"``), log(0.5 - d/2) (``"near"``) or log(0.5 + d/2) (``"far"``)."""
        if name not in self._logs:
            z = {"d": self.d, "near": 0.5 - 0.5 * self.d, "far": 0.5 + 0.5 * self.d}[name]
            with np.errstate(divide="ignore"):
                self._logs[name] = np.log(z)
        return self._logs[name]


def _midpoint_counts(x: np.ndarray) -> np.ndarray:
    """below[b, i, j]: how many actors sit strictly below (x_i + x_j) / 2 (int, symmetric).

    Computed for the pairs i < j only, with the draw axis last so that the sum over actors
    adds whole rows of draws.
    """
    B, n = x.shape
    iu, ju = np.triu_indices(n, 1)
    xT = np.ascontiguousarray(x.T)  # (n, B)
    mid = 0.5 * (xT[iu] + xT[ju])  # (pairs, B)
    upper = (xT[:, None, :] < mid[None]).sum(axis=0, dtype=np.int16)  # (pairs, B)
    below = np.zeros((B, n, n), dtype=np.intp)
    below[:, iu, ju] = upper.T
    below[:, ju, iu] = upper.T
    return below


def pair_geometry(x: np.ndarray, R: np.ndarray) -> PairGeometry:
    """The :class:`PairGeometry` of positions x (B, n) under ranges R (B,)."""
    B, n = x.shape
    gap = x[:, None, :] - x[:, :, None]
    dist = np.abs(gap)
    d = dist / R[:, None, None]
    np.minimum(d, 1.0, out=d)  # float noise only
    below = _midpoint_counts(x)
    base = below * n
    base += (np.arange(B) * ((n + 1) * n))[:, None, None]
    actors = np.arange(n)
    rows = np.argsort(x, axis=1, kind="stable")
    rows += (np.arange(B) * n)[:, None]
    return PairGeometry(x=x, R=R, gap=gap, dist=dist, d=d, sign=np.sign(gap),
                        rows=rows.reshape(-1), take_i=base + actors[None, :, None],
                        take_j=base + actors)


def _pairwise_distance(x: np.ndarray, R: np.ndarray) -> np.ndarray:
    """d[b, i, j] = |x_i - x_j| / R, clipped to [0, 1] against float noise."""
    d = np.abs(x[:, :, None] - x[:, None, :]) / R[:, None, None]
    return np.clip(d, 0.0, 1.0)


def _all_one(r: np.ndarray) -> bool:
    return bool(np.all(r == 1.0))


def _power(z: np.ndarray, r: np.ndarray, log_z: np.ndarray | None = None) -> np.ndarray:
    """z ** r for z >= 0, skipping the power where every exponent is 1 (linear utilities).

    With positive exponents it is exp(r log z) (``log_z`` may be passed in when cached), a
    few ulps from z ** r and much faster in numpy; z = 0 gives exp(-inf) = 0 as it should.
    """
    if _all_one(r):
        return z
    if not np.all(r > 0):
        return z ** r
    if log_z is None:
        with np.errstate(divide="ignore"):
            log_z = np.log(z)
    out = np.multiply(log_z, r)
    return np.exp(out, out=out)


def voter_disutility(x: np.ndarray, c: np.ndarray, s: np.ndarray, r: np.ndarray,
                     R: np.ndarray, geometry: PairGeometry | None = None) -> np.ndarray:
    """u[b, k, a] = c_k s_k (|x_k - x_a| / R)^r_k: voter k's weighted distance to position a.

    The vote of k for x_a over x_b (Scholz et al. 2011 eq. 1, BDM 1994 p. 80) is
    ``u[k, b] - u[k, a]``. Pass ``r = 1`` for linear votes; ``geometry`` (of the same x and
    R) to reuse the distances.
    """
    if geometry is None:
        d, log_d = _pairwise_distance(x, R), None
    else:
        d = geometry.d
        log_d = None if _all_one(r) else geometry.log("d")
    u = _power(d, r[:, :, None], log_d)
    if u is d:
        u = d.copy()
    u *= (c * s)[:, :, None]
    return u


def _absolute_votes_tensor(u: np.ndarray) -> np.ndarray:
    """sum_k |u_kj - u_ki| through the (n, n, n, B) tensor of every voter's votes."""
    B, n, _ = u.shape
    # the batch axis goes last here so numpy's inner loops run over draws, not over n actors
    uT = np.ascontiguousarray(np.moveaxis(u, 0, -1))  # (k, a, B)
    buf = np.empty((n, n, n, B))
    np.subtract(uT[:, None, :, :], uT[:, :, None, :], out=buf)  # [k, i, j]: k's vote i over j
    np.abs(buf, out=buf)
    return np.moveaxis(buf.sum(axis=0), -1, 0)  # (B, n, n), symmetric


def _absolute_votes_sorted(u: np.ndarray, total_u: np.ndarray,
                           geometry: PairGeometry) -> np.ndarray:
    """sum_k |u_kj - u_ki| in O(n^2) per draw from running sums over voters in position order.

    Every voter below the midpoint of x_i < x_j is nearer x_i (u_kj >= u_ki), every voter
    above it nearer x_j, and voters at the midpoint are indifferent. With C_a the sum of u_ka
    over the voters below the midpoint and U_a over all voters, the sum is
    2 (C_j - C_i) - (U_j - U_i) for x_i < x_j, its negative for x_i > x_j and 0 for x_i = x_j.
    """
    B, n, _ = u.shape
    table = np.empty((B, n + 1, n))
    table[:, 0] = 0.0
    by_position = u.reshape(B * n, n).take(geometry.rows, axis=0).reshape(B, n, n)
    np.cumsum(by_position, axis=1, out=table[:, 1:])
    flat = table.reshape(-1)
    out = flat.take(geometry.take_j)
    out -= flat.take(geometry.take_i)
    out *= 2.0
    out -= total_u[:, None, :]
    out += total_u[:, :, None]
    out *= geometry.sign
    np.maximum(out, 0.0, out=out)  # rounding only
    return out


def win_probability(u: np.ndarray, denominator: str = "all-pairs",
                    geometry: PairGeometry | None = None) -> np.ndarray:
    """P[b, i, j]: the probability that actor i's position beats actor j's.

    The numerator sums the positive votes for x_i over x_j (Scholz et al. eq. 2). The
    denominator is either

    * ``"contest"``: the absolute votes in the i-against-j contest, as printed, so that
      P_ij + P_ji = 1 whenever anyone cares (P = 0.5 when nobody does, e.g. x_i = x_j);
    * ``"all-pairs"``: the absolute votes summed over every voter and every ordered pair of
      actor positions, the reading of the public replication ("Scholz code"); then
      P_ij + P_ji <= 1 and P = 0 when all positions coincide.

    Only sum_k |vote| is not a difference of per-position totals: the positive votes are half
    of (sum_k |vote| + sum_k vote) and sum_k vote = U_j - U_i with U_a = sum_k u_ka. Without a
    ``geometry`` (of the positions behind ``u``) sum_k |vote| goes through the (B, n, n, n)
    tensor of votes; with one, through running sums over the voters in position order
    (O(n^2) per draw, equal up to rounding).
    """
    if denominator not in ("contest", "all-pairs"):
        raise ValueError(f"unknown probability denominator {denominator!r}")
    total_u = u.sum(axis=1)
    if geometry is None:
        absolute = _absolute_votes_tensor(u)
    else:
        absolute = _absolute_votes_sorted(u, total_u, geometry)
    positive = total_u[:, None, :] - total_u[:, :, None]
    positive += absolute
    positive *= 0.5
    np.maximum(positive, 0.0, out=positive)  # float noise only
    np.minimum(positive, absolute, out=positive)
    if denominator == "contest":
        total = absolute
        fallback = 0.5
    else:
        total = absolute.sum(axis=(1, 2))[:, None, None]
        fallback = 0.0
    ok = total > _EPS
    positive /= np.where(ok, total, 1.0)
    if not ok.all():
        positive[...] = np.where(ok, positive, fallback)
    return positive


def _utility(z: np.ndarray, r: np.ndarray, log_z: np.ndarray | None = None) -> np.ndarray:
    """BDM's utility form 2 - 4 z^r (z in [0, 1]), the shape of eqs. 4-8 of Scholz et al."""
    if log_z is None:
        z = np.maximum(z, 0.0)
    out = _power(z, r, log_z)
    out = out * -4.0 if out is z else np.multiply(out, -4.0, out=out)
    out += 2.0
    return out


def expected_utilities(x: np.ndarray, s: np.ndarray, r: np.ndarray, P: np.ndarray,
                       R: np.ndarray, Q: float, T: float, median: np.ndarray | None = None,
                       geometry: PairGeometry | None = None, other: bool = True,
                       ) -> tuple[np.ndarray, np.ndarray | None]:
    """(E^i(U_ij), E^i(U_ji)) for every ordered pair, both as seen by i with i's exponent r_i.

    E^i(U_ij) = s_j [P_ij U_s + (1 - P_ij) U_f] + (1 - s_j) U_s - Q U_sq
                - (1 - Q) [T U_b + (1 - T) U_w]                  (Scholz et al. eq. 3)

    with U_s = 2 - 4 (0.5 - 0.5 d)^r_i, U_f = 2 - 4 (0.5 + 0.5 d)^r_i, U_sq = 2 - 4 (0.5)^r_i,
    d = |x_i - x_j| / R (eqs. 4-6), and, for a challenger a of target b,
    U_b = 2 - 4 (0.5 - 0.25 (|x_a - mu| + |x_a - x_b|) / R)^r_i and U_w the same with "+"
    (eqs. 7-8), mu the median. E^i(U_ji) is j's expected utility of challenging i as i
    estimates it: i's exponent, s_i resisting, P_ji. When ``median`` is None the bracketed
    (1 - Q)(...) term is left out, as in the public replication, so Q only scales U_sq.
    ``geometry`` (of the same x and R) reuses distances and logarithms; ``other=False``
    skips E^i(U_ji) and returns None in its place.
    """
    ri = r[:, :, None]
    if geometry is None:
        d = _pairwise_distance(x, R)
        u_success = _utility(0.5 - 0.5 * d, ri)
        u_failure = _utility(0.5 + 0.5 * d, ri)
    else:
        d = geometry.d
        linear = _all_one(ri)
        u_success = _utility(0.5 - 0.5 * d, ri, None if linear else geometry.log("near"))
        u_failure = _utility(0.5 + 0.5 * d, ri, None if linear else geometry.log("far"))
    u_status_quo = _utility(np.full_like(ri, 0.5), ri)  # (B, n, 1)
    # s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s = U_s - s_j (1 - P)(U_s - U_f)
    gap = np.subtract(u_success, u_failure, out=u_failure)
    base = u_success
    base -= Q * u_status_quo
    lose = np.subtract(1.0, P)
    lose *= s[:, None, :]
    lose *= gap
    eu_self = base - lose
    eu_other = None
    if other:
        lose = np.subtract(1.0, np.swapaxes(P, 1, 2))
        lose *= s[:, :, None]
        lose *= gap
        eu_other = np.subtract(base, lose, out=lose)
    if median is not None:
        to_mu = np.abs(x - median[:, None]) / R[:, None]  # (B, n)
        spread_self = 0.25 * (to_mu[:, :, None] + d)  # challenger i
        spread_other = 0.25 * (to_mu[:, None, :] + d)  # challenger j
        for eu, spread in ((eu_self, spread_self), (eu_other, spread_other)):
            if eu is None:
                continue
            better = _utility(0.5 - spread, ri)
            worse = _utility(0.5 + spread, ri)
            eu -= (1 - Q) * (T * better + (1 - T) * worse)
    return eu_self, eu_other


def risk_exponents(eu: np.ndarray) -> np.ndarray:
    """r_i from the matrix eu[b, i, j] = E(U_ij) computed with every exponent at 1.

    BDM (1994, p. 84), Scholz et al. eqs. 10-11: the security of i is the sum over j != i of
    the expected utility j gets from challenging i; see :func:`risk_from_security`.
    """
    n = eu.shape[-1]
    off = ~np.eye(n, dtype=bool)
    return risk_from_security(np.where(off, eu, 0.0).sum(axis=1))  # sum over challengers j


def linear_security(d: np.ndarray, s: np.ndarray, P: np.ndarray) -> np.ndarray:
    """S_i = sum_{j != i} E(U_ji) with every exponent at 1 and no better/worse term, (B, n).

    Then U_s = 2 d, U_f = -2 d and U_sq = 0 (whatever Q), so E(U_ji) = 2 d_ji -
    4 s_i d_ji (1 - P_ji) and S_i = 2 D_i - 4 s_i (D_i - sum_j d_ji P_ji) with D_i = sum_j
    d_ji: the same number as :func:`risk_exponents`' sum up to rounding, without the matrix.
    """
    D = d.sum(axis=1)
    dP = (d * P).sum(axis=1)
    return 2.0 * D - 4.0 * s * (D - dP)


def risk_from_security(S: np.ndarray) -> np.ndarray:
    """r_i from the securities S (B, n) (BDM 1994 p. 84, Scholz et al. eqs. 10-11).

    R_i = (2 S_i - max S - min S) / (max S - min S) maps S onto [-1, 1] and
    r_i = (1 - R_i / 3) / (1 + R_i / 3) onto [0.5, 2]. With no spread at all (every S_i
    equal) every r_i is 1.
    """
    hi, lo = S.max(axis=1, keepdims=True), S.min(axis=1, keepdims=True)
    spread = hi - lo
    Rr = np.where(spread > _EPS, (2 * S - hi - lo) / np.where(spread > _EPS, spread, 1.0), 0.0)
    return (1 - Rr / 3) / (1 + Rr / 3)


def linear_condorcet_median(x: np.ndarray, w: np.ndarray,
                            distance: np.ndarray | None = None) -> np.ndarray:
    """The actor position that wins every pairwise vote with linear votes w_k (|x_k - x_b| -
    |x_k - x_a|), i.e. the position minimising sum_k w_k |x_k - a| (ties: the lower one).

    On one dimension this is the weighted median of Black (1948); computed over the distinct
    actor positions as in the public replication of Scholz et al. ``distance`` may pass
    |x_k - x_a| (B, n, n) in when it is at hand (:attr:`PairGeometry.dist`).
    """
    if distance is None:
        distance = np.abs(x[:, :, None] - x[:, None, :])
    cost = (w[:, :, None] * distance).sum(axis=1)  # (B, n)
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
