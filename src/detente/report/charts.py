"""The charts of a run, as SVG text per issue: the model comparison and each model's trajectory.

Shared by the HTML report and the web app (``GET /api/jobs/{id}/charts``) so both show the same
pictures of the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from detente.report.collect import ReportData
from detente.report.svg import colour, forecast_chart, trajectory_chart
from detente.scenario.model import Scenario


@dataclass(frozen=True)
class IssueCharts:
    issue_id: str
    forecast: str
    trajectories: dict[str, str] = field(default_factory=dict)  # model name -> svg

    def to_dict(self) -> dict[str, Any]:
        return {"issue": self.issue_id, "forecast": self.forecast,
                "trajectories": self.trajectories}


def actor_weights(sc: Scenario, issue_id: str) -> list[tuple[str, float, float]]:
    """``(actor id, position, capability x salience)`` of each actor involved in the issue."""
    out = []
    for actor in sc.actors:
        if issue_id not in actor.position:
            continue
        cap = actor.capability
        c = cap.get(issue_id, 0.0) if isinstance(cap, dict) else cap
        out.append((actor.id, actor.position[issue_id],
                    c * actor.salience.get(issue_id, 0.0)))
    return out


def _issue_title(sc: Scenario, issue_id: str) -> str:
    name = sc.issue(issue_id).name
    return f"{issue_id}: {name}" if name else issue_id


TRAJECTORY_ISSUES = 30  # issues whose trajectories a report draws (DEU's 248: 14 MB of SVG)


def issue_charts(data: ReportData, trajectory_issues: int | None = None) -> list[IssueCharts]:
    """One comparison chart per issue, and a trajectory chart per model that has rounds (on
    the first ``trajectory_issues`` issues only, when given)."""
    sc = data.scenario
    table = data.forecast_table()
    actor_index = {a.id: k for k, a in enumerate(sc.actors)}
    out = []
    for n, issue in enumerate(sc.issues):
        title = _issue_title(sc, issue.id)
        fc = [(run.name, table[issue.id].get(run.name)) for run in data.models
              if run.result is not None]
        weights = actor_weights(sc, issue.id)
        svg = forecast_chart(title, issue.bounds, weights, fc, issue.status_quo,
                             [colour(actor_index[a]) for a, _, _ in weights])
        trajectories = {}
        for run in data.models:
            if run.result is None or (trajectory_issues is not None
                                      and n >= trajectory_issues):
                continue
            iss = next(i for i in run.result["issues"] if i["id"] == issue.id)
            rounds = iss["rounds"]
            if len(rounds) < 2:
                continue
            actors = list(rounds[0]["positions"])
            series = [(a, [r["positions"].get(a) for r in rounds]) for a in actors]
            trajectories[run.name] = trajectory_chart(
                f"{run.name} — {title}", issue.bounds, series,
                [r["median"] for r in rounds],
                [colour(actor_index.get(a, k)) for k, a in enumerate(actors)])
        out.append(IssueCharts(issue.id, svg, trajectories))
    return out
