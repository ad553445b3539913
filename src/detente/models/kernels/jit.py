"""numba compilation on first use, shared by the compiled kernels (challenge, exchange, SMP).

Importing numba and compiling (or loading from numba's cache) takes a second or more, so a
kernel module compiles its loops the first time they are asked for, not when it is imported.
"""

from __future__ import annotations

from typing import Any


def jit_once(cache: list, namespace: dict[str, Any], helpers: tuple[str, ...],
             kernels: tuple[str, ...]) -> tuple | None:
    """A module's compiled ``kernels`` (names in ``namespace``, its globals), or None where
    numba is not installed; the answer is kept in ``cache`` (an empty list at first).

    ``helpers`` are the functions the kernels call: they are compiled first and replace the
    Python ones in ``namespace``, which is where the compiled kernels look them up."""
    if not cache:
        try:
            import numba
        except ImportError:  # pragma: no cover - depends on the environment
            cache.append(None)
        else:  # pragma: no cover - compiled code is not traced by coverage
            jit = numba.njit(cache=True, nogil=True)
            for name in helpers:
                namespace[name] = jit(namespace[name])
            cache.append(tuple(jit(namespace[name]) for name in kernels))
    return cache[0]
