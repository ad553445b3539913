"""Long runs as jobs: started in a worker thread, polled for progress, cancellable.

A job wraps a function ``work(progress, cancelled)``; the function reports progress through the
callback and checks ``cancelled()`` between steps (the report collector does this between
models); inside a model, :mod:`detente.execution.cancel` stops it between issues, separate
cases or Monte Carlo chunks. Finished jobs are kept up to a limit, the oldest dropped first.
Inside a job, separate cases run on ``case_workers`` processes (:mod:`detente.execution.cases`;
``serve --workers``).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import JSONResponse

from detente.errors import DetenteError, RunCancelled
from detente.execution.cancel import cancel_when
from detente.execution.cases import case_workers as cases_on

Work = Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any]


@dataclass
class Job:
    id: str
    kind: str
    status: str = "queued"  # queued, running, done, failed, cancelled
    done: int = 0
    total: int = 0
    step: str = ""
    error: str | None = None
    result: Any = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def status_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status,
                "progress": {"done": self.done, "total": self.total, "step": self.step},
                "error": self.error}


class JobNotFoundError(LookupError):
    """No job with this id."""


class Jobs:
    """A small pool of worker threads running jobs, with status and cancellation."""

    def __init__(self, workers: int = 2, keep: int = 100, case_workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="detente-job")
        self._case_workers = case_workers
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, kind: str, work: Work, total: int = 0) -> Job:
        """Queue ``work``; ``total`` is the number of steps its progress counts to."""
        job = Job(id=secrets.token_hex(6), kind=kind, total=total)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].status in ("queued", "running"):
                    break
                del self._jobs[oldest]
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Work) -> None:
        if job.cancel_event.is_set():
            job.status, job.finished = "cancelled", time.time()
            return
        job.status = "running"

        def progress(done: int, total: int, step: str) -> None:
            job.done, job.total, job.step = done, total, step

        try:
            # a model checks the cancel between its issues, cases and chunks too
            with cases_on(self._case_workers), cancel_when(job.cancel_event.is_set):
                job.result = work(progress, job.cancel_event.is_set)
            job.status = "done"
        except RunCancelled:
            job.status = "cancelled"
        except DetenteError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a bug must not kill the worker; report it without traceback
            job.status, job.error = "failed", f"internal error ({type(exc).__name__}: {exc})"
        finally:
            job.finished = time.time()

    def get(self, job_id: str) -> Job:
        with self._lock:
            if job_id not in self._jobs:
                raise JobNotFoundError(job_id)
            return self._jobs[job_id]

    def list(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        job.cancel_event.set()
        if job.status == "queued":
            job.status = "cancelled"
        return job

    def shutdown(self) -> None:
        for job in self.list():
            job.cancel_event.set()
        self._pool.shutdown(wait=False, cancel_futures=True)


def accepted(job: Job) -> JSONResponse:
    """The 202 answer to a POST that started ``job``: its status, no result yet."""
    return JSONResponse(job.status_dict() | {"result": None}, status_code=202)
