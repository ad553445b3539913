"""Where sweep cells run: in this process, in local worker processes, or on Dask.

Every executor has one method, ``imap_unordered(fn, tasks)``, yielding results as they finish,
with at most a few tasks in flight per worker (so memory stays bounded). Results carry their
cell, and each cell's randomness comes from its own seed, so the order of completion and the
number of workers never change what is computed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from detente.errors import OptionError

Fn = Callable[[Any], Any]


class Executor(Protocol):
    name: str
    workers: int

    def imap_unordered(self, fn: Fn, tasks: Iterable[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Run each task in this process, one after another."""

    name = "serial"
    workers = 1

    def imap_unordered(self, fn: Fn, tasks: Iterable[Any]) -> Iterator[Any]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        pass


BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS",
                    "DETENTE_THREADS")


def limit_blas_threads() -> None:
    """Worker initializer: one BLAS/OpenMP/numba thread per worker process.

    Each worker is already one of ``workers`` processes; a BLAS that also starts a thread per
    core oversubscribes the machine (2 workers were slower than 1), and so does the challenge
    model's compiled round, which otherwise runs a thread per core (``DETENTE_THREADS``). The
    variables are read when numpy loads its BLAS, which in a fresh worker happens after this
    runs; if numpy is already loaded, threadpoolctl (when installed) limits the running pools.
    """
    for var in BLAS_THREAD_VARS:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def init_worker() -> None:
    """Worker initializer: one thread each (:func:`limit_blas_threads`), and Ctrl-C left to
    the parent process, which gets the same Ctrl-C from the terminal: it cancels the tasks
    not started and says what is kept, while the workers finish the task under way and exit
    cleanly. (A worker stopped by Ctrl-C printed a traceback, and one killed while it held
    the pool's task queue left the parent waiting for ever.)"""
    limit_blas_threads()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def check_workers(workers: int) -> None:
    """Refuse a worker count below 1."""
    if workers < 1:
        raise OptionError(f"--workers must be at least 1, got {workers}")


class ProcessExecutor:
    """Local worker processes (``forkserver`` start method where available, else spawn)."""

    name = "local"

    def __init__(self, workers: int) -> None:
        check_workers(workers)
        self.workers = workers
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                         initializer=init_worker)

    def imap_unordered(self, fn: Fn, tasks: Iterable[Any]) -> Iterator[Any]:
        pending: set[Future[Any]] = set()
        it = iter(tasks)
        limit = 2 * self.workers
        exhausted = False
        while True:
            while not exhausted and len(pending) < limit:
                try:
                    pending.add(self._pool.submit(fn, next(it)))
                except StopIteration:
                    exhausted = True
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Dask distributed: an existing scheduler (``address``) or a local cluster."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int = 2) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise OptionError("the dask executors need dask[distributed]: "
                              "pip install 'dask[distributed]'") from None
        self._cluster = None
        try:
            if address is None:
                self._cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, env=dict.fromkeys(BLAS_THREAD_VARS, "1"))
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout="10s")
        except (OSError, ValueError) as exc:  # ValueError: an address without a port etc.
            raise OptionError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def imap_unordered(self, fn: Fn, tasks: Iterable[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        it = iter(tasks)
        limit = 2 * self.workers
        first = [self._client.submit(fn, t, pure=False) for _, t in zip(range(limit), it,
                                                                       strict=False)]
        if not first:
            return
        ac = as_completed(first)
        for fut in ac:
            result = fut.result()
            fut.release()
            for t in itertools_one(it):
                ac.add(self._client.submit(fn, t, pure=False))
            yield result

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def itertools_one(it: Iterator[Any]) -> list[Any]:
    """The next item of ``it`` as a one-element list, or [] when it is exhausted."""
    for x in it:
        return [x]
    return []


def make_executor(kind: str = "local", workers: int = 1,
                  address: str | None = None) -> Executor:
    """``local`` (processes; in-process when ``workers`` is 1), ``dask`` or ``dask-local``."""
    if address and kind != "dask":  # it ran locally and ignored the scheduler named
        raise OptionError(f"--address names a Dask scheduler: give --executor dask with it "
                          f"(the executor is {kind})")
    if kind == "local":
        return SerialExecutor() if workers == 1 else ProcessExecutor(workers)
    if kind == "dask":
        if not address:
            raise OptionError("--executor dask needs --address tcp://HOST:PORT "
                              "(or use --executor dask-local)")
        return DaskExecutor(address)
    if kind == "dask-local":
        return DaskExecutor(None, workers)
    raise OptionError(f"unknown executor {kind!r}; use local, dask or dask-local")
