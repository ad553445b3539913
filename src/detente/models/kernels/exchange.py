"""Equal-gain vote exchange within one round, on the arrays of one draw.

The arithmetic of Stokman and Van Oosten's exchange model (see :mod:`detente.models.exchange`
for sources). Notation: positions ``x`` (A, I) on 0-100 (NaN where an actor is not involved),
saliences ``s`` (A, I) in 0-1, capabilities ``c`` (A, I); ``W_d = sum_k c_kd s_kd`` and the
expected outcome ``O_d = sum_k c_kd s_kd x_kd / W_d``.

A *candidate* is an unordered actor pair on an unordered issue pair (p, q) whose members sit on
opposite sides of the round-start outcome on both issues. Actor I (larger s_p/s_q) demands p
and supplies q; J demands q and supplies p. Moving actor k on issue d by m shifts the outcome
by ``a_kd m`` with ``a_kd = c_kd s_kd / W_d``. With Dp the shift of O_p towards I and Dq the
shift of O_q towards J, equal gains ``s_Ip Dp - s_Iq Dq = s_Jq Dq - s_Jp Dp`` give
``Dq = r Dp`` with ``r = (s_Ip + s_Jp) / (s_Iq + s_Jq)`` and the common gain ``k Dp`` with
``k = (s_Ip s_Jq - s_Iq s_Jp) / (s_Iq + s_Jq)``. The size is the largest Dp that respects four
limits, so one side moves all the way (or an outcome lands on the demander's position)::

    Dp = min(a_Jp |x_Ip - y_Jp|,          J moves all the way to I's position on p
             a_Iq |x_Jq - y_Iq| / r,      I moves all the way to J's position on q
             |x_Ip - O'_p|,               O_p may not pass I's own position
             |x_Jq - O'_q| / r)           O_q may not pass J's own position

``y`` are the voting positions so far this round (a supplier starts from where earlier
exchanges left it; it moves towards the demander's own position ``x``), and ``O'`` is the
outcome as the demander sees it (option ``outcome_view``, see :class:`RoundRules`).

Candidates run greedily by gain; after each executed exchange only the candidates whose
inputs it changed are recomputed (those sharing a supplier slot (actor, issue) or, for the
outcome, a demander slot or issue), never a stale plan. This is a loop over exchanges, which
is inherently sequential. :meth:`ExchangeRound.play` runs it compiled with numba where
installed (same arithmetic, same exchanges; see the end of this module); :meth:`best` and
:meth:`execute` are the numpy loop, vectorised over the candidates a step touches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from detente.models.kernels.jit import jit_once

EPS = 1e-10  # smallest move or gain that counts (as in the reference implementation)
TIE_RTOL = 1e-12  # gains this close (relative) are ties, broken by the caller

OutcomeView = Literal["demander", "current"]


@dataclass(frozen=True)
class RoundRules:
    """How a round is played.

    ``outcome_view``: which outcome the overshoot cap compares with the demander's position.
    ``"demander"`` (default; reproduces the reference round of CoP21 exactly): the round-start
    outcome plus the shifts of the moves other actors have already made towards this demander
    on this issue in this round. ``"current"``: the outcome of everyone's voting positions so
    far (fully up to date).
    ``rate_variation``: p of the random exchange-rate variant (0 = pure equal gain).
    """

    outcome_view: OutcomeView = "demander"
    rate_variation: float = 0.0


@dataclass(frozen=True)
class Exchange:
    """One executed exchange: I supplies q and demands p; J supplies p and demands q."""

    actor_i: int
    actor_j: int
    supplies_i: int  # q
    supplies_j: int  # p
    gain_i: float
    gain_j: float
    from_i: float  # I's voting position on q before and after (0-100)
    to_i: float
    from_j: float  # J's voting position on p before and after
    to_j: float

    @property
    def gain(self) -> float:
        return 0.5 * (self.gain_i + self.gain_j)


def expected_outcome(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``sum_k w_k x_k / sum_k w_k`` over the actor axis (-2); NaN positions count as absent."""
    xx = np.where(np.isnan(x), 0.0, x)
    ww = np.where(np.isnan(x), 0.0, w)
    total = ww.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (ww * xx).sum(axis=-2) / np.where(total > 0, total, 1.0),
                        np.nan)


