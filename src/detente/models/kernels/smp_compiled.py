"""The two O(N^3)-per-turn steps of a KTAB SMP turn, compiled with numba, one draw at a time.

Each actor's best challenge: the same arithmetic as
:func:`detente.models.kernels.smp.challenges` (every actor its own viewer, every other actor a
target, every actor a possible third party) followed by the argmax of
:func:`detente.models.smp._best_challenges`. The coalition strengths of every PCE: those of
:func:`detente.models.kernels.smp.coalition_strength`. Both are written as loops for numba. The
vectorised version builds about thirty (B, N, N, N) temporaries per turn and runs at 20-55 ns
per element of B x N^3 on the development machine; fused loops need no temporaries
(``benchmarks/bench_smp.py`` measures both in one run). Without numba everything runs on numpy.

The results are numpy's bit for bit, which matters: SMP turns are chaotic near ties, and a
difference in the last bit of one gain changed 8 of the 248 DEU forecasts, by up to 45 points,
when the loops first added the third parties' votes in order. They now add them in numpy's
pairwise order (:func:`_pairwise_sum`), and every operation is numpy's in numpy's order
(tested: equal targets, gains and probabilities on random inputs for every voting rule and
third-party commitment, and equal DEU forecasts). numba is imported, and the kernel compiled
(or loaded from numba's cache), on first use only.
"""

from __future__ import annotations

import numpy as np

from detente.models.kernels.jit import jit_once

# KTAB's voting rules and third-party commitments (kernels.smp takes its tuples from here): the
# compiled code takes their index
VOTING_RULES = ("binary", "prop_bin", "prop", "prop_cbc", "cubic", "asym_prosp")
THIRD_PARTY_COMMITS = ("no_commit", "semi_commit", "full_commit")
MAX_ACTORS = 128  # beyond, numpy's pairwise sums recurse (see _pairwise_sum): numpy runs them
COMPILED = True  # False: everything runs on numpy (tests and benchmarks compare the two)

_KERNELS: list = []  # the compiled (challenges, strengths), once made


def _kernels() -> tuple | None:
    """The numba-compiled kernels, or None where numba is not installed or COMPILED is off."""
    if not COMPILED:
        return None
    return jit_once(_KERNELS, globals(), ("_vote", "_pairwise_sum"),
                    ("_best_challenges_all", "_strengths_all"))


def challenges_available(n_actors: int) -> bool:
    """Whether :func:`best_challenges` runs compiled for this many actors (a lone actor has no
    one to challenge, and numpy's P of challenging itself is kept)."""
    return 1 < n_actors <= MAX_ACTORS and _kernels() is not None


def strengths_available(n_options: int) -> bool:
    """Whether :func:`coalition_strengths` runs compiled. With one option numpy sums the votes
    pairwise rather than voter by voter, so numpy keeps that case."""
    return n_options > 1 and _kernels() is not None


def best_challenges(d: np.ndarray, r: np.ndarray, omega: np.ndarray, total_sal: np.ndarray,
                    rule: str, commit: str, floor: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target, gain, P(win)) of each actor's best challenge, (B, N) each.

    Arguments as :func:`detente.models.kernels.smp.challenges` with every actor viewing its
    own challenges, ``floor`` its CHALLENGE_FLOOR; needs :func:`challenges_available`."""
    kernels = _kernels()
    assert kernels is not None
    B, N = omega.shape
    target = np.zeros((B, N), dtype=np.int64)
    gain = np.full((B, N), -np.inf)
    prob = np.zeros((B, N))
    # dT[b, m, n] = d[b, n, m]: the loops read every actor's distance to one position in a row
    dT = np.ascontiguousarray(np.swapaxes(d, 1, 2), dtype=np.float64)
    kernels[0](dT, np.ascontiguousarray(r, dtype=np.float64),
               np.ascontiguousarray(omega, dtype=np.float64),
               np.ascontiguousarray(total_sal, dtype=np.float64),
               VOTING_RULES.index(rule), THIRD_PARTY_COMMITS.index(commit), floor,
               target, gain, prob)
    return target, gain, prob


def coalition_strengths(util: np.ndarray, w: np.ndarray, rule: str,
                        floor: float) -> np.ndarray:
    """C[b, a, c] = floor + sum over voters v of max(0, vote(w_v, util_va, util_vc)), (B, K, K)
    from util (B, V, K) and w (B, V), the votes added voter by voter as numpy adds them;
    needs :func:`strengths_available`."""
    kernels = _kernels()
    assert kernels is not None
    B, _, K = util.shape
    out = np.empty((B, K, K))
    kernels[1](np.ascontiguousarray(util, dtype=np.float64),
               np.ascontiguousarray(w, dtype=np.float64), VOTING_RULES.index(rule), floor, out)
    return out


def _vote(rule, w, a, b):  # pragma: no cover - compiled
    """kernels.smp.vote for one voter; ``rule`` indexes VOTING_RULES."""
    x = a - b
    if rule == 2:  # prop
        return w * x
    if rule == 0:  # binary
        return w * min(max(x / 1e-8, -1.0), 1.0)
    if rule == 1:  # prop_bin
        return w * (0.8 * x + 0.2 * min(max(x / 1e-8, -1.0), 1.0))
    if rule == 3:  # prop_cbc
        return w * (x + x * x * x) / 2.0
    if rule == 4:  # cubic
        return w * (x * x * x)
    return w * (2.0 / 3.0 * x if x > 0 else x)  # asym_prosp


def _pairwise_sum(a, n):  # pragma: no cover - compiled
    """sum(a[:n]) for n <= MAX_ACTORS, added in numpy's order (its pairwise summation:
    eight partial sums up to 128 values), so the loops give numpy's sums bit for bit. Above 128
    numpy halves the array recursively; numba's cache does not take recursive functions."""
    if n < 8:
        res = 0.0
        for k in range(n):
            res += a[k]
        return res
    r0, r1, r2, r3 = a[0], a[1], a[2], a[3]
    r4, r5, r6, r7 = a[4], a[5], a[6], a[7]
    k = 8
    while k < n - (n % 8):
        r0 += a[k]
        r1 += a[k + 1]
        r2 += a[k + 2]
        r3 += a[k + 3]
        r4 += a[k + 4]
        r5 += a[k + 5]
        r6 += a[k + 6]
        r7 += a[k + 7]
        k += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while k < n:
        res += a[k]
        k += 1
    return res


