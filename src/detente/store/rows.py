"""A model's batched output as long-format rows: (draw, round, actor, issue, value).

Values are on each issue's own scale. Two kinds of row:

* ``actor`` NULL: the forecast of ``issue`` in ``draw`` (``round`` is the last round);
* ``actor`` set: that actor's position on ``issue`` after ``round`` (round 0 is the input).

Trajectories of every draw are kept while they fit in ``max_rows`` rows; beyond that only
draw 0's trajectory is kept with every draw's forecast (a 100,000-draw run would otherwise
write tens of millions of rows), or when the caller asks for it (sweeps, by default), or when
the run kept draw 0's only (:func:`detente.models.base.first_trajectory_only`). The
choice is recorded in the run's ``summary``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from detente.limits import RECORDED_ROWS
from detente.models.base import ModelOutput
from detente.scenario.arrays import ScenarioArrays

MAX_ROWS = RECORDED_ROWS
COLUMNS = ("draw", "round", "actor", "issue", "value")


def result_rows(arrays: ScenarioArrays, out: ModelOutput, max_rows: int = MAX_ROWS,
                all_draws: bool = True) -> tuple[pd.DataFrame, bool]:
    """The rows of one run, and whether every draw's trajectory is included.

    ``all_draws=False`` keeps draw 0's trajectory only, whatever the size (sweeps).
    """
    B, I = out.forecast.shape
    kept, T1 = out.trajectory.shape[:2]  # every draw's trajectory, or draw 0's only
    last = T1 - 1
    fc = arrays.to_issue_scale(out.forecast)  # (B, I)
    d_idx, i_idx = np.meshgrid(np.arange(B), np.arange(I), indexing="ij")
    forecast = pd.DataFrame({
        "draw": d_idx.ravel().astype(np.int32), "round": np.full(B * I, last, np.int32),
        "actor": pd.Categorical.from_codes(np.full(B * I, -1), list(arrays.actor_ids)),
        "issue": pd.Categorical.from_codes(i_idx.ravel(), list(arrays.issue_ids)),
        "value": fc.ravel()})
    involved = arrays.involved  # (A, I)
    n_cells = int(involved.sum())
    full = all_draws and kept == B and B * T1 * n_cells + B * I <= max_rows
    nb = B if full else 1
    traj = arrays.to_issue_scale(out.trajectory[:nb], axis=-1)  # (nb, T1, A, I)
    a_ix, k_ix = np.nonzero(involved)
    vals = traj[:, :, a_ix, k_ix]  # (nb, T1, n_cells)
    d, t, c = np.meshgrid(np.arange(nb), np.arange(T1), np.arange(n_cells), indexing="ij")
    positions = pd.DataFrame({
        "draw": d.ravel().astype(np.int32), "round": t.ravel().astype(np.int32),
        "actor": pd.Categorical.from_codes(a_ix[c.ravel()], list(arrays.actor_ids)),
        "issue": pd.Categorical.from_codes(k_ix[c.ravel()], list(arrays.issue_ids)),
        "value": vals.ravel()})
    rows = pd.concat([forecast, positions], ignore_index=True)
    rows["actor"] = rows["actor"].astype(object).where(rows["actor"].notna(), None)
    rows["issue"] = rows["issue"].astype(object)
    return rows, full
