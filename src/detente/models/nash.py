"""Nash bargaining solution (NBS): symmetric ``nash``, capability-weighted ``nash-asymmetric``.

Sources: Nash, J. F. (1950), "The bargaining problem", *Econometrica* 18: 155-162 (the solution
maximises the product of the players' utility gains over the disagreement point); its
asymmetric ("generalised") form with bargaining-power exponents, Kalai (1977) and Roth (1979);
its use for EU legislative decisions in Thomson, Stokman, Achen & Koenig (eds., 2006), *The
European Union Decides*, Cambridge UP (Achen, ch. 4, who derives the compromise model as an
approximation of the asymmetric NBS), and Schneider, Finke & Bailer (2010), "Bargaining power in
the European Union", *Political Studies* 58: 85-103. On one issue the forecast is

    x* = argmax_x  prod_i (u_i(x) - u_i(d))^{w_i}   subject to u_i(x) >= u_i(d) for all i,

with u_i(x) = -s_i (x - x_i)^2 (``utility: quadratic``, default) or -s_i |x - x_i|
(``linear``). Quadratic is the default because it is the loss Achen (2006, ch. 4) uses for
the derivation that links the NBS to the compromise model, and it gives interior compromises
(with linear loss two actors settle on the ideal point of the one nearer to d).

Readings, each a named option:

- ``disagreement``: ``status_quo``, ``reference_point`` (the DEU ``rp``, the outcome if no law
  is adopted), ``worst`` (each actor's utility at the end of the scale farthest from its
  position: breakdown is as bad as the issue allows), or ``auto`` (default): the reference point
  if the issue has one, else the status quo, else ``worst``. The choice made is reported per
  issue in ``disagreement``.
- ``power``: the exponents w_i. Salience only scales an actor's utility, and the NBS is
  invariant to positive affine transformations of each utility, so salience in u_i never
  moves x*. A reading in which salience matters must put it in the exponent: ``equal``
  (w_i = 1, Nash 1950), ``salience`` (w_i = s_i), ``capability`` (w_i = c_i) or
  ``capability_salience`` (w_i = c_i s_i). ``nash`` (symmetric) defaults to ``equal`` with a
  ``salience`` preset; ``nash-asymmetric`` defaults to ``capability`` with preset ``achen``
  (c_i s_i), under which a distant disagreement point gives the compromise model's weighted
  mean (Achen 2006, ch. 4: sum_i w_i log g_i has first-order condition
  sum_i w_i (x_i - x) / g_i = 0, and g_i tends to a common constant as d moves away).
- ``feasible``: ``all`` (default, Nash's individual rationality): the agreement must leave every
  actor at least as well off as d; when d lies between actors' positions, or an actor sits at
  d, only d qualifies and the forecast is d (nothing passes under unanimity). ``gainers``: the
  actors at d, who cannot gain from any agreement, are left out of the product and of the
  constraint; opposition from actors on the other side of d still keeps the outcome at d.
  Actors with salience 0 (indifferent) or exponent 0 never enter the product.

Moving d affinely with the positions moves x* the same way (the scale of an issue does not
matter). With d outside the range of positions, x* lies between the nearest position and the
mirror image of d in it, so it is inside the range of positions; with d inside the range,
x* = d.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.errors import OptionError, Problem, ScenarioError
from detente.models.base import (
    IssueInputs,
    IssueOutput,
    ModelOutput,
    ModelSpec,
    per_issue,
)
from detente.models.kernels.nash import UTILITIES, nash_solution
from detente.scenario.arrays import ScenarioArrays

DISAGREEMENTS = ("auto", "status_quo", "reference_point", "worst")
POWERS = ("equal", "salience", "capability", "capability_salience")
FEASIBLE = ("all", "gainers")


@dataclass(frozen=True)
class NashOptions:
    """Options of the NBS; see the module docstring for each reading."""

    disagreement: str = "auto"
    utility: str = "quadratic"
    power: str = "equal"
    feasible: str = "all"

    def check(self) -> None:
        for name, allowed in (("disagreement", DISAGREEMENTS), ("utility", UTILITIES),
                              ("power", POWERS), ("feasible", FEASIBLE)):
            value = getattr(self, name)
            if value not in allowed:
                raise OptionError(f"nash option {name}={value!r} is not one of "
                                  f"{', '.join(allowed)}")


def _disagreement_source(status_quo: np.ndarray, reference_point: float, wanted: str) -> str:
    """Which disagreement point an issue uses (``None`` checks happen in :func:`_check`)."""
    if wanted != "auto":
        return wanted
    if not np.isnan(reference_point):
        return "reference_point"
    if not np.isnan(status_quo).all():
        return "status_quo"
    return "worst"


def _power(inp: IssueInputs, power: str) -> np.ndarray:
    ones = np.ones_like(inp.position)
    return {"equal": ones, "salience": inp.salience, "capability": inp.capability,
            "capability_salience": inp.capability * inp.salience}[power]


def _run_issue(inp: IssueInputs, opts: NashOptions, rounds: int,
               rng: np.random.Generator) -> IssueOutput:
    source = _disagreement_source(inp.status_quo, inp.reference_point, opts.disagreement)
    B = inp.position.shape[0]
    if source == "worst":
        d = np.full(B, np.nan)
        reach = np.maximum(inp.position, 100.0 - inp.position)
    else:
        d = inp.status_quo if source == "status_quo" else np.full(B, inp.reference_point)
        reach = np.abs(d[:, None] - inp.position)
    weight = np.where(inp.salience > 0, _power(inp, opts.power), 0.0)
    if opts.feasible == "gainers":
        weight = np.where(reach > 0, weight, 0.0)
    forecast, at_d = nash_solution(inp.position, reach, weight, d, opts.utility)
    extras: dict[str, Any] = {"disagreement": source,
                              "share_only_disagreement_feasible": float(at_d.mean())}
    return IssueOutput(trajectory=inp.position[:, None, :], forecast=forecast, extras=extras)


def _check(arrays: ScenarioArrays, opts: NashOptions) -> None:
    """Every issue that lacks the disagreement point the options ask for, at once."""
    opts.check()
    problems = []
    for k, issue_id in enumerate(arrays.issue_ids):
        sq_missing = bool(np.isnan(arrays.status_quo[:, k]).any())
        rp_missing = bool(np.isnan(arrays.reference_point[k]))
        if opts.disagreement == "status_quo" and sq_missing:
            problems.append(Problem(
                f"issue {issue_id!r} has no status_quo, which the Nash model needs with "
                "disagreement=status_quo (use disagreement=auto or worst)",
                f"issues[{k}].status_quo"))
        if opts.disagreement == "reference_point" and rp_missing:
            problems.append(Problem(
                f"issue {issue_id!r} has no reference_point, which the Nash model needs with "
                "disagreement=reference_point (use disagreement=auto or worst)",
                f"issues[{k}].reference_point"))
    if problems:
        raise ScenarioError(problems)


_run_issues = per_issue(_run_issue)


def _run(arrays: ScenarioArrays, opts: NashOptions, rounds: int,
         rng: np.random.Generator) -> ModelOutput:
    _check(arrays, opts)
    out = _run_issues(arrays, opts, rounds, rng)
    # report the disagreement point on the issue's own scale
    for k, issue_id in enumerate(arrays.issue_ids):
        extra = out.extras[issue_id]
        point = {"status_quo": arrays.status_quo[0, k],
                 "reference_point": arrays.reference_point[k]}.get(extra["disagreement"])
        on_scale = (np.nan if point is None
                    else float(arrays.to_issue_scale(np.full(arrays.n_issues, point))[k]))
        extra["disagreement_point"] = None if np.isnan(on_scale) else on_scale
    return out


_SOURCE = ("Nash (1950) Econometrica 18; asymmetric form Kalai (1977), Roth (1979); "
           "Achen (2006) in The European Union Decides ch. 4; Schneider, Finke & Bailer (2010)")

MODELS = [
    ModelSpec(
        name="nash",
        summary="symmetric Nash bargaining solution, disagreement at the status quo or "
                "reference point (Nash 1950)",
        source=_SOURCE,
        options_type=NashOptions,
        presets={"default": NashOptions(power="equal"),
                 "salience": NashOptions(power="salience")},
        run=_run,
    ),
    ModelSpec(
        name="nash-asymmetric",
        summary="capability-weighted (asymmetric) Nash bargaining solution (Kalai 1977; "
                "Achen 2006)",
        source=_SOURCE,
        options_type=NashOptions,
        presets={"default": NashOptions(power="capability"),
                 "achen": NashOptions(power="capability_salience")},
        run=_run,
    ),
]
