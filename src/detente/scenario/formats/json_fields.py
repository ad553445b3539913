"""Values read from the JSON formats that are not scenarios (case files, question files):
ids, numbers, and the list of actor objects, with problems reported by path."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

_BAD_ID_CHARS = re.compile(r"[^A-Za-z0-9_.\-+ ]")


def ident(raw: object) -> str:
    """An id from a string or a number; "" (missing) from anything else, such as null."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return ""
    return _BAD_ID_CHARS.sub("_", str(raw).strip())[:64]


def number(value: object) -> float | None:
    """A finite number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def each_actor(actors: list[Any], at: str, problem: Callable[[str, str], None],
               repeated: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(path, object, id) of each actor in ``actors`` (found at path ``at``) that has an id
    not seen before. An actor without one, or listed again, is reported through ``problem``
    (path, message) and skipped; ``repeated`` is that message, formatted with ``id`` and
    ``first`` (the path of its first listing)."""
    seen: dict[str, str] = {}
    for j, actor in enumerate(actors):
        where = f"{at}[{j}]"
        actor_id = ident(actor.get("id", "")) if isinstance(actor, dict) else ""
        if not actor_id:
            problem(where, "an actor needs an id")
            continue
        if actor_id in seen:
            problem(f"{where}.id", repeated.format(id=actor_id, first=seen[actor_id]))
            continue
        seen[actor_id] = where
        yield where, actor, actor_id
