"""Separate cases side by side in worker processes: ``with case_workers(n): ...``.

Why. A model that links issues (``condorcet``, ``exchange``, ``smp``) forecasts each case of a
file of unrelated cases alone (DEU rows, case files; :func:`detente.models.base.each_issue_alone`),
one after another. ``smp`` on the 248 DEU cases at a report's default 500 draws took 11-13
minutes on one core. The cases are independent, so inside ``case_workers(n)`` they run on ``n``
local worker processes (:class:`~detente.execution.executors.ProcessExecutor`, one BLAS and
numba thread each). Each case draws from its own child of the run's generator whichever process
runs it, so the forecasts are the same bits for any number of workers (tested).

Outside the block, or with ``n`` 1, everything runs in this process, as before. The pool is
made on the first case run in parallel and closed when the block ends; the setting is a context
variable, so a web server's other threads are not affected. As with any process pool
(``forkserver`` or ``spawn``), a script that enters the block must keep its top-level code
under ``if __name__ == "__main__":``, since each worker imports the script's main module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from detente.errors import ModelError
from detente.execution.cancel import check_cancelled
from detente.execution.executors import ProcessExecutor, check_workers

_WORKERS: ContextVar[int] = ContextVar("case_workers", default=1)
_POOL: ContextVar[list[ProcessExecutor]] = ContextVar("case_pool")


@contextmanager
def case_workers(workers: int) -> Iterator[None]:
    """Run separate cases on ``workers`` processes inside the block (1: in this process; at
    most as many as the machine has cores and the first run has cases)."""
    check_workers(workers)
    pool: list[ProcessExecutor] = []  # made on first use
    tokens = (_WORKERS.set(workers), _POOL.set(pool))
    try:
        yield
    finally:
        _WORKERS.reset(tokens[0])
        _POOL.reset(tokens[1])
        for ex in pool:
            ex.close()


def workers() -> int:
    """The number of processes separate cases run on here (1 outside :func:`case_workers`)."""
    return _WORKERS.get()


def _indexed(item: tuple[int, Callable[[Any], Any], Any]) -> tuple[int, Any]:
    k, fn, task = item
    return k, fn(task)


def map_cases(fn: Callable[[Any], Any], tasks: Sequence[Any]) -> list[Any]:
    """``[fn(t) for t in tasks]``, on the worker processes of the enclosing
    :func:`case_workers` when there are several workers and tasks. ``fn`` must be a module-level
    function and the tasks picklable."""
    n = _WORKERS.get()
    if n < 2 or len(tasks) < 2:
        return [_checked(fn, t, k, len(tasks)) for k, t in enumerate(tasks)]
    pool = _POOL.get()
    if not pool:  # never more processes than cores or cases: each holds a copy of detente
        pool.append(ProcessExecutor(min(n, usable_cores(), len(tasks))))
    out: list[Any] = [None] * len(tasks)
    try:
        for done, (k, result) in enumerate(pool[0].imap_unordered(
                _indexed, ((k, fn, t) for k, t in enumerate(tasks)))):
            out[k] = result
            if done + 1 < len(tasks):  # the cases under way finish; no new one starts
                check_cancelled(f"after {done + 1} of {len(tasks)} cases")
    except BrokenProcessPool:
        raise ModelError(f"a worker process running separate cases died (killed, or out of "
                         f"memory?); try fewer --workers than {n}, or 1") from None
    return out


def _checked(fn: Callable[[Any], Any], task: Any, k: int, n: int) -> Any:
    if k:
        check_cancelled(f"after {k} of {n} cases")
    return fn(task)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1
