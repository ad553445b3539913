"""Stokman's exchange model: actors trade voting positions on issues they care less about.

Sources:

- Stokman, F. N. and Van Oosten, R. (1994), "The exchange of voting positions: an
  object-oriented model of policy networks", in Bueno de Mesquita and Stokman (eds.),
  *European Community Decision Making*, Yale UP, 105-127: the expected outcome
  ``O_d = sum_i c_i s_id x_id / sum_i c_i s_id`` (their eq. 1), exchanges between actors on
  opposite sides of the outcome on two issues, each moving on the issue it cares less about,
  executed in order of gain.
- Stokman, F. N. and Thomson, R. (2015), and Dijkstra, J., Van Assen, M. A. L. M. and Stokman,
  F. N. (2018), "Outcomes of collective decisions with externalities predicted",
  *J. Theoretical Politics*: the equal-gain rate ``Dq / Dp = (s_Ip + s_Jp) / (s_Iq + s_Jq)``,
  the cap that an outcome may not pass the demander's own position, the update of positions
  after a round ``x + (0.1 + 0.4 (1 - s)) (y - x)``, and the random exchange-rate variant.
- The reference round: ``history/CoP21.compare.csv`` of foarsitter/decide-exchange-model, all
  128 exchanges of which round 1 here reproduces (see the tests).

The kernel (:mod:`detente.models.kernels.exchange`) documents the arithmetic. Each round the
candidates are rebuilt from the round-start positions, executed greedily by gain with gains
recomputed after every exchange, and then each actor's position moves part of the way towards
the voting position it traded to. The forecast is the expected outcome (weighted mean) of the
final positions.

Speed: where numba is installed the greedy loop of a round runs compiled
(:meth:`ExchangeRound.play`; every option except ``rate_variation`` > 0, whose random draws
stay on numpy); otherwise the numpy loop. Both execute the same exchanges (tested, on the
CoP21 reference round and on random scenarios); ``benchmarks/bench_exchange.py`` times both.

Batches: the greedy sequence of a round depends on every earlier exchange of that draw, so
draws run one after the other (a loop over draws); within a draw the candidates are built
vectorised and the loop over exchanges runs compiled.

Bad input: an actor with capability 0 cannot shift an outcome and so never trades; an actor
with salience 0 on an issue never demands it; an issue with fewer than two involved actors
takes part in no exchange and keeps its input outcome; an issue whose total weight
(capability x salience) is 0 takes part in no exchange and has no expected outcome (its
forecast is null, as for the compromise model). None of these is an error. Positions outside
an issue's scale are rejected when the scenario is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from detente.errors import OptionError
from detente.execution.cancel import check_cancelled
from detente.models.base import ModelOutput, ModelSpec
from detente.models.kernels.exchange import (
    ExchangeRound,
    RoundRules,
    adjust_preferences,
    expected_outcome,
)
from detente.scenario.arrays import ScenarioArrays


@dataclass(frozen=True)
class ExchangeOptions:
    """Options of the exchange model.

    ``fixed_weight`` and ``salience_weight``: after a round an actor moves the fraction
    ``fixed_weight + salience_weight * (1 - s)`` of the way from its position to its voting
    position (0.1 and 0.4, as in the reference implementation).
    ``outcome_view``: the outcome the overshoot cap uses within a round (``"demander"``, the
    reference behaviour, or ``"current"``; see :class:`RoundRules`).
    ``rate_variation``: p of the random exchange-rate variant (Dijkstra et al. 2018); 0 gives
    pure equal gain. A focal actor (chosen at random) gets its equal gain raised by p*z of the
    way to the most it could get, or lowered by p*z, z uniform; exchanges are then ranked by
    the mean of the two actors' gains.
    ``tie_break``: ``"random"`` (the seeded generator picks among exactly tied gains) or
    ``"first"`` (the first in enumeration order).
    """

    fixed_weight: float = 0.1
    salience_weight: float = 0.4
    outcome_view: Literal["demander", "current"] = "demander"
    rate_variation: float = 0.0
    tie_break: Literal["random", "first"] = "random"

    def check(self) -> None:
        if self.outcome_view not in ("demander", "current"):
            raise OptionError(f"outcome_view must be 'demander' or 'current', "
                              f"not {self.outcome_view!r}")
        if self.tie_break not in ("random", "first"):
            raise OptionError(f"tie_break must be 'random' or 'first', not {self.tie_break!r}")
        if not 0 <= self.rate_variation <= 1:
            raise OptionError(f"rate_variation must be within 0-1, not {self.rate_variation}")
        for name in ("fixed_weight", "salience_weight"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or not 0 <= v <= 1:
                raise OptionError(f"{name} must be a number within 0-1, not {v!r}")
        if self.fixed_weight + self.salience_weight > 1:
            raise OptionError("fixed_weight + salience_weight must not exceed 1")


def run_round(x: np.ndarray, s: np.ndarray, c: np.ndarray, options: ExchangeOptions,
              rng: np.random.Generator) -> tuple[np.ndarray, ExchangeRound]:
    """One round on one draw's (A, I) arrays: the executed round and the new positions."""
    rnd = ExchangeRound(x, s, c, RoundRules(options.outcome_view, options.rate_variation), rng)

    def choose(tied: np.ndarray) -> int:
        if tied.size > 1 and options.tie_break == "random":
            return int(tied[int(rng.integers(tied.size))])
        return int(tied[0])

    rnd.play(choose)
    new_x = adjust_preferences(x, rnd.y, s, options.fixed_weight, options.salience_weight)
    return new_x, rnd


