"""Result keys: quantile names."""

from __future__ import annotations

from detente.result import qname


def test_quantile_keys_name_the_quantile():
    assert [qname(p) for p in (0.0, 0.07, 0.1, 0.5, 0.9, 1.0)] == [
        "q00", "q07", "q10", "q50", "q90", "q100"]
    assert [qname(p) for p in (0.025, 0.975, 0.125, 1 / 3)] == [
        "q02.5", "q97.5", "q12.5", "q33.333333"]
    assert qname(0.025) != qname(0.02) and qname(0.975) != qname(0.98)
