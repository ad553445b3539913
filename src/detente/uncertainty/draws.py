"""From a scenario's ``uncertainty`` block to a batch of scenario arrays.

Every uncertain input is one column of a matrix ``U`` of numbers in [0, 1): draw ``b`` of input
``d`` is the quantile ``U[b, d]`` of its distribution. Monte Carlo fills ``U`` from the seeded
generator; Sobol analysis fills it from SALib's quasi-random design. One code path turns ``U``
into arrays, so both see the same distributions and the same bounds.

An :class:`Input` covers one field of one actor (or one issue for the status quo) on one or
more issues. A default on ``position``/``salience`` makes one input per involved (actor, issue)
cell; on ``capability`` one input per actor, shared by its issues (its capability as a whole is
uncertain). Explicit cells replace defaults on the cells they name; later cells replace
earlier ones. Behavioural parameters of the simulation are inputs too (one per actor, asked for
with ``inputs(..., behaviour=True)``); :func:`apply_behaviour` turns them into (n, A) draws.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import ndtr, ndtri

from detente.errors import Problem, ScenarioError
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.model import Scenario
from detente.uncertainty.spec import BEHAVIOUR_FIELDS, Cell, Defaults, Dist, Uncertainty

DEFAULT_WIDTHS_NOTE = ("The scenario gives no uncertainty block (or an empty one), so the "
                       "default widths were used: positions ± 5 % of each issue's scale, "
                       "saliences ± 10 % of the salience scale (a salience coded 0 stays 0), "
                       "capabilities ± 20 % of their value (uniform).")


def drawn_spec(sc: Scenario) -> Uncertainty:
    """What ``sc``'s inputs are drawn from: its uncertainty block, or :func:`fallback_spec`
    when it has none (``drawn_spec(sc) is sc.uncertainty`` says it has its own)."""
    return fallback_spec(sc) if sc.uncertainty.is_empty() else sc.uncertainty


def fallback_spec(sc: Scenario) -> Uncertainty:
    """The inputs' widths for a scenario with no uncertainty block (:data:`DEFAULT_WIDTHS_NOTE`):
    positions ± 5 % of each issue's scale, saliences ± 10 % of the salience scale (a default
    leaves a salience coded 0 at 0, see :func:`inputs`), capabilities ± 20 % of their value.
    Monte Carlo, sensitivity, reports and the web app all draw from these, so they vary the
    same inputs."""
    cells = [Cell(field="position", issue=i.id,
                  dist=Dist(width=0.05 * (i.bounds[1] - i.bounds[0]))) for i in sc.issues]
    return Uncertainty(default=Defaults(salience=Dist(width=0.1 * sc.salience_scale),
                                        capability=Dist(width=20, percent=True)), cells=cells)

FIELDS = ("position", "salience", "capability", "status_quo")
BETA_MIN = 1e-3  # draws of the concession exponent stay positive


@dataclass(frozen=True)
class Input:
    """One uncertain input: ``field`` of ``actor`` (index, or None) on ``issues`` (indices)."""

    name: str
    field: str
    actor: int | None
    issues: tuple[int, ...]
    dist: Dist
    #: capability only, when the arrays use another coding than the scenario's own: the
    #: capabilities as written (default coding) on ``issues``, the units ``dist`` is in
    written: tuple[float, ...] | None = None


def quantile(dist: Dist, u: np.ndarray, value: np.ndarray, lo: np.ndarray,
             hi: np.ndarray) -> np.ndarray:
    """The ``u`` quantile of ``dist`` around coded ``value``, kept within ``[lo, hi]``.

    ``u`` has shape (n, 1) and ``value``/``lo``/``hi`` shape (m,); the result is (n, m), in the
    file's units. Intervals (uniform, ±, triangular) are cut at the bounds; ``normal`` is
    clipped; ``truncnormal`` is truncated at ``low``/``high`` within the bounds.
    """
    value = np.asarray(value, dtype=float)
    if dist.width is not None:
        w = np.abs(value) * dist.width / 100.0 if dist.percent else dist.width
        a, b = value - w, value + w
    else:
        a = np.full_like(value, dist.low if dist.low is not None else -np.inf)
        b = np.full_like(value, dist.high if dist.high is not None else np.inf)
    a, b = np.clip(a, lo, hi), np.clip(b, lo, hi)
    if dist.dist in ("uniform", "pm"):
        return a + u * (b - a)
    if dist.dist == "triangular":
        mode = np.clip(value if dist.mode is None else np.full_like(value, dist.mode), a, b)
        span = np.where(b > a, b - a, 1.0)
        c = (mode - a) / span
        left = a + np.sqrt(u * span * (mode - a))
        right = b - np.sqrt((1.0 - u) * span * (b - mode))
        return np.where(b > a, np.where(u < c, left, right), a)
    mean = value if dist.mean is None else np.full_like(value, dist.mean)
    sd = float(dist.sd or 0.0)
    if dist.dist == "normal":
        with np.errstate(divide="ignore"):
            return np.clip(mean + sd * ndtri(u), lo, hi)
    # truncnormal: invert the normal CDF restricted to [a, b]
    pa, pb = ndtr((a - mean) / sd), ndtr((b - mean) / sd)
    p = np.clip(pa + u * (pb - pa), 1e-300, 1 - 1e-16)
    x = mean + sd * ndtri(p)
    return np.clip(np.where(pb > pa, x, np.clip(mean, a, b)), a, b)


def inputs(sc: Scenario, arrays: ScenarioArrays, spec: Uncertainty | None = None,
           behaviour: bool = False) -> list[Input]:
    """The uncertain inputs of ``sc`` (``spec`` defaults to the scenario's own block).

    Behavioural parameters (one input per actor, after the others) only with ``behaviour``:
    the static models read none, the simulation does.
    """
    spec = sc.uncertainty if spec is None else spec
    actor_ix = {a: i for i, a in enumerate(arrays.actor_ids)}
    issue_ix = {a: i for i, a in enumerate(arrays.issue_ids)}
    A, I = arrays.n_actors, arrays.n_issues
    involved = arrays.involved
    has_sq = ~np.isnan(arrays.status_quo[0])
    # a default never makes a salience coded 0 uncertain (the actor does not weigh the issue)
    weighs = arrays.salience[0] > 0
    # (field, actor, issue) -> (dist, group); group None means "one input per cell"
    chosen: dict[tuple[str, int | None, int], tuple[Dist, tuple | None]] = {}
    for field in FIELDS:
        d = getattr(spec.default, field)
        if d is None:
            continue
        if field == "status_quo":
            for k in np.flatnonzero(has_sq):
                chosen[(field, None, int(k))] = (d, None)
            continue
        for a in range(A):
            for k in range(I):
                if field == "capability" or (involved[a, k] and (
                        field != "salience" or weighs[a, k])):
                    group = ("default", a) if field == "capability" else None
                    chosen[(field, a, k)] = (d, group)
    beh: dict[tuple[int, str], Dist] = {}
    for field in BEHAVIOUR_FIELDS if behaviour else ():
        d = getattr(spec.default, field)
        if d is not None:
            beh.update({(a, field): d for a in range(A)})
    problems: list[Problem] = []
    for n, cell in enumerate(spec.cells):
        where = f"uncertainty.cells[{n}]"
        if cell.field in BEHAVIOUR_FIELDS:
            if behaviour:
                who = cell.actors()
                beh.update({(a, cell.field): cell.dist for a in (
                    range(A) if who is None else [actor_ix[x] for x in who])})
            continue
        issues = [issue_ix[i] for i in cell.issues()] if cell.issue is not None else list(
            range(I))
        if cell.field == "status_quo":
            for k in issues:
                if not has_sq[k]:
                    problems.append(Problem(f"issue {arrays.issue_ids[k]!r} has no status quo "
                                            "to make uncertain", f"{where}.issue"))
                chosen[("status_quo", None, k)] = (cell.dist, None)
            continue
        actors = [actor_ix[a] for a in cell.actors()] if cell.actor is not None else list(
            range(A))
        for a in actors:
            ks = [k for k in issues if cell.field == "capability" or involved[a, k]]
            if cell.actor is not None and cell.issue is not None and not ks:
                problems.append(Problem(f"actor {arrays.actor_ids[a]!r} takes no part in "
                                        f"issue(s) {cell.issue}", where))
            shared = cell.field == "capability" and cell.issue is None
            for k in ks:
                chosen[(cell.field, a, k)] = (cell.dist, ("cell", n, a) if shared else None)
    if problems:
        raise ScenarioError(problems)
    grouped: dict[tuple, list[int]] = {}
    dists: dict[tuple, Dist] = {}
    for (field, a, k), (d, group) in chosen.items():
        key = (field, a, group) if group is not None else (field, a, ("one", k))
        grouped.setdefault(key, []).append(k)
        dists[key] = d
    written_cap = _written_capability(sc, arrays)
    out = []
    for key in sorted(grouped, key=lambda t: (FIELDS.index(t[0]), -1 if t[1] is None else t[1],
                                              min(grouped[t]))):
        field, a, _ = key
        ks = tuple(sorted(grouped[key]))
        who = "" if a is None else f"{arrays.actor_ids[a]}."
        shared = key[2][0] != "one"
        name = f"{who}{field}" + ("" if shared and len(ks) == I
                                   else "." + "+".join(arrays.issue_ids[k] for k in ks))
        written = (tuple(float(v) for v in written_cap[a, list(ks)])
                   if field == "capability" and written_cap is not None else None)
        out.append(Input(name, field, a, ks, dists[key], written))
    for a, field in sorted(beh, key=lambda t: (t[0], BEHAVIOUR_FIELDS.index(t[1]))):
        out.append(Input(f"{arrays.actor_ids[a]}.{field}", field, a, (), beh[(a, field)]))
    return out


def _written_capability(sc: Scenario, arrays: ScenarioArrays) -> np.ndarray | None:
    """(A, I) the capabilities as the scenario writes them (its default coding), when
    ``arrays`` hold others (``--capability structural``, ``equal``, a table): the
    uncertainty block's capability numbers (``uniform 20-50``) are in the written units. None
    when the arrays hold the written values."""
    written = to_arrays(sc)
    if (written.actor_ids != arrays.actor_ids or written.issue_ids != arrays.issue_ids
            or np.array_equal(written.capability[0], arrays.capability[0])):
        return None
    return written.capability[0]


def _capability_draws(inp: Input, u: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Draws of capability ``value`` (the arrays' coding). With another coding than the
    scenario's own, the distribution is drawn around the written capability, in its units,
    and each draw scaled by value / written (so ``uniform 20-50`` for an actor written as 35
    and coded 6 gives 6 x 20/35 .. 6 x 50/35): the coding's values with the block's relative
    uncertainty. A cell written as 0 has no ratio and takes the distribution in the coding's
    units. (It was drawn in the written units whatever the coding: under ``--capability
    equal`` North Korea's 20-50 against everyone's 1 moved the compromise on A from 64.7 to
    21.6.)"""
    inf = np.full(len(value), np.inf)
    zero = np.zeros(len(value))
    own = quantile(inp.dist, u, value, zero, inf)
    if inp.written is None:
        return own
    written = np.asarray(inp.written)
    scaled = quantile(inp.dist, u, written, zero, inf) * (
        value / np.where(written > 0, written, 1.0))
    return np.where(written > 0, scaled, own)


def apply(arrays: ScenarioArrays, inputs_: list[Input], U: np.ndarray,
          salience_scale: float) -> ScenarioArrays:
    """Arrays with one draw per row of ``U`` (n, len(inputs_)), from a batch of one."""
    if arrays.n_draws != 1:
        raise ValueError("apply() expects a batch of one")
    U = np.atleast_2d(np.asarray(U, dtype=float))
    if U.shape[1] != len(inputs_):
        raise ValueError(f"U has {U.shape[1]} columns for {len(inputs_)} inputs")
    n = U.shape[0]
    batch = arrays.repeat(n)
    pos, sal, cap, sq = (batch.position.copy(), batch.salience.copy(), batch.capability.copy(),
                         batch.status_quo.copy())
    lo_s, hi_s = arrays.scale_min, arrays.scale_max
    for d, inp in enumerate(inputs_):
        if inp.field in BEHAVIOUR_FIELDS:
            continue  # see apply_behaviour
        ks = np.array(inp.issues)
        u = U[:, d:d + 1]
        if inp.field in ("position", "status_quo"):
            src = pos[0, inp.actor] if inp.field == "position" else sq[0]
            value = lo_s[ks] + src[ks] * (hi_s[ks] - lo_s[ks]) / 100.0
            x = quantile(inp.dist, u, value, lo_s[ks], hi_s[ks])
            x = (x - lo_s[ks]) * 100.0 / (hi_s[ks] - lo_s[ks])
            if inp.field == "position":
                pos[:, inp.actor, ks] = x
            else:
                sq[:, ks] = x
        elif inp.field == "salience":
            value = sal[0, inp.actor, ks] * salience_scale
            top = np.full(len(ks), float(salience_scale))
            x = quantile(inp.dist, u, value, np.zeros(len(ks)), top)
            sal[:, inp.actor, ks] = x / salience_scale
        else:
            cap[:, inp.actor, ks] = _capability_draws(inp, u, cap[0, inp.actor, ks])
    return replace(batch, position=pos, salience=sal, capability=cap, status_quo=sq)


def apply_behaviour(inputs_: list[Input], U: np.ndarray,
                    coded: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """(n, A) draws of each behavioural parameter that has an uncertain input.

    ``coded`` holds each parameter's (A,) coded values; actors without an input keep theirs.
    Bounds: 0..1, except ``beta`` (``BETA_MIN`` and up).
    """
    U = np.atleast_2d(np.asarray(U, dtype=float))
    out: dict[str, np.ndarray] = {}
    for d, inp in enumerate(inputs_):
        if inp.field not in BEHAVIOUR_FIELDS:
            continue
        values = np.asarray(coded[inp.field], dtype=float)
        drawn = out.setdefault(inp.field, np.repeat(values[None], U.shape[0], axis=0))
        lo, hi = (BETA_MIN, np.inf) if inp.field == "beta" else (0.0, 1.0)
        a = int(inp.actor)  # type: ignore[arg-type]
        drawn[:, a] = quantile(inp.dist, U[:, d:d + 1], values[a:a + 1], np.array([lo]),
                               np.array([hi]))[:, 0]
    return out


def sample(sc: Scenario, arrays: ScenarioArrays, n: int, rng: np.random.Generator,
           spec: Uncertainty | None = None) -> ScenarioArrays:
    """``n`` Monte Carlo draws of ``sc``'s uncertain inputs (a plain repeat if none)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    ins = inputs(sc, arrays, spec)
    if not ins:
        return arrays.repeat(n)
    return apply(arrays, ins, rng.random((n, len(ins))), sc.salience_scale)
