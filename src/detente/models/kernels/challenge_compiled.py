"""The challenge model's rounds compiled with numba, one draw at a time.

The same round as :func:`detente.models.challenge.play_round`, written per draw as loops for
numba (without numba everything runs on numpy). ``benchmarks/bench_models.py`` measures both
paths in one run: numpy's per-call and per-element overhead on (B, 10, 10) arrays keeps the
vectorised round at a few thousand draws per CPU second; compiled, one draw's round is a few
microseconds. numba is imported, and the kernel compiled (or loaded from numba's cache), on
first use only, so importing this module costs nothing.
"""

from __future__ import annotations

import numpy as np

from detente.models.kernels import offers as offer_kernel
from detente.models.kernels.jit import jit_once

_KERNEL: list = []  # the compiled _rounds_compiled, once made


def compiled_kernel():
    """The numba-compiled rounds, or None where numba is not installed."""
    kernels = jit_once(_KERNEL, globals(), ("_win_probability_one", "_condorcet_one"),
                       ("_rounds_compiled",))
    return None if kernels is None else kernels[0]


def _win_probability_one(u, contest, P, total_u, absolute):  # pragma: no cover - compiled
    """P for one draw from u[k, a] (voter k's weighted distance to position a); ``total_u``
    (n,) and ``absolute`` (n, n) are work arrays. Innermost loops run over contiguous j."""
    n = u.shape[0]
    total_u[:] = 0.0
    for k in range(n):
        for a in range(n):
            total_u[a] += u[k, a]
    absolute[:] = 0.0
    for i in range(n):
        for k in range(n):  # sum over voters in order, for every j > i at once
            uki = u[k, i]
            for j in range(i + 1, n):
                absolute[i, j] += abs(u[k, j] - uki)
    grand = 0.0
    for i in range(n):
        for j in range(i + 1, n):  # symmetric
            absolute[j, i] = absolute[i, j]
            grand += 2.0 * absolute[i, j]
    for i in range(n):
        for j in range(n):
            pos = 0.5 * (absolute[i, j] + (total_u[j] - total_u[i]))
            pos = min(max(pos, 0.0), absolute[i, j])
            total = absolute[i, j] if contest else grand
            if total > 1e-12:
                P[i, j] = pos / total
            else:
                P[i, j] = 0.5 if contest else 0.0


def _condorcet_one(x, w):  # pragma: no cover - compiled
    n = x.shape[0]
    cost = np.zeros(n)
    for a in range(n):
        acc = 0.0
        for k in range(n):
            acc += w[k] * abs(x[k] - x[a])
        cost[a] = acc
    best = cost.min()
    tol = 1e-9 * max(abs(best), 1.0)
    out = np.inf
    for a in range(n):
        if cost[a] <= best + tol and x[a] < out:
            out = x[a]
    return out


