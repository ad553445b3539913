"""``procedural``: the agenda-setter model of EU legislation (Commission proposes, Council and
Parliament accept or veto against the reference point).

Source. The one-dimensional setter model of Romer and Rosenthal (1978, *Public Choice* 33:27-43)
as applied to the EU by Steunenberg (1994), Tsebelis (1994) and Crombez (1996), in the form
compared with outcomes in Thomson, Stokman, Achen and König (eds., 2006, *The European Union
Decides*, ch. 3, Steunenberg and Selck, "Testing procedural models of EU legislative decision
making"). With Euclidean preferences, actor i prefers an outcome y to the reference point r iff
|y - x_i| <= |r - x_i|. Measured as a step t >= 0 from r towards the setter's ideal x_s
(direction d = sign(x_s - r)), i accepts every step up to

    b_i = max(2 d (x_i - r), 0).

The Council accepts a step t if the members with b_i >= t hold at least the threshold share of
the votes: under qualified majority the threshold is ``qmv_threshold`` (default 0.74, close
to the Nice Treaty's 255 of 345 weighted votes); under unanimity it is 1 (the member nearest
r, the veto player, binds). The largest accepted step L is the threshold-quantile of the b_i
from the top. Under codecision the Parliament must also accept (``parliament_veto``):
L = min(L, b_EP). The setter proposes the point nearest its ideal that passes:

    x* = r + d min(|x_s - r|, L).

Choices where the literature differs are options: the voting rule (``voting_rule``), the
threshold, whose votes count (``vote_weights``: ``equal`` one per member, or ``capability``:
the scenario's capability column, e.g. Council votes), and the EP's veto. Actors without a
position on an issue are not members for that issue. Every actor other than the setter and the
parliament is a Council member.

Fallback: an issue without a reference point, or on which the setter states no position, has
no setter game; it gets the compromise forecast (capability x salience weighted mean, Achen
2006 eq. 4.1) and ``extras[issue]["fallback"] = "compromise"``, with the reason in
``extras[issue]["fallback_reason"]``; an issue nobody weighs (capability x salience 0 for
every involved actor) then gets no forecast, as from the compromise model itself.

Record on DEU (237 usable issues of the public split, equal capability): in-sample MAE 33-41
depending on rule and threshold against the compromise model's 23.69, and a convex
combination with the compromise model fitted on training folds gets weight 0 (CV MAE 23.69).
This matches Steunenberg and Selck's finding that procedural models lose to the compromise
model; the model ships as a faithful reference, not as the recommended forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from detente.errors import OptionError
from detente.models.base import ModelOutput, ModelSpec
from detente.models.kernels.weights import weighted_mean
from detente.scenario.arrays import ScenarioArrays


@dataclass(frozen=True)
class ProceduralOptions:
    """Options of the setter model (defaults: consultation under qualified majority)."""

    voting_rule: Literal["qmv", "unanimity"] = "qmv"
    qmv_threshold: float = 0.74  # share of Council votes needed under QMV
    parliament_veto: bool = False  # codecision: the Parliament must prefer x* to r
    vote_weights: Literal["equal", "capability"] = "equal"
    setter: str = "com"
    parliament: str = "ep"

    def __post_init__(self) -> None:
        if self.voting_rule not in ("qmv", "unanimity"):
            raise OptionError(f"voting_rule must be 'qmv' or 'unanimity', not "
                              f"{self.voting_rule!r}")
        if not 0 < self.qmv_threshold <= 1:
            raise OptionError(f"qmv_threshold must be in (0, 1], not {self.qmv_threshold}")
        if self.vote_weights not in ("equal", "capability"):
            raise OptionError(f"vote_weights must be 'equal' or 'capability', not "
                              f"{self.vote_weights!r}")


def council_limit(bounds: np.ndarray, weights: np.ndarray, threshold: float) -> np.ndarray:
    """The largest step a weighted ``threshold`` share of members accepts, (B, I).

    ``bounds`` (B, A, I) are the members' acceptable steps b_i; ``weights`` (B, A, I) their
    votes (0 for non-members). NaN where an issue has no member with votes.
    """
    b = np.where(weights > 0, bounds, -np.inf)
    order = np.argsort(-b, axis=1, kind="stable")
    b_sorted = np.take_along_axis(b, order, axis=1)
    w_sorted = np.take_along_axis(weights, order, axis=1)
    total = w_sorted.sum(axis=1, keepdims=True)
    share = np.cumsum(w_sorted, axis=1) / np.where(total > 0, total, 1.0)
    k = np.argmax(share >= threshold - 1e-12, axis=1)  # first member completing the threshold
    limit = np.take_along_axis(b_sorted, k[:, None, :], axis=1)[:, 0, :]
    return np.where(total[:, 0, :] > 0, limit, np.nan)


def _compromise(arrays: ScenarioArrays) -> np.ndarray:
    """The compromise model's forecast (B, I): NaN ("no forecast") on an issue nobody weighs,
    as that model gives it."""
    x = np.where(arrays.involved[None], arrays.position, np.nan)
    w = np.broadcast_to(arrays.capability * arrays.salience, x.shape)
    return weighted_mean(np.moveaxis(x, 1, -1), np.moveaxis(w, 1, -1))


def setter_outcome(arrays: ScenarioArrays,
                   opts: ProceduralOptions) -> tuple[np.ndarray, np.ndarray]:
    """The setter-model outcome (B, I) on 0-100 and a mask (I,) of issues that had a game."""
    ids = arrays.actor_ids
    is_setter = np.array([a == opts.setter for a in ids])
    is_parl = np.array([a == opts.parliament for a in ids])
    member = ~(is_setter | is_parl)
    r = arrays.reference_point  # (I,)
    setter_in = arrays.involved[is_setter].any(axis=0) if is_setter.any() else \
        np.zeros(arrays.n_issues, bool)
    game = ~np.isnan(r) & setter_in
    r0 = np.where(game, r, 0.0)[None, :]
    x = np.where(arrays.involved[None], arrays.position, 0.0)
    xs = x[:, is_setter].sum(axis=1) if is_setter.any() else np.zeros_like(r0)
    d = np.sign(xs - r0)
    bounds = np.maximum(2 * d[:, None, :] * (x - r0[:, None, :]), 0.0)
    votes = arrays.capability if opts.vote_weights == "capability" else np.ones_like(x)
    weights = np.where(member[None, :, None] & arrays.involved[None], votes, 0.0)
    threshold = opts.qmv_threshold if opts.voting_rule == "qmv" else 1.0
    limit = council_limit(bounds, weights, threshold)
    limit = np.where(np.isnan(limit), np.inf, limit)  # no Council member states a position
    if opts.parliament_veto and is_parl.any():
        p_in = arrays.involved[is_parl].any(axis=0)[None, :]
        limit = np.where(p_in, np.minimum(limit, bounds[:, is_parl].min(axis=1)), limit)
    step = np.minimum(np.abs(xs - r0), limit)
    out = np.where(game[None, :], r0 + d * step, _compromise(arrays))
    return np.clip(out, 0.0, 100.0), game


def _run(arrays: ScenarioArrays, opts: ProceduralOptions, rounds: int,
         rng: np.random.Generator) -> ModelOutput:
    fc, game = setter_outcome(arrays, opts)
    setter = np.array([a == opts.setter for a in arrays.actor_ids])
    extras: dict[str, Any] = {}
    for k, issue in enumerate(arrays.issue_ids):
        if not game[k]:
            why = (f"no agenda setter {opts.setter!r} among the actors" if not setter.any()
                   else "no reference point" if np.isnan(arrays.reference_point[k])
                   else f"the agenda setter {opts.setter!r} states no position")
            extras[issue] = {"fallback": "compromise", "fallback_reason": why}
    return ModelOutput(trajectory=arrays.position[:, None], forecast=fc, extras=extras)


MODELS = [
    ModelSpec(
        name="procedural",
        summary="EU setter model: Commission proposes, Council (QMV or unanimity) and, under "
                "codecision, the EP accept or veto against the reference point",
        source="Romer & Rosenthal (1978); Steunenberg (1994), Crombez (1996); Steunenberg & "
               "Selck in Thomson et al. (2006) ch. 3",
        options_type=ProceduralOptions,
        presets={"default": ProceduralOptions(),
                 "unanimity": ProceduralOptions(voting_rule="unanimity"),
                 "codecision": ProceduralOptions(parliament_veto=True)},
        run=_run,
        weighs_actors=False,
    ),
]
