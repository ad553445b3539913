"""Monte Carlo over inputs for the dynamic simulation: N draws of the inputs, one batch.

:func:`simulate_mc` draws the scenario's uncertain inputs (its ``uncertainty`` block, see
:mod:`~detente.uncertainty.spec`) ``draws`` times and runs all of them through
:func:`~detente.simulation.engine.simulate_batch` at once. Draw ``k`` of the inputs is paired
with the simulation's random stream ``k`` (:class:`~detente.simulation.state.DrawStreams`
keyed by (seed, k), the stream ``detente simulate --seed S`` gives draw k), so:

* the same seed gives the same result;
* a draw's result depends neither on the batch size (``chunk``: large runs go through the
  engine ``chunk`` draws at a time to bound memory) nor on how many draws are run, nor on
  how the draws are split between workers;
* a scenario with no ``uncertainty`` block is drawn with the default widths
  (:func:`~detente.uncertainty.draws.drawn_spec`), as ``forecast --draws``, the report, the
  sensitivity and the web app draw it (``default_widths`` in the result says so);
* with ``fixed_inputs`` (``simulate --draws N --fixed-inputs``) the inputs are the coded values
  in every draw, and draws differ only through the simulation's own random choices (noise on
  concession steps, tactic learning): the result is then exactly that of
  ``simulate(scenario, options, seed, runs=N)``.

Caveat: with ``--step`` set to a *stochastic* static model, that step draws from a stream shared
by the whole batch (``DrawStreams.shared``), so its numbers depend on the chunk; ``chunk`` is a
constant so the result is still reproducible.

Input draws come from their own stream, ``SeedSequence(seed, spawn_key=(INPUT_KEY,))``, which
the simulation streams never use. Row ``k`` of the uniform matrix behind the draws is the same
whatever the number of draws, so draw ``k``'s inputs do not depend on ``draws`` either.

The summary (:meth:`SimulationMC.to_dict`, JSON keys documented there) gives, for every forum
meeting (forum, date), the probability of each outcome; per issue the distribution of the
package in force at the end; and trust between every pair and support of every actor at the
end, each as mean and quantiles over draws.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from detente.errors import OptionError
from detente.limits import RECORDED_ROWS, check_cells
from detente.result import qname
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.model import Scenario
from detente.simulation.engine import SimOptions, simulate_batch
from detente.simulation.history import History
from detente.simulation.protocol import OUTCOMES
from detente.simulation.state import DrawStreams, coded_behaviour
from detente.uncertainty.draws import apply, apply_behaviour, drawn_spec, inputs
from detente.uncertainty.spec import Uncertainty

if TYPE_CHECKING:
    from detente.store import RunStore

CHUNK = 5_000  # draws per engine batch; results do not depend on it (see module docstring)
INPUT_KEY = 2**33  # spawn key of the input-draw stream (per-draw streams use 0..N-1)
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)
MAX_ROWS = RECORDED_ROWS  # rows recorded per run before last positions are left out


@dataclass(frozen=True)
class MeetingKey:
    """A forum meeting of the calendar: the same in every draw (the calendar is shared)."""

    forum: str
    date: dt.date
    label: str
    agenda: tuple[str, ...]


@dataclass(frozen=True)
class DrawResults:
    """What each draw ended with, one row per draw (the batch axis kept)."""

    outcome: np.ndarray  # (B, M) index into OUTCOMES for each meeting
    package: np.ndarray  # (B, I) the package in force at the end, 0-100
    settled: np.ndarray  # (B, I) bool: a status quo was coded or an agreement made
    agreed: np.ndarray  # (B, I) bool: an agreement on the issue during the run
    trust: np.ndarray  # (B, A, A) at the end
    support: np.ndarray  # (B, A) at the end
    offer: np.ndarray  # (B, A, I) each actor's last stated position, 0-100

    @staticmethod
    def of(history: History, arrays: ScenarioArrays) -> tuple[list[MeetingKey], DrawResults]:
        """The per-draw results of one batched history (and the meetings they refer to)."""
        meetings = history.meetings()
        keys = [MeetingKey(r.forum or "", r.date, r.label, r.agenda) for r in meetings]
        B, I = arrays.n_draws, arrays.n_issues
        issue_ix = {i: k for k, i in enumerate(arrays.issue_ids)}
        agreed = np.zeros((B, I), dtype=bool)
        for r in meetings:
            assert r.agreed is not None
            for n, i in enumerate(r.agenda):
                agreed[:, issue_ix[i]] |= r.agreed[:, n]
        outcome = (np.stack([r.outcome for r in meetings], axis=1) if meetings
                   else np.zeros((B, 0), dtype=int))
        last = history.records[-1]
        assert history.status_quo is not None and history.offer is not None
        settled = ~np.isnan(arrays.status_quo) | agreed
        return keys, DrawResults(outcome=outcome, package=history.status_quo.copy(),
                                 settled=settled, agreed=agreed, trust=last.trust.copy(),
                                 support=last.support.copy(), offer=history.offer.copy())

    @staticmethod
    def concat(parts: list[DrawResults]) -> DrawResults:
        if len(parts) == 1:
            return parts[0]
        return DrawResults(**{name: np.concatenate([getattr(p, name) for p in parts])
                              for name in DrawResults.__dataclass_fields__})


@dataclass(frozen=True)
class SimulationMC:
    """A Monte Carlo run of the simulation: settings, drawn inputs, per-draw results."""

    scenario: Scenario
    options: SimOptions
    seed: int
    draws: int
    quantiles: tuple[float, ...]
    start: dt.date
    until: dt.date
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    scale_min: np.ndarray  # (I,)
    scale_max: np.ndarray  # (I,)
    involved: np.ndarray  # (A, I) bool
    uncertain: tuple[str, ...]  # names of the inputs drawn (empty: none)
    meetings: list[MeetingKey]
    results: DrawResults
    default_widths: bool = False  # no block of its own: drawn with the default widths

    def probabilities(self) -> np.ndarray:
        """(M, 4) probability of each outcome (columns in ``OUTCOMES`` order) per meeting."""
        o = self.results.outcome
        return np.stack([(o == k).mean(0) for k in range(len(OUTCOMES))], axis=-1) \
            if o.shape[1] else np.zeros((0, len(OUTCOMES)))

    def package_on_scale(self) -> np.ndarray:
        """(B, I) the package in force at the end, on each issue's own scale."""
        lo, hi = self.scale_min, self.scale_max
        return lo + self.results.package * (hi - lo) / 100.0

    def _dist(self, x: np.ndarray, digits: int) -> dict[str, Any]:
        if x.size == 0:
            return {"mean": None, "quantiles": {qname(p): None for p in self.quantiles}}
        qs = np.quantile(x, self.quantiles)
        return {"mean": round(float(x.mean()), digits),
                "quantiles": {qname(p): round(float(v), digits)
                              for p, v in zip(self.quantiles, qs, strict=True)}}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary. Keys:

        ``scenario``, ``start``, ``until``, ``seed``, ``draws``, ``step``, ``quantiles`` (the
        levels), ``uncertain_inputs`` (names of the inputs drawn; empty when the inputs were
        held at their coded values and draws differ only by the simulation's own randomness),
        ``default_widths`` (true when the scenario has no ``uncertainty`` block and its inputs
        were drawn with the default widths);
        ``meetings``: one item per forum meeting with ``forum``, ``date``, ``label``,
        ``agenda`` and ``probabilities`` {agreement, partial, impasse, no_meeting} (they sum
        to 1); ``packages``: per issue ``issue``, ``scale`` [low, high], ``p_agreed`` (share
        of draws with an agreement on it during the run), ``p_in_force`` (share with a
        package in force at the end: coded status quo or agreement), and ``mean`` and
        ``quantiles`` of the package in force at the end over those draws (issue scale;
        null when none); ``trust``: per actor pair ``a``, ``b``, ``mean``, ``quantiles`` at
        the end; ``support``: per actor ``actor``, ``mean``, ``quantiles`` at the end.
        """
        res = self.results
        probs = self.probabilities()
        meetings = [{"forum": m.forum, "date": m.date.isoformat(), "label": m.label,
                     "agenda": list(m.agenda),
                     "probabilities": {name: round(float(probs[n, k]), 6)
                                       for k, name in reversed(list(enumerate(OUTCOMES)))}}
                    for n, m in enumerate(self.meetings)]
        pkg = self.package_on_scale()
        packages = []
        for k, issue in enumerate(self.issue_ids):
            ok = res.settled[:, k]
            packages.append({"issue": issue,
                             "scale": [float(self.scale_min[k]), float(self.scale_max[k])],
                             "p_agreed": round(float(res.agreed[:, k].mean()), 6),
                             "p_in_force": round(float(ok.mean()), 6),
                             **self._dist(pkg[ok, k], 3)})
        A = len(self.actor_ids)
        trust = [{"a": self.actor_ids[x], "b": self.actor_ids[y],
                  **self._dist(res.trust[:, x, y], 4)}
                 for x in range(A) for y in range(x + 1, A)]
        support = [{"actor": self.actor_ids[x], **self._dist(res.support[:, x], 4)}
                   for x in range(A)]
        return {"scenario": self.scenario.name, "start": self.start.isoformat(),
                "until": self.until.isoformat(), "seed": self.seed, "draws": self.draws,
                "step": self.options.step, "quantiles": list(self.quantiles),
                "uncertain_inputs": list(self.uncertain),
                "default_widths": self.default_widths, "meetings": meetings,
                "packages": packages, "trust": trust, "support": support}


@dataclass(frozen=True)
class DrawnInputs:
    """The inputs of every draw: scenario arrays and (draws, A) behavioural parameters."""

    arrays: ScenarioArrays
    behaviour: dict[str, np.ndarray]
    names: tuple[str, ...]  # the uncertain inputs, as `uncertain_inputs` lists them

    def rows(self, lo: int, hi: int) -> DrawnInputs:
        """Draws ``lo``..``hi`` only."""
        return DrawnInputs(_rows(self.arrays, lo, hi),
                           {k: v[lo:hi] for k, v in self.behaviour.items()}, self.names)


def draw_inputs(sc: Scenario, base: ScenarioArrays, draws: int, seed: int,
                spec: Uncertainty | None = None) -> DrawnInputs:
    """``draws`` draws of ``sc``'s uncertain inputs (row k independent of ``draws``), from
    ``spec`` (default: the scenario's own block; an empty one draws nothing)."""
    ins = inputs(sc, base, spec, behaviour=True)
    if not ins:
        return DrawnInputs(base.repeat(draws), {}, ())
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(INPUT_KEY,)))
    U = rng.random((draws, len(ins)))
    return DrawnInputs(apply(base, ins, U, sc.salience_scale),
                       apply_behaviour(ins, U, coded_behaviour(sc, tuple(base.actor_ids))),
                       tuple(i.name for i in ins))


