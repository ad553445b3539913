"""``/api/comparisons``: what-if, as ``detente compare`` does it: the same seeded runs of a
scenario with and without each intervention, and the paired differences, as a cancellable job.

Interventions come as YAML text in the request (the format of ``scenarios/interventions/``),
never as a path; ``GET /api/interventions`` lists the shipped ones, to start from. Each text
is validated, and applied to the scenario, before the job starts, so a misspelt event id is a
422 naming the intervention, line and field, not a failed job. The result is the JSON of
``detente compare --json`` (``comparison``) and, per intervention, the tables the CLI prints
(the rows worth showing: :mod:`detente.simulation.compare_tables`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, model_validator

from detente.errors import ScenarioError
from detente.report.collect import FINISHING, simulation_available
from detente.report.simulation import check_simulable, check_until, default_until
from detente.web.errors import error_response, problems_response, unknown_coding
from detente.web.jobs import Jobs, accepted
from detente.web.library import Library
from detente.web.sources import ScenarioSource, requested_scenario

router = APIRouter(prefix="/api", tags=["what-if"])
MAX_RUNS = 1000
MAX_INTERVENTIONS = 5
MAX_INTERVENTION_CHARS = 100_000
STAGES = ("simulating the baseline and the interventions", "choosing the rows to show")


class ShippedInterventionOut(BaseModel):
    id: str
    filename: str
    name: str
    description: str
    text: str = Field(description="the file's YAML text, to send back in a comparison")


class ComparisonRequest(ScenarioSource):
    """What to compare: a library scenario by id, or scenario JSON straight from the editor,
    and one or more interventions as YAML text."""

    interventions: list[str] = Field(
        min_length=1, max_length=MAX_INTERVENTIONS,
        description="intervention YAML texts (add, remove, change, behaviour; see "
                    "scenarios/interventions/ and GET /api/interventions)")
    runs: int = Field(100, ge=1, le=MAX_RUNS,
                      description="seeded runs, the same for the baseline and each intervention")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    until: dt.date | None = Field(
        None, description="last date simulated (YYYY-MM-DD); default as for /api/simulations")
    capability: str = Field("default", max_length=64)

    @model_validator(mode="after")
    def _short_enough(self) -> ComparisonRequest:
        too_long = [k + 1 for k, t in enumerate(self.interventions)
                    if len(t) > MAX_INTERVENTION_CHARS]
        if too_long:
            raise ValueError(f"intervention {too_long[0]} is longer than "
                             f"{MAX_INTERVENTION_CHARS:,} characters")
        return self


@router.get("/interventions", response_model=list[ShippedInterventionOut],
            summary="The interventions shipped beside the scenarios")
def list_interventions(request: Request) -> Any:
    """Each shipped intervention with its YAML text; they edit the flagship scenario's calendar
    (event ids such as ``troop-move-iraq``), so applied to another scenario they are refused."""
    lib: Library = request.app.state.library
    return [iv.__dict__ for iv in lib.interventions]


@router.post("/comparisons", status_code=202,
             summary="What-if: the same seeded runs with and without each intervention (as a "
                     "job)",
             responses={422: {"description": "invalid scenario or intervention, an intervention "
                                             "naming an event the scenario lacks, or nothing to "
                                             "simulate"}})
def start_comparison(request: Request, body: ComparisonRequest) -> Any:
    """Validates the scenario and the interventions at once; the runs go on in the background:
    poll ``GET /api/jobs/{id}``; its ``result`` is ``{comparison, tables}``: ``comparison`` as
    ``detente compare --json`` prints it (every row, with ``notes`` per intervention), and
    ``tables`` per intervention the tables of rows worth showing, with ``left_out``, the note
    on the rows left out. Stop it with ``POST /api/jobs/{id}/cancel``."""
    if not simulation_available():
        return error_response(501, "the simulation part of detente is not installed")
    from detente.simulation import SimOptions
    from detente.simulation.compare import apply_intervention, compare, parse_intervention
    from detente.simulation.compare_tables import difference_tables, left_out_note

    scenario = requested_scenario(request, body)
    check_simulable(scenario)
    check_until(scenario, body.until)
    bad_coding = unknown_coding(scenario, body.capability)
    if bad_coding is not None:
        return bad_coding
    problems, ivs = [], []
    for k, text in enumerate(body.interventions):
        try:
            iv = parse_intervention(text, f"intervention {k + 1}")
            apply_intervention(scenario, iv)  # an unknown event id: a 422 now
            ivs.append(iv)
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        return problems_response("the intervention has" if len(body.interventions) == 1
                                 else "the interventions have", problems)
    options = SimOptions(until=body.until or default_until(scenario), capability=body.capability)

    def work(progress: Any, cancelled: Any) -> dict[str, Any]:
        progress(0, len(STAGES), STAGES[0])
        data = compare(scenario, ivs, options, runs=body.runs, seed=body.seed)
        progress(1, len(STAGES), STAGES[1])
        tables = []
        for entry in data["interventions"]:
            diffs = difference_tables(entry)
            tables.append({"tables": [d.to_dict() for d in diffs if d.rows],
                           "left_out": left_out_note(diffs, "the job's JSON (GET /api/jobs/ID)")})
        progress(2, len(STAGES), FINISHING)
        return {"comparison": data, "tables": tables}

    jobs: Jobs = request.app.state.jobs
    return accepted(jobs.submit("comparison", work, len(STAGES)))
