"""``/api/backtest``: model errors on issues with known outcomes, as a cancellable job.

The figures are those of ``detente backtest FILE --json --detail`` (and of its ``--cv K``): the
data come from a library scenario, the scenario open in the editor, or the text of a data file
(a DEU table, whose rows run as separate one-issue cases). Several data files give the figures
of ``detente backtest FILE FILE ...``: each file's, then the pool's, and with ``cv`` the pool
cross-validated. A cancel takes effect between models (of each file), and in the
cross-validation (when asked for, the last part) between the folds of a refitted model and
between other models.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from detente.evaluation.backtest import backtest, model_presets
from detente.evaluation.crossval import cross_validate_files, cv_steps
from detente.evaluation.pooling import SCALE, pool, refuse_repeats
from detente.models import get_model
from detente.report.collect import RunCancelled
from detente.scenario.model import Scenario
from detente.web.errors import out_of_range, unknown_coding
from detente.web.jobs import Jobs
from detente.web.library import ID_PATTERN, Library, parse_data_file, validate_data

router = APIRouter(prefix="/api", tags=["backtest"])
MAX_FOLDS = 20
MAX_FILES = 20


class DataFile(BaseModel):
    """The text of one data file with known outcomes, and what helps read it."""

    data: str = Field(description="the file's text (a DEU table, a scenario file, ...)")
    filename: str | None = Field(None, max_length=200,
                                 description="the file's name (helps detect its format)")
    format: str | None = Field(None, max_length=20,
                               description="input format (detected if omitted)")


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
    files: list[DataFile] | None = Field(
        None, min_length=2, max_length=MAX_FILES,
        description="several data files: each backtested, then pooled (errors in percent of "
                    "each issue's range); with cv, cross-validated as one pool")
    cases: bool | None = Field(None, description="run each issue as a separate one-issue case "
                                                 "(default: yes for DEU data, else no)")
    models: list[str] | None = Field(None, max_length=32,
                                     description="model names (default: compromise and best)")
    preset: str | None = Field(None, max_length=64)
    capability: str = Field("default", max_length=64)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    cv: int | None = Field(None, description=f"also cross-validate this many folds grouped by "
                                             f"proposal (2 to {MAX_FOLDS})")
    cv_by: Literal["proposal", "file"] = Field(
        "proposal", description="what the folds deal: proposals, or whole files (with files; "
                                "cv = the number of files predicts each from the others)")

    @model_validator(mode="after")
    def _one_source(self) -> BacktestRequest:
        given = [v is not None for v in (self.scenario_id, self.scenario, self.data,
                                         self.files)]
        if sum(given) != 1:
            raise ValueError("give exactly one of scenario_id, scenario, data and files")
        if self.cv_by == "file" and (self.files is None or self.cv is None):
            raise ValueError("cv_by 'file' needs cv and at least 2 files")
        if self.cv_by == "file" and self.cv is not None and self.cv > len(self.files or []):
            raise ValueError(f"{self.cv} folds by file need at least {self.cv} files, "
                             f"got {len(self.files or [])}")
        return self


Source = tuple[Scenario, bool, str]  # a scenario, whether its issues are cases, its name


def _sources(request: Request, body: BacktestRequest) -> list[Source]:
    """The data sets to backtest: one, or each of several files."""
    if body.files is not None:
        out = [_with_cases(parse_data_file(f.data.encode("utf-8"), f.filename, f.format), body)
               for f in body.files]
        refuse_repeats([name for _, _, name in out])
        return out
    if body.data is not None:
        source = parse_data_file(body.data.encode("utf-8"), body.filename, body.format)
    elif body.scenario is not None:
        source = validate_data(body.scenario), False, "scenario"
    else:
        lib: Library = request.app.state.library
        entry = lib.get(body.scenario_id or "")
        source = entry.scenario, False, entry.filename
    return [_with_cases(source, body)]


def _with_cases(source: Source, body: BacktestRequest) -> Source:
    sc, multi, name = source
    return sc, multi if body.cases is None else body.cases, name


@router.post("/backtest", status_code=202,
             summary="Backtest models on issues with known outcomes (as a job)",
             responses={422: {"description": "invalid data (each problem names its file, line "
                                             "or field) or folds out of range"},
                        400: {"description": "unknown model, preset or capability coding"}})
def start_backtest(request: Request, body: BacktestRequest) -> Any:
    """Validates at once; poll ``GET /api/jobs/{id}``: its ``result`` is ``{"source",
    "capability", "models": [the objects of detente backtest --json --detail], "cross_validation":
    the --cv object or null}``; with ``files``, ``models`` is replaced by ``"files": [{"source",
    "models"}]`` and ``"pooled": {"scale", "models"}`` as in ``detente backtest FILE FILE
    --json``. Stop it with ``POST /api/jobs/{id}/cancel``."""
    if body.cv is not None:
        refused = out_of_range("cv", body.cv, 2, MAX_FOLDS, "detente backtest --cv K")
        if refused is not None:
            return refused
    sources = _sources(request, body)
    several = body.files is not None
    names = body.models or ["compromise", "best"]
    # an unknown model or preset raises OptionError: a 400 naming the known ones
    runs = len(model_presets([get_model(n) for n in names], body.preset))
    capability = body.capability
    for sc, _, name in sources:
        bad_coding = unknown_coding(sc, capability, name if several else "")
        if bad_coding is not None:
            return bad_coding
    total = runs * len(sources) + (0 if body.cv is None
                                   else cv_steps(names, body.cv, body.preset))

    def work(progress: Any, cancelled: Any) -> dict[str, Any]:
        def step(done: int, label: str) -> None:
            if cancelled():
                raise RunCancelled
            progress(done, total, label)

        results = []
        for n, (sc, cases, name) in enumerate(sources):
            label = f"{name}: " if several else ""
            results.append(backtest(sc, names, body.preset, capability, cases, body.seed, name,
                                    lambda j, what, n=n, label=label: step(n * runs + j,
                                                                            label + what)))
        report = None
        if body.cv is not None:
            report = cross_validate_files(
                [(sc, capability) for sc, _, _ in sources], names, body.cv, body.seed,
                body.preset, before_each=lambda j, label: step(len(sources) * runs + j, label),
                by=body.cv_by)
        progress(total, total, "done")
        cv = None if report is None else report.to_dict()
        if not several:
            return {"source": sources[0][2], "capability": capability,
                    "models": [r.to_dict(detail=True) for r in results[0]],
                    "cross_validation": cv}
        pooled = pool([(sc, res) for (sc, _, _), res in zip(sources, results, strict=True)])
        return {"source": f"{len(sources)} files", "capability": capability,
                "files": [{"source": name, "models": [r.to_dict(detail=True) for r in res]}
                          for (_, _, name), res in zip(sources, results, strict=True)],
                "pooled": {"scale": SCALE, "models": [p.to_dict() for p in pooled]},
                "cross_validation": cv}

    jobs: Jobs = request.app.state.jobs
    job = jobs.submit("backtest", work)
    job.total = total
    return JSONResponse(job.status_dict() | {"result": None}, status_code=202)
