"""The FastAPI application: the JSON API (documented by its schema at ``/openapi.json``) and
the static browser front end in ``static/`` (plain JavaScript and CSS, no CDN, no build step).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from detente.web import (
    api_backtest,
    api_runs,
    api_scenarios,
    api_simulation,
    api_uncertainty,
    api_whatif,
    errors,
)
from detente.web.body_limit import BodyLimit
from detente.web.jobs import Jobs
from detente.web.library import Library
from detente.web.recording import Recorder

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MULTIPART_OVERHEAD = 64 * 1024


def default_scenario_dir() -> Path | None:
    """``./scenarios`` if it exists, else the scenarios shipped beside the source tree."""
    for candidate in (Path.cwd() / "scenarios", Path(__file__).resolve().parents[3] / "scenarios"):
        if candidate.is_dir():
            return candidate
    return None


def create_app(scenario_dir: Path | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               workers: int = 2, store: Path | None = None, case_workers: int = 1) -> FastAPI:
    """Build the app; ``scenario_dir`` holds the shipped (read-only) scenarios; ``store`` is
    the run store where finished model runs and backtests are recorded (None: nowhere);
    ``workers`` jobs run at once, each running separate cases on ``case_workers`` processes.
    A store that cannot be opened raises :class:`~detente.store.StoreError` here."""
    recorder = Recorder(store)
    recorder.check()
    jobs = Jobs(workers=workers, case_workers=case_workers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="detente",
        summary="Model, simulate and forecast multilateral negotiations between states.",
        description="JSON API of the detente web app. Scenarios are addressed by id (list "
                    "them with GET /api/scenarios); runs are jobs with progress and cancel. "
                    "Errors are JSON objects {error, problems[]}, each problem naming the field "
                    "path at fault.",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN; the app must work
        # offline, so /docs is our own page rendering /openapi.json
        docs_url=None,
        redoc_url=None,
    )
    app.state.library = Library(scenario_dir if scenario_dir is not None
                                else default_scenario_dir())
    app.state.jobs = jobs
    app.state.recorder = recorder
    app.state.max_upload_bytes = max_upload_bytes
    errors.install(app)

    # a body over the limit is refused before a route reads it (413), chunked or not
    app.add_middleware(BodyLimit, limit=max_upload_bytes + MULTIPART_OVERHEAD,
                       upload_limit=max_upload_bytes)
    app.include_router(api_scenarios.router)
    app.include_router(api_runs.router)
    app.include_router(api_simulation.router)
    app.include_router(api_uncertainty.router)
    app.include_router(api_backtest.router)
    app.include_router(api_whatif.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC / "api.html")

    return app