def _slot_index(slots: np.ndarray, n_slots: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR map from slot id to the candidates using it: (order, start offsets)."""
    flat = slots.ravel()
    order = np.argsort(flat, kind="stable")
    starts = np.searchsorted(flat[order], np.arange(n_slots + 1))
    return order % slots.shape[-1], starts


@dataclass
class ExchangeRound:
    """The candidates of one round and the state of voting positions while they execute.

    Use :meth:`best` to get the indices of the candidates tied for the highest gain (empty when
    the round is over), pick one, and :meth:`execute` it.
    """

    x: np.ndarray  # (A, I) round-start positions
    s: np.ndarray
    c: np.ndarray
    rules: RoundRules = field(default_factory=RoundRules)
    rng: np.random.Generator | None = None

    def __post_init__(self) -> None:
        x, s, c = self.x, self.s, self.c
        A, n_issues = x.shape
        present = ~np.isnan(x)
        w = np.where(present, c * s, 0.0)
        W = w.sum(axis=0)
        self.outcome0 = expected_outcome(x, w)
        usable = present & (W > 0)[None, :]
        left = np.where(usable, x <= self.outcome0[None, :], False)
        a, b = np.triu_indices(A, 1)
        p, q = np.triu_indices(n_issues, 1)
        both = (usable[a][:, p] & usable[a][:, q] & usable[b][:, p] & usable[b][:, q])
        opposite = ((left[a][:, p] != left[b][:, p]) & (left[a][:, q] != left[b][:, q]))
        pair, ip = np.nonzero(both & opposite)
        a, b, p, q = a[pair], b[pair], p[ip], q[ip]
        a_demands_p = s[a, p] * s[b, q] > s[b, p] * s[a, q]
        I_, J_ = np.where(a_demands_p, a, b), np.where(a_demands_p, b, a)
        sIp, sIq, sJp, sJq = s[I_, p], s[I_, q], s[J_, p], s[J_, q]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (sIp + sJp) / (sIq + sJq)
            k = (sIp * sJq - sIq * sJp) / (sIq + sJq)
        keep = np.isfinite(r) & np.isfinite(k) & (k > 0) & (r > 0)
        self.I, self.J, self.p, self.q = I_[keep], J_[keep], p[keep], q[keep]
        self.sal = np.stack([sIp, sIq, sJp, sJq])[:, keep]
        self.r, self.k = r[keep], k[keep]
        Wp, Wq = W[self.p], W[self.q]
        self.aJ = w[self.J, self.p] / Wp
        self.aI = w[self.I, self.q] / Wq
        self.xIp, self.xJq = x[self.I, self.p], x[self.J, self.q]
        self.sgn_p = np.sign(self.xIp - x[self.J, self.p])
        self.sgn_q = np.sign(self.xJq - x[self.I, self.q])
        self.W, self.w = W, w
        o0p, o0q = self.outcome0[self.p], self.outcome0[self.q]
        self._const = np.stack([
            self.sgn_p, self.sgn_q, self.r, self.aJ * self.sgn_p, self.aI * self.sgn_q,
            self.xIp, self.xJq, self.sgn_p * (self.xIp - o0p), self.sgn_q * (self.xJq - o0q),
            self.aJ, self.aI, self.k], axis=1)
        self._slots = np.stack([self.J * n_issues + self.p, self.I * n_issues + self.q,
                                self.I * n_issues + self.p, self.J * n_issues + self.q,
                                self.p, self.q], axis=1)
        self.n_issues = n_issues
        # dynamic state
        self.y = x.copy()
        self.direction = np.zeros((A, n_issues), dtype=np.int8)
        self.toward = np.zeros((A, n_issues))  # outcome shifts made towards actor a on d
        self.outcome = self.outcome0.copy()  # from everyone's voting positions
        K = self.I.size
        self.alive = np.ones(K, dtype=bool)
        self.dp = np.zeros(K)
        self.dq = np.zeros(K)
        self.gain_i = np.zeros(K)
        self.gain_j = np.zeros(K)
        self._bs = bs = max(32, int(np.sqrt(K)))
        n_blocks = max(1, -(-K // bs))
        self.gain = np.full(n_blocks * bs, -np.inf)  # padded to whole blocks
        self.dirty = np.zeros(n_blocks * bs, dtype=bool)
        self._g2 = self.gain.reshape(n_blocks, bs)
        self._bmax = np.full(n_blocks, -np.inf)
        self._lazy = self.rules.outcome_view == "demander" and self.rules.rate_variation == 0
        self.current_view = self.rules.outcome_view == "current"
        n_slots = A * n_issues
        supply = np.stack([self.J * n_issues + self.p, self.I * n_issues + self.q])
        demand = np.stack([self.I * n_issues + self.p, self.J * n_issues + self.q])
        self.log = np.zeros((K, 7))  # per executed exchange: n, gain_i, gain_j, from/to i, j
        self.n_executed = 0
        kernel = _compiled_kernel() if _use_compiled(self.rules, None) else None
        if kernel is None:
            self._supply = _slot_index(supply, n_slots)
            self._demand = _slot_index(demand, n_slots)
            self._issue = _slot_index(np.stack([self.p, self.q]), n_issues)
            self._compute(np.arange(K))
            return
        self._supply = kernel.csr_index(supply.ravel(), K, n_slots)
        self._demand = kernel.csr_index(demand.ravel(), K, n_slots)
        self._issue = kernel.csr_index(np.stack([self.p, self.q]).ravel(), K, n_issues)
        kernel.compute_all(self._const, self._slots, self.y.ravel(), self.direction.ravel(),
                           self.toward.ravel(), self.outcome, self.alive, self.current_view,
                           self.dp, self.dq, self.gain_i, self.gain_j, self.gain)
        self._bmax = self._g2.max(axis=1)

    @property
    def n_candidates(self) -> int:
        return int(self.I.size)

    @property
    def executed(self) -> list[Exchange]:
        """The exchanges executed so far, in order."""
        rows = self.log[:self.n_executed]
        n = rows[:, 0].astype(np.intp)
        return [Exchange(*ids, *values) for ids, values in zip(
            np.stack([self.I[n], self.J[n], self.q[n], self.p[n]], axis=1).tolist(),
            rows[:, 1:].tolist(), strict=True)]

    def play(self, choose: Callable[[np.ndarray], int], compiled: bool | None = None) -> None:
        """Execute the whole round greedily; ``choose(tied)`` picks among tied best candidates.

        ``compiled``: run the greedy loop compiled with numba (None: where numba is installed
        and the rules allow, see :func:`compiled_supports`). Both paths execute the same
        exchanges; the compiled one calls ``choose`` only when more than one candidate ties.
        """
        kernel = _compiled_kernel() if _use_compiled(self.rules, compiled) else None
        if kernel is None:
            while (tied := self.best()).size:
                self.execute(choose(tied))
            return
        (sup_order, sup_starts), (dem_order, dem_starts) = self._supply, self._demand
        iss_order, iss_starts = self._issue
        tied_buf = np.empty(max(1, self.n_candidates), dtype=np.intp)
        forced = -1
        while True:
            self.n_executed, n_tied = kernel.greedy_round(
                self._const, self._slots, sup_order, sup_starts, dem_order, dem_starts,
                iss_order, iss_starts, self.y.ravel(), self.direction.ravel(),
                self.toward.ravel(), self.outcome, self.alive, self.dp, self.dq, self.gain_i,
                self.gain_j, self.gain, self.current_view, forced,
                self.log, self.n_executed, tied_buf)
            if n_tied == 0:
                break
            forced = int(choose(tied_buf[:n_tied].copy()))
        self._bmax[:] = -np.inf  # every gain is -inf once the round is over

    @staticmethod
    def _lookup(indices: tuple[tuple[np.ndarray, np.ndarray], ...],
                slots: tuple[int, ...]) -> np.ndarray:
        """The candidates using any of ``slots``, each looked up in its own index."""
        return np.concatenate([order[starts[t]:starts[t + 1]]
                               for (order, starts), t in zip(indices, slots, strict=True)])

    def _compute(self, idx: np.ndarray) -> None:
        """Recompute size and gain of candidates ``idx`` from the current state."""
        C = self._const[idx]
        S = self._slots[idx]
        sgn_p, sgn_q, r, aJs, aIs, xIp, xJq, base3, base4, aJ, aI, k = C.T
        y, d = self.y.ravel(), self.direction.ravel()
        t1 = aJs * (xIp - y[S[:, 0]])
        t2 = aIs * (xJq - y[S[:, 1]])
        if self.rules.outcome_view == "demander":
            tw = self.toward.ravel()
            t3 = base3 - sgn_p * tw[S[:, 2]]
            t4 = base4 - sgn_q * tw[S[:, 3]]
        else:
            t3 = sgn_p * (xIp - self.outcome[S[:, 4]])
            t4 = sgn_q * (xJq - self.outcome[S[:, 5]])
        p_max = np.minimum(t1, t3)
        q_max = np.minimum(t2, t4)
        if self.rules.rate_variation > 0:
            sIp, sIq, sJp, sJq = self.sal[:, idx]
            dp, dq = self._random_rate(p_max, q_max, sIp, sIq, sJp, sJq, r, idx.size)
            gi = sIp * dp - sIq * dq
            gj = sJq * dq - sJp * dp
            ok = (gi >= -EPS) & (gj >= -EPS) & (gi + gj >= 2 * EPS)
            gain = 0.5 * (gi + gj)
        else:
            dp = np.minimum(p_max, q_max / r)
            dq = r * dp
            gain = gi = gj = k * dp
            ok = gain >= EPS
        ok &= (self.alive[idx] & (d[S[:, 0]] * sgn_p >= 0) & (d[S[:, 1]] * sgn_q >= 0)
               & (dp > EPS * aJ) & (dq > EPS * aI))
        self.dp[idx], self.dq[idx] = dp, dq
        self.gain_i[idx], self.gain_j[idx] = gi, gj
        self.gain[idx] = np.where(ok, gain, -np.inf)
        hit = np.zeros(self._bmax.size, dtype=bool)
        hit[idx // self._bs] = True
        blocks = np.flatnonzero(hit)
        self._bmax[blocks] = self._g2[blocks].max(axis=1)

    def _random_rate(self, p_max: np.ndarray, q_max: np.ndarray, sIp: np.ndarray,
                     sIq: np.ndarray, sJp: np.ndarray, sJq: np.ndarray, r: np.ndarray,
                     n: int) -> tuple[np.ndarray, np.ndarray]:
        """Random exchange rate: one focal actor gets more (or less) than the equal gain."""
        if self.rng is None:
            raise ValueError("the random exchange-rate variant needs a random generator")
        u, v, z = self.rng.random((3, n))
        pv = self.rules.rate_variation
        dp_eq = np.minimum(p_max, q_max / r)
        g_eq = self.k_of(sIp, sIq, sJp, sJq) * dp_eq
        focal_i = u < 0.5
        # focal actor f demands d (shift Dd <= d_max) and supplies e (shift De <= e_max)
        sfd = np.where(focal_i, sIp, sJq)
        sfe = np.where(focal_i, sIq, sJp)
        sod = np.where(focal_i, sJp, sIq)
        soe = np.where(focal_i, sJq, sIp)
        d_max = np.where(focal_i, p_max, q_max)
        e_max = np.where(focal_i, q_max, p_max)
        with np.errstate(invalid="ignore", divide="ignore"):
            rho0 = sod / soe  # rate De/Dd at which the partner gains nothing
            dd0 = np.minimum(d_max, e_max / rho0)
            g_max = dd0 * (sfd - rho0 * sfe)
            target = np.where(v < 0.5, g_eq + pv * z * (g_max - g_eq), g_eq * (1 - pv * z))
            rho1 = (sfd - target / d_max) / sfe
            rho2 = sfd * e_max / (target + sfe * e_max)
            rho = np.minimum(rho1, rho2)
            dd = np.minimum(d_max, e_max / rho)
            de = rho * dd
        good = np.isfinite(dd) & np.isfinite(de)
        dd, de = np.where(good, dd, 0.0), np.where(good, de, 0.0)
        return np.where(focal_i, dd, de), np.where(focal_i, de, dd)

    @staticmethod
    def k_of(sIp: np.ndarray, sIq: np.ndarray, sJp: np.ndarray, sJq: np.ndarray) -> np.ndarray:
        return (sIp * sJq - sIq * sJp) / (sIq + sJq)

    def best(self) -> np.ndarray:
        """Indices of the valid candidates tied for the highest gain (empty: round over).

        Gains sit in blocks whose maxima are kept up to date, so finding the best costs
        about sqrt(K), not K. With equal gains and the demander's view of the outcome no gain
        can rise within a round (every limit on a size only shrinks), so candidates an
        exchange touched are only marked dirty and their stale gains serve as upper bounds;
        the dirty ones are recomputed (once, however many exchanges touched them) only when
        one of them leads (lazy greedy). Otherwise they are recomputed at once in
        :meth:`execute`.
        """
        g2 = self._g2
        while self.n_candidates:
            g = self._bmax.max()
            if not np.isfinite(g):
                break
            thr = g - TIE_RTOL * abs(g)
            blocks = np.flatnonzero(self._bmax >= thr)
            rows, cols = np.nonzero(g2[blocks] >= thr)
            tied = blocks[rows] * self._bs + cols
            if not self.dirty[tied].any():
                return tied
            redo = np.flatnonzero(self.dirty)
            self.dirty[redo] = False
            self._compute(redo)
        return np.empty(0, dtype=np.intp)

    def execute(self, n: int) -> Exchange:
        """Carry out candidate ``n``: move both suppliers, update outcomes, recompute."""
        if not np.isfinite(self.gain[n]):
            raise ValueError(f"candidate {n} is not a valid exchange now")
        sgn_p, sgn_q, _, _, _, _, _, _, _, aJ, aI, _ = self._const[n].tolist()
        jp, iq, ip, jq, p, q = self._slots[n].tolist()
        dp, dq = self.dp[n].item(), self.dq[n].item()
        move_j, move_i = sgn_p * dp / aJ, sgn_q * dq / aI
        y, d, tw = self.y.ravel(), self.direction.ravel(), self.toward.ravel()
        y_iq, y_jp = y[iq].item(), y[jp].item()
        ex = Exchange(int(self.I[n]), int(self.J[n]), q, p, self.gain_i[n].item(),
                      self.gain_j[n].item(), y_iq, y_iq + move_i, y_jp, y_jp + move_j)
        self.log[self.n_executed] = (n, ex.gain_i, ex.gain_j, ex.from_i, ex.to_i, ex.from_j,
                                     ex.to_j)
        self.n_executed += 1
        y[jp], y[iq] = ex.to_j, ex.to_i
        d[jp], d[iq] = sgn_p, sgn_q
        tw[ip] += sgn_p * dp
        tw[jq] += sgn_q * dq
        self.outcome[p] += sgn_p * dp
        self.outcome[q] += sgn_q * dq
        self.alive[n] = False
        self.gain[n] = -np.inf
        self._bmax[n // self._bs] = self._g2[n // self._bs].max()
        if self.rules.outcome_view == "demander":
            touched = self._lookup((self._supply, self._supply, self._demand, self._demand),
                                   (jp, iq, ip, jq))
        else:
            touched = self._lookup((self._supply, self._supply, self._issue, self._issue),
                                   (jp, iq, p, q))
        touched = touched[np.isfinite(self.gain[touched])]  # may repeat; harmless
        if self._lazy:
            self.dirty[touched] = True
        elif touched.size:
            self._compute(touched)
        return ex

    def voting_outcome(self) -> np.ndarray:
        """The outcome of the voting positions after the exchanges so far, (I,)."""
        return expected_outcome(self.y, self.w)


def adjust_preferences(x: np.ndarray, y: np.ndarray, s: np.ndarray, fixed_weight: float,
                       salience_weight: float) -> np.ndarray:
    """Positions after a round: ``x + w (y - x)`` with ``w = fixed + salience_weight (1 - s)``.

    Actors who care more about an issue move less towards the voting position they traded.
    """
    w = fixed_weight + salience_weight * (1.0 - s)
    return x + w * (y - x)


# --- compiled round ----------------------------------------------------------------------
# The greedy loop of ExchangeRound.best/execute written per candidate for numba (an optional
# dependency: without it the numpy methods above run). A round executes ~100-1000 exchanges,
# each touching a few dozen candidates; numpy's ~1 us per call on such small arrays made the
# loop cost ~0.1 ms per exchange, compiled it is a few microseconds. The arithmetic is that
# of ``_compute`` and ``execute``, term for term, so both paths execute the same exchanges.

COMPILED = True  # use the compiled greedy loop where numba is installed and the rules allow
_KERNEL: list = []  # the compiled _greedy_round, once made


def compiled_supports(rules: RoundRules) -> bool:
    """Rules the compiled loop implements: equal gain, either outcome view. (The random rate
    variant draws from the generator inside every recomputation, so it stays on numpy.)"""
    return rules.rate_variation == 0


def _compiled_kernel():
    """The numba-compiled greedy round, or None where numba is not installed."""
    kernels = jit_once(_KERNEL, globals(), ("_compute_one",),
                       ("_greedy_round", "_compute_all", "_csr_index"))
    return None if kernels is None else CompiledKernels(*kernels)


@dataclass(frozen=True)
class CompiledKernels:
    """The compiled functions of a round."""

    greedy_round: Callable
    compute_all: Callable
    csr_index: Callable


def _use_compiled(rules: RoundRules, compiled: bool | None) -> bool:
    """Resolve ``compiled`` (None: where numba is installed and the rules allow)."""
    if compiled is None:
        return COMPILED and compiled_supports(rules) and _compiled_kernel() is not None
    if compiled and (not compiled_supports(rules) or _compiled_kernel() is None):
        raise ValueError("the compiled round needs numba and equal-gain rates")
    return compiled


def _csr_index(flat, n_cols, n_slots):  # pragma: no cover - compiled
    """As :func:`_slot_index` on ``flat`` (the raveled (rows, n_cols) slots): counting sort."""
    starts = np.zeros(n_slots + 1, dtype=np.int64)
    for v in flat:
        starts[v + 1] += 1
    for v in range(n_slots):
        starts[v + 1] += starts[v]
    fill = starts[:-1].copy()
    order = np.empty(flat.size, dtype=np.int64)
    for t in range(flat.size):
        v = flat[t]
        order[fill[v]] = t % n_cols
        fill[v] += 1
    return order, starts


def _compute_all(const, slots, y, direction, toward, outcome, alive, current, dp, dq, gain_i,
                 gain_j, gain):  # pragma: no cover - compiled
    """:func:`_compute_one` for every candidate."""
    for n in range(const.shape[0]):
        _compute_one(n, const, slots, y, direction, toward, outcome, alive, current, dp, dq,
                     gain_i, gain_j, gain)


def _compute_one(n, const, slots, y, direction, toward, outcome, alive, current, dp, dq,
                 gain_i, gain_j, gain):  # pragma: no cover - compiled
    """Size and gain of candidate n from the current state (as ``_compute``, equal gain)."""
    sgn_p, sgn_q, r = const[n, 0], const[n, 1], const[n, 2]
    jp, iq, ip, jq = slots[n, 0], slots[n, 1], slots[n, 2], slots[n, 3]
    t1 = const[n, 3] * (const[n, 5] - y[jp])
    t2 = const[n, 4] * (const[n, 6] - y[iq])
    if current:
        t3 = sgn_p * (const[n, 5] - outcome[slots[n, 4]])
        t4 = sgn_q * (const[n, 6] - outcome[slots[n, 5]])
    else:
        t3 = const[n, 7] - sgn_p * toward[ip]
        t4 = const[n, 8] - sgn_q * toward[jq]
    p_max = t1 if t1 < t3 else t3
    q_max = t2 if t2 < t4 else t4
    q_lim = q_max / r
    d_p = p_max if p_max < q_lim else q_lim
    d_q = r * d_p
    g = const[n, 11] * d_p
    ok = (g >= EPS and alive[n] and direction[jp] * sgn_p >= 0
          and direction[iq] * sgn_q >= 0 and d_p > EPS * const[n, 9]
          and d_q > EPS * const[n, 10])
    dp[n] = d_p
    dq[n] = d_q
    gain_i[n] = g
    gain_j[n] = g
    gain[n] = g if ok else -np.inf


def _greedy_round(const, slots, sup_order, sup_starts, dem_order, dem_starts, iss_order,
                  iss_starts, y, direction, toward, outcome, alive, dp, dq, gain_i, gain_j,
                  gain, current, forced, log, n_log,
                  tied):  # pragma: no cover - compiled
    """Execute best candidates until none is left or several tie; returns (n_log, n_tied).

    ``forced`` >= 0 is executed first (the caller's pick among a tie). On a tie the tied
    indices (ascending) are in ``tied[:n_tied]`` and the caller calls again with its pick.
    State arrays are those of :class:`ExchangeRound` (flat (A*I) views), updated in place.
    """
    K = gain.size
    bs = max(32, int(np.sqrt(K)))  # gains in blocks whose maxima are kept up to date
    n_blocks = (K + bs - 1) // bs
    bmax = np.full(n_blocks, -np.inf)
    stale = np.ones(n_blocks, dtype=np.bool_)
    while True:
        n = forced
        forced = -1
        if n < 0:
            g = -np.inf
            for b in range(n_blocks):
                if stale[b]:
                    stale[b] = False
                    top = -np.inf
                    for m in range(b * bs, min(K, (b + 1) * bs)):
                        if gain[m] > top:
                            top = gain[m]
                    bmax[b] = top
                if bmax[b] > g:
                    g = bmax[b]
            if g == -np.inf:
                return n_log, 0
            thr = g - TIE_RTOL * abs(g)
            n_tied = 0
            for b in range(n_blocks):
                if bmax[b] >= thr:
                    for m in range(b * bs, min(K, (b + 1) * bs)):
                        if gain[m] >= thr:
                            tied[n_tied] = m
                            n_tied += 1
            if n_tied > 1:
                return n_log, n_tied
            n = tied[0]
        sgn_p, sgn_q = const[n, 0], const[n, 1]
        jp, iq, ip, jq, p, q = (slots[n, 0], slots[n, 1], slots[n, 2], slots[n, 3],
                                slots[n, 4], slots[n, 5])
        move_j = sgn_p * dp[n] / const[n, 9]
        move_i = sgn_q * dq[n] / const[n, 10]
        y_iq, y_jp = y[iq], y[jp]
        log[n_log, 0] = n
        log[n_log, 1] = gain_i[n]
        log[n_log, 2] = gain_j[n]
        log[n_log, 3] = y_iq
        log[n_log, 4] = y_iq + move_i
        log[n_log, 5] = y_jp
        log[n_log, 6] = y_jp + move_j
        n_log += 1
        y[jp] = y_jp + move_j
        y[iq] = y_iq + move_i
        direction[jp] = np.int8(sgn_p)
        direction[iq] = np.int8(sgn_q)
        toward[ip] += sgn_p * dp[n]
        toward[jq] += sgn_q * dq[n]
        outcome[p] += sgn_p * dp[n]
        outcome[q] += sgn_q * dq[n]
        alive[n] = False
        gain[n] = -np.inf
        stale[n // bs] = True
        for which in range(4):  # the candidates whose inputs changed
            if which == 0:
                order, starts, slot = sup_order, sup_starts, jp
            elif which == 1:
                order, starts, slot = sup_order, sup_starts, iq
            elif current:
                order, starts, slot = iss_order, iss_starts, (p if which == 2 else q)
            else:
                order, starts, slot = dem_order, dem_starts, (ip if which == 2 else jq)
            for t in range(starts[slot], starts[slot + 1]):
                m = order[t]
                old = gain[m]
                if old != -np.inf:  # an invalid candidate stays invalid (as in execute)
                    _compute_one(m, const, slots, y, direction, toward, outcome, alive,
                                 current, dp, dq, gain_i, gain_j, gain)
                    b = m // bs
                    if gain[m] > bmax[b]:
                        bmax[b] = gain[m]
                    elif gain[m] < old and old == bmax[b]:
                        stale[b] = True
