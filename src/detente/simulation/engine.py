"""The engine: walk the calendar, run each forum meeting, evolve the state between them.

``simulate_batch(arrays, scenario, options, rng)`` runs B draws at once (the leading axis of
``arrays``); ``simulate(scenario, options, seed)`` runs one. The loop is over calendar steps,
never over draws. Every random choice is named where it is made (noise on concession steps in
:mod:`~detente.simulation.protocol`, tactic adoption in
:mod:`~detente.simulation.mechanisms.learning`); the Generator passed in is the only source.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from detente.errors import ModelError, OptionError, Problem, ScenarioError
from detente.execution.cancel import check_cancelled
from detente.limits import check_cells
from detente.models.base import weighed
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.model import Event, Scenario
from detente.simulation import calendar
from detente.simulation.history import END, START, History, StepRecord
from detente.simulation.indexing import block
from detente.simulation.mechanisms import (
    ActiveMechanisms,
    alliance_trust,
    aspiration,
    domestic,
    freeze,
    learning,
    overstretch,
    squeeze,
    wedge,
)
from detente.simulation.protocol import (
    IMPASSE,
    NO_MEETING,
    OUTCOMES,
    MeetingInput,
    bargain,
    main_opponent,
    utility,
)
from detente.simulation.state import DrawStreams, SimState, initial_state
from detente.simulation.strategies import STRATEGY_NAMES

TALK_KINDS = ("summit", "consultation", "coordination")


@dataclass(frozen=True)
class SimOptions:
    """How to run: end date, bargaining step, mechanism switches, capability coding."""

    until: dt.date | None = None
    start: dt.date | None = None
    step: str = "concession"  # or the name of a registered static model
    mechanisms: dict[str, Any] = field(default_factory=dict)
    capability: str = "default"


class _Run:
    """One batched run: the state, the mechanisms, and the records made on the way."""

    def __init__(self, arrays: ScenarioArrays, sc: Scenario, options: SimOptions,
                 rng: DrawStreams, behaviour: dict[str, np.ndarray] | None = None) -> None:
        self.sc, self.rng, self.options = sc, rng, options
        self.arrays = arrays
        self.st: SimState = initial_state(arrays, sc, behaviour)
        self.mech = ActiveMechanisms.build(sc.simulation.mechanisms, options.mechanisms)
        self.aid = {a: k for k, a in enumerate(arrays.actor_ids)}
        self.iid = {i: k for k, i in enumerate(arrays.issue_ids)}
        self.names = {a.id: a.name or a.id for a in sc.actors}
        self.start = options.start or calendar.default_start(sc)
        self.until = options.until or calendar.default_until(sc, self.start)
        calendar.check_window(self.start, self.until)
        B = arrays.n_draws
        self.B = B
        self.resolved: set[str] = set()
        self.disputes: dict[str, tuple[int, int, bool, np.ndarray]] = {}
        self.outcomes: dict[str, np.ndarray] = {}
        self.elections: dict[int, list[dt.date]] = {}
        for e in sc.calendar:
            if e.kind == "election" and e.date:
                for a in e.actors:
                    self.elections.setdefault(self.aid[a], []).append(e.date)
        self.records: list[StepRecord] = []
        alliances = [[self.aid[m] for m in al.members] for al in sc.relations.alliances]
        self.coalition = squeeze.coalition(alliances)
        self.children: dict[str, list[Event]] = {}
        for e in sc.calendar:
            if e.triggered_by:
                self.children.setdefault(e.triggered_by, []).append(e)

    # --- time ----------------------------------------------------------------------------
    def days_to_election(self, a: int, date: dt.date) -> float | None:
        ahead = [(d - date).days for d in self.elections.get(a, []) if d >= date]
        return float(min(ahead)) if ahead else None

    def frozen(self, date: dt.date) -> np.ndarray:
        """(A,) bool: who makes no concessions on ``date`` (claim 7)."""
        p = self.mech.get("freeze")
        out = np.zeros(len(self.aid), dtype=bool)
        if p is None:
            return out
        for a in range(len(self.aid)):
            ref = self.sc.actors[a].behaviour.split_resolved_by
            split = bool(self.st.split[a]) and (ref is None or ref not in self.resolved)
            out[a] = split or freeze.frozen_by_election(self.days_to_election(a, date), p)
        return out

    def erode(self, days: float) -> None:
        p = self.mech.get("wedge")
        if p is None or days <= 0:
            return
        for a, b, is_wedge, mask in self.disputes.values():
            loss = wedge.erosion(days, is_wedge, p)
            self.st.pair_trust(a, b, self.st.trust[:, a, b] - loss * mask)

    # --- the walk ------------------------------------------------------------------------
    def run(self) -> History:
        steps, open_events = calendar.build(self.sc, self.start, self.until)
        A, I = self.arrays.n_actors, self.arrays.n_issues
        check_cells(f"the simulation of {self.B:,} draws over {len(steps):,} dated steps",
                    self.B * (len(steps) + 1) * A * (A + 2 * I),
                    "ask for fewer draws or runs, or simulate to an earlier --until")
        every = np.ones(self.B, dtype=bool)
        self._record_state(self.start, START)  # the coded trust and support
        for e in open_events:
            self.event(e, self.start, every)
        counter = itertools.count()
        forums = {f.id: f for f in self.sc.forums if f.agenda}
        queue = [(s.date, next(counter), s, every) for s in steps]
        heapq.heapify(queue)
        last = self.start
        while queue:
            date, _, step, mask = heapq.heappop(queue)
            check_cancelled(f"at {date.isoformat()} of the simulation")  # a web job's cancel
            self.erode((date - last).days)
            last = date
            if step.kind == "meeting" and step.forum is not None:
                outcome = self.meeting(step, date, mask)
            else:
                assert step.event is not None
                outcome = self.event(step.event, date, mask, step.label)
            if step.event is not None:
                for child in self.children.get(step.event.id, []):
                    when = date + dt.timedelta(days=child.params.delay_days)
                    cond = mask.copy()
                    if child.params.on != "any" and outcome is not None:
                        cond &= outcome == OUTCOMES.index(child.params.on)
                    if when <= self.until and cond.any():  # in no draw: not recorded
                        heapq.heappush(queue, (when, next(counter), calendar.triggered_step(
                            child, when, forums), cond))
        self.erode((self.until - last).days)
        st = self.st
        self._record_state(self.until, END)  # erosion since the last step included
        conceded = 1.0 - utility(st.offer, st.ideal, st.salience)
        return History(self.arrays, self.sc, self.start, self.until, self.records,
                       offer=st.offer.copy(), status_quo=st.status_quo.copy(),
                       conceded=conceded)

    def _record_state(self, date: dt.date, kind: str) -> None:
        """A record of the trust and support at ``date`` (the start or the end of the run)."""
        st = self.st
        self.records.append(StepRecord(
            date=date, kind=kind, label=f"{kind} of run", forum=None, event_id=None,
            members=(), agenda=(), outcome=None, package=None, agreed=None, progress=None,
            positions=None, trust=st.trust.copy(), support=st.support.copy(),
            refused_by=[None] * self.B, holdout=[], notes=[],
            tactics=[STRATEGY_NAMES[t] for t in st.tactic[0]]))

    # --- meetings ------------------------------------------------------------------------
    def meeting(self, step: calendar.Step, date: dt.date, mask: np.ndarray) -> np.ndarray:
        forum = step.forum
        assert forum is not None
        st = self.st
        m = np.array([self.aid[a] for a in forum.members], dtype=int)
        j = np.array([self.iid[i] for i in forum.agenda], dtype=int)
        if forum.rule == "consultation":
            return self.coordinate(step, date, m, j, mask)
        frozen = self.frozen(date)
        held = mask.copy()
        refusers = np.full(self.B, -1)
        p_freeze = self.mech.get("freeze")
        ideal = block(st.ideal, m, j)
        sal = block(st.salience, m, j)
        cap = block(st.capability, m, j).mean(2)
        share = cap / np.maximum(cap.sum(1, keepdims=True), 1e-12)
        opponent = main_opponent(ideal, sal, share)
        if p_freeze is not None and not step.known_held:
            draws = np.arange(self.B)
            for k, a in enumerate(m):
                if not self.sc.actors[a].behaviour.refuses_when_frozen:
                    continue
                o = opponent[:, k]  # (B,) this member's main opponent in each draw
                gap = 1.0 - utility(ideal[draws, o], ideal[:, k], sal[:, k])
                refuse = held & frozen[m[o]] & (gap >= p_freeze.refusal_gap)
                refusers = np.where(refuse & (refusers < 0), k, refusers)
                held &= ~refuse
        shift = np.zeros((self.B, len(m)))
        notes: list[str] = []
        p_over = self.mech.get("overstretch")
        if p_over is not None:
            trust = block(st.trust, m, m)
            shift += overstretch.assurance_shift(share, st.overstretch[:, m], trust, p_over)
        shift += self.squeeze_shift(m, j)
        self.call_in_debts(m, held)
        p_dom = self.mech.get("domestic")
        res = domestic.reservation(st.reservation[:, m], st.support[:, m], p_dom)
        noise = np.exp(self.sc.simulation.noise * self.rng.standard_normal((self.B, len(m))))
        mi = MeetingInput(m, j, held, np.repeat(frozen[m][None], self.B, 0), shift, res,
                          self.sc.simulation.rounds_per_meeting,
                          self.sc.simulation.horizon_meetings
                          * self.sc.simulation.rounds_per_meeting, noise)
        result = self._bargain(mi)
        if p_dom is not None:
            before = np.array([self._before_election(a, date, p_dom) for a in m])
            st.support[:, m] = np.where(held[:, None], domestic.update(
                st.support[:, m], np.maximum(result.gained, 0), np.maximum(result.given, 0),
                before[None], p_dom), st.support[:, m])
        p_sumo = self.mech.get("sumo")
        if p_sumo is not None:  # frustrated coercion sours the relation with the target
            draws = np.arange(self.B)
            for k, a in enumerate(m):
                o = m[opponent[:, k]]  # (B,)
                hit = result.pressure[:, k] * st.agility[draws, o]
                st.pair_trust(a, o, st.trust[draws, a, o] - hit)
        if p_freeze is not None:
            fz = [self.names[self.sc.actors[a].id] for a in m if frozen[a]]
            if fz:
                notes.append(f"{', '.join(fz)} positions frozen"
                             + (" before the election" if any(
                                 self._election_soon(a, date, p_freeze) for a in m if frozen[a])
                                else ""))
        refused_by = [self.names[forum.members[k]] if k >= 0 else None for k in refusers]
        holdout = [self.names[forum.members[k]] for k in result.holdout]
        self.records.append(StepRecord(
            date=date, kind="meeting", label=step.label, forum=forum.id, event_id=None,
            members=tuple(forum.members), agenda=tuple(forum.agenda),
            outcome=result.outcome, package=result.package, agreed=result.agreed,
            progress=result.progress, positions=block(st.offer, m, j),
            trust=st.trust.copy(), support=st.support.copy(),
            refused_by=refused_by, holdout=holdout, notes=notes,
            tactics=[STRATEGY_NAMES[t] for t in st.tactic[0]],
            blocker=result.blocker, reason=result.reason))
        return result.outcome

    def _bargain(self, mi: MeetingInput) -> Any:
        if self.options.step == "concession":
            return bargain(self.st, mi, self.mech)
        from detente.simulation.static_step import static_bargain

        return static_bargain(self.st, mi, self.mech, self.arrays, self.options.step,
                              self.rng.shared())

    def _before_election(self, a: int, date: dt.date, p: domestic.Params) -> bool:
        d = self.days_to_election(a, date)
        return d is not None and d <= p.election_window_days

    def _election_soon(self, a: int, date: dt.date, p: freeze.Params) -> bool:
        return freeze.frozen_by_election(self.days_to_election(a, date), p)

    def squeeze_shift(self, m: np.ndarray, j: np.ndarray) -> np.ndarray:
        """(B, M) claim 12: the target's aspiration falls with the coalition's cohesion."""
        p = self.mech.get("squeeze")
        out = np.zeros((self.B, len(m)))
        c = np.array(self.coalition)
        if p is None or len(c) < 2:
            return out
        st = self.st
        sal = block(st.salience, c, j)
        w = block(st.capability, c, j) * sal
        offers = block(st.offer, c, j)
        mean = (w * offers).sum(1) / np.maximum(w.sum(1), 1e-12)  # (B, J)
        disp = (np.abs(offers - mean[:, None]) * sal).sum((1, 2)) / np.maximum(
            sal.sum((1, 2)), 1e-12)
        tr = block(st.trust, c, c)
        n = len(c)
        mean_trust = (tr.sum((1, 2)) - n) / (n * (n - 1))
        cohesion = mean_trust * np.clip(1 - disp / 100.0, 0, 1)  # (B,)
        outsiders = np.array([a for a in range(len(self.aid)) if a not in self.coalition])
        if not len(outsiders):
            return out
        # per draw: the target is the outsider farthest from the coalition's mean, the weakest
        # link the member with the least trust in its partners
        dist = 1 - utility(mean[:, None], block(st.ideal, outsiders, j),
                           block(st.salience, outsiders, j))  # (B, outsiders)
        target = outsiders[np.argmax(dist, axis=1)]
        weakest = c[np.argmin(tr.sum(2), axis=1)]
        present = np.zeros(len(self.aid), dtype=bool)
        present[m] = True
        whole = bool(present[c].all())
        for k, a in enumerate(m):
            if whole:
                out[:, k] = np.where(target == a, p.squeeze * cohesion, 0.0)
            else:
                out[:, k] = np.where((target == a) & present[weakest],
                                     (p.squeeze + p.weakest_link) * cohesion, 0.0)
        return out

    def call_in_debts(self, m: np.ndarray, held: np.ndarray) -> None:
        """Claim 14: creditors at the table call in part of what debtors owe them."""
        p = self.mech.get("debts")
        if p is None:
            return
        st = self.st
        owed = block(st.debt, m, m)  # (B, debtor, creditor)
        called = p.call_rate * owed * held[:, None, None]
        st.aspiration[:, m] = np.maximum(st.aspiration[:, m] - called.sum(2),
                                         st.reservation[:, m] * 0)
        sub = st.debt[:, m]
        sub[:, :, m] = owed - called
        st.debt[:, m] = sub

    def coordinate(self, step: calendar.Step, date: dt.date, m: np.ndarray, j: np.ndarray,
                   mask: np.ndarray) -> np.ndarray:
        self._coordination(m, j, mask)
        self._learn(m)
        outcome = np.where(mask, IMPASSE, NO_MEETING)
        self.record_event(step, date, outcome, members=tuple(self.arrays.actor_ids[a]
                                                             for a in m))
        return outcome

    def _coordination(self, m: np.ndarray, j: np.ndarray, mask: np.ndarray) -> None:
        p = self.mech.get("coordination")
        if p is None:
            return
        st = self.st
        for a, b in itertools.combinations(m, 2):
            t = st.trust[:, a, b]
            st.pair_trust(a, b, t + mask * p.trust_gain * (1 - t))
        w = block(st.capability, m, j) * block(st.salience, m, j)
        for arr in (st.offer, st.ideal):
            sub = block(arr, m, j)
            mean = (w * sub).sum(1, keepdims=True) / np.maximum(w.sum(1, keepdims=True), 1e-12)
            moved = sub + p.pull * (mean - sub) * mask[:, None, None]
            full = arr[:, m]
            full[:, :, j] = moved
            arr[:, m] = full

    def _learn(self, talkers: np.ndarray) -> None:
        p = self.mech.get("learning")
        if p is not None and len(talkers) >= 2:
            st = self.st
            st.tactic = learning.learn(st.tactic, st.success, st.trust, talkers, self.rng, p)

    # --- other events --------------------------------------------------------------------
    def event(self, e: Event, date: dt.date, mask: np.ndarray,
              label: str | None = None) -> np.ndarray | None:
        st, pr = self.st, e.params
        actors = [self.aid[a] for a in e.actors]
        f = mask.astype(float)
        kind = e.kind
        if kind == "election":
            self.resolved.add(e.id)
        elif kind == "unilateral_act" and actors:
            p = self.mech.get("alliance_trust")
            if p is not None:
                for b in actors[1:]:
                    weight = 1.0
                    if pr.issue is not None:
                        s = st.salience[:, b]
                        weight = np.minimum(s[:, self.iid[pr.issue]]
                                            / np.maximum(s.mean(1), 1e-12), 2.0)
                    drop = alliance_trust.drop(pr.consultation, p) * weight
                    st.pair_trust(actors[0], b, st.trust[:, actors[0], b] - drop * f)
        elif kind == "concession":
            self.concession(e, date, f)
        elif kind in TALK_KINDS:
            talkers = np.array(actors)
            if kind == "coordination" and len(talkers) >= 2:
                self._coordination(talkers, np.arange(len(self.iid)), mask)
            self._learn(talkers)
        elif kind == "dispute" and len(actors) >= 2:
            self.disputes[e.id] = (actors[0], actors[1], pr.wedge_by is not None, f)
        elif kind == "settlement" and pr.settles in self.disputes:
            a, b, _, m0 = self.disputes.pop(pr.settles)
            p = self.mech.get("wedge")
            if p is not None:
                st.pair_trust(a, b, st.trust[:, a, b] + p.restore * f)
            self.disputes[pr.settles + "#rest"] = (a, b, False, m0 * (1 - f))
        elif kind == "policy" and pr.actor and pr.strategy:
            k = self.aid[pr.actor]
            st.tactic[:, k] = np.where(mask, STRATEGY_NAMES.index(pr.strategy), st.tactic[:, k])
        elif kind == "overstretch" and pr.actor and pr.amount is not None:
            k = self.aid[pr.actor]
            st.overstretch[:, k] = np.where(mask, pr.amount, st.overstretch[:, k])
        p_per = self.mech.get("perceptions")
        if p_per is not None and pr.image is not None and actors:
            for b in actors[1:]:
                t = st.trust[:, actors[0], b]
                st.pair_trust(actors[0], b, t + p_per.trust_weight * pr.image * f)
                st.support[:, b] = np.clip(st.support[:, b] + p_per.support_weight * pr.image
                                           * t * f, 0, 1)
        if e.date is not None or e.triggered_by is not None:
            step = calendar.Step(date, kind, label or e.id, event=e)
            self.record_event(step, date, None, members=tuple(e.actors))
        return None

    def concession(self, e: Event, date: dt.date, f: np.ndarray) -> None:
        st, pr = self.st, e.params
        giver = self.aid[pr.giver or e.actors[0]]
        receiver = self.aid[pr.receiver or e.actors[1]]
        value = 0.1 if pr.value is None else pr.value
        back = pr.returned or 0.0
        p = self.mech.get("aspiration")
        if p is not None:
            for a, net in ((receiver, value - back), (giver, back - value)):
                st.aspiration[:, a] = np.where(f > 0, aspiration.raise_after(
                    st.aspiration[:, a], np.array(net), p), st.aspiration[:, a])
        p_dom = self.mech.get("domestic")
        if p_dom is not None:
            for a, got, gave in ((receiver, value, back), (giver, back, value)):
                before = self._before_election(a, date, p_dom)
                st.support[:, a] = np.where(f > 0, domestic.update(
                    st.support[:, a], got, gave, before, p_dom), st.support[:, a])
        p_debt = self.mech.get("debts")
        if p_debt is not None:
            st.debt[:, receiver, giver] += p_debt.weight * value * f
        st.success[:, giver] += back * f
        st.success[:, receiver] += value * f

    def record_event(self, step: calendar.Step, date: dt.date, outcome: np.ndarray | None,
                     members: tuple[str, ...]) -> None:
        st = self.st
        self.records.append(StepRecord(
            date=date, kind=step.kind, label=step.label,
            forum=step.forum.id if step.forum else (step.event.forum if step.event else None),
            event_id=step.event.id if step.event else None, members=members, agenda=(),
            outcome=outcome, package=None, agreed=None, progress=None, positions=None,
            trust=st.trust.copy(), support=st.support.copy(), refused_by=[], holdout=[],
            notes=[], tactics=[STRATEGY_NAMES[t] for t in st.tactic[0]]))


def simulate_batch(arrays: ScenarioArrays, scenario: Scenario,
                   options: SimOptions | None = None,
                   rng: np.random.Generator | DrawStreams | None = None,
                   behaviour: dict[str, np.ndarray] | None = None) -> History:
    """Simulate every draw of ``arrays`` (B, A, I) over the scenario's calendar at once.

    ``rng`` is a :class:`DrawStreams` (one stream per draw) or a Generator, from which one
    number keys the per-draw streams. ``behaviour`` holds (B, A) draws of behavioural
    parameters that replace the coded ones (Monte Carlo over them).
    """
    if not isinstance(rng, DrawStreams):
        rng = DrawStreams.from_generator(
            np.random.default_rng(0) if rng is None else rng, arrays.n_draws)
    elif rng.n != arrays.n_draws:
        raise OptionError(f"{rng.n} random streams for {arrays.n_draws} draws")
    problems = unweighed_agendas(arrays, scenario)
    if problems:
        raise ScenarioError(problems)
    # the dynamics are indifferent to the capability scale, their tolerances are not
    history = _Run(arrays.with_unit_capabilities(), scenario, options or SimOptions(), rng,
                   behaviour).run()
    history = replace(history, arrays=arrays)  # as given, for the record
    where = history.first_non_finite()
    if where is not None:
        # never hand on a NaN: tables would print it, summaries would average it away
        raise ModelError(f"the simulation gave a value that is not a finite number ({where}):"
                         f" the inputs are too extreme for its arithmetic (look for "
                         f"capabilities, saliences or behaviour parameters near 0 or very "
                         f"large)")
    return history


def unweighed_agendas(arrays: ScenarioArrays, sc: Scenario) -> list[Problem]:
    """The agenda issues that no member of their forum weighs (capability x salience 0 for
    each, in every draw), which the simulation refuses: the negotiating text is the weighted
    mean of the offers, so it has no value there, and the run reported agreement at the bottom
    of the scale on it. (In a draw that alone leaves it unweighed, the protocol takes the
    plain mean.)"""
    problems = []
    for f, forum in enumerate(sc.forums):
        if forum.rule == "consultation" or not forum.members or not forum.agenda:
            continue
        members = [a for a in forum.members if a in arrays.actor_ids]
        agenda = [i for i in forum.agenda if i in arrays.issue_ids]
        someone = weighed(arrays.subset_actors(members).subset_issues(agenda)).any(0)  # (J,)
        for n, issue in enumerate(forum.agenda):
            if issue in agenda and not someone[agenda.index(issue)]:
                problems.append(Problem(
                    f"no member of forum {forum.id!r} weighs issue {issue!r} (capability x "
                    "salience is 0 for each), so its negotiating text has no value; give a "
                    "member salience on it or take it off the agenda", f"forums[{f}].agenda[{n}]"))
    return problems


def simulate(scenario: Scenario, options: SimOptions | None = None, seed: int = 0,
             runs: int = 1, first_draw: int = 0, batch_size: int | None = None) -> History:
    """Simulate ``runs`` seeded draws of one scenario (the inputs are the same in each).

    Draw ``k`` (counting from ``first_draw``) uses its own random stream keyed by
    (``seed``, k), so the result of a draw does not depend on ``batch_size`` (the number of
    draws run at once; default all of them) nor on which other draws run with it.
    """
    options = options or SimOptions()
    if runs < 1:
        raise OptionError(f"runs must be at least 1, got {runs}")
    if batch_size is not None and batch_size < 1:
        raise OptionError(f"the batch size must be at least 1, got {batch_size}")
    base = to_arrays(scenario, options.capability)
    A, I = base.n_actors, base.n_issues
    check_cells(f"{runs:,} simulated runs", runs * A * (A + 3 * I), "ask for fewer runs")
    size = runs if batch_size is None else min(batch_size, runs)
    parts = []
    for lo in range(0, runs, size):
        n = min(size, runs - lo)
        arrays = base.repeat(n) if n > 1 else base
        streams = DrawStreams(seed, first_draw + lo, n)
        parts.append(simulate_batch(arrays, scenario, options, streams))
    return parts[0] if len(parts) == 1 else History.concat(parts)
