"""The Condorcet winner among the actors' positions, on all issues at once.

Sources: Condorcet (1785), *Essai sur l'application de l'analyse à la probabilité des décisions
rendues à la pluralité des voix*: the alternative that wins every pairwise majority vote;
Black (1948), *J. Political Economy* 56: 23-34: on one dimension with single-peaked preferences
the median voter's position is that winner; Plott (1967), *American Economic Review* 57:
787-806: in several dimensions a winner exists only under restrictive symmetry conditions, so
it is often missing; Copeland (1951) for the fallback (most pairwise wins).

The candidates are the actors' platforms (their positions on every issue); every actor votes,
with weight sum_k c_ik s_ik (capability x salience, which on one issue is Bueno de Mesquita's
(1994) c_i s_i vote weight), for the platform nearer to its own under a salience-weighted
distance:

- ``metric: euclidean`` (default): sqrt(sum_k s_ik (x_ik - y_k)^2), the weighted Euclidean
  preferences of the spatial-voting literature (Enelow & Hinich 1984);
- ``metric: city_block``: sum_k s_ik |x_ik - y_k|.

A platform that beats or ties every other is the Condorcet winner (ties between several go to
the lowest platform, compared issue by issue, so on one issue the forecast is the lower weighted
median of the ``median`` model). Where none exists the Copeland winner is reported and each
issue carries ``condorcet_exists: false``. ``dimensions: separate`` votes on each issue alone
(the Black median per issue) instead of on whole platforms.

In ``joint`` mode only actors with a position on every issue can be candidates (a platform
needs a position everywhere); the actors involved in only some issues still vote, on the
issues they care about. A scenario where no actor has a position on every issue is an error
that points to ``dimensions: separate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.errors import OptionError, Problem, ScenarioError
from detente.models.base import ModelOutput, ModelSpec
from detente.models.kernels.weights import condorcet_choice, votes_from_distances
from detente.scenario.arrays import ScenarioArrays

METRICS = ("euclidean", "city_block")
DIMENSIONS = ("joint", "separate")


@dataclass(frozen=True)
class CondorcetOptions:
    """``metric``: euclidean|city_block; ``dimensions``: joint|separate (module docstring)."""

    metric: str = "euclidean"
    dimensions: str = "joint"

    def check(self) -> None:
        for name, allowed in (("metric", METRICS), ("dimensions", DIMENSIONS)):
            if getattr(self, name) not in allowed:
                raise OptionError(f"condorcet option {name}={getattr(self, name)!r} is not one "
                                  f"of {', '.join(allowed)}")


def platform_distances(voter_pos: np.ndarray, salience: np.ndarray, platforms: np.ndarray,
                       metric: str) -> np.ndarray:
    """dist[b, i, j]: voter i's salience-weighted distance to platform j.

    ``voter_pos`` and ``salience`` are (B, A, I) (NaN position where a voter is not involved,
    which counts nothing since its salience there is 0); ``platforms`` (B, J, I) are complete.
    """
    x = np.nan_to_num(voter_pos)[:, :, None, :]
    s = np.where(np.isnan(voter_pos), 0.0, salience)[:, :, None, :]
    gap = np.abs(x - platforms[:, None, :, :])
    if metric == "euclidean":
        return np.sqrt((s * gap * gap).sum(axis=-1))
    return (s * gap).sum(axis=-1)


def condorcet_platform(arrays: ScenarioArrays, metric: str = "euclidean"
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The winning platform (B, I), its actor index (B,) and whether it is a Condorcet winner
    (B,) rather than a Copeland fallback, over all issues of ``arrays`` jointly."""
    pos, sal = arrays.position, arrays.salience
    weight = np.where(np.isnan(pos), 0.0, arrays.capability * sal).sum(axis=-1)  # (B, A)
    complete = arrays.involved.all(axis=-1)  # (A,)
    candidate = complete[None, :] & (weight > 0)
    platforms = np.nan_to_num(pos)
    votes = votes_from_distances(platform_distances(pos, sal, platforms, metric), weight)
    idx, exists = condorcet_choice(votes, candidate, platforms)
    winner = np.take_along_axis(pos, idx[:, None, None], axis=1)[:, 0, :]
    nobody = ~candidate.any(axis=-1)
    winner = np.where(nobody[:, None], np.nan, winner)
    return winner, idx, exists & ~nobody


def _by_issue(arrays: ScenarioArrays, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each issue on its own: the same vote among the involved actors' positions."""
    B, _, I = arrays.position.shape
    forecast = np.full((B, I), np.nan)
    idx = np.zeros((B, I), dtype=int)
    exists = np.zeros((B, I), dtype=bool)
    for k in range(I):
        one = arrays.subset_issues([arrays.issue_ids[k]])
        winner, idx[:, k], exists[:, k] = condorcet_platform(one, metric)
        forecast[:, k] = winner[:, 0]
    return forecast, idx, exists


def _check(arrays: ScenarioArrays, opts: CondorcetOptions) -> None:
    opts.check()
    if opts.dimensions == "joint" and not arrays.involved.all(axis=-1).any():
        raise ScenarioError([Problem(
            "the condorcet model compares whole platforms and needs at least one actor with a "
            "position on every issue; none has (use -o dimensions=separate)", "actors")])


def _run(arrays: ScenarioArrays, opts: CondorcetOptions, rounds: int,
         rng: np.random.Generator) -> ModelOutput:
    _check(arrays, opts)
    I = arrays.n_issues
    if opts.dimensions == "joint":
        winner, idx, exists = condorcet_platform(arrays, opts.metric)
        idx = np.repeat(idx[:, None], I, axis=1)
        exists = np.repeat(exists[:, None], I, axis=1)
    else:
        winner, idx, exists = _by_issue(arrays, opts.metric)
    extras: dict[str, Any] = {}
    for k, issue_id in enumerate(arrays.issue_ids):
        extras[issue_id] = {
            "condorcet_exists": bool(exists[0, k]),
            "condorcet_exists_share": float(exists[:, k].mean()),
            "winner": None if np.isnan(winner[0, k]) else arrays.actor_ids[idx[0, k]],
        }
    return ModelOutput(trajectory=arrays.position[:, None], forecast=winner, extras=extras)


MODEL = ModelSpec(
    name="condorcet",
    summary="Condorcet winner among actor platforms on all issues, Copeland winner if none "
            "(Black 1948)",
    source="Condorcet (1785); Black (1948) JPE 56; Plott (1967) AER 57; Copeland (1951)",
    options_type=CondorcetOptions,
    presets={"default": CondorcetOptions(),
             "separate": CondorcetOptions(dimensions="separate")},
    run=_run,
    links_issues=True,  # by default it votes over whole platforms (dimensions: joint)
)
