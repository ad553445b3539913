"""Error metrics: known values, and invariants under hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.evaluation.metrics import share_better, summarise


def test_known_values():
    s = summarise(np.array([3.0, -4.0, 0.0, 1.0]))
    assert (s.n, s.mae, s.median_ae) == (4, 2.0, 2.0)
    assert s.rmse == pytest.approx(np.sqrt(26 / 4))


def test_refuses_empty_and_nan():
    with pytest.raises(ValueError, match="no errors"):
        summarise(np.array([]))
    with pytest.raises(ValueError, match="NaN"):
        summarise(np.array([1.0, np.nan]))


def test_share_better_counts_strict_wins_only():
    assert share_better(np.array([1.0, 2.0, 3.0, -1.0]), np.array([2.0, 2.0, 1.0, 5.0])) == 0.5


errors = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=50)


@given(errors)
def test_mae_below_rmse_and_median_within_range(e):
    s = summarise(np.array(e))
    a = np.abs(e)
    assert s.mae <= s.rmse + 1e-9
    assert a.min() - 1e-9 <= s.median_ae <= a.max() + 1e-9


@given(errors)
def test_no_model_beats_itself(e):
    assert share_better(np.array(e), np.array(e)) == 0.0
