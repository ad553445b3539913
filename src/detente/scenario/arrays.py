"""A scenario as arrays: the only thing numerical kernels see.

Shapes use B (batch of draws), A (actors) and I (issues). Positions are on 0-100 whatever the
issue's own scale; saliences are 0-1; an actor not involved in an issue has ``involved`` False,
position NaN and salience 0. A single scenario is a batch of one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from detente.errors import OptionError
from detente.scenario.model import Scenario


@dataclass(frozen=True)
class ScenarioArrays:
    """Batched arrays of one scenario. Arrays with a leading B axis vary by draw."""

    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    position: np.ndarray  # (B, A, I) on 0-100, NaN where not involved
    salience: np.ndarray  # (B, A, I) in 0-1, 0 where not involved
    capability: np.ndarray  # (B, A, I) >= 0
    involved: np.ndarray  # (A, I) bool
    status_quo: np.ndarray  # (B, I) on 0-100, NaN where unknown
    reference_point: np.ndarray  # (I,) on 0-100, NaN where unknown
    outcome: np.ndarray  # (I,) on 0-100, NaN where unknown
    scale_min: np.ndarray  # (I,) the issue's own scale
    scale_max: np.ndarray  # (I,)
    separate_cases: bool = False  # the issues are unrelated one-issue cases (Scenario's flag)

    @property
    def n_draws(self) -> int:
        return int(self.position.shape[0])

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @property
    def n_issues(self) -> int:
        return len(self.issue_ids)

    def to_issue_scale(self, x: np.ndarray, axis: int = -1) -> np.ndarray:
        """Map 0-100 values back to each issue's own scale; issues on ``axis`` of ``x``."""
        shape = [1] * x.ndim
        shape[axis] = self.n_issues
        lo, hi = self.scale_min.reshape(shape), self.scale_max.reshape(shape)
        return lo + np.asarray(x) * (hi - lo) / 100.0

    def repeat(self, n_draws: int) -> ScenarioArrays:
        """The same scenario as a batch of ``n_draws`` identical draws."""
        if self.n_draws != 1:
            raise ValueError("repeat() expects a batch of one")

        def tile(a: np.ndarray) -> np.ndarray:
            return np.repeat(a, n_draws, axis=0)

        return replace(self, position=tile(self.position), salience=tile(self.salience),
                       capability=tile(self.capability), status_quo=tile(self.status_quo))

    def with_unit_capabilities(self) -> ScenarioArrays:
        """The same problem with each draw's capabilities divided by that draw's largest
        (when above 0). For computations indifferent to the capability scale: their
        tolerances (1e-12 of a vote total, ...) then mean what they should whatever unit the
        capabilities were written in (measured: median, Condorcet and challenge changed their
        forecast on the emission case once every capability was below 1e-10)."""
        top = self.capability.max(axis=(1, 2), keepdims=True)
        if np.all((top == 1.0) | (top == 0.0)):
            return self
        unit = np.divide(self.capability, top, out=np.zeros_like(self.capability),
                         where=top > 0)
        return replace(self, capability=unit)

    def draw(self, b: int) -> ScenarioArrays:
        """Draw ``b`` of the batch as a batch of one."""
        sl = slice(b, b + 1)
        return replace(self, position=self.position[sl], salience=self.salience[sl],
                       capability=self.capability[sl], status_quo=self.status_quo[sl])

    def subset_issues(self, issue_ids: list[str]) -> ScenarioArrays:
        idx = [self.issue_ids.index(i) for i in issue_ids]
        return replace(self, issue_ids=tuple(issue_ids), position=self.position[..., idx],
                       salience=self.salience[..., idx], capability=self.capability[..., idx],
                       involved=self.involved[:, idx], status_quo=self.status_quo[:, idx],
                       reference_point=self.reference_point[idx], outcome=self.outcome[idx],
                       scale_min=self.scale_min[idx], scale_max=self.scale_max[idx])

    def subset_actors(self, actor_ids: list[str]) -> ScenarioArrays:
        idx = [self.actor_ids.index(a) for a in actor_ids]
        return replace(self, actor_ids=tuple(actor_ids), position=self.position[:, idx],
                       salience=self.salience[:, idx], capability=self.capability[:, idx],
                       involved=self.involved[idx])

    def issue_alone(self, issue_id: str) -> ScenarioArrays:
        """Issue ``issue_id`` as a problem of its own, with only the actors involved in it."""
        one = self.subset_issues([issue_id])
        return one.subset_actors([a for a, inv in zip(one.actor_ids, one.involved[:, 0],
                                                      strict=True) if inv])


