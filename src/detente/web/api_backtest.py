"""``/api/backtest``: model errors on issues with known outcomes, as a cancellable job.

The figures are those of ``detente backtest FILE --json --detail`` (and of its ``--cv K``): the
data come from a library scenario, the scenario open in the editor, or the text of a data file
(a DEU table, whose rows run as separate one-issue cases). Several data files give the figures
of ``detente backtest FILE FILE ...``: each file's, then the pool's, and with ``cv`` the pool
cross-validated. A cancel takes effect between models (of each file) and, inside a model,
between its issues or separate cases (:mod:`detente.execution.cancel`); in the
cross-validation (when asked for, the last part) between the folds of a refitted model and
between other models.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field, model_validator

from detente.evaluation.backtest import backtest, model_presets
from detente.evaluation.crossval import check_cross_validation, cross_validate_files, cv_steps
from detente.evaluation.metrics import BEATS_NOTE
from detente.evaluation.pooling import SCALE, pool, refuse_repeats
from detente.models import get_model
from detente.report.collect import FINISHING, RunCancelled
from detente.scenario.model import Scenario
from detente.web.errors import out_of_range, unknown_coding
from detente.web.jobs import Jobs, accepted
from detente.web.library import ID_PATTERN, Library, parse_upload, validate_data
from detente.web.recording import Recorder
from detente.web.sources import RequestBody

router = APIRouter(prefix="/api", tags=["backtest"])
MAX_FOLDS = 20
MAX_FILES = 20


class DataFile(RequestBody):
    """The text of one data file with known outcomes, and what helps read it."""

    data: str = Field(description="the file's text (a DEU table, a scenario file, ...)")
    filename: str | None = Field(None, max_length=200,
                                 description="the file's name (helps detect its format)")
    format: str | None = Field(None, max_length=20,
                               description="input format (detected if omitted)")


class BacktestRequest(RequestBody):
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
                                                 "(default: what the data say, its "
                                                 "separate_cases: yes for DEU and case files)")
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


Source = tuple[Scenario, str]  # a scenario (its separate_cases as the request says) and name


def _sources(request: Request, body: BacktestRequest) -> list[Source]:
    """The data sets to backtest: one, or each of several files."""
    if body.files is not None:
        out = [parse_upload(f.data.encode("utf-8"), f.filename, f.format) for f in body.files]
        refuse_repeats([name for _, name in out])
    elif body.data is not None:
        out = [parse_upload(body.data.encode("utf-8"), body.filename, body.format)]
    elif body.scenario is not None:
        out = [(validate_data(body.scenario), "scenario")]
    else:
        lib: Library = request.app.state.library
        entry = lib.get(body.scenario_id or "")
        out = [(entry.scenario, entry.filename)]
    return [(sc.with_cases(body.cases), name) for sc, name in out]


@router.post("/backtest", status_code=202,
             summary="Backtest models on issues with known outcomes (as a job)",
             responses={422: {"description": "invalid data (each problem names its file, line "
                                             "or field) or folds out of range"},
                        400: {"description": "unknown model, preset or capability coding, or "
                                             "too few proposals (or files) for the folds"}})
def start_backtest(request: Request, body: BacktestRequest) -> Any:
    """Validates at once; poll ``GET /api/jobs/{id}``: its ``result`` is ``{"source",
    "capability", "models": [the objects of detente backtest --json --detail], "cross_validation":
    the --cv object or null}``; with ``files``, ``models`` is replaced by ``"files": [{"source",
    "models"}]`` and ``"pooled": {"scale", "models"}`` as in ``detente backtest FILE FILE
    --json``. ``recorded`` is null, or (when ``detente serve --store`` names a run store)
    ``{"store", "runs": [run ids]}`` or ``{"store", "error"}``; ``beats_note`` says what the
    models' ``beats_compromise`` counts. Stop it with ``POST
    /api/jobs/{id}/cancel``."""
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
    for sc, name in sources:
        bad_coding = unknown_coding(sc, capability, name if several else "")
        if bad_coding is not None:
            return bad_coding
    if body.cv is not None:  # too few proposals for the folds: a 400 now, not a failed job
        check_cross_validation([(sc, capability) for sc, _ in sources], names, body.cv,
                               body.seed, by=body.cv_by,
                               sources=[name for _, name in sources] if several else None)
    total = runs * len(sources) + (0 if body.cv is None
                                   else cv_steps(names, body.cv, body.preset))

    recorder: Recorder = request.app.state.recorder

    def work(progress: Any, cancelled: Any) -> dict[str, Any]:
        def step(done: int, label: str) -> None:
            if cancelled():
                raise RunCancelled
            progress(done, total, label)

        results = []
        for n, (sc, name) in enumerate(sources):
            label = f"{name}: " if several else ""
            results.append(backtest(sc, names, body.preset, capability, sc.separate_cases,
                                    body.seed, name,
                                    lambda j, what, n=n, label=label: step(n * runs + j,
                                                                            label + what)))
        report = None
        if body.cv is not None:
            report = cross_validate_files(
                [(sc, capability) for sc, _ in sources], names, body.cv, body.seed,
                body.preset, before_each=lambda j, label: step(len(sources) * runs + j, label),
                by=body.cv_by)
        progress(total, total, FINISHING)
        cv = None if report is None else report.to_dict()
        recorded = recorder.backtests(
            [(sc, name, res) for (sc, name), res in zip(sources, results, strict=True)],
            body.seed, report)
        if not several:
            return {"source": sources[0][1], "capability": capability,
                    "models": [r.to_dict(detail=True) for r in results[0]],
                    "cross_validation": cv, "recorded": recorded, "beats_note": BEATS_NOTE}
        pooled = pool([(sc, res) for (sc, _), res in zip(sources, results, strict=True)])
        return {"source": f"{len(sources)} files", "capability": capability,
                "files": [{"source": name, "models": [r.to_dict(detail=True) for r in res]}
                          for (_, name), res in zip(sources, results, strict=True)],
                "pooled": {"scale": SCALE, "models": [p.to_dict() for p in pooled]},
                "cross_validation": cv, "recorded": recorded, "beats_note": BEATS_NOTE}

    jobs: Jobs = request.app.state.jobs
    return accepted(jobs.submit("backtest", work, total))