def _rows(arrays: ScenarioArrays, lo: int, hi: int) -> ScenarioArrays:
    from dataclasses import replace

    if (lo, hi) == (0, arrays.n_draws):
        return arrays
    return replace(arrays, position=arrays.position[lo:hi], salience=arrays.salience[lo:hi],
                   capability=arrays.capability[lo:hi], status_quo=arrays.status_quo[lo:hi])


def simulate_mc(sc: Scenario, options: SimOptions | None = None, draws: int = 1000,
                seed: int = 0, quantiles: tuple[float, ...] = DEFAULT_QUANTILES,
                chunk: int = CHUNK, first_draw: int = 0,
                inputs_: DrawnInputs | None = None, fixed_inputs: bool = False) -> SimulationMC:
    """Simulate ``draws`` draws of ``sc``'s uncertain inputs; outcome probabilities etc.

    The inputs come from the scenario's ``uncertainty`` block, or the default widths when it
    has none; ``fixed_inputs`` holds them at their coded values instead (only the
    simulation's own randomness varies).
    ``inputs_`` (optional, ``draws`` draws) replaces the drawn inputs, e.g. to run a design
    of one's own or a slice of :func:`draw_inputs`; ``first_draw`` offsets the simulation
    streams (draw k of this call uses stream ``first_draw + k``), so a run split over workers
    joins into the same result.
    """
    options = options or SimOptions()
    if draws < 1:
        raise OptionError(f"draws must be at least 1, got {draws}")
    if chunk < 1:
        raise OptionError(f"the chunk size must be at least 1, got {chunk}")
    bad = [q for q in quantiles if not 0.0 <= q <= 1.0]
    if bad or not quantiles:
        raise OptionError(f"quantiles must be between 0 and 1, got {list(quantiles)}")
    base = to_arrays(sc, options.capability)
    A, I = base.n_actors, base.n_issues
    check_cells(f"{draws:,} simulated draws", draws * (A * A + 3 * A * I),
                "ask for fewer draws")
    default_widths = False
    if inputs_ is None:
        spec = Uncertainty() if fixed_inputs else drawn_spec(sc)
        default_widths = not fixed_inputs and spec is not sc.uncertainty
        inputs_ = draw_inputs(sc, base, draws, seed, spec)
    elif inputs_.arrays.n_draws != draws:
        raise OptionError(f"{inputs_.arrays.n_draws} drawn inputs for {draws} draws")
    names = inputs_.names
    parts, keys, start, until = [], [], None, None
    for lo in range(0, draws, chunk):
        hi = min(lo + chunk, draws)
        part = inputs_.rows(lo, hi)
        history = simulate_batch(part.arrays, sc, options,
                                 DrawStreams(seed, first_draw + lo, hi - lo), part.behaviour)
        keys, res = DrawResults.of(history, part.arrays)
        parts.append(res)
        start, until = history.start, history.until
    assert start is not None and until is not None
    return _summary(sc, options, seed, tuple(quantiles), base, (start, until), keys,
                    DrawResults.concat(parts), names, default_widths)


