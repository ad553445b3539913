"""Weighted mean, weighted median (lower tie rule), pairwise votes and the Condorcet kernel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.models.kernels.weights import (
    condorcet_choice,
    pairwise_votes,
    votes_from_distances,
    weighted_mean,
    weighted_median,
)


def test_weighted_mean_by_hand():
    assert weighted_mean(np.array([0.0, 10.0, 40.0]), np.array([1.0, 2.0, 1.0])) == 15.0


def test_emission_case_round_zero_figures():
    """BDM (1994) p. 78 emission table: c*s weighted median 7.0 and mean 7.38996 years, the
    reference figures of the anchors README (on the 4-10 scale)."""
    pos = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7], dtype=float)
    cap = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
    sal = np.array([0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7])
    assert weighted_median(pos, cap * sal) == 7.0
    assert weighted_mean(pos, cap * sal) == pytest.approx(7.38996, abs=5e-6)


def test_median_takes_the_lower_position_at_an_exact_half():
    assert weighted_median(np.array([70.0, 30.0]), np.array([1.0, 1.0])) == 30.0
    assert weighted_median(np.array([10.0, 50.0, 70.0]), np.array([1.0, 1.0, 2.0])) == 50.0
    # float noise at the half (0.1 + 0.2 vs 0.3) must not flip the rule
    assert weighted_median(np.array([20.0, 80.0]), np.array([0.1 + 0.2, 0.3])) == 20.0


def test_nan_positions_and_zero_weights_do_not_count():
    x = np.array([np.nan, 0.0, 50.0, 100.0])
    w = np.array([100.0, 0.0, 1.0, 1.0])
    assert weighted_median(x, w) == 50.0
    assert weighted_mean(x, w) == 75.0


def test_no_weight_at_all_gives_nan_per_slice():
    x = np.array([[10.0, 20.0], [10.0, 20.0], [np.nan, np.nan]])
    w = np.array([[0.0, 0.0], [1.0, 3.0], [1.0, 1.0]])
    med, mean = weighted_median(x, w), weighted_mean(x, w)
    assert np.isnan(med[0]) and np.isnan(mean[0])
    assert med[1] == 20.0 and mean[1] == 17.5
    assert np.isnan(med[2]) and np.isnan(mean[2])


xs = st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(xs, st.data())
def test_median_is_a_half_weight_split(x, data):
    w = np.array(data.draw(st.lists(st.floats(0.01, 10), min_size=len(x), max_size=len(x))))
    x = np.array(x)
    m = weighted_median(x, w)
    total = w.sum()
    assert m in x
    assert w[x <= m].sum() >= total / 2 - 1e-9 * total  # reaches half at m ...
    assert w[x < m].sum() < total / 2 + 1e-9 * total  # ... and not before it (lower median)


@settings(max_examples=60, deadline=None)
@given(xs, st.data())
def test_mean_and_median_batch_like_single_rows(x, data):
    n = len(x)
    rows = np.array([x, data.draw(st.lists(st.floats(0, 100), min_size=n, max_size=n))])
    w = np.array([data.draw(st.lists(st.floats(0, 5), min_size=n, max_size=n))
                  for _ in range(2)])
    for f in (weighted_mean, weighted_median):
        batched = f(rows, w)
        for b in range(2):
            np.testing.assert_array_equal(batched[b], f(rows[b], w[b]))


def test_pairwise_votes_by_hand():
    x = np.array([0.0, 40.0, 100.0])
    w = np.array([1.0, 2.0, 4.0])
    v = pairwise_votes(x, w)
    # 40 vs 100: voters at 0 and 40 prefer 40 (3), the voter at 100 prefers 100 (4)
    assert v[1, 2] == -1.0 and v[2, 1] == 1.0
    # 0 vs 100: the voter at 40 is nearer to 0
    assert v[0, 2] == 1 + 2 - 4
    np.testing.assert_array_equal(np.diag(v), 0.0)
    np.testing.assert_array_equal(v, -v.T)


def test_votes_from_distances_abstains_on_ties():
    dist = np.array([[0.0, 5.0, 5.0], [5.0, 0.0, 5.0], [5.0, 5.0, 0.0]])
    v = votes_from_distances(dist, np.array([1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(v, np.zeros((3, 3)))  # every pair is 1:1, voter 3 abstains


def test_condorcet_choice_copeland_and_order_keys():
    # a cycle: 0 beats 1, 1 beats 2, 2 beats 0
    v = np.array([[0.0, 1.0, -1.0], [-1.0, 0.0, 1.0], [1.0, -1.0, 0.0]])
    keys = np.array([[30.0], [10.0], [20.0]])
    idx, exists = condorcet_choice(v, np.array([True, True, True]), keys)
    assert not exists and idx == 1  # one win each: the lowest key
    idx, exists = condorcet_choice(v, np.array([True, False, True]), keys)
    assert exists and idx == 2  # without candidate 1, candidate 2 beats 0
