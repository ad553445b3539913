"""Monte Carlo: a model run on N draws of a scenario's uncertain inputs, as one batch.

The draws come from one seeded generator and the model's own randomness from a second stream
spawned from the same seed, so the same seed gives the same result and the inputs drawn do not
depend on the model. Large batches are run in fixed-size chunks (``CHUNK`` draws) to bound
memory; the chunk size is a constant, so results never depend on the machine or on workers.
A run with ``draws=1`` and no uncertainty is exactly the plain single run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.errors import OptionError
from detente.execution.cancel import check_cancelled
from detente.limits import RECORDED_ROWS, check_cells
from detente.models import get_model
from detente.models.base import (
    ModelOutput,
    first_trajectory_only,
    runs_cases_alone,
    trim_output,
)
from detente.result import ForecastResult, build_result
from detente.scenario.arrays import ScenarioArrays, to_arrays
from detente.scenario.model import Scenario
from detente.uncertainty.draws import drawn_spec, sample

CHUNK = 20_000
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class MonteCarloRun:
    """Everything one run produced: the drawn inputs, the raw output and the result."""

    arrays: ScenarioArrays
    output: ModelOutput
    result: ForecastResult
    # the scenario has no uncertainty block, so the draws used the default widths
    # (:func:`detente.uncertainty.draws.fallback_spec`)
    default_widths: bool = False


def _pad(a: np.ndarray, T1: int) -> np.ndarray:
    missing = T1 - a.shape[1]
    if missing <= 0:
        return a
    return np.concatenate([a, np.repeat(a[:, -1:], missing, axis=1)], axis=1)


def _concat(outs: list[ModelOutput]) -> ModelOutput:
    if len(outs) == 1:
        return outs[0]
    T1 = max(o.trajectory.shape[1] for o in outs)

    def join(name: str) -> np.ndarray | None:
        parts = [getattr(o, name) for o in outs]
        if any(p is None for p in parts):
            return None
        return np.concatenate([_pad(p, T1) for p in parts], axis=0)

    first = outs[0]
    return ModelOutput(trajectory=join("trajectory"),  # type: ignore[arg-type]
                       forecast=np.concatenate([o.forecast for o in outs], axis=0),
                       median=join("median"), mean=join("mean"), log=first.log,
                       extras=first.extras, model_extras=first.model_extras)


def run_batch(arrays: ScenarioArrays, model: str, options: Any, rounds: int,
              rng: np.random.Generator, chunk: int = CHUNK,
              all_trajectories: bool = True) -> ModelOutput:
    """Run a registered model on a batch of any size, ``chunk`` draws at a time; with
    ``all_trajectories=False`` the output keeps draw 0's trajectory only
    (:func:`detente.models.base.first_trajectory_only`)."""
    spec = get_model(model)
    B = arrays.n_draws
    outs = []
    with first_trajectory_only(not all_trajectories):
        for start in range(0, B, chunk):
            if start:
                check_cancelled(f"after {start:,} of {B:,} draws")
            stop = min(start + chunk, B)
            part = arrays if (start, stop) == (0, B) else dataclasses.replace(
                arrays, position=arrays.position[start:stop],
                salience=arrays.salience[start:stop], capability=arrays.capability[start:stop],
                status_quo=arrays.status_quo[start:stop])
            outs.append(trim_output(spec.run(part, options, rounds, rng),
                                    not all_trajectories))
    if not all_trajectories and len(outs) > 1:  # draw 0's rounds are the first chunk's
        return dataclasses.replace(outs[0],
                                   forecast=np.concatenate([o.forecast for o in outs]))
    return _concat(outs)


def keeps_every_trajectory(draws: int, rounds: int, arrays: ScenarioArrays) -> bool:
    """Whether a Monte Carlo run keeps every draw's trajectory by default: when the run store
    could record them all (:data:`detente.limits.RECORDED_ROWS` rows at the model's most
    rounds), as ``forecast --draws`` on the flagship; otherwise draw 0's only (smp's 500
    report draws on the 248 DEU cases: 11 MB a draw)."""
    cells = int(arrays.involved.sum())
    return draws * (rounds + 1) * cells + draws * arrays.n_issues <= RECORDED_ROWS


def check_size(model: str, draws: int, rounds: int | None, n_actors: int,
               n_issues: int, issue_actors: int | None = None) -> None:
    """Refuse a Monte Carlo run whose trajectories would exceed :data:`detente.limits.MAX_CELLS`
    (``rounds`` None: the model's default), before anything is drawn.

    ``issue_actors``: for a run that keeps draw 0's trajectory only, of a model that runs one
    issue or case at a time (:func:`one_issue_at_a_time`), the most actors on one issue: the
    run then holds one issue's trajectories of every draw at once, beside the drawn inputs."""
    n_rounds = get_model(model).default_rounds if rounds is None else rounds
    cells = (draws * (n_rounds + 1) * n_actors * n_issues if issue_actors is None
             else max(draws * n_actors * n_issues, draws * (n_rounds + 1) * issue_actors))
    check_cells(f"{model} on {draws:,} draws x {n_rounds + 1:,} rounds", cells,
                "ask for fewer draws or rounds")


def one_issue_at_a_time(model: str, sc: Scenario) -> int | None:
    """The most actors on one issue of ``sc`` if ``model`` runs it one issue (or separate
    case) at a time, else None (it runs the issues jointly)."""
    links = get_model(model).links_issues
    if links and not runs_cases_alone(links, sc.separate_cases, len(sc.issues)):
        return None
    return max((sum(issue.id in actor.position for actor in sc.actors) for issue in sc.issues),
               default=0)


def monte_carlo(sc: Scenario, model: str = "compromise", draws: int = 1000, seed: int = 0,
                preset: str | None = None, rounds: int | None = None,
                capability: str = "default",
                quantiles: tuple[float, ...] = DEFAULT_QUANTILES,
                all_trajectories: bool | None = None, **options: Any) -> MonteCarloRun:
    """Run ``model`` on ``draws`` Monte Carlo draws of ``sc``; per-issue median and quantiles.

    ``all_trajectories``: keep every draw's trajectory (True) or draw 0's only (False); None
    chooses by size (:func:`keeps_every_trajectory`). Forecasts are the same either way.

    With ``draws == 1`` no input is drawn (the coded values are used) and the model gets the
    generator seeded with ``seed``, exactly as :func:`detente.api.forecast` does. A scenario
    without an uncertainty block is drawn with the default widths (``default_widths`` in the
    run; :data:`detente.uncertainty.draws.DEFAULT_WIDTHS_NOTE`), as the report, the
    sensitivity and the web app draw it.
    """
    if draws < 1:
        raise OptionError(f"draws must be at least 1, got {draws}")
    bad = [q for q in quantiles if not 0.0 <= q <= 1.0]
    if bad:
        raise OptionError(f"quantiles must be between 0 and 1, got {bad}")
    spec = get_model(model)
    opts = spec.options(preset, **options)
    n_rounds = spec.default_rounds if rounds is None else rounds
    base = to_arrays(sc, capability)
    keep = (keeps_every_trajectory(draws, n_rounds, base) if all_trajectories is None
            else all_trajectories)
    check_size(model, draws, n_rounds, base.n_actors, base.n_issues,
               None if keep else one_issue_at_a_time(model, sc))
    default_widths = False
    if draws == 1:
        arrays, model_rng = base, np.random.default_rng(seed)
    else:
        draw_seq, model_seq = np.random.SeedSequence(seed).spawn(2)
        widths = drawn_spec(sc)
        default_widths = widths is not sc.uncertainty
        arrays = sample(sc, base, draws, np.random.default_rng(draw_seq), widths)
        model_rng = np.random.default_rng(model_seq)
    out = run_batch(arrays, spec.name, opts, n_rounds, model_rng, all_trajectories=keep)
    result = build_result(spec.name, preset or spec.default_preset, capability,
                          dataclasses.asdict(opts), arrays, out, tuple(quantiles))
    return MonteCarloRun(arrays, out, result, default_widths)
