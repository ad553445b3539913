"""``/api/scenarios``: list, upload, create, validate, read, replace, delete and download
scenarios, each addressed by its id in the library."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field, model_validator

from detente.errors import ScenarioError
from detente.scenario.io import get_format
from detente.web.errors import error_response, problem_dict
from detente.web.library import ID_PATTERN, Entry, Library, parse_upload, validate_data
from detente.web.sources import RequestBody

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"])
ScenarioId = Annotated[str, Path(pattern=ID_PATTERN, description="id from GET /api/scenarios")]


class ScenarioSummary(BaseModel):
    id: str
    name: str
    origin: str = Field(description="'shipped' (read-only) or 'user'")
    filename: str
    actors: int
    issues: int
    forums: int
    events: int
    as_of: str | None


class ScenarioDocument(BaseModel):
    summary: ScenarioSummary
    scenario: dict[str, Any] = Field(description="the scenario in detente's JSON format")


class NewScenario(RequestBody):
    scenario: dict[str, Any] = Field(description="the scenario in detente's JSON format")
    filename: str = Field("edited.yaml", max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _not_a_bare_scenario(cls, data: Any) -> Any:
        if isinstance(data, dict) and "scenario" not in data and BARE_KEYS & set(data):
            raise ValueError("POST /api/scenarios takes {scenario, filename}; this body is a "
                             "bare scenario (the body of PUT /api/scenarios/{id}): wrap it as "
                             "{\"scenario\": ...}")
        return data


# keys of a scenario itself (a body with them and no 'scenario' is a bare scenario)
BARE_KEYS = {"issues", "actors"}


class ProblemOut(BaseModel):
    path: str
    message: str
    line: int | None = None
    file: str | None = None


class Validation(BaseModel):
    valid: bool
    problems: list[ProblemOut]


def library(request: Request) -> Library:
    return request.app.state.library


def _summary(entry: Entry) -> ScenarioSummary:
    return ScenarioSummary.model_validate(entry.summary())


def _document(entry: Entry) -> ScenarioDocument:
    return ScenarioDocument(summary=_summary(entry),
                            scenario=entry.scenario.model_dump(mode="json", exclude_none=True))


@router.get("", response_model=list[ScenarioSummary], summary="List the scenarios")
def list_scenarios(request: Request) -> list[ScenarioSummary]:
    """Shipped scenarios first, then the user's uploads and saved copies."""
    return [_summary(e) for e in library(request).list()]


@router.post("/upload", status_code=201, response_model=ScenarioSummary,
             summary="Upload a scenario file",
             responses={413: {"description": "file too large"},
                        422: {"description": "the file is not a valid scenario"}})
async def upload(request: Request, file: Annotated[UploadFile, File()],
                 format: Annotated[str | None, Form(max_length=20)] = None) -> ScenarioSummary:
    """Any format ``detente convert`` reads (detected from content); validated before use."""
    limit: int = request.app.state.max_upload_bytes
    raw = await file.read(limit + 1)
    if len(raw) > limit:
        return error_response(  # type: ignore[return-value]
            413, f"the file is larger than the upload limit of {limit} bytes")
    scenario, name = parse_upload(raw, file.filename, format or None)
    return _summary(library(request).add(scenario, name))


@router.post("", status_code=201, response_model=ScenarioSummary,
             summary="Create a scenario from JSON (the editor's 'save as copy')")
def create(request: Request, body: NewScenario) -> ScenarioSummary:
    scenario = validate_data(body.scenario)
    filename = re.sub(r"[^A-Za-z0-9._ -]+", "_", body.filename) or "edited.yaml"
    return _summary(library(request).add(scenario, filename))


@router.post("/validate", response_model=Validation, summary="Check scenario JSON")
def validate(scenario: Annotated[dict[str, Any], Body()]) -> Validation:
    """Every problem at once, each with the field path of the value at fault."""
    try:
        validate_data(scenario)
    except ScenarioError as exc:
        return Validation(valid=False, problems=[ProblemOut.model_validate(problem_dict(p))
                                                 for p in exc.problems])
    return Validation(valid=True, problems=[])


@router.get("/{sid}", response_model=ScenarioDocument, summary="Read a scenario")
def read(request: Request, sid: ScenarioId) -> ScenarioDocument:
    return _document(library(request).get(sid))


@router.put("/{sid}", response_model=ScenarioSummary, summary="Replace a user scenario")
def replace(request: Request, sid: ScenarioId,
            scenario: Annotated[dict[str, Any], Body()]) -> ScenarioSummary:
    """Shipped scenarios are read-only (409): save a copy with POST /api/scenarios."""
    lib = library(request)
    lib.get(sid)
    if isinstance(scenario.get("scenario"), dict) and not BARE_KEYS & set(scenario):
        return error_response(  # type: ignore[return-value]
            422, "PUT /api/scenarios/{id} takes the scenario itself as the body; "
                 "{scenario, filename} is the body of POST /api/scenarios (a new copy)")
    return _summary(lib.replace(sid, validate_data(scenario)))


@router.delete("/{sid}", status_code=204, summary="Delete a user scenario")
def delete(request: Request, sid: ScenarioId) -> Response:
    library(request).delete(sid)
    return Response(status_code=204)


@router.get("/{sid}/download", summary="Download a scenario file",
            responses={200: {"content": {"application/yaml": {}, "application/json": {}}}})
def download(request: Request, sid: ScenarioId, format: str = "yaml") -> Response:
    """The scenario as ``yaml`` or ``json`` (or any writable format ``detente convert`` knows)."""
    entry = library(request).get(sid)
    fmt = get_format(format)
    if fmt.write is None:
        return error_response(400, f"format {format!r} can be read but not written")
    text = fmt.write(entry.scenario)
    suffix = fmt.suffixes[0] if fmt.suffixes else ".txt"
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", entry.filename.rsplit(".", 1)[0]) or sid
    media = {"yaml": "application/yaml", "json": "application/json"}.get(fmt.name,
                                                                          "text/plain")
    return Response(text, media_type=f"{media}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{stem}{suffix}"'})
