"""Weighted central positions over the actor axis, batched over any leading axes.

All functions take ``x`` and ``w`` of the same shape ``(..., A)``; actors with weight 0 or a
NaN position do not count. A slice with no weight at all gives NaN, which callers report as
"no involved actor" rather than letting it spread silently.
"""

from __future__ import annotations

import numpy as np


def _clean(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    w = np.where(np.isnan(x), 0.0, np.asarray(w, dtype=float))
    return np.where(np.isnan(x), 0.0, x), w


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Sum_i w_i x_i / Sum_i w_i over the last axis (the compromise model, Achen 2006 eq. 4.1)."""
    x, w = _clean(x, w)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * x).sum(axis=-1) / np.where(total > 0, total, 1), np.nan)


def weighted_median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The lower weighted median: the smallest position whose cumulative weight reaches half.

    This is the position of the median voter (Black 1948) when each actor votes with weight
    ``w``; with an even split of weight at one position, the lower one is taken.
    """
    x, w = _clean(x, w)
    order = np.argsort(np.where(w > 0, x, np.inf), axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cw = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    total = cw[..., -1:]
    # tolerance guards against 0.5000000001 vs 0.4999999999 float noise at exact halves;
    # relative to the total, so that the unit of the weights does not matter
    idx = np.argmax(cw >= total / 2.0 * (1.0 - 2e-12), axis=-1)
    med = np.take_along_axis(xs, idx[..., None], axis=-1)[..., 0]
    return np.where(total[..., 0] > 0, med, np.nan)


def votes_from_distances(dist: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Net weighted votes V[..., j, k] for candidate j over candidate k.

    ``dist[..., i, j]`` is voter i's distance to candidate j and ``w[..., i]`` its weight;
    each voter gives ``w_i`` to the nearer of the two candidates (sincere voting), nothing on a
    tie. Accumulated voter by voter, so memory stays (..., J, J) whatever the number of voters.
    """
    dist = np.asarray(dist, dtype=float)
    w = np.asarray(w, dtype=float)
    votes = np.zeros((*dist.shape[:-2], dist.shape[-1], dist.shape[-1]))
    for i in range(dist.shape[-2]):
        d = dist[..., i, :]
        votes += w[..., i, None, None] * np.sign(d[..., None, :] - d[..., :, None])
    return votes


def pairwise_votes(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Net weighted votes V[..., j, k] for position of actor j over that of actor k on one issue.

    Each voter i gives ``w_i`` to whichever of x_j, x_k is closer to its own position
    (sincere voting with single-peaked, symmetric preferences); ties give nothing.
    """
    x, w = _clean(x, w)
    return votes_from_distances(np.abs(x[..., :, None] - x[..., None, :]), w)


def condorcet_choice(votes: np.ndarray, candidate: np.ndarray, order_keys: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Index of the Condorcet winner among candidates, and whether one exists.

    ``votes`` (..., J, J) as from :func:`votes_from_distances`; ``candidate`` (..., J) marks who
    may win. A (weak) Condorcet winner beats or ties every other candidate; among several
    (they tie each other) the one with the smallest ``order_keys`` (..., J, K), compared
    lexicographically, wins: on one issue with ``order_keys`` = position that is the lower
    weighted median. Where no candidate is unbeaten (possible only in more than one
    dimension) the Copeland winner (most pairwise wins, then ``order_keys``) is returned and
    ``exists`` is False. With no candidate at all, index 0 and ``exists`` False.
    """
    tol = 1e-9 * np.abs(votes).max(axis=(-2, -1), keepdims=True)  # relative: any unit
    others = candidate[..., None, :]
    beaten = ((votes < -tol) & others).any(axis=-1)
    unbeaten = candidate & ~beaten
    wins = ((votes > tol) & others).sum(axis=-1)
    exists = unbeaten.any(axis=-1)
    copeland = candidate & (wins == np.where(candidate, wins, -1).max(axis=-1, keepdims=True))
    best = np.where(exists[..., None], unbeaten, copeland)
    for k in range(order_keys.shape[-1]):
        key = np.where(best, order_keys[..., k], np.inf)
        best &= key == key.min(axis=-1, keepdims=True)
    return np.argmax(best, axis=-1), exists


def condorcet_winner(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The actor position that beats or ties every other in pairwise weighted votes.

    Returns (position, exists); among tied winners the lowest position, which makes it the
    lower weighted median of :func:`weighted_median`. On one issue with these preferences a
    winner always exists; ``exists`` is False only when no actor has weight.
    """
    x = np.asarray(x, dtype=float)
    present = ~np.isnan(x) & (np.asarray(w) > 0)
    idx, exists = condorcet_choice(pairwise_votes(x, w), present, np.nan_to_num(x)[..., None])
    pos = np.take_along_axis(np.where(present, x, np.nan), idx[..., None], axis=-1)[..., 0]
    return pos, exists
