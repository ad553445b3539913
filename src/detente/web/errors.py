"""Every error the API returns is JSON: ``{"error": message, "problems": [...]}``, never a
traceback. Problems carry the field path (``actors[3].salience.A``) the editor uses to mark the
cell at fault.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente.errors import DetenteError, Problem, ScenarioError
from detente.scenario.model import Scenario
from detente.web.jobs import JobNotFoundError
from detente.web.library import LibraryFullError, ReadOnlyError, ScenarioNotFoundError


def problem_dict(p: Problem) -> dict[str, Any]:
    return {"path": p.path, "message": p.message, "line": p.line, "file": p.file}


def error_response(status: int, message: str,
                   problems: list[dict[str, Any]] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "problems": problems or []}, status_code=status)


def problems_response(whose: str, problems: list[Problem]) -> JSONResponse:
    """A 422 listing ``problems``, headed "``whose`` N problem(s)" (``whose``: "the scenario
    has", "the interventions have" ...)."""
    n = len(problems)
    return error_response(422, f"{whose} {n} problem{'s' * (n != 1)}",
                          [problem_dict(p) for p in problems])


def out_of_range(name: str, value: int, low: int, high: int, cli: str) -> JSONResponse | None:
    """A 422 naming the request field ``name`` when ``value`` lies outside the web app's
    bounds (pointing to the command line, ``cli``, for more), else None."""
    if low <= value <= high:
        return None
    message = (f"{name} must be between {low} and {high} in the web app, got {value}; "
               f"for more, run {cli} from the command line")
    return error_response(422, message, [{"path": name, "message": message, "line": None,
                                          "file": None}])


def unknown_coding(scenario: Scenario, capability: str, where: str = "") -> JSONResponse | None:
    """A 400 when ``capability`` is not one of the scenario's codings, else None; ``where``
    (a file's name) prefixes the message. Never read as a table path: the server opens no file
    a request names."""
    if capability in scenario.capability_codings():
        return None
    prefix = f"{where}: " if where else ""
    return error_response(400, f"{prefix}unknown capability coding {capability!r}; known: "
                               f"{', '.join(scenario.capability_codings())}")


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into JSON errors."""

    @app.exception_handler(ScenarioError)
    async def _scenario(_: Request, exc: ScenarioError) -> JSONResponse:
        return problems_response("the scenario has", exc.problems)

    @app.exception_handler(DetenteError)
    async def _detente(_: Request, exc: DetenteError) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(ScenarioNotFoundError)
    async def _not_found(_: Request, exc: ScenarioNotFoundError) -> JSONResponse:
        return error_response(404, f"no scenario with id {exc.args[0]!r}")

    @app.exception_handler(JobNotFoundError)
    async def _no_job(_: Request, exc: JobNotFoundError) -> JSONResponse:
        return error_response(404, f"no job with id {exc.args[0]!r}")

    @app.exception_handler(ReadOnlyError)
    async def _read_only(_: Request, exc: ReadOnlyError) -> JSONResponse:
        return error_response(409, f"scenario {exc.args[0]!r} is shipped with detente and "
                                   "read-only; save it as a copy")

    @app.exception_handler(LibraryFullError)
    async def _full(_: Request, exc: LibraryFullError) -> JSONResponse:
        return error_response(409, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"path": ".".join(str(p) for p in e.get("loc", ())),
                     # pydantic's prefix for the request models' own checks
                     "message": e["msg"].removeprefix("Value error, "),
                     "line": None, "file": None} for e in exc.errors()]
        return error_response(422, "the request is not valid", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        logging.getLogger("detente.web").error("internal error", exc_info=exc)
        return error_response(500, f"internal error ({type(exc).__name__}); the server log "
                                   "has details")