def single_run(sc: Scenario, options: SimOptions, seed: int, history: History,
               quantiles: tuple[float, ...] = DEFAULT_QUANTILES) -> SimulationMC:
    """A plain seeded run (``history = simulate(sc, options, seed)``, one draw, coded inputs)
    as a one-draw :class:`SimulationMC`: what ``detente simulate`` without ``--draws``
    records. Equal to ``simulate_mc(sc, options, 1, seed, fixed_inputs=True)`` without running
    the simulation again."""
    if history.n_draws != 1:
        raise OptionError(f"a single run has one draw, this history has {history.n_draws}")
    base = to_arrays(sc, options.capability)
    keys, res = DrawResults.of(history, base)
    return _summary(sc, options, seed, tuple(quantiles), base, (history.start, history.until),
                    keys, res, (), False)


def _summary(sc: Scenario, options: SimOptions, seed: int, quantiles: tuple[float, ...],
             base: ScenarioArrays, span: tuple[dt.date, dt.date], meetings: list[MeetingKey],
             results: DrawResults, uncertain: tuple[str, ...],
             default_widths: bool) -> SimulationMC:
    return SimulationMC(scenario=sc, options=options, seed=seed,
                        draws=int(results.package.shape[0]), quantiles=quantiles,
                        start=span[0], until=span[1],
                        actor_ids=tuple(base.actor_ids), issue_ids=tuple(base.issue_ids),
                        scale_min=np.asarray(base.scale_min, dtype=float),
                        scale_max=np.asarray(base.scale_max, dtype=float),
                        involved=np.asarray(base.involved, dtype=bool),
                        uncertain=uncertain, meetings=meetings, results=results,
                        default_widths=default_widths)


