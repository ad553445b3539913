"""Fixtures for the web app: an in-process API client and a live server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install 'detente[web]')")

from fastapi.testclient import TestClient

from detente.web import create_app

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
UPLOAD_LIMIT = 64 * 1024


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(SCENARIOS, max_upload_bytes=UPLOAD_LIMIT)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def finished(client: TestClient, job_id: str, tries: int = 3000) -> dict[str, Any]:
    """Poll the job every 20 ms until it is no longer queued or running and return its
    status; fail after ``tries`` polls. (For apps of a test's own, e.g. with a run store.)"""
    for _ in range(tries):
        status = client.get(f"/api/jobs/{job_id}").json()
        if status["status"] not in ("queued", "running"):
            return status
        time.sleep(0.02)
    raise AssertionError("job did not finish")


@pytest.fixture
def wait(client: TestClient) -> Callable[..., dict[str, Any]]:
    """``wait(job_id, tries=3000)``: :func:`finished` on the test client."""
    return lambda job_id, tries=3000: finished(client, job_id, tries)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 and a free port, recording backtests in a run
    store of its own (as ``detente serve --store``); stopped after the tests."""
    uvicorn = pytest.importorskip("uvicorn")
    port = free_port()
    store = tmp_path_factory.mktemp("store") / "web.duckdb"
    config = uvicorn.Config(create_app(SCENARIOS, store=store), host="127.0.0.1", port=port,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