def _best_challenges_all(dT, r, omega, total_sal, rule, commit, floor,
                         target, best_gain, best_p):  # pragma: no cover - compiled
    """Fill target, best_gain, best_p (B, N): for each draw and initiator i (its own viewer),
    the target j != i with the largest gain (the first on ties, as numpy's argmax)."""
    B, N = omega.shape
    u_ni = np.empty(N)
    u_nn = np.empty(N)
    u_nj = np.empty(N)
    pro = np.empty(N)  # each third party's vote for the initiator (0: against or not one)
    con = np.empty(N)
    for b in range(B):
        for i in range(N):
            for n in range(N):
                rh = r[b, i, n]
                x = dT[b, i, n]
                u_ni[n] = (1.0 - x) * (1.0 + rh * x)
                x = dT[b, n, n]
                u_nn[n] = (1.0 - x) * (1.0 + rh * x)
            u_ii = u_ni[i]
            for j in range(N):
                if j == i:
                    continue
                for n in range(N):
                    x = dT[b, j, n]
                    u_nj[n] = (1.0 - x) * (1.0 + r[b, i, n] * x)
                u_ij = u_nj[i]
                va = _vote(rule, omega[b, i], u_ii, u_ij)
                vb = _vote(rule, omega[b, j], u_ni[j], u_nn[j])
                c_i = floor + max(va, 0.0) + max(vb, 0.0)
                c_j = floor + max(-va, 0.0) + max(-vb, 0.0)
                c_sum = c_i + c_j
                for n in range(N):
                    if n in (i, j):
                        pro[n] = 0.0
                        con[n] = 0.0
                        continue
                    uni = u_ni[n]
                    unj = u_nj[n]
                    unn = u_nn[n]
                    v = _vote(rule, omega[b, n], uni, unj)
                    p = (c_i + max(v, 0.0)) / (c_sum + abs(v))
                    if commit == 1:  # semi_commit: the loser's side adopts the winner's position
                        eu_i = p * (2 * uni + unn) + (1 - p) * 3 * unj
                        eu_j = p * 3 * uni + (1 - p) * (2 * unj + unn)
                    elif commit == 0:  # no_commit
                        eu_i = p * (2 * uni + unn) + (1 - p) * (2 * unj + unn)
                        eu_j = eu_i
                    else:  # full_commit
                        eu_i = p * 3 * uni + (1 - p) * 3 * unj
                        eu_j = eu_i
                    t = _vote(rule, omega[b, n], eu_i, eu_j)
                    pro[n] = max(t, 0.0)
                    con[n] = max(-t, 0.0)
                ci = c_i + _pairwise_sum(pro, N)
                cj = c_j + _pairwise_sum(con, N)
                prob = ci / (ci + cj)
                s_j = total_sal[b, j]
                eu_sq = u_ii + u_ij
                eu_c = prob * 2 * u_ii + (1 - prob) * 2 * u_ij
                g = (1 - s_j) * 2 * u_ii + s_j * eu_c - eu_sq
                if g > best_gain[b, i]:
                    best_gain[b, i] = g
                    best_p[b, i] = prob
                    target[b, i] = j


def _strengths_all(util, w, rule, floor, out):  # pragma: no cover - compiled
    """Fill out (B, K, K) with the coalition strengths of :func:`coalition_strengths`."""
    B, V, K = util.shape
    for b in range(B):
        for a in range(K):
            for c in range(K):
                acc = 0.0
                for v in range(V):
                    acc += max(_vote(rule, w[b, v], util[b, v, a], util[b, v, c]), 0.0)
                out[b, a, c] = floor + acc
