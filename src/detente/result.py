"""Results as plain data: what a model forecast, round by round, on each issue's own scale.

:class:`ForecastResult` is what :func:`detente.api.forecast` returns and what ``detente forecast
--json`` prints (via :meth:`ForecastResult.to_dict`). Round summaries are the c*s-weighted
median and mean unless the model supplies its own (the challenge model's Condorcet median).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.models.base import LogEntry, ModelOutput
from detente.models.kernels.weights import weighted_mean, weighted_median
from detente.scenario.arrays import ScenarioArrays


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else round(x, 10)


def qname(p: float) -> str:
    """The key of quantile ``p`` in the JSON (``q10`` for 0.1, ``q02.5`` for 0.025), in every
    result that reports quantiles: forecasts and simulations over draws. Whole percents keep
    two digits; others keep their decimals (0.025 was ``q02`` and 0.975 ``q98``)."""
    pct = p * 100
    whole = round(pct)
    if abs(pct - whole) < 1e-9:  # 0.07 * 100 is 7.000000000000001
        return f"q{whole:02d}"
    units, decimals = f"{pct:.6f}".rstrip("0").split(".")
    return f"q{int(units):02d}.{decimals}"


@dataclass(frozen=True)
class RoundSummary:
    round: int
    positions: dict[str, float]
    median: float | None
    mean: float | None


@dataclass(frozen=True)
class IssueForecast:
    id: str
    forecast: float | None
    rounds: list[RoundSummary]
    scale: tuple[float, float]
    quantiles: dict[str, float | None] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ForecastResult:
    """A model's forecast of every issue, as ``detente forecast --json`` prints it.

    With several draws, ``forecast`` and ``quantiles`` are over all draws, while ``rounds``
    (positions, median and mean by round), ``log`` and model details describe the first draw
    only (JSON key ``rounds_draw``: 0), since a path of rounds is one draw's."""

    model: str
    preset: str
    capability: str
    options: dict[str, Any]
    draws: int
    issues: list[IssueForecast]
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "preset": self.preset,
                               "capability": self.capability, "options": self.options,
                               "draws": self.draws, "issues": []}
        if self.draws > 1:  # the per-round path, log and model details are one draw's
            out["rounds_draw"] = 0
        for iss in self.issues:
            item: dict[str, Any] = {
                "id": iss.id, "forecast": iss.forecast, "scale": list(iss.scale),
                "rounds": [{"round": r.round, "positions": r.positions, "median": r.median,
                            "mean": r.mean} for r in iss.rounds]}
            if iss.quantiles:
                item["quantiles"] = iss.quantiles
            if iss.log:
                item["log"] = iss.log
            item.update(iss.extras)
            out["issues"].append(item)
        out.update(self.extras)
        return out

    def forecasts(self) -> dict[str, float | None]:
        return {i.id: i.forecast for i in self.issues}


def _log_dict(e: LogEntry, lo: float, hi: float) -> dict[str, Any]:
    def conv(x: float) -> float | None:
        return _num(lo + x * (hi - lo) / 100.0)

    return {"round": e.round, "actor": e.actor, "action": e.action, "target": e.target,
            "from": conv(e.before), "to": conv(e.after), **e.detail}


def build_result(model: str, preset: str, capability: str, options: dict[str, Any],
                 arrays: ScenarioArrays, out: ModelOutput,
                 quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)) -> ForecastResult:
    """Assemble a result from a model's batched output. Trajectories shown are draw 0's."""
    B, T1 = out.forecast.shape[0], out.trajectory.shape[1]
    # the rounds shown are draw 0's, so only its median and mean are computed (with 500
    # draws of DEU's 248 cases, the others' took a fifth of a Monte Carlo run)
    weights = (arrays.capability[:1] * arrays.salience[:1])[:, None]  # (1, 1, A, I)
    traj = np.moveaxis(out.trajectory[:1], 2, -1)  # (1, T+1, I, A)
    w = np.moveaxis(np.broadcast_to(weights, out.trajectory[:1].shape), 2, -1)
    median = out.median if out.median is not None else weighted_median(traj, w)
    mean = out.mean if out.mean is not None else weighted_mean(traj, w)
    to_scale = arrays.to_issue_scale
    traj_s = to_scale(out.trajectory[0], axis=-1)  # (T+1, A, I)
    med_s, mean_s = to_scale(median[0]), to_scale(mean[0])
    fc_s = to_scale(out.forecast)  # (B, I)
    issues = []
    for k, issue_id in enumerate(arrays.issue_ids):
        involved = np.flatnonzero(arrays.involved[:, k])
        rounds = [RoundSummary(
            round=t,
            positions={arrays.actor_ids[a]: _num(traj_s[t, a, k]) for a in involved},
            median=_num(med_s[t, k]), mean=_num(mean_s[t, k])) for t in range(T1)]
        q: dict[str, float | None] = {}
        if B > 1:
            col = fc_s[:, k]
            ok = col[~np.isnan(col)]
            q = {qname(p): (_num(np.quantile(ok, p)) if ok.size else None)
                 for p in quantiles}
            forecast = _num(np.median(ok)) if ok.size else None
        else:
            forecast = _num(fc_s[0, k])
        lo, hi = float(arrays.scale_min[k]), float(arrays.scale_max[k])
        log = [_log_dict(e, lo, hi) for e in out.log if e.issue == issue_id]
        extras = out.extras.get(issue_id, {})
        issues.append(IssueForecast(issue_id, forecast, rounds, (lo, hi), q, log, extras))
    return ForecastResult(model, preset, capability, options, B, issues, out.model_extras)


def fallback_notes(label: str, issues: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Where the model ``label`` gave another model's forecast (an issue's extras carry
    ``fallback`` and ``fallback_reason``: the procedural model without an agenda setter gives
    the compromise model's), one sentence per other model and reason: a table of figures alone
    shows two identical columns with no why. ``issues`` are (issue id, extras)."""
    by_reason: dict[tuple[str, str], list[str]] = {}
    for issue_id, extras in issues:
        if extras.get("fallback"):
            key = (str(extras["fallback"]), str(extras.get("fallback_reason") or ""))
            by_reason.setdefault(key, []).append(issue_id)
    return [f"{label} gives the {other} model's forecast on "
            f"{'every issue' if len(ids) == len(issues) else ', '.join(ids)}"
            + (f": {why}" if why else "") for (other, why), ids in by_reason.items()]
