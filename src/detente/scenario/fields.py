"""Which fields a block of a file may hold: for "unknown field" messages that name the fields
the block has and the nearest one to what was written (``params.freeze_days``: did you mean
``delay_days``?), instead of pydantic's bare "Extra inputs are not permitted"."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel


def _unwrap(annotation: Any) -> Any:
    """The model or container inside ``X | None`` and ``Optional[X]``."""
    while typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        annotation = models[0] if models else (inner[0] if len(inner) == 1 else None)
    return annotation


def model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class of the block holding the field ``loc[-1]`` (a pydantic error's
    location under ``model``), or None where the path leaves the models (a plain dict, a
    union branch)."""
    here: Any = model
    for part in loc[:-1]:
        here = _unwrap(here)
        origin = typing.get_origin(here)
        if isinstance(part, int) and origin in (list, tuple):
            here = typing.get_args(here)[0]
        elif isinstance(here, type) and issubclass(here, BaseModel) and isinstance(part, str):
            field = here.model_fields.get(part)
            if field is None:
                return None
            here = field.annotation
        elif origin is dict and isinstance(part, str):
            here = typing.get_args(here)[1]
        else:
            return None
    here = _unwrap(here)
    return here if isinstance(here, type) and issubclass(here, BaseModel) else None


def unknown_field_hint(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """``"; did you mean 'x'? (fields here: a, b, ...)"`` for the unknown field at ``loc``,
    or "" where the block's model is not known."""
    block = model_at(model, loc) if loc else None
    if block is None:
        return ""
    names = list(block.model_fields)
    near = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
    guess = f"; did you mean {near[0]!r}?" if near else ""
    return f"{guess} (fields here: {', '.join(names)})"
