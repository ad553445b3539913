"""The state of the system between meetings, as batched arrays (B draws, A actors, I issues).

Everything that evolves lives here, with a leading draw axis, so that one simulation and ten
thousand are the same code: the engine loops over calendar steps, never over draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detente.scenario.arrays import ScenarioArrays
from detente.scenario.behaviour import ActorBehaviour
from detente.scenario.model import Scenario
from detente.simulation.strategies import STRATEGY_NAMES, default_beta
from detente.uncertainty.spec import BEHAVIOUR_FIELDS

DEFAULT_TRUST = 0.5


class DrawStreams:
    """One random stream per draw, so that draw ``k`` of a run depends only on (seed, k).

    Draw ``k`` uses ``SeedSequence(seed, spawn_key=(k,))``: the same seed gives the same numbers
    to the same draw whatever the batch it runs in (``--runs 1000`` in one batch or in ten),
    and a baseline and an intervention run with the same seed share their random numbers until
    their calendars diverge (paired comparison). The methods mirror ``numpy.random.Generator``
    for the calls the engine and mechanisms make (``random``, ``standard_normal``) with the
    draw axis first. Only the making of random numbers loops over draws (one C call each); the
    arithmetic stays batched.
    """

    def __init__(self, seed: int, first: int, n: int) -> None:
        self.seed, self.first, self.n = seed, first, n
        self._gens = [np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(seed, spawn_key=(first + k,)))) for k in range(n)]
        self._shared = 0

    @classmethod
    def from_generator(cls, rng: np.random.Generator, n: int) -> DrawStreams:
        """Streams for ``n`` draws keyed by one number taken from ``rng``."""
        return cls(int(rng.integers(2**63)), 0, n)

    def _stack(self, name: str, shape: Sequence[int]) -> np.ndarray:
        shape = tuple(shape)
        if not shape or shape[0] != self.n:
            raise ValueError(f"random numbers for {self.n} draws need a leading axis of "
                             f"{self.n}, got shape {shape}")
        if self.n == 1:
            return getattr(self._gens[0], name)(shape)
        return np.stack([getattr(g, name)(shape[1:]) for g in self._gens])

    def random(self, shape: Sequence[int]) -> np.ndarray:
        """Uniform [0, 1) numbers of ``shape`` (draws first), each draw from its own stream."""
        return self._stack("random", shape)

    def standard_normal(self, shape: Sequence[int]) -> np.ndarray:
        """Standard normal numbers of ``shape`` (draws first), each draw from its own stream."""
        return self._stack("standard_normal", shape)

    def shared(self) -> np.random.Generator:
        """A Generator for a whole-batch random choice (a stochastic static model's step).

        Keyed by the seed, the first draw and a counter of such calls: reproducible, but its
        numbers depend on the batch, unlike the per-draw streams.
        """
        self._shared += 1
        return np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(2**32, self.first, self._shared)))


@dataclass
class SimState:
    """Mutable batched state. Utilities are 0-1 (own salience-weighted, 1 = own ideal)."""

    ideal: np.ndarray  # (B, A, I) 0-100: what each actor wants
    offer: np.ndarray  # (B, A, I) 0-100: what it currently says it would accept
    salience: np.ndarray  # (B, A, I) 0-1
    capability: np.ndarray  # (B, A, I)
    status_quo: np.ndarray  # (B, I) 0-100; agreements move it
    settled: np.ndarray  # (B, I) bool: a status quo is in force (given, or agreed since)
    aspiration: np.ndarray  # (B, A) the utility it demands
    initial: np.ndarray  # (B, A) the aspiration time-dependent strategies start from
    reservation: np.ndarray  # (B, A) the utility below which it never goes
    support: np.ndarray  # (B, A) domestic support 0-1
    trust: np.ndarray  # (B, A, A) symmetric 0-1, diagonal 1
    tactic: np.ndarray  # (B, A) int index into STRATEGY_NAMES
    beta: np.ndarray  # (B, A) concession exponent of time-dependent strategies
    agility: np.ndarray  # (B, A)
    overstretch: np.ndarray  # (B, A)
    clock: np.ndarray  # (B, A) offer rounds bargained (time-dependent concession)
    frustration: np.ndarray  # (B, A) pressure that was sidestepped (claim 4)
    success: np.ndarray  # (B, A) cooperation its tactics earned recently (claim 5)
    debt: np.ndarray  # (B, A, A) debt[:, r, g]: what r owes g (claim 14)
    split: np.ndarray  # (A,) bool: factions split (claim 7)

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.ideal.shape  # type: ignore[return-value]

    def pair_trust(self, a: int, b: int | np.ndarray, value: np.ndarray) -> None:
        """Set (B,) trust between a and b (both directions), clipped to 0-1.

        ``b`` is one actor or one per draw.
        """
        v = np.clip(value, 0.0, 1.0)
        draws = np.arange(self.trust.shape[0])
        self.trust[draws, a, b] = v
        self.trust[draws, b, a] = v


def coded_behaviour(scenario: Scenario, actor_ids: tuple[str, ...]) -> dict[str, np.ndarray]:
    """(A,) coded values of the behavioural parameters that may be drawn (beta filled in)."""
    actors = {a.id: a for a in scenario.actors}
    beh = [actors[a].behaviour for a in actor_ids]

    def coded(b: ActorBehaviour, name: str) -> float:
        value = getattr(b, name)
        return float(default_beta(b.strategy) if name == "beta" and value is None else value)

    return {name: np.array([coded(b, name) for b in beh]) for name in BEHAVIOUR_FIELDS}


def initial_state(arrays: ScenarioArrays, scenario: Scenario,
                  drawn: dict[str, np.ndarray] | None = None) -> SimState:
    """The state at the start of the calendar, for every draw of ``arrays``.

    ``drawn`` replaces coded behavioural parameters by (B, A) draws (see
    :func:`detente.uncertainty.draws.apply_behaviour`).
    """
    B, A, _ = arrays.position.shape
    ids = {a: k for k, a in enumerate(arrays.actor_ids)}
    actors = {a.id: a for a in scenario.actors}
    beh = [actors[a].behaviour for a in arrays.actor_ids]

    sal = np.where(arrays.involved[None], arrays.salience, 0.0)
    sq = arrays.status_quo.copy()
    settled = ~np.isnan(sq)
    w = arrays.capability * sal
    mean_pos = np.nansum(w * np.nan_to_num(arrays.position, nan=50.0), 1) / np.maximum(
        w.sum(1), 1e-12)
    sq = np.where(np.isnan(sq), mean_pos, sq)
    ideal = np.where(arrays.involved[None], arrays.position, sq[:, None, :])

    trust = np.full((B, A, A), DEFAULT_TRUST)
    for t in scenario.relations.trust:
        if t.a in ids and t.b in ids:
            trust[:, ids[t.a], ids[t.b]] = trust[:, ids[t.b], ids[t.a]] = t.value
    idx = np.arange(A)
    trust[:, idx, idx] = 1.0

    coded = coded_behaviour(scenario, tuple(arrays.actor_ids))
    drawn = drawn or {}
    bad = [k for k, v in drawn.items() if k not in coded or np.shape(v) != (B, A)]
    if bad:
        raise ValueError(f"drawn behaviour {bad} must name {sorted(coded)} with shape {(B, A)}")

    def param(name: str) -> np.ndarray:
        if name in drawn:
            return np.array(drawn[name], dtype=float)
        return np.repeat(coded[name][None], B, axis=0)

    aspiration = param("initial_aspiration")
    return SimState(
        ideal=ideal.copy(), offer=ideal.copy(), salience=sal.copy(),
        capability=arrays.capability.copy(), status_quo=sq, settled=settled,
        aspiration=aspiration, initial=aspiration.copy(),
        reservation=np.minimum(param("reservation"), aspiration),
        support=param("support"),
        trust=trust,
        tactic=np.repeat(np.array([STRATEGY_NAMES.index(b.strategy) for b in beh])[None], B, 0),
        beta=param("beta"), agility=param("agility"), overstretch=param("overstretch"),
        clock=np.zeros((B, A)), frustration=np.zeros((B, A)), success=np.zeros((B, A)),
        debt=np.zeros((B, A, A)),
        split=np.array([b.factions_split for b in beh]),
    )
