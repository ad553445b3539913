"""``/api/runs`` and ``/api/jobs``: run every static model on a scenario as a cancellable job,
poll its progress, fetch its results, charts and HTML report. Also ``/api/info``."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from detente.models import models
from detente.report.charts import issue_charts
from detente.report.collect import (
    ReportData,
    collect,
    simulation_available,
    uncertainty_available,
)
from detente.report.html import render_report
from detente.web.errors import error_response, unknown_coding
from detente.web.jobs import Job, Jobs
from detente.web.recording import Recorder
from detente.web.sources import ScenarioSource, requested_scenario

router = APIRouter(prefix="/api", tags=["runs"])
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="id from POST /api/runs")]


class RunRequest(ScenarioSource):
    """What to run: a library scenario by id, or scenario JSON straight from the editor."""

    models: list[str] | None = Field(None, description="model names; all if omitted",
                                     max_length=50)
    capability: str = Field("default", max_length=64)
    seed: int = Field(0, ge=0, le=2**32 - 1)


class Progress(BaseModel):
    done: int
    total: int
    step: str


class JobStatus(BaseModel):
    id: str
    kind: str
    status: str = Field(description="queued, running, done, failed or cancelled")
    progress: Progress
    error: str | None = None
    result: dict[str, Any] | None = Field(
        None, description="when done: for a models run, the scenario, each model's result "
                          "(the JSON of `detente forecast --json`), a forecast table, the "
                          "prediction intervals of the models that give them (`intervals`), "
                          "simulation and uncertainty parts and `recorded` (null, or where "
                          "`detente serve --store` recorded the runs: {store, runs} or "
                          "{store, error}); for a simulation, the history (the JSON of "
                          "`detente simulate --json`) with its `seed` and `recorded`; for an "
                          "uncertainty run, its data; for a backtest, its figures; for a "
                          "comparison, {comparison, tables} (POST /api/comparisons)")


class ModelInfo(BaseModel):
    name: str
    summary: str
    source: str
    presets: list[str]
    default_preset: str
    default_rounds: int


class PartInfo(BaseModel):
    available: bool


class Info(BaseModel):
    models: list[ModelInfo]
    simulation: PartInfo
    uncertainty: PartInfo
    max_upload_bytes: int


class IssueChartsOut(BaseModel):
    issue: str
    forecast: str = Field(description="SVG: actors and every model's forecast")
    trajectories: dict[str, str] = Field(description="SVG per model with rounds")


def _jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def _status(job: Job, with_result: bool = True) -> JobStatus:
    out = JobStatus.model_validate(job.status_dict())
    if with_result and job.status == "done" and isinstance(job.result, ReportData):
        data = job.result.to_dict()
        data["forecasts"] = job.result.forecast_table()
        data["intervals"] = job.result.intervals()
        data["notes"] = job.result.notes()
        data["recorded"] = job.result.recorded
        out.result = data
    elif with_result and job.status == "done" and job.kind == "simulation":
        out.result = job.result["history"]
    elif with_result and job.status == "done" and job.kind == "uncertainty":
        out.result = job.result["data"]
    elif with_result and job.status == "done" and job.kind in ("backtest", "comparison"):
        out.result = job.result
    return out


def _finished(request: Request, job_id: str) -> ReportData | JSONResponse:
    job = _jobs(request).get(job_id)
    if job.kind != "models":  # a simulation, uncertainty or backtest job has its own views
        return error_response(409, f"job {job_id} is a {job.kind} run, not a models run (POST "
                                   f"/api/runs); its results are at GET /api/jobs/{job_id}")
    if job.status != "done" or not isinstance(job.result, ReportData):
        return error_response(409, f"job {job_id} is {job.status}, not done")
    return job.result


@router.get("/info", response_model=Info, tags=["info"], summary="What this server can do")
def info(request: Request) -> Info:
    return Info(models=[ModelInfo(name=s.name, summary=s.summary, source=s.source,
                                  presets=list(s.presets), default_preset=s.default_preset,
                                  default_rounds=s.default_rounds)
                        for s in models().values()],
                simulation=PartInfo(available=simulation_available()),
                uncertainty=PartInfo(available=uncertainty_available()),
                max_upload_bytes=request.app.state.max_upload_bytes)


@router.post("/runs", status_code=202, response_model=JobStatus,
             summary="Run the static models on a scenario (as a job)")
def start_run(request: Request, body: RunRequest) -> JobStatus:
    """Validates the scenario and options at once (422/400); the run itself goes on in the
    background: poll ``GET /api/jobs/{id}``, stop it with ``POST /api/jobs/{id}/cancel``."""
    scenario = requested_scenario(request, body)
    known = models()
    names = body.models if body.models else list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        return JSONResponse({"error": f"unknown model {', '.join(unknown)}; models: "  # type: ignore[return-value]
                                      f"{', '.join(known)}", "problems": []}, status_code=400)
    bad_coding = unknown_coding(scenario, body.capability)
    if bad_coding is not None:
        return bad_coding  # type: ignore[return-value]

    recorder: Recorder = request.app.state.recorder
    outputs: list[Any] = []  # each model's (arrays, output, result), kept only to record them

    def work(progress: Any, cancelled: Any) -> ReportData:
        data = collect(scenario, names, body.capability, body.seed, progress, cancelled,
                       on_output=None if recorder.path is None
                       else lambda *run: outputs.append(run))
        return replace(data, recorded=recorder.runs(scenario, outputs, body.seed))

    return _status(_jobs(request).submit("models", work, len(names)))


@router.get("/jobs", response_model=list[JobStatus], tags=["jobs"], summary="List jobs")
def list_jobs(request: Request) -> list[JobStatus]:
    return [_status(j, with_result=False) for j in _jobs(request).list()]


@router.get("/jobs/{job_id}", response_model=JobStatus, tags=["jobs"],
            summary="A job's status, progress and (when done) result")
def job_status(request: Request, job_id: JobId) -> JobStatus:
    return _status(_jobs(request).get(job_id))


@router.post("/jobs/{job_id}/cancel", response_model=JobStatus, tags=["jobs"],
             summary="Ask a job to stop")
def cancel(request: Request, job_id: JobId) -> JobStatus:
    """A running job stops before its next model; a finished job is left as it is."""
    return _status(_jobs(request).cancel(job_id), with_result=False)


@router.get("/jobs/{job_id}/charts", response_model=list[IssueChartsOut], tags=["jobs"],
            summary="The finished run's charts as inline SVG")
def charts(request: Request, job_id: JobId) -> Any:
    data = _finished(request, job_id)
    if isinstance(data, JSONResponse):
        return data
    return [c.to_dict() for c in issue_charts(data)]


@router.get("/jobs/{job_id}/report", tags=["jobs"], response_class=HTMLResponse,
            summary="The finished run as one self-contained HTML report (a download)")
def report(request: Request, job_id: JobId) -> Any:
    data = _finished(request, job_id)
    if isinstance(data, JSONResponse):
        return data
    stem = re.sub(r"[^A-Za-z0-9]+", "-", data.scenario.name or "scenario").strip("-").lower()
    return HTMLResponse(render_report(data), headers={
        "Content-Disposition": f'attachment; filename="{stem or "scenario"}-report.html"'})
