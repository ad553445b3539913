"""The KTAB spatial model of politics (SMP): probabilistic Condorcet bargaining in D dimensions.

Source: the Spatial Model of Politics of KAPSARC's Toolkit for Agent-Based modelling (KTAB;
B. Wise, L. Lester, B. Efird et al., 2015-2019; MIT licence), as restated from its sources in
``shared/anchors/ktab/ALGORITHM.md`` (sections "Distance and utility" to "Stopping rule"); the
method is described in Wise, Lester & Efird (2015), "An introduction to the KAPSARC Toolkit for
Behavioral Modeling (KTAB) using one-dimensional spatial models", KAPSARC discussion paper
KS-1517-DP015A. No KTAB code is used.

One turn, for every draw of the batch at once:

1. Risk attitudes ("Big R"): a probabilistic Condorcet election (PCE) over the actors'
   positions with risk-neutral utilities 1 - d and capability weights; the likeliest actor is
   the most risk averse (``big_r_range``); each actor perceives the others' risk as a blend of
   its own and theirs (``big_r_adjust``).
2. Each actor i scores a challenge to every other actor j from its own point of view (third
   parties vote by ``third_party_commit``) and proposes a bargain to the target with the
   largest expected gain above 1e-5, interpolated by salience and win probability
   (``interpolation``, ``bargain_model``).
3. Each actor's queue (its status quo, the bargain it made, the bargains aimed at it) is
   resolved by a PCE among all actors (``voting_rule``, ``victory_prob``, ``pce``); the actor
   moves to its side of the winner (``transitions``: the likeliest, or a draw from the
   Generator passed to ``run``).
4. Ideals move towards the new positions: q <- a x + (1 - a) q (``ideal_adjustment`` a = 1 is
   KTAB's CSV default, the identity accommodation matrix; a = 0 keeps ideals fixed).

It stops when a turn moves the actors less than ``tolerance`` (2 %) of the first turn's total
movement (Euclidean, summed over actors), or after ``rounds`` turns (100 by default).

The forecast of a dimension is the position of the most probable outcome in the last state:
the equivalence class of positions (connected within 1e-3 on 0-1) with the highest PCE
probability, computed with every actor's own-view risk-aware utilities (KTAB itself prints no
single forecast). The forecast does not depend on the order actors are listed in: a class is
represented by its member with the highest capability (then the lowest position), and classes
whose probabilities tie (within 1e-9) are separated by total capability, then by position.
The per-turn "win probabilities" reported in ``smp.turns`` follow KTAB's own convention
instead (unique positions picked in listing order, each actor reporting the last unique
position within 1e-3 of it; :func:`_ktab_classes`), so they match KTAB's printed ones; where
positions differ by less than 1e-3 they can depend on the listing order at that level.

Where KTAB is defective we do the correct thing (ALGORITHM.md, "Known defects"):
- ``big_r_adjust="full"`` runs (KTAB aborts because every perceived matrix equals the
  objective one);
- the receiver-view bargain (``bargain_model="init_rcvr"``/``"pw_comp"``) uses the receiver's
  win probability, where KTAB passes its expected gain, and ``pw_comp`` weights each view by
  its own side's capability x salience, where KTAB uses the initiator's capability twice;
- Big R with all positions tied is risk neutral instead of a division by zero.
None of these affects the default options, which reproduce KTAB's reference runs.

Scenario adaptations (documented behaviour): the capability of an actor is its mean
capability over the issues it is involved in; an actor not involved in an issue takes the
capability x salience weighted mean position there, with salience 0, and is reported as not
involved; an actor whose saliences sum above 1 (100) has them scaled to sum to 1 (KTAB
rejects such files; the KTAB reader does too). An actor with capability 0 takes part but its
votes weigh nothing. An actor with salience 0 on one issue but not on all still counts: that
issue drops out of its distances (only relative saliences matter) and its bargains there take
the other side's coordinate. An actor with salience 0 on every issue it is in (in every draw)
has no defined distance (KTAB's formula divides 0 by 0; KTAB has no explicit check) and by
default simply does not count (``zero_salience="ignore"``): it neither votes, challenges nor
is challenged, keeps its stated position in the trajectory and is listed in
``smp.ignored_actors``; ``zero_salience="error"`` refuses such a case instead. A case where
no actor counts is always an error.

Speed: the two O(N^3)-per-turn steps, each actor's best challenge and the coalition strengths
of every PCE, run as numba-compiled loops where numba is installed
(:mod:`detente.models.kernels.smp_compiled`), giving numpy's results bit for bit (SMP turns are
chaotic near ties, so equal bits, not closeness, is what keeps forecasts unchanged). Each turn
computes only the draws of the batch that have not stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from detente.errors import OptionError, Problem, ScenarioError
from detente.models.base import ModelOutput, ModelSpec
from detente.models.kernels import smp as k
from detente.models.kernels.smp_bargain import interpolate, resolve_queues, settle
from detente.models.kernels.smp_compiled import best_challenges, challenges_available
from detente.scenario.arrays import ScenarioArrays

STOP_FLOOR = 1e-4  # added to the first turn's movement in the stopping ratio (KTAB)
CHUNK_ELEMENTS = 4_000_000  # bound on the (B, initiators, targets, third parties) work array

_CHOICES: dict[str, tuple[str, ...]] = {
    "victory_prob": k.VICTORY_MODELS,
    "pce": k.PCE_MODELS,
    "transitions": ("deterministic", "stochastic"),
    "voting_rule": k.VOTING_RULES,
    "big_r_range": k.BIG_R_RANGES,
    "big_r_adjust": tuple(k.BIG_R_ADJUSTS),
    "third_party_commit": k.THIRD_PARTY_COMMITS,
    "interpolation": k.INTERPOLATIONS,
    "bargain_model": ("init_only", "init_rcvr", "pw_comp"),
    "zero_salience": ("ignore", "error"),
}


@dataclass(frozen=True)
class SMPOptions:
    """KTAB's nine model options (defaults are KTAB's) plus ideal adjustment and tolerance.

    KTAB names: VictoryProbModel, PCEModel, StateTransitions, VotingRule, BigRRange,
    BigRAdjust, ThirdPartyCommit, InterVecBrgn, BargnModel. ``zero_salience`` says what to do
    with an actor with no salience on any issue: "ignore" (default; it does not count) or
    "error".
    """

    victory_prob: str = "linear"
    pce: str = "conditional"
    transitions: str = "deterministic"
    voting_rule: str = "prop"
    big_r_range: str = "mid"
    big_r_adjust: str = "one_third"
    third_party_commit: str = "semi_commit"
    interpolation: str = "s2p2"
    bargain_model: str = "init_only"
    ideal_adjustment: float = 1.0
    tolerance: float = 0.02
    zero_salience: str = "ignore"

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name in _CHOICES and getattr(self, f.name) not in _CHOICES[f.name]:
                raise OptionError(f"smp option {f.name}={getattr(self, f.name)!r} is not one "
                                  f"of {', '.join(_CHOICES[f.name])}")
        a = self.ideal_adjustment
        if not isinstance(a, int | float) or not 0.0 <= a <= 1.0:
            raise OptionError(f"smp option ideal_adjustment={a!r} must be a number in 0-1")
        t = self.tolerance
        if not isinstance(t, int | float) or not 0.0 <= t < 1.0:
            raise OptionError(f"smp option tolerance={t!r} must be a number in [0, 1)")


PRESETS = {
    "ktab": SMPOptions(),
    "stochastic": SMPOptions(transitions="stochastic"),
    "idealist": SMPOptions(ideal_adjustment=0.0),
}


@dataclass(frozen=True)
class SMPInputs:
    """The arrays SMP computes on: positions/saliences (B, N, D) on 0-1, capability (B, N).

    Only the N actors that count are in the arrays; ``counted`` holds their indices among the
    scenario's actors and ``ignored`` the ids of those left out (no salience anywhere).
    """

    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    rescaled: tuple[str, ...]
    counted: np.ndarray
    ignored: tuple[str, ...] = ()


def prepare(arrays: ScenarioArrays, zero_salience: str = "ignore") -> SMPInputs:
    """Scenario arrays to SMP inputs, with the adaptations documented in the module docstring."""
    inv = arrays.involved[None]  # (1, A, I)
    sal = np.where(inv, arrays.salience, 0.0)
    cap_sum = np.where(inv, arrays.capability, 0.0).sum(axis=-1)
    n_inv = np.maximum(inv.sum(axis=-1), 1)
    cap = cap_sum / n_inv
    total = sal.sum(axis=-1)  # (B, A)
    zero = total <= 0
    ids = arrays.actor_ids
    some = np.flatnonzero(zero.any(axis=0) & ~zero.all(axis=0))
    bad = some if zero_salience == "ignore" else np.flatnonzero(zero.any(axis=0))
    if bad.size:
        why = ("in some draws but not all; the SMP model can only leave an actor out of "
               "every draw" if zero_salience == "ignore" else
               "(smp option zero_salience='error'; 'ignore' would leave it out)")
        raise ScenarioError([Problem(f"actor {ids[a]!r} has no salience on any issue {why}",
                                     f"actors[{a}].salience") for a in bad])
    counted = np.flatnonzero(~zero.all(axis=0))
    if counted.size == 0:
        raise ScenarioError([Problem("no actor has any salience; the SMP model needs at least "
                                     "one actor that cares about an issue", "actors")])
    over = total > 1.0 + 1e-9
    sal = np.where(over[..., None], sal / np.where(over, total, 1.0)[..., None], sal)
    w = np.where(inv, arrays.capability * arrays.salience, 0.0)
    x = np.where(inv, arrays.position, 0.0)
    wsum = w.sum(axis=1, keepdims=True)
    fill = np.divide((w * x).sum(axis=1, keepdims=True), wsum,
                     out=np.full_like(wsum, 50.0), where=wsum > 0)
    pos = np.where(inv, arrays.position, fill) / 100.0
    rescaled = tuple(ids[a] for a in np.flatnonzero(over.any(axis=0)))
    ignored = tuple(ids[a] for a in np.flatnonzero(zero.all(axis=0)))
    return SMPInputs(pos[:, counted], sal[:, counted], cap[:, counted], rescaled, counted,
                     ignored)


def _ktab_classes(pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KTAB's unique positions and which one each actor's printed probability belongs to.

    Returns ``unique`` (B, N), the actors whose positions are the options of the printed PCE,
    and ``rep`` (B, N), the unique position whose probability actor i reports. Unique
    positions are picked in listing order: an actor's position is a new one unless it lies
    within 1e-3 (on 0-1) of a unique position picked before it. Actor i then reports the
    probability of the *last* listed unique position within 1e-3 of it, which need not be
    the one it was merged into: in KTAB's SOE-Policy run at turn 13, actors 2, 6 and 16 stand
    at 39.19, 39.24 and 39.32; 2 is unique, 6 is merged into it and 16 is unique (0.13 from
    2), and KTAB prints 0.1557 for 2 but 0.0614 for both 6 and 16, the probability of 16's
    position (reporting the unique position an actor was merged into, or the transitive
    classes we used before, do not; the latter give 0.1426 for all three). This reproduces
    every printed probability of KTAB's three reference runs. It depends on the listing
    order; the forecast uses :func:`_classes`, which does not.
    """
    B, N, _ = pos.shape
    gap = np.sqrt(((pos[:, :, None, :] - pos[:, None, :, :]) ** 2).sum(axis=-1))
    close = gap < k.POSITION_TOLERANCE
    unique = np.zeros((B, N), dtype=bool)
    for i in range(N):
        unique[:, i] = ~(close[:, i, :i] & unique[:, :i]).any(axis=-1)
    last = (close & unique[:, None, :])[..., ::-1]  # every actor is close to some unique one
    return N - 1 - np.argmax(last, axis=-1), unique