def result_rows(mc: SimulationMC, max_rows: int = MAX_ROWS) -> tuple[pd.DataFrame, bool]:
    """Long-format rows (draw, round, actor, issue, value) of a simulation Monte Carlo run.

    ``round`` is the number of forum meetings simulated. ``actor`` NULL: the package in force
    at the end of the draw (issue scale); ``actor`` set: that actor's last stated position.
    Positions are kept while every row fits in ``max_rows``; otherwise only packages (the
    second value returned says whether positions are included).
    """
    B, I = mc.results.package.shape
    M = len(mc.meetings)
    pkg = mc.package_on_scale()
    d, k = np.meshgrid(np.arange(B), np.arange(I), indexing="ij")
    frames = [pd.DataFrame({"draw": d.ravel(), "round": M, "actor": None,
                            "issue": np.asarray(mc.issue_ids, dtype=object)[k.ravel()],
                            "value": pkg.ravel()})]
    a_ix, k_ix = np.nonzero(mc.involved)
    full = B * (I + len(a_ix)) <= max_rows
    if full and len(a_ix):
        lo, hi = mc.scale_min[k_ix], mc.scale_max[k_ix]
        vals = lo + mc.results.offer[:, a_ix, k_ix] * (hi - lo) / 100.0  # (B, cells)
        d2 = np.repeat(np.arange(B), len(a_ix))
        frames.append(pd.DataFrame({
            "draw": d2, "round": M,
            "actor": np.asarray(mc.actor_ids, dtype=object)[np.tile(a_ix, B)],
            "issue": np.asarray(mc.issue_ids, dtype=object)[np.tile(k_ix, B)],
            "value": vals.ravel()}))
    rows = pd.concat(frames, ignore_index=True)
    rows["draw"] = rows["draw"].astype(np.int32)
    rows["round"] = rows["round"].astype(np.int32)
    rows["actor"] = rows["actor"].astype(object).where(rows["actor"].notna(), None)
    return rows, full


def record_simulation(store: RunStore, mc: SimulationMC) -> str:
    """Record a simulation Monte Carlo run in the run store, in one transaction.

    ``kind`` is ``simulation``, ``model`` ``simulation:<step>``, ``rounds`` the number of forum
    meetings; the summary is :meth:`SimulationMC.to_dict` (outcome probabilities, packages,
    trust and support) and the rows come from :func:`result_rows`.
    """
    from detente.store import RunRecord

    rows, full = result_rows(mc)
    o = mc.options
    options = {"step": o.step, "until": mc.until.isoformat(), "start": mc.start.isoformat(),
               "mechanisms": o.mechanisms, "quantiles": list(mc.quantiles)}
    record = RunRecord(scenario=mc.scenario, model=f"simulation:{o.step}", preset="default",
                       capability=o.capability, options=options, seed=mc.seed, draws=mc.draws,
                       rounds=len(mc.meetings), kind="simulation",
                       summary=mc.to_dict() | {"all_positions": full})
    return store.record(record, rows)
