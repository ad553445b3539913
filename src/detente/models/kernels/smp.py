"""Batched arithmetic of the KTAB spatial model of politics (SMP): votes, PCE, Big R, challenges.

Every function takes arrays with a leading batch axis B (Monte Carlo draws) and knows nothing
of files or scenarios. Positions and ideals are (B, N, D) on 0-1, saliences (B, N, D) on 0-1,
capabilities (B, N). The notation follows ``shared/anchors/ktab/ALGORITHM.md``, our restatement
of KTAB's sources (Wise, Lester, Efird et al., KAPSARC; MIT licence); no KTAB code is used.

Cost: the challenge evaluation is O(N^3) per turn (each initiator i scores every target j,
each with every third party n), computed in chunks of initiators so memory stays bounded. KTAB
also computes every actor's estimate of every other actor's gain from every challenge (O(N^4)),
which nothing downstream reads; we skip it.
"""

from __future__ import annotations

import numpy as np

from detente.models.kernels import smp_compiled

# the voting rules and third-party commitments are defined where the compiled code indexes them
THIRD_PARTY_COMMITS = smp_compiled.THIRD_PARTY_COMMITS
VOTING_RULES = smp_compiled.VOTING_RULES

# Numerical constants of KTAB (ALGORITHM.md): floors of coalition strengths, the equality
# tolerance of positions, the minimum gain that makes a challenge worth proposing.
COALITION_FLOOR = 1e-8
CHALLENGE_FLOOR = 1e-10
POSITION_TOLERANCE = 1e-3
MIN_GAIN = 1e-5

VICTORY_MODELS = ("linear", "square", "quartic", "octic", "binary")
PCE_MODELS = ("conditional", "markov_uniform", "markov_incentive")
BIG_R_RANGES = ("min", "mid", "max")
BIG_R_ADJUSTS = {"none": 0.0, "one_third": 1 / 3, "half": 0.5, "two_thirds": 2 / 3, "full": 1.0}
INTERPOLATIONS = ("s1p1", "s2p2", "s2pmax")