def _exchanges_json(rnd: ExchangeRound, arrays: ScenarioArrays) -> list[dict[str, Any]]:
    """The executed exchanges of a round as JSON records, in execution order.

    Built from the round's log in whole columns (a round has hundreds of exchanges).
    """
    log = rnd.log[:rnd.n_executed]
    n = log[:, 0].astype(np.intp)
    q, p = rnd.q[n], rnd.p[n]
    lo, hi = arrays.scale_min, arrays.scale_max

    def scaled(v: np.ndarray, d: np.ndarray) -> list[float]:  # round() as Python rounds
        return [round(x, 10) for x in (lo[d] + v * (hi[d] - lo[d]) / 100.0).tolist()]

    actors, issues = np.asarray(arrays.actor_ids, dtype=object), np.asarray(arrays.issue_ids,
                                                                             dtype=object)
    gain_i, gain_j = log[:, 1], log[:, 2]
    unequal = (np.abs(gain_i - gain_j) > 1e-12).tolist()
    columns = zip(actors[rnd.I[n]].tolist(), issues[q].tolist(), actors[rnd.J[n]].tolist(),
                  issues[p].tolist(), (0.5 * (gain_i + gain_j)).tolist(),
                  scaled(log[:, 3], q), scaled(log[:, 4], q), scaled(log[:, 5], p),
                  scaled(log[:, 6], p), gain_i.tolist(), gain_j.tolist(), unequal,
                  strict=True)
    out = []
    for ai, qi, aj, pj, gain, fi, ti, fj, tj, gi, gj, uneq in columns:
        rec: dict[str, Any] = {
            "actor_i": ai, "supplies_i": qi, "actor_j": aj, "supplies_j": pj,
            "gain": round(gain, 12),
            "moves": {"actor_i": {"issue": qi, "from": fi, "to": ti},
                      "actor_j": {"issue": pj, "from": fj, "to": tj}},
        }
        if uneq:
            rec["gain_i"], rec["gain_j"] = round(gi, 12), round(gj, 12)
        out.append(rec)
    return out


def _run(arrays: ScenarioArrays, options: ExchangeOptions, rounds: int,
         rng: np.random.Generator) -> ModelOutput:
    options.check()
    B, A, I = arrays.position.shape
    traj = np.full((B, rounds + 1, A, I), np.nan)
    traj[:, 0] = arrays.position
    voting = np.full((B, rounds, I), np.nan)
    exchanges: list[list[dict[str, Any]]] = [[] for _ in range(rounds)]  # draw 0's
    for b in range(B):
        if b:  # a web job's cancel: 5,000 draws of the flagship take about 9 s
            check_cancelled(f"after {b:,} of {B:,} draws")
        x = np.where(arrays.involved, arrays.position[b], np.nan)
        s = np.where(arrays.involved, arrays.salience[b], 0.0)
        c = arrays.capability[b]
        if I < 2:  # no pair of issues to trade on (a separate case): every round leaves the
            # positions as they are, and its outcome is theirs (what run_round gives, faster)
            traj[b, 1:] = x
            voting[b] = expected_outcome(x, np.where(np.isnan(x), 0.0, c * s))
            continue
        for t in range(1, rounds + 1):
            x, rnd = run_round(x, s, c, options, rng)
            traj[b, t] = x
            voting[b, t - 1] = rnd.voting_outcome()
            if b == 0:
                exchanges[t - 1] = _exchanges_json(rnd, arrays)
    history = [{
        "round": t,
        "exchanges": exchanges[t - 1],
        "voting_outcome": {
            iid: (None if np.isnan(v) else round(float(v), 10))
            for iid, v in zip(arrays.issue_ids, arrays.to_issue_scale(voting[0, t - 1]),
                              strict=True)},
    } for t in range(1, rounds + 1)] if B else []
    weights = arrays.capability * np.where(arrays.involved, arrays.salience, 0.0)
    forecast = expected_outcome(traj[:, -1], weights)
    return ModelOutput(trajectory=traj, forecast=forecast, model_extras={"rounds": history})


MODEL = ModelSpec(
    name="exchange",
    summary="Stokman's equal-gain exchange of voting positions (Stokman & Van Oosten 1994)",
    source="Stokman & Van Oosten (1994); Stokman & Thomson (2015); Dijkstra et al. (2018)",
    options_type=ExchangeOptions,
    presets={
        "default": ExchangeOptions(),
        "random-rate": ExchangeOptions(rate_variation=0.5),
        "current-outcome": ExchangeOptions(outcome_view="current"),
    },
    run=_run,
    default_rounds=10,
    links_issues=True,  # positions are exchanged across issues
)
