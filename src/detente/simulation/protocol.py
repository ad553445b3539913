"""The concession protocol: one forum meeting as rounds of offers over the agenda.

Each round a single negotiating text is put on the table: the capability x salience weighted
mean of the members' current offers (the chair's one-text procedure, Raiffa 1982, *The Art
and Science of Negotiation*, ch. 14). Each member values a package ``x`` with its
salience-weighted utility ``u(x) = 1 - sum_j s_j |x_j - ideal_j| / (100 sum_j s_j)`` and
accepts it when it meets its current aspiration (mechanism ``stalling``) and is a fair exchange
(mechanism ``reciprocity``). If all accept, the package is agreed. Otherwise each member lowers
its aspiration by its strategy's step (zero while frozen), pressure and inducements are
answered (``sumo``), and it restates its offer as the point between its ideal and the text
that is worth exactly its aspiration. After the last round without agreement, the largest
sub-package every member prefers to the status quo is a partial agreement; else an impasse.

Random choice (documented): each member's concession step in a meeting is multiplied by
``exp(noise x z)``, one standard normal ``z`` per (draw, member, meeting), from the run's
Generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.simulation.indexing import block
from detente.simulation.mechanisms import ActiveMechanisms, reciprocity, stalling, sumo
from detente.simulation.state import SimState
from detente.simulation.strategies import STRATEGIES, RoundView, Strategy

OUTCOMES = ("no_meeting", "impasse", "partial", "agreement")
NO_MEETING, IMPASSE, PARTIAL, AGREEMENT = range(4)
#: why the blocking member refused the last text (index into REASONS; NONE when agreed)
REASONS = ("", "below its aspiration", "a lopsided exchange", "its positions are frozen",
           "worse than no agreement")
NONE, BELOW_ASPIRATION, LOPSIDED, FROZEN, NO_DEAL_BETTER = range(5)
COINCIDE = 0.5  # offers within this distance (0-100 scale) of the text on every issue coincide
EPS = 1e-12


def utility(x: np.ndarray, ideal: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """Salience-weighted utility 0-1 of packages ``x`` for actors with ``ideal`` (..., J)."""
    w = salience / np.maximum(salience.sum(-1, keepdims=True), EPS)
    return 1.0 - (w * np.abs(x - ideal)).sum(-1) / 100.0


@dataclass(frozen=True)
class MeetingInput:
    members: np.ndarray  # (M,) actor indices
    agenda: np.ndarray  # (J,) issue indices
    held: np.ndarray  # (B,) bool: the meeting takes place in this draw
    frozen: np.ndarray  # (B, M) bool
    shift: np.ndarray  # (B, M) aspiration/reservation fall for this meeting only
    reservation: np.ndarray  # (B, M) reservation defended at home
    rounds: int
    horizon: float
    noise: np.ndarray  # (B, M) multiplicative factor on concession steps


@dataclass(frozen=True)
class MeetingResult:
    outcome: np.ndarray  # (B,) index into OUTCOMES
    package: np.ndarray  # (B, J) last negotiating text
    agreed: np.ndarray  # (B, J) bool: issues agreed (all for agreement, some for partial)
    gap_before: np.ndarray  # (B,) weighted distance of offers from the text at the start
    gap_after: np.ndarray  # (B,)
    holdout: np.ndarray  # (B,) member index (into members) furthest below its demand
    gained: np.ndarray  # (B, M) utility gained from what was agreed
    given: np.ndarray  # (B, M) utility conceded in offers during the meeting
    pressure: np.ndarray  # (B, M) pressure each member exerted (after escalation)
    blocker: np.ndarray | None = None  # (B,) member index refusing the last text, -1 if none
    reason: np.ndarray | None = None  # (B,) index into REASONS for the blocker's refusal

    @property
    def progress(self) -> np.ndarray:
        return np.where(self.gap_before > EPS,
                        1.0 - self.gap_after / np.maximum(self.gap_before, EPS), 0.0)


def _u(x: np.ndarray, ideal: np.ndarray, wn: np.ndarray) -> np.ndarray:
    """:func:`utility` with salience weights already normalised to sum 1 (``wn``)."""
    return 1.0 - (wn * np.abs(x - ideal)).sum(-1) * 0.01


def _gap(offer: np.ndarray, text: np.ndarray, sal: np.ndarray) -> np.ndarray:
    return (1.0 - utility(text[:, None], offer, sal)).mean(1)


def _to_targets(flow: np.ndarray, to_target: np.ndarray) -> np.ndarray:
    """(B, M) what each member receives of the (B, M) flows the members send their targets.

    ``to_target`` (B, M, M) is 1 where the row member's target is the column member.

    Not ``flow @ to_target``: BLAS picks gemv or gemm by batch size and the sums then differ in
    the last bit, so a draw's result would depend on the batch it runs in.
    """
    return (flow[:, :, None] * to_target).sum(1)


def main_opponent(ideal: np.ndarray, sal: np.ndarray, share: np.ndarray) -> np.ndarray:
    """(B, M) for each draw and member, the other member with the largest capability x distance.

    Chosen per draw, so that a draw's opponents do not depend on the other draws in its batch.
    """
    dist = 1.0 - utility(ideal[:, None, :, :], ideal[:, :, None, :], sal[:, :, None, :])
    score = dist * share[:, None, :]  # (B, member, other)
    M = score.shape[1]
    score[:, np.arange(M), np.arange(M)] = -np.inf
    return np.argmax(score, axis=2)


def bargain(st: SimState, mi: MeetingInput, mech: ActiveMechanisms,
            proposal: np.ndarray | None = None) -> MeetingResult:
    """Run one meeting for every draw; updates offers, aspirations, clocks and status quo.

    ``proposal`` (B, J): a text put forward from outside the rounds (a static model's
    forecast, :mod:`detente.simulation.static_step`), which stays on the table in every round
    instead of the weighted mean of the offers; the members concede towards it and accept it
    or not by the same rules. Where it is NaN (no forecast: no member weighs the issue in that
    draw) the text is the mean of the offers, as without a proposal."""
    m, j = mi.members, mi.agenda
    held = mi.held
    ideal = block(st.ideal, m, j)
    sal = block(st.salience, m, j)
    cap = block(st.capability, m, j)
    weight = cap * sal
    # an issue no member weighs in a draw (drawn saliences at 0): the text there is the plain
    # mean of the offers, not 0; where none weighs it in any draw the run is refused first
    weight = np.where(weight.sum(1, keepdims=True) > 0, weight, 1.0)
    offer = block(st.offer, m, j)
    sq = st.status_quo[:, j]
    B, M, J = ideal.shape
    share = cap.mean(2) / np.maximum(cap.mean(2).sum(1, keepdims=True), EPS)
    target = main_opponent(ideal, sal, share)
    overstretch = st.overstretch[:, m]

    asp = st.aspiration[:, m] - mi.shift
    u_sq = utility(sq[:, None], ideal, sal)
    settled = st.settled[:, j].all(1)[:, None]
    declared = mi.reservation - mi.shift
    no_deal = np.where(settled, u_sq, declared)  # what walking away is worth
    res = np.minimum(np.where(settled, np.maximum(declared, u_sq), declared), asp)
    tactic = st.tactic[:, m]
    clock = st.clock[:, m].copy()
    frustration = st.frustration[:, m].copy()
    bonus = np.zeros((B, M))
    received = np.zeros((B, M))
    p_stall, p_recip, p_sumo = mech.get("stalling"), mech.get("reciprocity"), mech.get("sumo")

    wsum = np.maximum(weight.sum(1), EPS)

    def table_text(offer: np.ndarray) -> np.ndarray:
        """The text on the table: the proposal if one was put forward, else the weighted
        mean of the offers (also where the proposal is NaN: a static model gives no forecast
        on an issue no member weighs in a draw)."""
        mean = (weight * offer).sum(1) / wsum
        return mean if proposal is None else np.where(np.isfinite(proposal), proposal, mean)

    text = table_text(offer)
    gap_before = _gap(offer, text, sal)
    start_offer = offer.copy()
    done = ~held
    agreed_text = text.copy()
    agreed = np.zeros(B, dtype=bool)
    pressure_total = np.zeros((B, M))
    live = ~mi.frozen
    livef = live.astype(float)
    wn = sal / np.maximum(sal.sum(-1, keepdims=True), EPS)
    wn4, ideal4 = wn[:, :, None, :], ideal[:, :, None, :]
    others = (1.0 - np.eye(M))[None] / max(M - 1, 1)
    # per meeting, not per round: the tactics in use, and whether anyone presses or induces
    used = [(strat, tactic == k) for k, strat in enumerate(STRATEGIES) if (tactic == k).any()]
    pressers = [(s_, u) for s_, u in used if s_.presses]
    inducers = [(s_, u) for s_, u in used if s_.induces]
    reacting = any(s_.reacts for s_, _ in used)
    to_target = np.zeros((B, M, M))  # (draw, member, its target): sums what each receives
    np.put_along_axis(to_target, target[:, :, None], 1.0, axis=2)
    stretch = 1 - overstretch if mech.on("overstretch") else None
    initial, beta, agility = st.initial[:, m], st.beta[:, m], st.agility[:, m]
    for _ in range(mi.rounds):
        text = table_text(offer)
        u_text = _u(text[:, None], ideal, wn)
        acc = _accepts(offer, text, u_text + bonus, asp, no_deal, p_stall, p_recip).all(1)
        now = acc & ~done
        if now.any():
            agreed_text[now] = text[now]
            agreed |= now
            done |= now
            if done.all():
                break
        view = RoundView(asp, initial, res, clock, mi.horizon, beta, received, share)
        step = _by_tactic(used, "step", view)
        if pressers or inducers:
            pressure = _by_tactic(pressers, "pressure", view)
            induce = _by_tactic(inducers, "inducement", view)
            if stretch is not None:
                pressure = pressure * stretch
            pressure = sumo.escalate(pressure, frustration, p_sumo)
            resp = sumo.respond(_to_targets(pressure, to_target),
                                _to_targets(induce, to_target), agility, pressure, target, p_sumo)
            step = (step * mi.noise + resp.step) * livef
            stiffen = resp.stiffen * livef
        else:  # nobody presses or induces: the sumo responses are all zero
            pressure = resp = None
            step = step * mi.noise * livef
            stiffen = 0.0
        new_asp = np.minimum(np.maximum(np.maximum(asp - step, res) + stiffen, 0.0), 1.0)
        # restate offers: the point between ideal and text worth exactly the aspiration
        d = 1.0 - u_text
        lam = np.minimum(np.maximum((1.0 - new_asp) / np.maximum(d, EPS), 0.0), 1.0)
        new_offer = ideal + lam[..., None] * (text[:, None] - ideal)
        # what the others' restated offers are worth to each member (its own move excluded)
        if reacting:
            moved = (wn4 * (np.abs(offer[:, None] - ideal4)
                            - np.abs(new_offer[:, None] - ideal4))).sum(-1) * 0.01
            new_received = (moved * others).sum(2)
        else:  # no member's strategy reads it
            new_received = received
        if done.any():
            active = ~done[:, None]
            asp = np.where(active, new_asp, asp)
            offer = np.where(active[..., None], new_offer, offer)
            received = np.where(active, new_received, 0.0)
            clock = np.where(active & live, clock + 1.0, clock)
            if resp is not None and pressure is not None:
                bonus = np.where(active, bonus + resp.bonus, bonus)
                frustration = np.where(active, frustration + resp.sidestepped, frustration)
                pressure_total += np.where(active, pressure, 0.0)
        else:
            asp, offer, received = new_asp, new_offer, new_received
            clock = clock + livef
            if resp is not None and pressure is not None:
                bonus = bonus + resp.bonus
                frustration = frustration + resp.sidestepped
                pressure_total += pressure

    text = table_text(offer)
    u_text = utility(text[:, None], ideal, sal)
    acc = _accepts(offer, text, u_text + bonus, asp, no_deal, p_stall, p_recip)
    late = acc.all(1) & ~done
    agreed |= late
    agreed_text = np.where(agreed[:, None] & ~late[:, None], agreed_text, text)
    issues_agreed = np.repeat(agreed[:, None], J, axis=1)
    open_ = held & ~agreed
    partial = (_partial(text, sq, ideal, sal, u_sq) & open_[:, None] if open_.any()
               else np.zeros((B, J), dtype=bool))
    issues_agreed |= partial
    outcome = np.where(~held, NO_MEETING, np.where(agreed, AGREEMENT, np.where(
        partial.any(1), PARTIAL, IMPASSE)))
    new_sq = np.where(issues_agreed, agreed_text, sq)
    gained = np.where(held[:, None], utility(new_sq[:, None], ideal, sal) - u_sq, 0.0)
    given = np.where(held[:, None], utility(start_offer, ideal, sal)
                     - utility(offer, ideal, sal), 0.0)
    holdout = np.argmax(asp - utility(text[:, None], ideal, sal) - bonus, axis=1)

    # success of each member's tactic: how far its main opponent came towards it
    u_t0 = utility(np.take_along_axis(start_offer, target[:, :, None], 1), ideal, sal)
    u_t1 = utility(np.take_along_axis(offer, target[:, :, None], 1), ideal, sal)
    success = np.where(held[:, None], u_t1 - u_t0, 0.0)

    blocker, reason = _blocker(acc, u_text + bonus, asp, no_deal, mi.frozen, p_stall)
    blocked = held & ~agreed
    blocker, reason = np.where(blocked, blocker, -1), np.where(blocked, reason, NONE)

    _write_back(st, m, j, held, offer, asp + mi.shift, clock, frustration, new_sq, success,
                issues_agreed)
    return MeetingResult(outcome, agreed_text, issues_agreed, gap_before,
                         _gap(offer, text, sal), holdout, gained, given, pressure_total,
                         blocker, reason)


def _by_tactic(used: list[tuple[Strategy, np.ndarray]], part: str,
               view: RoundView) -> np.ndarray:
    """(B, M) the strategy method ``part`` for the members using each strategy in ``used``."""
    out = np.zeros(view.aspiration.shape)
    for strat, use in used:
        out += np.where(use, getattr(strat, part)(view), 0.0)
    return out


def _accepts(offer: np.ndarray, text: np.ndarray, u_pkg: np.ndarray, asp: np.ndarray,
             no_deal: np.ndarray, p_stall: stalling.Params | None,
             p_recip: reciprocity.Params | None) -> np.ndarray:
    """(B, M) whether each member accepts the text (worth ``u_pkg`` to it, bonuses included).

    ``no_deal`` is each member's reservation value, what walking away is worth (Raiffa 1982,
    ch. 4; the disagreement point of alternating-offers models): where a status quo is in
    force on the whole agenda (given, or agreed at an earlier meeting) its utility; where the
    scenario gives none, the issue is unregulated, no agreement has no place on the scale and
    the member's declared reservation stands in. The same value floors concessions (with the
    declared reservation), so nobody offers a text it likes less than no deal.

    A member accepts a text that meets its aspiration (``stalling``) and is a fair exchange
    (``reciprocity``, gains measured from the reservation value), and never one worth less
    than no agreement. When every member's own offer already coincides with the text (within
    ``COINCIDE`` on every issue), the members have converged: the text is what each of them
    proposes, so it is accepted by everyone whose reservation value it meets.
    """
    above = u_pkg >= no_deal - 1e-9
    acc = stalling.accepts(u_pkg, asp, no_deal, p_stall)
    if p_recip is not None:
        acc &= reciprocity.balanced(u_pkg - no_deal, p_recip)
    coincide = (np.abs(offer - text[:, None]) <= COINCIDE).all((1, 2))
    return (acc | coincide[:, None]) & above


def _blocker(acc: np.ndarray, u_pkg: np.ndarray, asp: np.ndarray, no_deal: np.ndarray,
             frozen: np.ndarray, p_stall: stalling.Params | None) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """(B,) the refusing member furthest below what it demands, and (B,) why it refused."""
    demand = np.maximum(asp if p_stall is not None else no_deal, no_deal)
    short = np.where(acc, -np.inf, demand - u_pkg)
    who = np.argmax(short, axis=1)
    rows = np.arange(len(who))
    any_refuses = ~acc.all(1)
    u, nd, a, fz = u_pkg[rows, who], no_deal[rows, who], asp[rows, who], frozen[rows, who]
    tol = p_stall.tolerance if p_stall is not None else 0.0
    below_asp = (u < a - tol) if p_stall is not None else np.zeros_like(u, dtype=bool)
    reason = np.where(u < nd - 1e-9, NO_DEAL_BETTER, np.where(
        below_asp, np.where(fz, FROZEN, BELOW_ASPIRATION), LOPSIDED))
    return np.where(any_refuses, who, -1), np.where(any_refuses, reason, NONE)


def _partial(text: np.ndarray, sq: np.ndarray, ideal: np.ndarray, sal: np.ndarray,
             u_sq: np.ndarray) -> np.ndarray:
    """(B, J) the largest sub-package all members weakly prefer to the status quo (greedy).

    Starting from the whole text, drop the issue on which the worst-off member loses most,
    until every member gains; an empty set means no partial agreement.
    """
    B, J = text.shape
    keep = np.ones((B, J), dtype=bool)
    w = sal / np.maximum(sal.sum(-1, keepdims=True), EPS)
    loss = w * (np.abs(text[:, None] - ideal) - np.abs(sq[:, None] - ideal)) / 100.0
    for _ in range(J):
        pkg = np.where(keep, text, sq)
        ok = (utility(pkg[:, None], ideal, sal) >= u_sq - 1e-9).all(1)
        if ok.all():
            break
        worst = np.where(keep[:, None, :], loss, -np.inf).max(1)  # (B, J)
        drop = np.argmax(worst, axis=1)
        keep[~ok, drop[~ok]] = False
    # a sub-package where nobody moves at all is not an agreement
    moved = np.abs(np.where(keep, text, sq) - sq).max(1) > 0.5
    proper = ~keep.all(1)  # the whole text preferred to the status quo is not "partial"
    return keep & (moved & proper)[:, None]


def _write_back(st: SimState, m: np.ndarray, j: np.ndarray, held: np.ndarray,
                offer: np.ndarray, asp: np.ndarray, clock: np.ndarray,
                frustration: np.ndarray, new_sq: np.ndarray, success: np.ndarray,
                agreed: np.ndarray) -> None:
    h = held[:, None]
    sub = st.offer[:, m]
    sub[:, :, j] = np.where(held[:, None, None], offer, sub[:, :, j])
    st.offer[:, m] = sub
    st.aspiration[:, m] = np.where(h, asp, st.aspiration[:, m])
    st.clock[:, m] = clock
    st.frustration[:, m] = frustration
    st.status_quo[:, j] = new_sq
    st.settled[:, j] |= agreed
    st.success[:, m] = np.where(h, 0.5 * st.success[:, m] + success, st.success[:, m])
