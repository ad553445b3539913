"""Split-conformal quantiles and coverage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.evaluation.calibration import conformal_quantile, coverage


def test_quantile_is_the_conformal_order_statistic():
    r = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9])
    # n = 9, level 0.8: ceil(10 * 0.8) = 8th smallest score
    assert conformal_quantile(r, np.ones(9), 0.8) == 8.0
    assert conformal_quantile(r, np.full(9, 2.0), 0.8) == 4.0
    assert conformal_quantile(np.array([3.0]), np.ones(1), 0.8) == 3.0  # too few: the max


def test_refuses_bad_input():
    with pytest.raises(ValueError):
        conformal_quantile(np.array([]), np.array([]), 0.8)
    with pytest.raises(ValueError):
        conformal_quantile(np.ones(3), np.zeros(3), 0.8)
    with pytest.raises(ValueError):
        conformal_quantile(np.ones(3), np.ones(3), 1.2)


@settings(max_examples=50, deadline=None)
@given(st.integers(20, 400), st.floats(0.5, 0.95), st.integers(0, 10_000))
def test_calibration_set_is_covered_at_least_at_level(n, level, seed):
    rng = np.random.default_rng(seed)
    r = rng.standard_t(3, n) * 10
    scale = rng.uniform(1, 5, n)
    q = conformal_quantile(r, scale, level)
    assert coverage(-q * scale, q * scale, r) >= level - 1e-12


def test_coverage_counts_closed_intervals():
    assert coverage(np.array([0.0, 0]), np.array([1.0, 1]), np.array([1.0, 2])) == 0.5
