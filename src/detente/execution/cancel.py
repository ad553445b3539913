"""Stopping a long run part way: ``with cancel_when(cancelled): ...``.

Why. The web app runs models as jobs that a user may cancel. A job checked its ``cancelled()``
between models only, so a cancel waited for the model running: ``smp`` on the 248 DEU cases at
a report's 500 draws runs for minutes. Inside the block, a model that goes issue by issue or case
by case, separate cases on worker processes, Monte Carlo chunks and the simulation engine's
dated steps call :func:`check_cancelled` between steps, which raises
:class:`~detente.errors.RunCancelled` once ``cancelled()`` is true. The setting is a context
variable: other threads (other jobs) are not affected, and outside a block the check costs one
lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from detente.errors import RunCancelled

_CANCELLED: ContextVar[Callable[[], bool] | None] = ContextVar("cancelled", default=None)


@contextmanager
def cancel_when(cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Inside the block, :func:`check_cancelled` raises once ``cancelled()`` is true."""
    token = _CANCELLED.set(cancelled)
    try:
        yield
    finally:
        _CANCELLED.reset(token)


def check_cancelled(where: str) -> None:
    """Raise :class:`RunCancelled` (saying ``where`` the run stopped) if asked to stop."""
    cancelled = _CANCELLED.get()
    if cancelled is not None and cancelled():
        raise RunCancelled(f"cancelled {where}")
