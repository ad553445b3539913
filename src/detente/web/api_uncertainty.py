"""``/api/uncertainty``: Monte Carlo distributions and the sensitivity ranking of a scenario as
a cancellable job, its charts as inline SVG, and a check of the scenario's uncertainty block.

The numbers are those of :mod:`detente.report.uncertainty` (the report's section), which calls
``monte_carlo`` and ``sensitivity`` exactly as ``detente forecast --draws`` and ``detente
sensitivity`` do. A cancel takes effect between models and, inside a model, between its
issues, separate cases or chunks of draws, and inside the simulation over the draws between
its dated steps (:mod:`detente.execution.cancel`; ``smp`` on the 248 DEU cases at 500 draws
runs for minutes, one case for about 2 seconds).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from detente.models import models
from detente.report.collect import simulation_available, uncertainty_available
from detente.report.simulation import check_until
from detente.report.unc_svg import issue_uncertainty_charts, outcome_chart
from detente.report.uncertainty import uncertainty_data, with_spec
from detente.uncertainty.draws import DEFAULT_WIDTHS_NOTE
from detente.web.errors import error_response, out_of_range, unknown_coding
from detente.web.jobs import Jobs, accepted
from detente.web.recording import Recorder
from detente.web.sources import ScenarioSource, requested_scenario

router = APIRouter(prefix="/api", tags=["uncertainty"])
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$",
                            description="id from POST /api/uncertainty")]
MAX_WEB_DRAWS = 5000
MAX_WEB_SOBOL = 256


class UncertaintyRequest(ScenarioSource):
    models: list[str] | None = Field(
        None, min_length=1, max_length=32,
        description="models whose distributions are drawn (default: every model)")
    draws: int = Field(500, description=f"Monte Carlo draws per model, 1 to {MAX_WEB_DRAWS}")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    capability: str = Field("default", max_length=64)
    sensitivity_model: str | None = Field(
        "compromise", description="model whose tornado and Sobol indices are computed; null "
                                  "leaves the sensitivity out")
    sobol_samples: int = Field(64, description=f"Sobol base sample N, 2 to {MAX_WEB_SOBOL}")
    simulation: bool = Field(False, description="also run the dynamic simulation over the "
                                                "same draws (outcome probabilities)")
    until: dt.date | None = Field(None, description="last date simulated (YYYY-MM-DD); "
                                                    "default as for POST /api/simulations")


class BlockCheck(BaseModel):
    own: bool = Field(description="whether the scenario has its own uncertainty block")
    note: str | None = Field(description="the default widths used when it has none")
    spec: dict[str, Any] = Field(description="the block the draws come from")


class IssueUncertaintyCharts(BaseModel):
    issue: str
    distribution: str = Field(description="SVG: forecast distribution of each model")
    tornado: str | None = Field(description="SVG: the largest one-at-a-time swings")


class UncertaintyCharts(BaseModel):
    issues: list[IssueUncertaintyCharts]
    outcomes: str | None = Field(description="SVG: outcome probabilities of each forum "
                                             "meeting over the draws (when simulated)")


@router.post("/uncertainty/check", response_model=BlockCheck,
             summary="Validate a scenario and show the uncertainty block its draws use",
             responses={422: {"description": "invalid scenario or uncertainty block (each "
                                             "problem names its field path)"}})
def check_block(request: Request, body: ScenarioSource) -> Any:
    """The scenario's ``uncertainty`` block as the draws will use it, or located problems."""
    sc = requested_scenario(request, body)
    drawn, own = with_spec(sc)
    return {"own": own, "note": None if own else DEFAULT_WIDTHS_NOTE,
            "spec": drawn.uncertainty.model_dump(mode="json", exclude_defaults=True,
                                                 exclude_none=True)}


@router.post("/uncertainty", status_code=202,
             summary="Monte Carlo distributions and sensitivity of a scenario (as a job)",
             responses={422: {"description": "invalid scenario, or draws / Sobol samples out "
                                             "of range"},
                        400: {"description": "unknown model or capability coding"}})
def start_uncertainty(request: Request, body: UncertaintyRequest) -> Any:
    """Validates at once; the run goes on in the background: poll ``GET /api/jobs/{id}``
    (its ``result`` is the distributions and sensitivity as JSON), fetch
    ``GET /api/jobs/{id}/uncertainty`` for the charts, stop it with
    ``POST /api/jobs/{id}/cancel``."""
    if not uncertainty_available():
        return error_response(501, "the uncertainty part of detente is not installed")
    refused = (out_of_range("draws", body.draws, 1, MAX_WEB_DRAWS, "detente forecast --draws N")
               or out_of_range("sobol_samples", body.sobol_samples, 2, MAX_WEB_SOBOL,
                             "detente sensitivity --samples N"))
    if refused is not None:
        return refused
    scenario = requested_scenario(request, body)
    known = models()
    chosen = list(known) if body.models is None else body.models
    unknown = [m for m in [*chosen, body.sensitivity_model] if m is not None and m not in known]
    if unknown:
        return error_response(400, f"unknown model {', '.join(map(repr, unknown))}; models: "
                                   f"{', '.join(known)}")
    bad_coding = unknown_coding(scenario, body.capability)
    if bad_coding is not None:
        return bad_coding
    if body.simulation and simulation_available():
        check_until(scenario, body.until)  # a 400 now, not a note in the finished job

    recorder: Recorder = request.app.state.recorder

    def work(progress: Any, cancelled: Any) -> dict[str, Any]:
        runs: list[Any] = []  # each Monte Carlo run, kept only to record it
        data = uncertainty_data(scenario, chosen, body.draws, body.seed, body.capability,
                                body.sensitivity_model, body.sobol_samples, progress,
                                cancelled, body.simulation, body.until,
                                None if recorder.path is None else runs.append)
        data["recorded"] = recorder.uncertainty(scenario, runs, body.seed)
        sim = data["simulation"]
        outcomes = (outcome_chart(sim["meetings"], forums)
                    if sim is not None and "error" not in sim else None)
        return {"data": data, "charts": {"issues": issue_uncertainty_charts(data, scenario),
                                         "outcomes": outcomes}}

    forums = {f.id: f.name or f.id for f in scenario.forums}
    jobs: Jobs = request.app.state.jobs
    steps = len(chosen) + (body.sensitivity_model is not None) + body.simulation
    return accepted(jobs.submit("uncertainty", work, steps))


@router.get("/jobs/{job_id}/uncertainty", response_model=UncertaintyCharts,
            tags=["jobs"], summary="The finished uncertainty job's charts as inline SVG")
def uncertainty_charts(request: Request, job_id: JobId) -> Any:
    job = request.app.state.jobs.get(job_id)
    if job.kind != "uncertainty":
        return error_response(409, f"job {job_id} is a {job.kind} run, not an uncertainty run")
    if job.status != "done":
        return error_response(409, f"job {job_id} is {job.status}, not done")
    return job.result["charts"]
