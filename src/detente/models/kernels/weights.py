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
    # tolerance guards against 0.5000000001 vs 0.4999999999 float noise at exact halves
    idx = np.argmax(cw >= total / 2.0 - 1e-12 * np.maximum(total, 1.0), axis=-1)
    med = np.take_along_axis(xs, idx[..., None], axis=-1)[..., 0]
    return np.where(total[..., 0] > 0, med, np.nan)


def pairwise_votes(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Net weighted votes V[..., j, k] for position of actor j over that of actor k.

    Each voter i gives ``w_i`` to whichever of x_j, x_k is closer to its own position
    (sincere voting with single-peaked, symmetric preferences); ties give nothing.
    """
    x, w = _clean(x, w)
    d = np.abs(x[..., :, None] - x[..., None, :])  # d[..., i, j] = |x_i - x_j|
    pref = np.sign(d[..., :, None, :] - d[..., :, :, None])  # [i, j, k]: +1 if i prefers j
    return np.einsum("...i,...ijk->...jk", w, pref)


def condorcet_winner(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The actor position that beats or ties every other in pairwise weighted votes.

    Returns (position, exists): where no position is unbeaten (possible only in more than one
    dimension, never on one issue with these preferences) the position with most pairwise wins
    (Copeland) is returned and ``exists`` is False.
    """
    x = np.asarray(x, dtype=float)
    present = ~np.isnan(x) & (np.asarray(w) > 0)
    v = pairwise_votes(x, w)
    tol = 1e-12
    beaten = ((v < -tol) & present[..., None, :]).any(axis=-1)
    unbeaten = present & ~beaten
    wins = ((v > tol) & present[..., None, :]).sum(axis=-1) - 1e9 * ~present
    # among unbeaten, prefer the one with most wins; that also handles duplicates
    score = np.where(unbeaten, wins + 1e6, wins)
    best = np.argmax(score, axis=-1)
    pos = np.take_along_axis(np.where(present, x, np.nan), best[..., None], axis=-1)[..., 0]
    return pos, unbeaten.any(axis=-1)
