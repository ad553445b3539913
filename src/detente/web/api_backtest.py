"""``/api/backtest``: model errors on issues with known outcomes, as a cancellable job.

The figures are those of ``detente backtest FILE --json --detail`` (and of its ``--cv K``): the
data come from a library scenario, the scenario open in the editor, or the text of a data file
(a DEU table, whose rows run as separate one-issue cases). A cancel takes effect between
models, and in the cross-validation (when asked for, the last part) between the folds of a
refitted model and between other models.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from detente.evaluation.backtest import backtest, model_presets
from detente.evaluation.crossval import cross_validate_usable, cv_steps
from detente.models import get_model
from detente.report.collect import RunCancelled
from detente.scenario.model import Scenario
from detente.web.errors import out_of_range, unknown_coding
from detente.web.jobs import Jobs
from detente.web.library import ID_PATTERN, Library, parse_data_file, validate_data

router = APIRouter(prefix="/api", tags=["backtest"])
MAX_FOLDS = 20


class BacktestRequest(BaseModel):
    """Which data, which models, and whether to cross-validate."""

    scenario_id: str | None = Field(None, pattern=ID_PATTERN)
    scenario: dict[str, Any] | None = None
    data: str | None = Field(None, description="text of a data file with known outcomes "
                                               "(a DEU table, a scenario file, ...)")
    filename: str | None = Field(None, max_length=200,
                                 description="the data file's name (helps detect its format)")
    format: str | None = Field(None, max_length=20, description="input format of ``data`` "
                                                               "(detected if omitted)")
    cases: bool | None = Field(None, description="run each issue as a separate one-issue case "
                                                 "(default: yes for DEU data, else no)")
    models: list[str] | None = Field(None, max_length=32,
                                     description="model names (default: compromise and best)")
    preset: str | None = Field(None, max_length=64)
    capability: str = Field("default", max_length=64)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    cv: int | None = Field(None, description=f"also cross-validate this many folds grouped by "
                                             f"proposal (2 to {MAX_FOLDS})")

    @model_validator(mode="after")
    def _one_source(self) -> BacktestRequest:
        given = [v is not None for v in (self.scenario_id, self.scenario, self.data)]
        if sum(given) != 1:
            raise ValueError("give exactly one of scenario_id, scenario and data")
        return self


def _source(request: Request, body: BacktestRequest) -> tuple[Scenario, bool, str]:
    """The scenario, whether its issues are separate cases, and a name for it."""
    if body.data is not None:
        sc, multi, name = parse_data_file(body.data.encode("utf-8"), body.filename,
                                          body.format)
    elif body.scenario is not None:
        sc, multi, name = validate_data(body.scenario), False, "scenario"
    else:
        lib: Library = request.app.state.library
        entry = lib.get(body.scenario_id or "")
        sc, multi, name = entry.scenario, False, entry.filename
    return sc, multi if body.cases is None else body.cases, name


@router.post("/backtest", status_code=202,
             summary="Backtest models on issues with known outcomes (as a job)",
             responses={422: {"description": "invalid data (each problem names its file, line "
                                             "or field) or folds out of range"},
                        400: {"description": "unknown model, preset or capability coding"}})
def start_backtest(request: Request, body: BacktestRequest) -> Any:
    """Validates at once; poll ``GET /api/jobs/{id}``: its ``result`` is ``{"source",
    "capability", "models": [the objects of detente backtest --json --detail], "cross_validation":
    the --cv object or null}``; stop it with ``POST /api/jobs/{id}/cancel``."""
    if body.cv is not None:
        refused = out_of_range("cv", body.cv, 2, MAX_FOLDS, "detente backtest --cv K")
        if refused is not None:
            return refused
    sc, cases, name = _source(request, body)
    names = body.models or ["compromise", "best"]
    # an unknown model or preset raises OptionError: a 400 naming the known ones
    runs = len(model_presets([get_model(n) for n in names], body.preset))
    capability = body.capability
    bad_coding = unknown_coding(sc, capability)
    if bad_coding is not None:
        return bad_coding
    total = runs + (0 if body.cv is None else cv_steps(names, body.cv, body.preset))

    def work(progress: Any, cancelled: Any) -> dict[str, Any]:
        def step(done: int, label: str) -> None:
            if cancelled():
                raise RunCancelled
            progress(done, total, label)

        results = backtest(sc, names, body.preset, capability, cases, body.seed, name, step)
        report = None
        if body.cv is not None:
            report = cross_validate_usable(sc, capability, names, body.cv, body.seed,
                                           body.preset,
                                           before_each=lambda j, label: step(runs + j, label))
        progress(total, total, "done")
        return {"source": name, "capability": capability,
                "models": [r.to_dict(detail=True) for r in results],
                "cross_validation": None if report is None else report.to_dict()}

    jobs: Jobs = request.app.state.jobs
    job = jobs.submit("backtest", work)
    job.total = total
    return JSONResponse(job.status_dict() | {"result": None}, status_code=202)
