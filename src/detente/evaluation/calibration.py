"""Calibrated prediction intervals from out-of-sample residuals (split conformal).

Split-conformal prediction (Vovk, Gammerman & Shafer 2005; Lei, G'Sell, Rinaldo, Tibshirani &
Wasserman 2018, JASA 113: 1094-1111, sec. 2.2): with n calibration scores
r_i = |y_i - f_i| / (d_i + floor), the interval f +- q (d + floor), where q is the
ceil((n + 1) level)-th smallest score, covers a new exchangeable outcome with probability at
least ``level``. The scale d (the spread of the actors' positions) widens intervals on
contested issues ("locally weighted" conformal, Lei et al. sec. 5.2); ``floor`` keeps
intervals of unanimous issues from collapsing.
"""

from __future__ import annotations

import math

import numpy as np


def conformal_quantile(residuals: np.ndarray, scale: np.ndarray, level: float) -> float:
    """q such that |residual| <= q * scale for the conformal share ``level`` of the issues.

    With too few residuals for the level (ceil((n+1) level) > n) the largest score is used;
    an empty set of residuals is refused.
    """
    r = np.abs(np.asarray(residuals, dtype=float))
    s = np.asarray(scale, dtype=float)
    if r.size == 0 or r.shape != s.shape:
        raise ValueError("need residuals and scales of the same non-empty shape")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), not {level}")
    if np.any(s <= 0) or np.isnan(r).any():
        raise ValueError("scales must be positive and residuals finite")
    scores = np.sort(r / s)
    rank = min(math.ceil((r.size + 1) * level), r.size)
    return float(scores[rank - 1])


def covered(low: np.ndarray, high: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Whether each outcome lies inside its closed interval [low, high]."""
    low, high, y = (np.asarray(a, dtype=float) for a in (low, high, outcome))
    tol = 1e-9
    return (y >= low - tol) & (y <= high + tol)


def coverage(low: np.ndarray, high: np.ndarray, outcome: np.ndarray) -> float:
    """The share of outcomes inside their closed interval [low, high]."""
    inside = covered(low, high, outcome)
    if inside.size == 0:
        raise ValueError("no outcomes")
    return float(np.mean(inside))