def _rounds_compiled(x0, c, s, R0, rounds, Q, fixed_range, vote_risk, contest, capitulation,
                     log_first, traj, medians, risk0, pick0, kind0, eu_self0, eu_other0):
    # pragma: no cover - compiled
    B, n = x0.shape
    for b in range(B):
        x = x0[b].copy()
        w = c[b] * s[b]
        sb = s[b]
        d = np.empty((n, n))
        log_d = np.empty((n, n))
        log_near = np.empty((n, n))
        log_far = np.empty((n, n))
        log_half = np.log(0.5)
        u = np.empty((n, n))  # u[k, a]: voter k, position a
        absolute = np.empty((n, n))
        total_u = np.empty(n)
        S = np.empty(n)
        P = np.empty((n, n))
        a_m = np.empty((n, n))
        b_m = np.empty((n, n))
        r = np.ones(n)
        new = np.empty(n)
        traj[b, 0] = x
        medians[b, 0] = _condorcet_one(x, w)
        for t in range(rounds):
            R = R0[b]
            if not fixed_range:
                R = x.max() - x.min()
                if not R > 0:
                    R = 1.0
            for i in range(n):
                d[i, i] = 0.0
                log_d[i, i] = -np.inf
                log_near[i, i] = log_half
                log_far[i, i] = log_half
                for j in range(i + 1, n):  # symmetric; logs once, powers as exp(r log z)
                    dij = min(abs(x[i] - x[j]) / R, 1.0)
                    d[i, j] = d[j, i] = dij
                    log_d[i, j] = log_d[j, i] = np.log(dij) if dij > 0 else -np.inf
                    log_near[i, j] = log_near[j, i] = (np.log(0.5 - 0.5 * dij) if dij < 1
                                                       else -np.inf)
                    log_far[i, j] = log_far[j, i] = np.log(0.5 + 0.5 * dij)
            # risk exponents from linear expected utilities (all r = 1)
            for k in range(n):
                for a in range(n):
                    u[k, a] = w[k] * d[k, a]
            _win_probability_one(u, contest, P, total_u, absolute)
            S[:] = 0.0
            for i in range(n):
                for j in range(n):
                    if i != j:  # E(U_ji), challenger j, target i, all exponents 1
                        us = 2.0 - 4.0 * (0.5 - 0.5 * d[j, i])
                        uf = 2.0 - 4.0 * (0.5 + 0.5 * d[j, i])
                        S[i] += us - sb[i] * (1.0 - P[j, i]) * (us - uf)
            hi, lo = S.max(), S.min()
            spread = hi - lo
            for i in range(n):
                Rr = (2.0 * S[i] - hi - lo) / spread if spread > 1e-12 else 0.0
                r[i] = (1.0 - Rr / 3.0) / (1.0 + Rr / 3.0)
            # expected utilities with this round's exponents
            for k in range(n):
                for a in range(n):
                    if a == k:
                        u[k, a] = 0.0
                    elif vote_risk:
                        u[k, a] = w[k] * np.exp(r[k] * log_d[k, a])
                    else:
                        u[k, a] = w[k] * d[k, a]
            _win_probability_one(u, contest, P, total_u, absolute)
            for i in range(n):
                usq = 2.0 - 4.0 * np.exp(r[i] * log_half)
                for j in range(n):
                    if j == i:  # no offer to oneself; never logged
                        a_m[i, j] = b_m[i, j] = 0.0
                        continue
                    us = 2.0 - 4.0 * np.exp(r[i] * log_near[i, j])
                    uf = 2.0 - 4.0 * np.exp(r[i] * log_far[i, j])
                    base = us - Q * usq
                    a_m[i, j] = base - sb[j] * (1.0 - P[i, j]) * (us - uf)
                    b_m[i, j] = base - sb[i] * (1.0 - P[j, i]) * (us - uf)
            # offers (scholz-code rule): a full move first, the nearest; else the compromise
            # with the smallest EU-weighted average position; ties to the first listed
            for i in range(n):
                best_full, full_j = np.inf, -1
                best_comp, comp_j = np.inf, -1
                for j in range(n):
                    if x[j] == x[i]:
                        continue
                    a, bb = a_m[i, j], b_m[i, j]
                    yields = a < 0 and bb > 0
                    comp = yields and bb > -a
                    full = (bb > a and a > 0) or (capitulation and yields and not comp)
                    if full:
                        cost = abs(x[j] - x[i])
                        if cost < best_full:
                            best_full, full_j = cost, j
                    elif comp:
                        avg = (-a * x[i] + bb * x[j]) / (bb - a)
                        if avg < best_comp:
                            best_comp, comp_j = avg, j
                j = full_j if full_j >= 0 else comp_j
                kind = offer_kernel.NONE
                if j < 0:
                    new[i] = x[i]
                elif full_j >= 0:
                    new[i] = x[j]
                    kind = (offer_kernel.CONFRONTATION if a_m[i, j] > 0
                            else offer_kernel.CAPITULATION)
                else:
                    fraction = -a_m[i, j] / b_m[i, j]
                    new[i] = x[i] + fraction * (x[j] - x[i])
                    kind = offer_kernel.COMPROMISE
                if b == 0 and log_first:
                    risk0[t, i] = r[i]
                    pick0[t, i] = j
                    kind0[t, i] = kind
                    eu_self0[t, i] = a_m[i, max(j, 0)]
                    eu_other0[t, i] = b_m[i, max(j, 0)]
            x[:] = new
            traj[b, t + 1] = x
            medians[b, t + 1] = _condorcet_one(x, w)


