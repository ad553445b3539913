"""What the models fitted on data share: their calibrated interval and their shipped files.

A fitted model (``best`` in :mod:`detente.models.choice`, ``role-weighted`` in
:mod:`detente.models.ensemble`) ships its parameters as JSON in ``detente/data`` and reports a
split-conformal interval x* +- q (d + floor) (Vovk et al. 2005; Lei et al. 2018), d the
dispersion of positions and q calibrated on out-of-fold residuals
(:func:`detente.evaluation.crossval.fit_calibrated`). Their options carry
``interval_quantile``, ``interval_floor`` and ``coverage``.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import fields
from importlib import resources
from types import ModuleType
from typing import Any

import numpy as np

from detente.models.base import weighed
from detente.scenario.arrays import ScenarioArrays

# model name -> module offering fit_parameters(arrays, grid, base), forecast_and_dispersion,
# options_to_json, PARAMS_FILE, SHIPPED, SHIPPED_META, FITTED_FIELDS (the options a fit
# sets; the interval is :func:`interval`) and CALIBRATED_PRESETS (presets calibrated apart)
FITTED_MODELS = {"best": "choice", "role-weighted": "ensemble"}


def fitted_module(name: str) -> ModuleType | None:
    """The module of the fitted model ``name``, or None for a model without parameters."""
    module = FITTED_MODELS.get(name)
    return None if module is None else importlib.import_module(f"detente.models.{module}")


def interval(forecast: np.ndarray, dispersion: np.ndarray,
             opts: Any) -> tuple[np.ndarray, np.ndarray]:
    """The calibrated interval (low, high) on 0-100, clipped to the scale."""
    half = opts.interval_quantile * (dispersion + opts.interval_floor)
    return np.clip(forecast - half, 0, 100), np.clip(forecast + half, 0, 100)


def interval_extras(arrays: ScenarioArrays, forecast: np.ndarray, dispersion: np.ndarray,
                    opts: Any) -> dict[str, Any]:
    """Per issue ``{"interval": {level, low, high}}`` on the issue's scale; empty when the
    options are not calibrated (infinite quantile), and none for an issue nobody weighs (no
    forecast)."""
    if not np.isfinite(opts.interval_quantile):
        return {}
    someone = weighed(arrays)
    lo, hi = interval(forecast[0], dispersion[0], opts)
    lo, hi = arrays.to_issue_scale(lo), arrays.to_issue_scale(hi)
    return {issue: {"interval": {"level": opts.coverage, "low": float(lo[k]),
                                 "high": float(hi[k])}}
            for k, issue in enumerate(arrays.issue_ids) if someone[0, k]}


def read_shipped(params_file: str,
                 options_type: type) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The shipped parameter file as (the parameters ``options_type`` knows, the metadata),
    or None if the package has none. Unknown parameters (from another version) are dropped."""
    try:
        data = json.loads(resources.files("detente.data").joinpath(params_file).read_text())
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    known = {f.name for f in fields(options_type)}
    params = {k: v for k, v in data["parameters"].items() if k in known}
    return params, {k: v for k, v in data.items() if k != "parameters"}