def concat_issues(parts: list[ScenarioArrays], prefixes: list[str]) -> ScenarioArrays:
    """Several problems' issues side by side, as one problem (batches of equal size).

    Actors are matched by id, in order of first appearance; an actor missing from a part is
    not involved in its issues (position NaN, salience and capability 0). Issue ids get the
    part's prefix, so that equal ids of different parts stay apart. Each issue keeps its own
    scale. The pool is a set of separate cases when every part is.
    """
    if len(parts) != len(prefixes) or not parts:
        raise ValueError("one prefix per part, and at least one part")
    if len({p.n_draws for p in parts}) > 1:
        raise ValueError("the parts have batches of different sizes")
    actors = tuple(dict.fromkeys(a for p in parts for a in p.actor_ids))

    def spread(p: ScenarioArrays, a: np.ndarray, fill: float) -> np.ndarray:
        """``a`` (..., A_part, I_part) with the rows of all ``actors``."""
        out = np.full((*a.shape[:-2], len(actors), a.shape[-1]), fill, dtype=a.dtype)
        out[..., [actors.index(x) for x in p.actor_ids], :] = a
        return out

    def joined(get: Callable[[ScenarioArrays], np.ndarray], fill: float) -> np.ndarray:
        return np.concatenate([spread(p, get(p), fill) for p in parts], axis=-1)

    def side_by_side(get: Callable[[ScenarioArrays], np.ndarray]) -> np.ndarray:
        return np.concatenate([get(p) for p in parts], axis=-1)

    return ScenarioArrays(
        actor_ids=actors,
        issue_ids=tuple(pre + i for p, pre in zip(parts, prefixes, strict=True)
                        for i in p.issue_ids),
        position=joined(lambda p: p.position, np.nan),
        salience=joined(lambda p: p.salience, 0.0),
        capability=joined(lambda p: p.capability, 0.0),
        involved=joined(lambda p: p.involved, False),
        status_quo=side_by_side(lambda p: p.status_quo),
        reference_point=side_by_side(lambda p: p.reference_point),
        outcome=side_by_side(lambda p: p.outcome),
        scale_min=side_by_side(lambda p: p.scale_min),
        scale_max=side_by_side(lambda p: p.scale_max),
        separate_cases=all(p.separate_cases for p in parts))


def _capability_value(actor_cap: float | dict[str, float], issue_id: str) -> float:
    if isinstance(actor_cap, dict):
        return float(actor_cap.get(issue_id, 0.0))
    return float(actor_cap)


def check_coding(sc: Scenario, capability: str) -> None:
    """Refuse a capability coding that ``sc`` does not have (see :func:`to_arrays`)."""
    if capability not in sc.capability_codings():
        raise OptionError(f"unknown capability coding {capability!r}; "
                          f"known: {', '.join(sc.capability_codings())}")


def to_arrays(sc: Scenario, capability: str = "default") -> ScenarioArrays:
    """Convert a validated scenario to a batch of one.

    ``capability`` selects the coding: ``default`` (each actor's ``capability``), ``equal``
    (all 1), or the name of a coding in the actors' ``capabilities``; an actor without that
    coding falls back to its default capability.
    """
    check_coding(sc, capability)
    A, I = len(sc.actors), len(sc.issues)
    lo = np.array([i.bounds[0] for i in sc.issues], dtype=float)
    hi = np.array([i.bounds[1] for i in sc.issues], dtype=float)

    def scaled(v: float | None, k: int) -> float:
        return np.nan if v is None else (v - lo[k]) * 100.0 / (hi[k] - lo[k])

    pos = np.full((A, I), np.nan)
    sal = np.zeros((A, I))
    cap = np.zeros((A, I))
    for a, actor in enumerate(sc.actors):
        coding = actor.capability
        if capability not in ("default", "equal"):
            coding = actor.capabilities.get(capability, actor.capability)
        for k, issue in enumerate(sc.issues):
            if issue.id in actor.position:
                pos[a, k] = scaled(actor.position[issue.id], k)
                sal[a, k] = actor.salience.get(issue.id, 0.0) / sc.salience_scale
            cap[a, k] = 1.0 if capability == "equal" else _capability_value(coding, issue.id)
    involved = ~np.isnan(pos)
    return ScenarioArrays(
        actor_ids=tuple(a.id for a in sc.actors),
        issue_ids=tuple(i.id for i in sc.issues),
        position=pos[None], salience=sal[None], capability=cap[None], involved=involved,
        status_quo=np.array([[scaled(i.status_quo, k) for k, i in enumerate(sc.issues)]]),
        reference_point=np.array([scaled(i.reference_point, k)
                                  for k, i in enumerate(sc.issues)]),
        outcome=np.array([scaled(i.outcome.value if i.outcome else None, k)
                          for k, i in enumerate(sc.issues)]),
        scale_min=lo, scale_max=hi, separate_cases=sc.separate_cases,
    )
