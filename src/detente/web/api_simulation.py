"""``/api/simulations``: run the dynamic simulation of a scenario as a cancellable job, then
fetch its history (the JSON of ``detente simulate --json``) and its charts as inline SVG.

A cancel takes effect at the engine's next dated step (a meeting or an event;
:mod:`detente.execution.cancel`) or, once the run is done, before the charts are drawn; the
job's progress names the stage it is in.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from detente.report.collect import FINISHING, RunCancelled, simulation_available
from detente.report.sim_svg import (
    actor_names,
    network_legend,
    support_chart,
    timeline_chart,
    trust_multiples,
    trust_network,
)
from detente.report.simulation import check_simulable, check_until, run_simulation
from detente.web.errors import error_response, unknown_coding
from detente.web.jobs import Jobs, accepted
from detente.web.recording import Recorder
from detente.web.sources import ScenarioSource, requested_scenario

router = APIRouter(prefix="/api", tags=["simulation"])
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$",
                            description="id from POST /api/simulations")]
STAGES = ("simulating", "drawing charts")


class SimulationRequest(ScenarioSource):
    """What to simulate: a library scenario by id, or scenario JSON straight from the editor."""

    until: dt.date | None = Field(
        None, description="last date simulated (YYYY-MM-DD); default: the scenario's "
                          "simulation.end, else the later of the end of the year after as_of "
                          "and its last dated event")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    capability: str = Field("default", max_length=64)


class NetworkAt(BaseModel):
    date: str
    svg: str


class SimulationCharts(BaseModel):
    timeline: str = Field(description="SVG: forum meetings coloured by outcome, other events")
    support: str = Field(description="SVG: domestic support by actor over time")
    trust: str = Field(description="SVG: trust between pairs over time, a panel per actor")
    networks: list[NetworkAt] = Field(description="SVG trust network after each dated step")
    legend: str = Field(description="SVG: colour and width key of the networks")


def charts_of(history: dict[str, Any], scenario: dict[str, Any]) -> dict[str, Any]:
    """Every chart of one simulated history (see :mod:`detente.report.sim_svg`)."""
    names = actor_names(scenario)
    forums = {f["id"]: f.get("name") or f["id"] for f in scenario.get("forums", [])}
    dates = sorted({r["date"] for r in history["trust"]})
    return {"timeline": timeline_chart(history, forums),
            "support": support_chart(history, names),
            "trust": trust_multiples(history, names),
            "networks": [{"date": d, "svg": trust_network(history, d, names, size=340)}
                         for d in dates],
            "legend": network_legend(340)}


@router.post("/simulations", status_code=202, summary="Simulate a scenario over its calendar "
             "(as a job)", responses={422: {"description": "invalid scenario, or nothing to "
                                                          "simulate (no forums, no calendar)"}})
def start_simulation(request: Request, body: SimulationRequest) -> Any:
    """Validates the scenario at once; the run goes on in the background: poll
    ``GET /api/jobs/{id}`` (its ``result`` is the history, as ``detente simulate --json``
    prints it, with its ``seed`` and ``recorded``: null, or where ``detente serve --store``
    recorded the run), fetch ``GET /api/jobs/{id}/simulation`` for the charts, and stop it with
    ``POST /api/jobs/{id}/cancel``."""
    if not simulation_available():
        return error_response(501, "the simulation part of detente is not installed")
    scenario = requested_scenario(request, body)
    check_simulable(scenario)
    check_until(scenario, body.until)  # a 400 now, not a failed job
    bad_coding = unknown_coding(scenario, body.capability)
    if bad_coding is not None:
        return bad_coding
    sc_json = scenario.model_dump(mode="json")

    recorder: Recorder = request.app.state.recorder

    def work(progress: Any, cancelled: Any) -> dict[str, Any]:
        progress(0, len(STAGES), STAGES[0])
        runs: list[Any] = []
        history = run_simulation(scenario, body.until, body.seed, body.capability,
                                 None if recorder.path is None else runs.append)
        if cancelled():
            raise RunCancelled("cancelled after the simulation step")
        history["recorded"] = recorder.simulation(runs[0]) if runs else None
        progress(1, len(STAGES), STAGES[1])
        charts = charts_of(history, sc_json)
        progress(2, len(STAGES), FINISHING)
        return {"history": history, "charts": charts}

    jobs: Jobs = request.app.state.jobs
    return accepted(jobs.submit("simulation", work, len(STAGES)))


@router.get("/jobs/{job_id}/simulation", response_model=SimulationCharts, tags=["jobs"],
            summary="The finished simulation's charts as inline SVG")
def simulation_charts(request: Request, job_id: JobId) -> Any:
    job = request.app.state.jobs.get(job_id)
    if job.kind != "simulation":
        return error_response(409, f"job {job_id} is a {job.kind} run, not a simulation")
    if job.status != "done":
        return error_response(409, f"job {job_id} is {job.status}, not done")
    return job.result["charts"]
