"""The Nash bargaining solution on one issue dimension, batched over draws.

Each actor i has a single-peaked utility u_i(x) = -s_i phi(|x - x_i|) with phi(t) = t^2
(quadratic) or t (linear), and a disagreement utility u_i(d) = -s_i phi(r_i), where r_i is
its distance to the disagreement outcome. Its gain from an agreement x is therefore
g_i(x) = s_i (phi(r_i) - phi(|x - x_i|)), and the (generalised) Nash bargaining solution
maximises prod_i g_i(x)^{w_i} over the x where every g_i >= 0 (Nash 1950; the weighted form
is Kalai 1977 / Roth 1979). The salience s_i scales a utility and so never moves the solution
(the NBS is invariant to positive affine transformations of each utility); it only decides who
is indifferent (s_i = 0).

Every g_i >= 0 exactly on the interval [x_i - r_i, x_i + r_i], so the feasible set is the
intersection [L, U] of those intervals. On its interior sum_i w_i log g_i is concave (log of a
positive concave function, non-negative weights), so its maximum is where its (sub)derivative
changes sign: found by bisection on the derivative's sign, all draws at once. No grid, no
per-draw loop; at most 64 halvings, stopping once every interval has shrunk by 1e-13.
"""

from __future__ import annotations

import numpy as np

UTILITIES = ("quadratic", "linear")
BISECTION_STEPS = 64
# a feasible interval narrower than this (on 0-100) counts as the single point d
DEGENERATE_WIDTH = 1e-9
# stop halving once every draw's interval is this share of its starting width
CONVERGED_SHARE = 1e-13


def _phi(t: np.ndarray, utility: str) -> np.ndarray:
    return t * t if utility == "quadratic" else t


def _slope(x: np.ndarray, pos: np.ndarray, reach: np.ndarray, weight: np.ndarray,
           utility: str) -> np.ndarray:
    """d/dx sum_i w_i log g_i(x) at x (B,), up to the factor s_i that cancels."""
    gap = x[:, None] - pos  # (B, n)
    gain = _phi(reach, utility) - _phi(np.abs(gap), utility)
    dgain = -2.0 * gap if utility == "quadratic" else -np.sign(gap)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        terms = np.where(weight > 0, weight * dgain / gain, 0.0)
        return np.nan_to_num(terms, nan=0.0).sum(axis=-1)


def nash_solution(pos: np.ndarray, reach: np.ndarray, weight: np.ndarray,
                  disagreement: np.ndarray, utility: str = "quadratic"
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The NBS of each draw.

    ``pos``, ``reach`` (r_i >= 0, distance of each actor's disagreement outcome) and
    ``weight`` (exponent w_i; 0 leaves an actor out of the product) are (B, n);
    ``disagreement`` (B,) is the disagreement outcome, NaN when it is a vector of utilities
    rather than a point (then a degenerate feasible set returns its midpoint).

    Returns ``(x, at_d)``: the solution (B,), NaN where no actor has positive weight, and
    whether the feasible set was the single point d (nobody can gain without someone losing).
    """
    if utility not in UTILITIES:
        raise ValueError(f"utility must be one of {UTILITIES}, not {utility!r}")
    pos = np.asarray(pos, dtype=float)
    reach = np.asarray(reach, dtype=float)
    weight = np.where(np.isnan(pos), 0.0, np.asarray(weight, dtype=float))
    inc = weight > 0
    pos_c = np.where(inc, pos, 0.0)
    reach_c = np.where(inc, reach, 0.0)
    # feasible interval, clipped to the range of the included positions (the NBS is Pareto
    # optimal, hence inside that range; clipping keeps the bisection away from +-inf)
    lo = np.where(inc, pos_c - reach_c, -np.inf).max(axis=-1)
    hi = np.where(inc, pos_c + reach_c, np.inf).min(axis=-1)
    anyone = inc.any(axis=-1)
    d = np.asarray(disagreement, dtype=float)
    degenerate = anyone & ~(hi - lo > DEGENERATE_WIDTH)
    # search the feasible interval within the range of the included positions: the NBS is
    # Pareto optimal, hence inside that range, and the clip keeps the bisection finite
    a = np.maximum(lo, np.where(inc, pos_c, np.inf).min(axis=-1))
    b = np.minimum(hi, np.where(inc, pos_c, -np.inf).max(axis=-1))
    a = np.where(anyone & ~degenerate, a, 0.0)
    b = np.where(anyone & ~degenerate, b, 0.0)
    stop = np.maximum(CONVERGED_SHARE * (b - a), 4 * np.spacing(np.abs(b) + 1.0))
    for _ in range(BISECTION_STEPS):
        if not (b - a > stop).any():
            break
        mid = 0.5 * (a + b)
        up = _slope(mid, pos_c, reach_c, np.where(inc, weight, 0.0), utility) > 0
        a = np.where(up, mid, a)
        b = np.where(up, b, mid)
    x = 0.5 * (a + b)
    lo0, hi0 = np.where(anyone, lo, 0.0), np.where(anyone, hi, 0.0)  # +-inf where nobody
    fallback = np.where(np.isnan(d), 0.5 * (lo0 + hi0), d)
    x = np.where(degenerate, fallback, x)
    return np.where(anyone, x, np.nan), degenerate