def vote(rule: str, w: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A voter's signed vote between options worth ``a`` and ``b`` to it, weight ``w``.

    Positive votes favour ``a``. KTAB ``Model::vote``: binary, prop_bin (0.8 proportional +
    0.2 binary), prop (default), prop_cbc ((d + d^3)/2), cubic, asym_prosp (gains count 2/3).
    """
    d = a - b
    if rule == "prop":
        return w * d
    if rule == "binary":
        return w * np.clip(d / 1e-8, -1.0, 1.0)
    if rule == "prop_bin":
        return w * (0.8 * d + 0.2 * np.clip(d / 1e-8, -1.0, 1.0))
    # d * d * d, not d**3: numpy's array power and libm's pow differ in the last bit for some
    # values, and the compiled challenges (kernels/smp_compiled.py) must give these bits
    if rule == "prop_cbc":
        return w * (d + d * d * d) / 2.0
    if rule == "cubic":
        return w * (d * d * d)
    if rule == "asym_prosp":
        return w * np.where(d > 0, 2.0 / 3.0 * d, d)
    raise ValueError(f"unknown voting rule {rule!r}")


def victory_probability(c_ab: np.ndarray, c_ba: np.ndarray, model: str) -> np.ndarray:
    """Probability that coalition ``c_ab`` beats ``c_ba``.

    linear (default) c_ab/(c_ab+c_ba); square/quartic/octic raise strengths to 2/4/8 first.
    binary is 1 once c_ab >= 1.1 c_ba, 0 once c_ba >= 1.1 c_ab; in between (the +-10 % band)
    KTAB ramps linearly; our ramp is linear in (c_ab - c_ba)/(c_ab + c_ba), which keeps
    p_ab + p_ba = 1 (a documented choice: the band's exact shape is not pinned down).
    """
    if model == "linear":
        return c_ab / (c_ab + c_ba)
    powers = {"square": 2, "quartic": 4, "octic": 8}
    if model in powers:
        e = powers[model]
        scale = np.maximum(c_ab, c_ba)
        x, y = (c_ab / scale) ** e, (c_ba / scale) ** e
        return x / (x + y)
    if model == "binary":
        edge = 0.1 / 2.1  # (c_ab - c_ba)/(c_ab + c_ba) at c_ab = 1.1 c_ba
        rel = (c_ab - c_ba) / (c_ab + c_ba)
        return np.clip(0.5 + 0.5 * rel / edge, 0.0, 1.0)
    raise ValueError(f"unknown victory probability model {model!r}")


def pairwise_victory(util: np.ndarray, w: np.ndarray, rule: str, vpm: str) -> np.ndarray:
    """pv[..., a, b]: probability that option a beats b in a vote of weighted voters.

    ``util`` (..., V, K): each voter's utility of each option; ``w`` (..., V) weights.
    Coalition strength C_ab = 1e-8 + sum_v max(0, vote(w_v, U_va, U_vb)).
    """
    c = coalition_strength(util, w, rule)
    return victory_probability(c, np.swapaxes(c, -1, -2), vpm)


def coalition_strength(util: np.ndarray, w: np.ndarray, rule: str) -> np.ndarray:
    """C[..., a, b] = 1e-8 + sum_v max(0, vote(w_v, U_va, U_vb)), (..., K, K) from ``util``
    (..., V, K) and ``w`` (..., V): the strength of the coalition preferring a to b. Compiled
    (kernels/smp_compiled.py, the same bits) where it can be; this is the O(V K^2) step of
    every PCE."""
    if util.ndim == 3 and smp_compiled.strengths_available(util.shape[-1]):
        return smp_compiled.coalition_strengths(util, w, rule, COALITION_FLOOR)
    v = vote(rule, w[..., :, None, None], util[..., :, :, None], util[..., :, None, :])
    return COALITION_FLOOR + np.maximum(v, 0.0).sum(axis=-3)


def pce(pv: np.ndarray, model: str, mask: np.ndarray | None = None,
        util_strength: np.ndarray | None = None) -> np.ndarray:
    """Probability that each option is the outcome (probabilistic Condorcet election).

    ``pv`` (..., K, K) pairwise victory probabilities; ``mask`` (..., K) the options present
    (absent ones get probability 0). conditional (default): P_a proportional to prod_b pv_ab
    with pv_aa = 1/2. markov_uniform: fixed point of P_a = (1/n) sum_b pv_ab (P_a + P_b).
    markov_incentive: the favourite b is challenged by a with probability proportional to
    C_ab pv_ab (``util_strength`` = C, if given, else pv alone) and a replaces b with
    probability pv_ab; the stationary distribution of that chain.
    """
    K = pv.shape[-1]
    if mask is None:
        mask = np.ones(pv.shape[:-1], dtype=bool)
    pair = mask[..., :, None] & mask[..., None, :]
    eye = np.eye(K, dtype=bool)
    if model == "conditional":
        with np.errstate(divide="ignore"):
            logp = np.where(pair & ~eye, np.log(pv), 0.0).sum(axis=-1)
        logp = np.where(mask, logp, -np.inf)
        logp = logp - logp.max(axis=-1, keepdims=True)
        p = np.exp(logp)
        return p / p.sum(axis=-1, keepdims=True)
    n = mask.sum(axis=-1, keepdims=True).astype(float)
    p = np.where(mask, 1.0, 0.0) / n
    pvm = np.where(pair, pv, 0.0)
    if model == "markov_uniform":
        for _ in range(10_000):
            new = (pvm * (p[..., :, None] + p[..., None, :])).sum(axis=-1) / n
            new = 0.5 * (p + new)  # damped iteration
            new = new / new.sum(axis=-1, keepdims=True)
            done = np.abs(new - p).max() < 1e-6
            p = new
            if done:
                break
        return p
    if model == "markov_incentive":
        strength = pvm if util_strength is None else np.where(pair, util_strength, 0.0) * pvm
        strength = np.where(eye, 0.0, strength)  # strength[a, b]: a challenges b
        total = strength.sum(axis=-2, keepdims=True)
        choose = np.divide(strength, total, out=np.zeros_like(strength), where=total > 0)
        move = choose * pvm  # move[a, b]: from favourite b to a
        move = np.where(eye, 0.0, move)
        stay = 1.0 - move.sum(axis=-2)
        for _ in range(100_000):
            new = (move * p[..., None, :]).sum(axis=-1) + stay * p
            new = new / new.sum(axis=-1, keepdims=True)
            done = np.abs(new - p).max() < 1e-8
            p = new
            if done:
                break
        return p
    raise ValueError(f"unknown PCE model {model!r}")


def distances(ideal: np.ndarray, pos: np.ndarray, sal: np.ndarray) -> np.ndarray:
    """d[b, i, j]: actor i's salience-weighted, normalised distance from its ideal to j's position.

    d_ij = sqrt(sum_k s_ik^2 (q_ik - x_jk)^2 / sum_k s_ik^2), in [0, 1] (KTAB ``bvDiff``).
    """
    # scaled by the largest salience first, so that tiny (denormal) saliences do not square
    # to 0 and divide 0 by 0; the ratio is the same
    top = sal.max(axis=-1, keepdims=True)
    s2 = np.divide(sal, top, out=np.zeros_like(sal), where=top > 0) ** 2
    s2 = np.divide(s2, s2.sum(axis=-1, keepdims=True), out=np.zeros_like(s2), where=top > 0)
    diff = ideal[:, :, None, :] - pos[:, None, :, :]
    return np.sqrt(np.einsum("bik,bijk->bij", s2, diff**2))


def point_distances(ideal: np.ndarray, sal: np.ndarray, points: np.ndarray) -> np.ndarray:
    """d[b, a, m]: actor a's distance from its ideal to points (B, M, D), like :func:`distances`."""
    return distances(ideal, points, sal)


def utility(d: np.ndarray, r: np.ndarray) -> np.ndarray:
    """u(d; R) = (1 - d)(1 + R d): linear at R=0, risk averse (1 - d^2) at R=1 (KTAB ``bsUtil``)."""
    return (1.0 - d) * (1.0 + r * d)


def big_r(p: np.ndarray, span: str) -> np.ndarray:
    """Risk attitudes from the actors' PCE probabilities (KTAB ``bigRfromProb``).

    min: [0, 1], mid (default): [-1/2, 1], max: [-1, 1]; the likeliest actor is the most risk
    averse. KTAB divides by p_max - p_min, which is 0 when every position ties; we return
    risk neutrality (R = 0) for that draw instead of NaN (a KTAB defect we correct).
    """
    lo = p.min(axis=-1, keepdims=True)
    hi = p.max(axis=-1, keepdims=True)
    rng = hi - lo
    safe = np.where(rng > 0, rng, 1.0)
    if span == "min":
        r = (p - lo) / safe
    elif span == "mid":
        r = (3 * p - hi - 2 * lo) / (2 * safe)
    elif span == "max":
        r = (2 * p - hi - lo) / safe
    else:
        raise ValueError(f"unknown Big R range {span!r}")
    return np.where(rng > 0, r, 0.0)


def perceived_risk(R: np.ndarray, adjust: str) -> np.ndarray:
    """r[b, h, i]: h's estimate of i's risk attitude, (1 - a) R_h + a R_i (KTAB BigRAdjust)."""
    a = BIG_R_ADJUSTS[adjust]
    return (1 - a) * R[:, :, None] + a * R[:, None, :]


def _viewed_utilities(d: np.ndarray, r: np.ndarray, viewer: np.ndarray, init: np.ndarray,
                      targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Viewer h's utilities U^h[n, m] = u(d[n, m]; r^h_n) at m = initiator, target, n itself.

    ``viewer``, ``init`` (B, M); ``targets`` (B, M, J). Returns u_ni (B, M, N),
    u_nj (B, M, J, N), u_nn (B, M, N).
    """
    B = d.shape[0]
    bi = np.arange(B)[:, None]
    rh = r[bi, viewer]  # (B, M, N): r^h_n
    dT = np.swapaxes(d, 1, 2)  # dT[b, m, n] = d[b, n, m]
    u_ni = utility(dT[bi, init], rh)
    u_nn = utility(np.diagonal(d, axis1=1, axis2=2)[:, None, :], rh)
    u_nj = utility(dT[bi[..., None], targets], rh[:, :, None, :])
    return u_ni, u_nj, u_nn


def challenges(d: np.ndarray, r: np.ndarray, omega: np.ndarray, total_sal: np.ndarray,
               init: np.ndarray, targets: np.ndarray, viewer: np.ndarray, rule: str,
               commit: str) -> tuple[np.ndarray, np.ndarray]:
    """Viewer h's estimate of challenges i -> j: (P(i beats j), the initiator's gain).

    ``d`` (B, N, N) distances; ``r`` (B, N, N) perceived risks r[h, n]; ``omega`` (B, N) the
    challenge weights c_n S_n; ``total_sal`` (B, N) total saliences S_n. ``init`` and
    ``viewer`` (B, M), ``targets`` (B, M, J); outputs (B, M, J).

    KTAB ``probEduChlg``/``thirdPartyVoteSU``/``vProbLittle`` as restated in ALGORITHM.md:
    the principals vote with weight omega; each third party n judges its own "little contest"
    probability p_n against the principals alone and votes for the side whose expected
    utility (sum of three position utilities, by the third-party commitment) is higher.
    P(i beats j) = C_i/(C_i + C_j), always linear. The gain to i is
    (1 - S_j) 2U_ii + S_j (P 2U_ii + (1 - P) 2U_ij) - (U_ii + U_ij): a target that cares
    little concedes without a contest.

    With ``no_commit`` or ``full_commit`` both sides give a third party the same expected
    utility (one p_n for both, as in KTAB), so third parties abstain; only ``semi_commit``
    (the default) lets them take sides.
    """
    B, M, J = targets.shape
    bi = np.arange(B)[:, None]
    mi = np.arange(M)[None, :]
    u_ni, u_nj, u_nn = _viewed_utilities(d, r, viewer, init, targets)
    bj = bi[..., None]
    mj = mi[..., None]
    u_ii = u_ni[bi, mi, init][..., None]  # (B, M, 1)
    u_ij = u_nj[bj, mj, np.arange(J)[None, None, :], init[..., None]]  # (B, M, J)
    u_ji = u_ni[bj, mj, targets]  # (B, M, J)
    u_jj = u_nn[bj, mj, targets]
    a = vote(rule, omega[bi, init][..., None], u_ii, u_ij)
    b = vote(rule, omega[bj, targets], u_ji, u_jj)
    c_i = CHALLENGE_FLOOR + np.maximum(a, 0) + np.maximum(b, 0)
    c_j = CHALLENGE_FLOOR + np.maximum(-a, 0) + np.maximum(-b, 0)
    wn = omega[:, None, None, :]
    uni = u_ni[:, :, None, :]
    unn = u_nn[:, :, None, :]
    v = vote(rule, wn, uni, u_nj)
    ci, cj = c_i[..., None], c_j[..., None]
    p = (ci + np.maximum(v, 0)) / (ci + cj + np.abs(v))
    if commit == "semi_commit":  # the loser's side adopts the winner's position
        eu_i = p * (2 * uni + unn) + (1 - p) * 3 * u_nj
        eu_j = p * 3 * uni + (1 - p) * (2 * u_nj + unn)
    elif commit == "no_commit":  # n keeps its position whoever wins
        eu_i = eu_j = p * (2 * uni + unn) + (1 - p) * (2 * u_nj + unn)
    elif commit == "full_commit":  # n adopts the winner's position whichever side it took
        eu_i = eu_j = p * 3 * uni + (1 - p) * 3 * u_nj
    else:
        raise ValueError(f"unknown third-party commitment {commit!r}")
    t = vote(rule, wn, eu_i, eu_j)
    n = np.arange(d.shape[1])
    third = (n != init[..., None, None]) & (n != targets[..., None])
    t = np.where(third, t, 0.0)
    c_i = c_i + np.maximum(t, 0).sum(axis=-1)
    c_j = c_j + np.maximum(-t, 0).sum(axis=-1)
    prob = c_i / (c_i + c_j)
    s_j = total_sal[bj, targets]
    eu_sq = u_ii + u_ij
    eu_c = prob * 2 * u_ii + (1 - prob) * 2 * u_ij
    gain = (1 - s_j) * 2 * u_ii + s_j * eu_c - eu_sq
    return prob, gain
