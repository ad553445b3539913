"""Errors the library raises for bad input.

Every problem names where it is (file, line, field path such as ``actors[3].salience.A``) and
what is wrong, so the CLI can print one clear line per problem and exit with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    message: str
    path: str = ""
    line: int | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        if self.path:
            where = f"{where}: {self.path}" if where else self.path
        return f"{where}: {self.message}" if where else self.message


class DetenteError(Exception):
    """Base class of the errors the library raises on purpose."""


class ScenarioError(DetenteError):
    """A scenario (or foreign input file) that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:
        # rebuilt from its problems, not its message, when it crosses from a worker process
        return (type(self), (self.problems,))


class OptionError(DetenteError):
    """An unknown model, preset or option value."""


class ModelError(DetenteError):
    """A model that could not turn valid inputs into a valid result (for example a forecast
    that is not a finite number because the inputs are too extreme for its arithmetic)."""


class OutputError(DetenteError):
    """An output file that cannot be written where asked (a folder, a device, no permission)."""


class RunCancelled(Exception):  # noqa: N818 - reads as an event, like KeyboardInterrupt
    """A run stopped because the user asked for it to stop. Not a :class:`DetenteError`: the
    places that record a model's error and go on with the next (reports, uncertainty,
    backtests) must not record a cancel as one: it passes their ``except DetenteError``."""
