"""Error metrics of forecasts against known outcomes.

All functions take absolute or signed errors as arrays over issues, already on each issue's
own scale; they do not know about models or files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ErrorSummary:
    """Mean absolute, root mean square and median absolute error over ``n`` issues."""

    n: int
    mae: float
    rmse: float
    median_ae: float


def summarise(errors: np.ndarray) -> ErrorSummary:
    """Summarise forecast errors (forecast - outcome); an empty array is refused."""
    e = np.abs(np.asarray(errors, dtype=float))
    if e.size == 0:
        raise ValueError("no errors to summarise")
    if np.isnan(e).any():
        raise ValueError("errors contain NaN (a forecast without involved actors?)")
    return ErrorSummary(n=int(e.size), mae=float(e.mean()), rmse=float(np.sqrt((e**2).mean())),
                        median_ae=float(np.median(e)))


#: what a "beats compromise" figure (:func:`share_better`) counts, as tables say it: a model
#: with the lower MAE can beat the compromise model on fewer than half of the issues (ties,
#: e.g. both exact, are not wins)
BEATS_NOTE = ("beats compromise: the share of issues where the forecast is strictly closer to "
              "the outcome than the compromise model's (ties count as not beating)")


def share_better(errors: np.ndarray, baseline_errors: np.ndarray) -> float:
    """The share of issues where ``errors`` are strictly smaller in size than the baseline's.

    Differences within ``TIE_TOLERANCE`` count as ties (not better), so a model compared with
    itself scores 0.
    """
    a = np.abs(np.asarray(errors, dtype=float))
    b = np.abs(np.asarray(baseline_errors, dtype=float))
    if a.shape != b.shape or a.size == 0:
        raise ValueError("need two non-empty error arrays of the same shape")
    return float(np.mean(a < b - TIE_TOLERANCE))
