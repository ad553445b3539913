"""Readers and writers, one module per format, and detection of a file's format from content.

Each format module defines one :class:`Format`. A reader turns text into a :class:`Scenario`
(raising :class:`~detente.errors.ScenarioError` with located problems); a writer turns a
scenario back into text, or is ``None`` when the format cannot hold a scenario's content.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from detente.errors import Problem, ScenarioError
from detente.scenario.model import Scenario


@dataclass(frozen=True)
class Format:
    name: str
    summary: str
    suffixes: tuple[str, ...]
    detect: Callable[[str], bool]
    read: Callable[[str, str], Scenario]  # (text, source name) -> Scenario
    write: Callable[[Scenario], str] | None = None


class _RepeatedKeyError(ValueError):
    pass


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key written twice is an error (json keeps the last value silently)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _RepeatedKeyError(key)
        out[key] = value
    return out


def parse_json(text: str, source: str) -> Any:
    """The JSON value of a file's text, or a ScenarioError naming the file (empty) or the line
    and column where it stops being JSON."""
    if not text.strip():
        raise ScenarioError([Problem("the file is empty", file=source)])
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys)
    except _RepeatedKeyError as exc:
        raise ScenarioError([Problem(f"the key {exc.args[0]!r} is written twice in one object; "
                                     "keep one", file=source)]) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError([Problem(f"not valid JSON: {exc.msg} (column {exc.colno})",
                                     line=exc.lineno, file=source)]) from None


def sniff_json_object(text: str, key: str) -> dict[str, Any] | None:
    """For a format's ``detect``: the JSON object of ``text`` if it is one and names ``key``
    (a cheap text test first, so other files are not parsed), else None."""
    if not text.lstrip().startswith("{") or f'"{key}"' not in text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    _REGISTRY[fmt.name] = fmt
    return fmt


def formats() -> dict[str, Format]:
    """All known formats by name, in detection order (most specific first)."""
    _load_builtin()
    return dict(_REGISTRY)


def _load_builtin() -> None:
    # Imported for their side effect of registering; order is detection priority.
    import importlib

    for module in ("deu", "decide", "ktab", "bdm_csv", "cases_json", "question_json",
                   "json_format", "yaml_format"):
        try:
            importlib.import_module(f"detente.scenario.formats.{module}")
        except ModuleNotFoundError as exc:  # a format not written yet
            if exc.name != f"detente.scenario.formats.{module}":
                raise
