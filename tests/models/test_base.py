"""The checks every model's run gets from :class:`detente.models.base.ModelSpec`."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from detente.errors import ModelError
from detente.models import get_model
from detente.models.base import ModelOutput, ModelSpec, NoOptions
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.io import load_scenario


def _spec(value: float, issue: int, draw: int = 0) -> ModelSpec:
    """A model whose forecast is the compromise except ``value`` at one issue and draw."""
    compromise = get_model("compromise")

    def run(arrays: ScenarioArrays, options: object, rounds: int,
            rng: np.random.Generator) -> ModelOutput:
        out = compromise.run(arrays, None, rounds, rng)
        forecast = out.forecast.copy()
        forecast[draw, issue] = value
        return ModelOutput(out.trajectory, forecast)

    return ModelSpec("broken", "a test model", "none", NoOptions, {"default": NoOptions()}, run)


@pytest.fixture
def arrays(emission_path) -> ScenarioArrays:
    return to_arrays(load_scenario(emission_path))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_a_forecast_that_is_not_finite_is_an_error_naming_the_issue(arrays, value) -> None:
    with pytest.raises(ModelError, match=r"model 'broken' gave no finite forecast for issue "
                                         rf"'{arrays.issue_ids[0]}': the inputs are too extreme"):
        _spec(value, 0).run(arrays, NoOptions(), 0, np.random.default_rng(0))


def test_the_error_names_the_draw_of_a_batch(arrays) -> None:
    with pytest.raises(ModelError, match=r"\(draw 3 of 4\)"):
        _spec(np.nan, 0, draw=2).run(arrays.repeat(4), NoOptions(), 0, np.random.default_rng(0))


def test_finite_forecasts_pass_unchanged(arrays) -> None:
    out = _spec(42.0, 0).run(arrays, NoOptions(), 0, np.random.default_rng(0))
    assert out.forecast[0, 0] == 42.0


def test_nan_is_allowed_on_an_issue_nobody_weighs(arrays) -> None:
    issue = 0
    zero = arrays.salience.copy()
    zero[..., issue] = 0.0
    out = _spec(np.nan, issue).run(replace(arrays, salience=zero), NoOptions(), 0,
                                   np.random.default_rng(0))
    assert np.isnan(out.forecast[0, issue])


def test_an_unknown_option_names_the_model_s_options_or_says_it_has_none() -> None:
    from detente.errors import OptionError

    with pytest.raises(OptionError, match="'compromise' has no option foo; it takes none"):
        get_model("compromise").options(None, foo=1)
    with pytest.raises(OptionError, match=r"'challenge' has no option foo; options: .*Q"):
        get_model("challenge").options(None, foo=1)


def test_models_that_weigh_actors_give_no_forecast_where_nobody_weighs(flagship_path) -> None:
    """The challenge model (its unweighted median), ``best`` and ``role-weighted`` (equal
    weights) gave a number where the others gave none; now no model forecasts such an issue,
    and the fitted models give it no interval. The procedural setter game rests on positions
    and the voting rule only (tests/models/test_procedural.py)."""
    from detente.models import models

    arrays = to_arrays(load_scenario(flagship_path))
    zero = arrays.salience.copy()
    zero[..., 0] = 0.0
    arrays = replace(arrays, salience=zero)
    weighing = {name: spec for name, spec in models().items() if spec.weighs_actors}
    assert "procedural" not in weighing and {"challenge", "best", "smp"} <= set(weighing)
    for name, spec in weighing.items():
        out = spec.run(arrays, spec.options(), spec.default_rounds, np.random.default_rng(0))
        assert np.isnan(out.forecast[0, 0]), name
        assert np.isfinite(out.forecast[0, 1:]).all(), name
        assert "interval" not in out.extras.get(arrays.issue_ids[0], {}), name