def _rank(pos: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """rank[b, i]: i's place when actors are sorted by capability (highest first), then position.

    Depends only on the actors' attributes, not on the order they are listed in; actors that
    tie on both are interchangeable wherever the rank is used.
    """
    N, D = pos.shape[1:]
    keys = np.stack([pos[..., d] for d in range(D - 1, -1, -1)] + [-cap])  # last = primary
    order = np.lexsort(keys, axis=-1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(N)[None], axis=-1)
    return rank


def _classes(pos: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """rep[b, i]: the representative of i's equivalence class of positions.

    Classes are the connected components of "within 1e-3 (on 0-1) of each other", so they do
    not depend on the order actors are listed in. The representative, whose position stands for
    the class in the forecast's PCE, is the member with the highest capability, ties going to
    the lowest position (lexicographically over dimensions). KTAB instead picks unique
    positions in listing order (:func:`_ktab_classes`), which depends on the listing order.
    """
    B, N, _ = pos.shape
    gap = np.sqrt(((pos[:, :, None, :] - pos[:, None, :, :]) ** 2).sum(axis=-1))
    close = gap < k.POSITION_TOLERANCE
    label = np.broadcast_to(np.arange(N), (B, N))
    for _ in range(N):  # label propagation: the component's lowest index
        nxt = np.where(close, label[:, None, :], N).min(axis=-1)
        if np.array_equal(nxt, label):
            break
        label = nxt
    rank = _rank(pos, cap)
    same = label[:, :, None] == label[:, None, :]
    return np.argmin(np.where(same, rank[:, None, :], N), axis=-1)


def forecast_actor(pos: np.ndarray, cap: np.ndarray, pv: np.ndarray,
                   pce_model: str) -> np.ndarray:
    """best[b]: the actor whose position is the forecast, chosen independently of actor order.

    ``pv`` (B, N, N) the pairwise victory probabilities of the actors' positions (own-view
    utilities, capability weights). The classes of :func:`_classes` compete in a PCE; the
    forecast is the representative of the likeliest. Classes whose probabilities are within
    1e-9 of the highest tie; ties go to the class with the largest total capability (within a
    relative 1e-9), then to the representative with the lowest position (lexicographically).
    """
    B, N = cap.shape
    rep = _classes(pos, cap)
    is_rep = rep == np.arange(N)
    p = np.where(is_rep, k.pce(pv, pce_model, is_rep), -np.inf)
    cand = p >= p.max(axis=-1, keepdims=True) - 1e-9
    class_cap = np.zeros((B, N))
    np.add.at(class_cap, (np.arange(B)[:, None], rep), cap)
    cc = np.where(cand, class_cap, -np.inf)
    cand &= cc >= cc.max(axis=-1, keepdims=True) * (1 - 1e-9)
    by_pos = _rank(pos, np.zeros_like(cap))
    return np.argmin(np.where(cand, by_pos, N), axis=-1)


@dataclass(frozen=True)
class _State:
    d: np.ndarray  # (B, N, N) distances ideal -> position
    risk: np.ndarray  # (B, N) Big R
    own_util: np.ndarray  # (B, N, N) u(d_ij; R_i)
    win_prob: np.ndarray  # (B, N) probability of each actor's position class (KTAB's)
    pairwise: np.ndarray  # (B, N, N) victory probabilities of the actors' positions


def _rows(st: _State, r: slice | np.ndarray) -> _State:
    """The state of the draws ``r``."""
    return _State(*(getattr(st, f.name)[r] for f in fields(_State)))


def _put_rows(st: _State, r: slice | np.ndarray, part: _State) -> _State:
    """``st`` with the draws ``r`` replaced by ``part`` (``part`` itself when ``r`` is every
    draw, ``slice(None)``)."""
    if isinstance(r, slice):
        return part
    out = []
    for f in fields(_State):
        whole = getattr(st, f.name).copy()
        whole[r] = getattr(part, f.name)
        out.append(whole)
    return _State(*out)


def _assess(ideal: np.ndarray, pos: np.ndarray, sal: np.ndarray, cap: np.ndarray,
            o: SMPOptions) -> _State:
    d = k.distances(ideal, pos, sal)
    pv0 = k.pairwise_victory(1.0 - d, cap, o.voting_rule, o.victory_prob)
    risk = k.big_r(k.pce(pv0, o.pce), o.big_r_range)
    own = k.utility(d, risk[:, :, None])
    rep, unique = _ktab_classes(pos)
    pv = k.pairwise_victory(own, cap, o.voting_rule, o.victory_prob)
    p_cls = k.pce(pv, o.pce, unique)
    win = np.take_along_axis(p_cls, rep, axis=-1)
    return _State(d, risk, own, win, pv)


def _best_challenges(st: _State, omega: np.ndarray, total_sal: np.ndarray,
                     o: SMPOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each actor's best target, whether it challenges at all, and its win probability."""
    B, N, _ = st.d.shape
    r = k.perceived_risk(st.risk, o.big_r_adjust)
    if challenges_available(N):
        target, best_gain, best_p = best_challenges(st.d, r, omega, total_sal, o.voting_rule,
                                                    o.third_party_commit, k.CHALLENGE_FLOOR)
        return target, best_gain > k.MIN_GAIN, best_p
    step = max(1, CHUNK_ELEMENTS // max(1, B * N * N))
    target = np.zeros((B, N), dtype=int)
    best_gain = np.full((B, N), -np.inf)
    best_p = np.zeros((B, N))
    all_j = np.arange(N)
    for lo in range(0, N, step):
        init = np.broadcast_to(np.arange(lo, min(N, lo + step)), (B, min(N, lo + step) - lo))
        targets = np.broadcast_to(all_j, (*init.shape, N))
        prob, gain = k.challenges(st.d, r, omega, total_sal, init, targets, init,
                                  o.voting_rule, o.third_party_commit)
        gain = np.where(all_j == init[..., None], -np.inf, gain)
        j = np.argmax(gain, axis=-1)
        target[:, lo:lo + step] = j
        best_gain[:, lo:lo + step] = np.take_along_axis(gain, j[..., None], -1)[..., 0]
        best_p[:, lo:lo + step] = np.take_along_axis(prob, j[..., None], -1)[..., 0]
    return target, best_gain > k.MIN_GAIN, best_p


def _bargains(pos: np.ndarray, sal: np.ndarray, st: _State, omega: np.ndarray,
              total_sal: np.ndarray, target: np.ndarray, active: np.ndarray,
              p_init: np.ndarray, o: SMPOptions) -> tuple[np.ndarray, ...]:
    """Bargain slots (init, rcvr, valid, pos_init, pos_rcvr) for the chosen challenges."""
    B, N, _ = pos.shape
    bi = np.arange(B)[:, None]
    init = np.broadcast_to(np.arange(N), (B, N))
    x_i, x_j = pos, pos[bi, target]
    s_i, s_j = sal, sal[bi, target]

    own_view = interpolate(x_i, x_j, s_i, s_j, p_init, o.interpolation)
    if o.bargain_model == "init_only":
        return init, target, active, settle(own_view[0]), settle(own_view[1])
    r = k.perceived_risk(st.risk, o.big_r_adjust)
    p_rcvr, _ = k.challenges(st.d, r, omega, total_sal, init, target[..., None], target,
                             o.voting_rule, o.third_party_commit)
    rcvr_view = interpolate(x_i, x_j, s_i, s_j, p_rcvr[..., 0], o.interpolation)
    if o.bargain_model == "pw_comp":  # each side blends its two views, then is rounded
        w_i, w_j = omega[..., None], omega[bi, target][..., None]
        tot = np.where(w_i + w_j > 0, w_i + w_j, 1.0)
        pi, pr = (settle(np.where(w_i + w_j > 0, (w_i * a + w_j * b) / tot, 0.5 * (a + b)))
                  for a, b in zip(own_view, rcvr_view, strict=True))
        return init, target, active, pi, pr
    cat = np.concatenate
    return (cat([init, init], 1), cat([target, target], 1), cat([active, active], 1),
            settle(cat([own_view[0], rcvr_view[0]], 1)),
            settle(cat([own_view[1], rcvr_view[1]], 1)))


def simulate(inp: SMPInputs, o: SMPOptions, max_turns: int,
             rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Run SMP turns for every draw until each stops. Positions (B, T+1, N, D) on 0-1.

    Also returns ``win_prob`` (B, T+1, N), ``change`` (B, T+1) the stopping metric (NaN at
    turn 0), ``turns`` (B,) the turn each draw stopped at and ``forecast_actor`` (B,) the
    actor whose final position is the forecast (:func:`forecast_actor`).
    """
    pos, sal, cap = inp.position.copy(), inp.salience, inp.capability
    B = pos.shape[0]
    total_sal = sal.sum(axis=-1)
    omega = cap * total_sal
    ideal = pos.copy()
    st = _assess(ideal, pos, sal, cap, o)
    history, probs = [pos], [st.win_prob]
    change = [np.full(B, np.nan)]
    running = np.ones(B, dtype=bool)
    turns = np.zeros(B, dtype=int)
    first = np.zeros(B)
    N = pos.shape[1]
    for t in range(1, max_turns + 1):
        if not running.any():
            break
        # only the draws still running are computed: a stopped draw keeps its positions,
        # ideals and state (recomputing them gave the same values); with many draws a few
        # that cycle for 100 turns no longer keep the whole batch busy
        r = slice(None) if running.all() else np.flatnonzero(running)
        st_r = _rows(st, r)
        target, has, p_init = _best_challenges(st_r, omega[r], total_sal[r], o)
        slots = _bargains(pos[r], sal[r], st_r, omega[r], total_sal[r], target, has, p_init, o)
        # stochastic transitions draw for every draw of the batch, running or not, so that a
        # draw's path does not depend on when the others stop
        uniform = rng.random((B, N, 1))[r] if o.transitions == "stochastic" else None
        new = pos.copy()
        new[r] = resolve_queues(ideal[r], pos[r], sal[r], cap[r], st_r.risk, st_r.own_util,
                                *slots, o.voting_rule, o.victory_prob, o.pce, uniform)
        moved = np.sqrt(((new - pos) ** 2).sum(axis=-1)).sum(axis=-1)
        if t == 1:
            first = moved
        ratio = moved / (first + STOP_FLOOR)
        ideal[r] = o.ideal_adjustment * new[r] + (1 - o.ideal_adjustment) * ideal[r]
        pos = new
        st = _put_rows(st, r, _assess(ideal[r], pos[r], sal[r], cap[r], o))
        history.append(pos)
        probs.append(st.win_prob)
        change.append(np.where(running, ratio, np.nan))
        turns = np.where(running, t, turns)
        running = running & ~((t >= 2) & (ratio < o.tolerance))
    return {"position": np.stack(history, 1), "win_prob": np.stack(probs, 1),
            "change": np.stack(change, 1), "turns": turns,
            "forecast_actor": forecast_actor(pos, cap, st.pairwise, o.pce)}


def _run(arrays: ScenarioArrays, options: SMPOptions, rounds: int,
         rng: np.random.Generator) -> ModelOutput:
    inp = prepare(arrays, options.zero_salience)
    sim = simulate(inp, options, rounds, rng)
    pos, win = sim["position"], sim["win_prob"]
    B, T1 = pos.shape[:2]
    full = np.broadcast_to(arrays.position[:, None] / 100.0,
                           (B, T1, *arrays.position.shape[1:])).copy()
    full[:, :, inp.counted] = pos  # actors that do not count keep their stated positions
    traj = np.where(arrays.involved[None, None], full * 100.0, np.nan)
    best = sim["forecast_actor"]  # (B,)
    forecast = pos[np.arange(B), -1, best] * 100.0  # (B, I)
    actors = [arrays.actor_ids[a] for a in inp.counted]
    turns = []
    for t in range(T1):
        ch = sim["change"][0, t]
        turns.append({"turn": t, "change": None if np.isnan(ch) else round(float(ch), 6),
                      "win_probability": {a: round(float(win[0, t, i]), 6)
                                          for i, a in enumerate(actors)}})
    extras: dict[str, Any] = {"smp": {"turns": turns, "stopped_at": int(sim["turns"][0]),
                                      "forecast_actor": actors[int(best[0])]}}
    if inp.rescaled:
        extras["smp"]["rescaled_saliences"] = list(inp.rescaled)
    if inp.ignored:
        extras["smp"]["ignored_actors"] = list(inp.ignored)
    return ModelOutput(trajectory=traj, forecast=forecast, model_extras=extras)


MODEL = ModelSpec(
    name="smp",
    summary="KTAB spatial model of politics: probabilistic Condorcet bargaining (Wise et al.)",
    source="KTAB SMP (KAPSARC, Wise, Lester, Efird et al. 2015-19); shared/anchors/ktab/"
           "ALGORITHM.md",
    options_type=SMPOptions,
    presets=PRESETS,
    run=_run,
    default_rounds=100,
    default_preset="ktab",
    capability_scale_free=False,  # KTAB's absolute floors (tests/models/test_properties.py)
    links_issues=True,  # a state is a point in all dimensions at once
)
