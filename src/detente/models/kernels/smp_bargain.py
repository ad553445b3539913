"""Batched bargains of the KTAB SMP: interpolated proposals and the queue elections that pick them.

Arrays have a leading batch axis B. Positions are (B, N, D) on 0-1. See ALGORITHM.md in
``shared/anchors/ktab`` ("One turn", steps 2-4) for the restatement these follow.
"""

from __future__ import annotations

import numpy as np

from detente.models.kernels.smp import (
    COALITION_FLOOR,
    pce,
    point_distances,
    utility,
    victory_probability,
    vote,
)

NUDGE = 1e-5  # fraction of the way from the bargain point to the party's own position
DECIMALS = 4


def interpolate(x_i: np.ndarray, x_j: np.ndarray, s_i: np.ndarray, s_j: np.ndarray,
                p: np.ndarray, method: str) -> np.ndarray:
    """The compromise point of a challenge, per dimension (KTAB ``interpolateBrgn``).

    ``x_*``, ``s_*`` (B, M, D); ``p`` (B, M) the initiator's probability of winning.
    s2p2 (default): weights s_ik^2 P^2 and s_jk^2 (1-P)^2; s1p1: first powers. s2pmax: the
    side less likely to win moves towards the other by delta s_other^2 / (delta s_other^2 +
    (1 - delta) s_own^2), delta = max(0, P_other - P_own). A dimension neither side cares
    about (both weights 0) takes the midpoint, where KTAB would divide by zero.
    """
    p = p[..., None]
    q = 1.0 - p
    if method in ("s2p2", "s1p1"):
        e = 2 if method == "s2p2" else 1
        w_i, w_j = s_i**e * p**e, s_j**e * q**e
        tot = w_i + w_j
        safe = np.where(tot > 0, tot, 1.0)
        return np.where(tot > 0, (w_i * x_i + w_j * x_j) / safe, 0.5 * (x_i + x_j))
    if method == "s2pmax":
        i_strong = p >= q
        delta = np.abs(p - q)
        s_other = np.where(i_strong, s_i, s_j) ** 2
        s_own = np.where(i_strong, s_j, s_i) ** 2
        num = delta * s_other
        den = num + (1 - delta) * s_own
        frac = np.divide(num, den, out=np.full_like(num, 0.5), where=den > 0)
        weak = np.where(i_strong, x_j, x_i)
        strong = np.where(i_strong, x_i, x_j)
        return weak + frac * (strong - weak)
    raise ValueError(f"unknown bargain interpolation {method!r}")


def settle(point: np.ndarray, own: np.ndarray) -> np.ndarray:
    """A party's side of a bargain: the point moved 1e-5 of the way to ``own``, rounded to 4 places.

    KTAB keeps the two sides of a bargain distinct before rounding (ALGORITHM.md: "a 1e-6
    nudge towards each actor's own side, rounded to 4 decimals"); after rounding they almost
    always coincide, and only a point near a rounding edge splits. The size of the nudge
    decides which points split, and KTAB's reference runs pin it down: a nudge of 1e-5 of the
    party's distance to the point (any fraction in about 6e-6 to 1.1e-5 does) reproduces every
    position of SOE-Pol-Comp (27 turns) and SOE-Policy (19 turns), which needs SOE-Pol-Comp's
    turn-16 bargain (raw 0.250449) to split and SOE-Policy's turn-17 bargain (raw 0.387049) not
    to. A constant 1e-6 (0.5e-6 to 2e-6), none, floor/ceil towards the own side, a nudge of the
    interpolation weights or of the win probability, or one relative to the parties' distance
    each break one of the two runs (tests/models/test_smp.py).
    """
    return np.round(point + NUDGE * (own - point), DECIMALS)


def resolve_queues(ideal: np.ndarray, pos: np.ndarray, sal: np.ndarray, cap: np.ndarray,
                   risk: np.ndarray, own_util: np.ndarray, init: np.ndarray, rcvr: np.ndarray,
                   valid: np.ndarray, pos_init: np.ndarray, pos_rcvr: np.ndarray, rule: str,
                   vpm: str, pce_model: str, stochastic: bool,
                   rng: np.random.Generator) -> np.ndarray:
    """Each actor's new position: the election winner in its own queue of bargains.

    Bargain m (M slots, ``valid`` (B, M)) has initiator ``init`` and receiver ``rcvr`` (B, M)
    who move to ``pos_init``/``pos_rcvr`` (B, M, D). Actor k's queue is its status quo plus
    every valid bargain it initiated or received, in slot order. Every actor a scores a
    bargain as the mean of its utilities over the resulting positions of all N actors (the two
    moved parties at the bargain's points, the rest where they are), with its own R_a; voting
    weights are capabilities. Returns new positions (B, N, D). Queues are resolved
    independently, so a bargain may be taken up by one party and not the other (KTAB's
    non-binding bargains).
    """
    B, N, _ = pos.shape
    M = init.shape[1]
    bi = np.arange(B)[:, None]
    r = risk[:, :, None]
    sq_sum = own_util.sum(axis=-1)  # (B, N)
    u_pi = utility(point_distances(ideal, sal, pos_init), r)  # (B, N, M)
    u_pr = utility(point_distances(ideal, sal, pos_rcvr), r)
    u_old_i = np.take_along_axis(own_util, np.broadcast_to(init[:, None, :], (B, N, M)), axis=2)
    u_old_r = np.take_along_axis(own_util, np.broadcast_to(rcvr[:, None, :], (B, N, M)), axis=2)
    val = (sq_sum[..., None] - u_old_i - u_old_r + u_pi + u_pr) / N
    util = np.concatenate([sq_sum[..., None] / N, val], axis=-1)  # (B, N, 1 + M)
    v = vote(rule, cap[:, :, None, None], util[:, :, :, None], util[:, :, None, :])
    strength = COALITION_FLOOR + np.maximum(v, 0.0).sum(axis=1)  # (B, 1+M, 1+M)
    pv = victory_probability(strength, np.swapaxes(strength, -1, -2), vpm)

    k = np.arange(N)
    member = valid[:, None, :] & ((init[:, None, :] == k[None, :, None])
                                  | (rcvr[:, None, :] == k[None, :, None]))  # (B, N, M)
    size = int(member.sum(axis=-1).max()) + 1
    big = M + 1
    key = np.where(member, np.arange(1, M + 1), big)
    key = np.sort(key, axis=-1)[..., : size - 1]
    opts = np.concatenate([np.zeros((B, N, 1), dtype=int), key], axis=-1)  # (B, N, K)
    mask = opts < big
    opts = np.where(mask, opts, 0)
    bq = bi[..., None, None]
    sub_pv = pv[bq, opts[..., :, None], opts[..., None, :]]
    sub_c = strength[bq, opts[..., :, None], opts[..., None, :]]
    prob = pce(sub_pv, pce_model, mask, sub_c)
    if stochastic:
        u = rng.random((B, N, 1))
        cum = np.cumsum(prob, axis=-1)
        choice = np.minimum((cum < u * cum[..., -1:]).sum(axis=-1), opts.shape[-1] - 1)
    else:
        choice = np.argmax(prob, axis=-1)
    picked = np.take_along_axis(opts, choice[..., None], axis=-1)[..., 0]  # (B, N) 0 = SQ
    m = np.maximum(picked - 1, 0)
    as_init = init[bi, m] == k
    new = np.where(as_init[..., None], pos_init[bi, m], pos_rcvr[bi, m])
    return np.where((picked > 0)[..., None], new, pos)
