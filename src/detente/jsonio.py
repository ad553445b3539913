"""JSON text for results, refusing NaN and infinity with an error that says where they are.

Strict JSON has no NaN; Python's encoder would write the non-standard ``NaN`` or fail with a
message that names no field. A result value that is not a finite number is a bug or an input
too extreme for a model, and the user should learn which field holds it, before anything is
written.
"""

from __future__ import annotations

import json
import math
from typing import Any

from detente.errors import ModelError


def dumps_finite(data: Any, **kwargs: Any) -> str:
    """``json.dumps(data, allow_nan=False, **kwargs)``; a NaN or infinity raises
    :class:`ModelError` naming its path (``issues[2].forecast``)."""
    try:
        return json.dumps(data, allow_nan=False, **kwargs)
    except ValueError:
        path = first_non_finite(data)
        if path is None:
            raise
        raise ModelError(f"the result holds a value that is not a finite number at "
                         f"{path or 'its top level'}; nothing was written") from None


def first_non_finite(data: Any, path: str = "") -> str | None:
    """The path of the first float in ``data`` that is NaN or infinite, or None."""
    if isinstance(data, float):
        return None if math.isfinite(data) else path
    if isinstance(data, dict):
        items = ((f"{path}.{k}" if path else str(k), v) for k, v in data.items())
    elif isinstance(data, list | tuple):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(data))
    else:
        return None
    return next((p for p in (first_non_finite(v, k) for k, v in items) if p is not None), None)
