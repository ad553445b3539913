"""Batched bargains of the KTAB SMP: interpolated proposals and the queue elections that pick them.

Arrays have a leading batch axis B. Positions are (B, N, D) on 0-1. See ALGORITHM.md in
``shared/anchors/ktab`` ("One turn", steps 2-4) for the restatement these follow.
"""

from __future__ import annotations

import numpy as np

from detente.models.kernels.smp import (
    coalition_strength,
    pce,
    point_distances,
    utility,
    victory_probability,
)

NUDGE = 1e-6  # added to each side's own interpolation weight (KTAB)
DECIMALS = 4  # bargain positions are rounded to 4 places on 0-1 (0.01 point)


def _weights(s_i: np.ndarray, s_j: np.ndarray, p: np.ndarray,
             method: str) -> tuple[np.ndarray, np.ndarray]:
    """The interpolation weights (w_i, w_j) per dimension (KTAB ``interpolateBrgn``).

    s2p2 (default): s_ik^2 P^2 and s_jk^2 (1-P)^2; s1p1: first powers. s2pmax: the side less
    likely to win moves towards the other by a fraction delta s_other^2 / (delta s_other^2 +
    (1 - delta) s_own^2), delta = |P_i - P_j|, i.e. weights delta s^2 for the likelier side and
    (1 - delta) s^2 for the other (P_i = P_j counts i as the likelier).
    """
    p = p[..., None]
    q = 1.0 - p
    if method in ("s2p2", "s1p1"):
        e = 2 if method == "s2p2" else 1
        return s_i**e * p**e, s_j**e * q**e
    if method == "s2pmax":
        i_strong = p >= q
        delta = np.abs(p - q)
        return (np.where(i_strong, delta, 1 - delta) * s_i**2,
                np.where(i_strong, 1 - delta, delta) * s_j**2)
    raise ValueError(f"unknown bargain interpolation {method!r}")


def interpolate(x_i: np.ndarray, x_j: np.ndarray, s_i: np.ndarray, s_j: np.ndarray,
                p: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The two sides of a challenge's compromise, unrounded: where i and where j would move.

    ``x_*``, ``s_*`` (B, M, D); ``p`` (B, M) the initiator's probability of winning. The
    compromise is (w_i x_i + w_j x_j) / (w_i + w_j) per dimension, with the weights of
    :func:`_weights`. As in KTAB, each side is that formula with 1e-6 added to the side's
    own weight (ALGORITHM.md: "a 1e-6 nudge towards each actor's own side"): i's side is
    ((w_i + 1e-6) x_i + w_j x_j) / (w_i + w_j + 1e-6), j's likewise. The nudge is a fraction
    1e-6 / (w_i + w_j + 1e-6) of the way to the party's own position, so it grows as the
    weights shrink; after rounding (:func:`settle`) the two sides nearly always coincide,
    and split by 0.0001 only when the compromise lies that close to a rounding edge.
    KTAB's reference runs pin this rule down: it reproduces every position and printed
    probability of SOE-Pol-Comp (27 turns), SOE-Policy (19) and dummyData_3Dim (10), whose
    turn-1 bargain 04->00 splits on dimension 2 (0.4471 for actor 00, 0.4472 for 04: the
    compromise is 0.4471559 and 00's side moves 1.7e-5 towards 00, the weights summing to
    only 0.023), which moves Big R and the printed probabilities of turn 1. The added weight
    must lie in about 0.95e-6..1.4e-6; a nudge that is a fixed fraction of the distance (1e-5
    fits the two SOE runs, whose weights are near 0.1, but not dummyData_3Dim), a constant
    step (1e-6, 2e-6), no nudge, or a nudge of the saliences or of P each break one of the
    runs. A dimension neither side weighs (both weights 0) leaves each side at its own
    coordinate (the nudge is then the only weight).
    """
    w_i, w_j = _weights(s_i, s_j, p, method)
    tot = w_i + w_j + NUDGE
    side_i = ((w_i + NUDGE) * x_i + w_j * x_j) / tot
    side_j = (w_i * x_i + (w_j + NUDGE) * x_j) / tot
    return side_i, side_j


def settle(side: np.ndarray) -> np.ndarray:
    """A side of a bargain as KTAB stores it: rounded to 4 places on 0-1 (0.01 point).

    The rounding is visible in KTAB's reference runs: SOE-Pol-Comp's turn-1 compromise
    0.3874531 is printed as 38.8 (0.3875) and dummyData_3Dim's 0.7194713 as 72.0 (0.7195).
    """
    return np.round(side, DECIMALS)


def resolve_queues(ideal: np.ndarray, pos: np.ndarray, sal: np.ndarray, cap: np.ndarray,
                   risk: np.ndarray, own_util: np.ndarray, init: np.ndarray, rcvr: np.ndarray,
                   valid: np.ndarray, pos_init: np.ndarray, pos_rcvr: np.ndarray, rule: str,
                   vpm: str, pce_model: str, uniform: np.ndarray | None) -> np.ndarray:
    """Each actor's new position: the election winner in its own queue of bargains.

    Bargain m (M slots, ``valid`` (B, M)) has initiator ``init`` and receiver ``rcvr`` (B, M)
    who move to ``pos_init``/``pos_rcvr`` (B, M, D). Actor k's queue is its status quo plus
    every valid bargain it initiated or received, in slot order. Every actor a scores a
    bargain as the mean of its utilities over the resulting positions of all N actors (the two
    moved parties at the bargain's points, the rest where they are), with its own R_a; voting
    weights are capabilities. Returns new positions (B, N, D). Queues are resolved
    independently, so a bargain may be taken up by one party and not the other (KTAB's
    non-binding bargains). ``uniform`` (B, N, 1), uniform draws on [0, 1), makes the
    transitions stochastic (each actor's winner drawn by its PCE probability); None takes the
    likeliest.
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
    strength = coalition_strength(util, cap, rule)  # (B, 1+M, 1+M)
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
    # the coalition strengths weigh challenges in the markov_incentive PCE only
    sub_c = (strength[bq, opts[..., :, None], opts[..., None, :]]
             if pce_model == "markov_incentive" else None)
    prob = pce(sub_pv, pce_model, mask, sub_c)
    if uniform is not None:  # stochastic transitions: uniform (B, N, 1) draws on [0, 1)
        cum = np.cumsum(prob, axis=-1)
        choice = np.minimum((cum < uniform * cum[..., -1:]).sum(axis=-1),
                            opts.shape[-1] - 1)
    else:
        choice = np.argmax(prob, axis=-1)
    picked = np.take_along_axis(opts, choice[..., None], axis=-1)[..., 0]  # (B, N) 0 = SQ
    m = np.maximum(picked - 1, 0)
    as_init = init[bi, m] == k
    new = np.where(as_init[..., None], pos_init[bi, m], pos_rcvr[bi, m])
    return np.where((picked > 0)[..., None], new, pos)
