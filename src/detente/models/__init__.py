"""Static forecasting models, one module each, all behind :class:`~detente.models.base.ModelSpec`.

``get_model(name)`` returns a registered model; ``models()`` lists them in a stable order.
"""

from __future__ import annotations

import importlib

from detente.errors import OptionError
from detente.models.base import ModelSpec

# module name for each model, in the order `detente models` lists them
_MODULES = ("compromise", "median", "condorcet", "nash", "challenge", "exchange", "smp",
            "choice", "ensemble", "procedural")


def models() -> dict[str, ModelSpec]:
    """Every available model by name."""
    found: dict[str, ModelSpec] = {}
    for module in _MODULES:
        try:
            mod = importlib.import_module(f"detente.models.{module}")
        except ModuleNotFoundError as exc:  # a model not written yet
            if exc.name != f"detente.models.{module}":
                raise
            continue
        for spec in getattr(mod, "MODELS", [getattr(mod, "MODEL", None)]):
            if spec is not None:
                found[spec.name] = spec
    return found


def get_model(name: str) -> ModelSpec:
    known = models()
    if name not in known:
        raise OptionError(f"unknown model {name!r}; models: {', '.join(known)}")
    return known[name]


def parse_names(values: list[str]) -> tuple[list[str], bool]:
    """The model names in ``values`` (each may hold several, separated by commas), in the order
    given and each once, and whether ``all`` was among them (then every registered model).
    An unknown name is an OptionError listing the models; no name at all gives ``[]``, which
    each caller refuses in its own words."""
    given = [v.strip() for value in values for v in value.split(",") if v.strip()]
    if "all" in given:
        return list(models()), True
    for name in given:
        get_model(name)
    return list(dict.fromkeys(given)), False


def run_label(model: str, preset: str) -> str:
    """How tables name a model run: its name, with the preset when that is not the default."""
    return model if preset == get_model(model).default_preset else f"{model} ({preset})"


def separate_cases_note(source: str, names: list[str], n_cases: int) -> str | None:
    """What running ``names`` on the ``n_cases`` separate one-issue cases of ``source`` (DEU
    rows, case files) means for those that link issues: each case runs alone, as in a backtest.
    None when no model links issues, or for a single case (nothing to link)."""
    linked = [n for n in names if get_model(n).links_issues]
    if not linked or n_cases < 2:
        return None
    one = len(linked) == 1
    return (f"the issues of {source} are separate cases, so {', '.join(linked)} "
            f"(which link{'s' * one} issues: trades or votes across them) "
            f"run{'s' * one} on each case alone, as `detente backtest` does.")


def rounds_ignored_note(option: str, names: list[str]) -> str | None:
    """What setting rounds (``option``, as the user wrote it) does for those of ``names`` that
    have no rounds of bargaining: nothing. None when every named model has rounds (unknown
    names are left to the caller's own check)."""
    known = models()
    flat = [n for n in names if n in known and known[n].default_rounds == 0]
    if not flat:
        return None
    return (f"{option} changes nothing for {', '.join(flat)}: "
            f"{'it has' if len(flat) == 1 else 'they have'} no rounds of bargaining")
