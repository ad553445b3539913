"""The scenario a request names: a library scenario by id, or scenario JSON straight from the
editor (exactly one), for every route that runs something on a scenario."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from detente.scenario.model import Scenario
from detente.web.library import ID_PATTERN, Library, validate_data


class RequestBody(BaseModel):
    """A request body: an unknown field is refused, not ignored (``{"model": "compromise"}``,
    a typo of ``models``, ran every model)."""

    model_config = ConfigDict(extra="forbid")


class ScenarioSource(RequestBody):
    """A library scenario by id, or scenario JSON straight from the editor."""

    scenario_id: str | None = Field(None, pattern=ID_PATTERN)
    scenario: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ScenarioSource:
        if (self.scenario_id is None) == (self.scenario is None):
            raise ValueError("give exactly one of scenario_id and scenario")
        return self


def requested_scenario(request: Request, body: ScenarioSource) -> Scenario:
    """The scenario ``body`` names: the editor's JSON validated (a ScenarioError with field
    paths), or the library's (a 404 when the id is unknown)."""
    if body.scenario is not None:
        return validate_data(body.scenario)
    lib: Library = request.app.state.library
    return lib.get(body.scenario_id or "").scenario
