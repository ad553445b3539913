"""Result JSON refuses NaN and infinity and says where they are."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.errors import ModelError
from detente.jsonio import dumps_finite, first_non_finite

finite = st.floats(allow_nan=False, allow_infinity=False)
values = st.recursive(st.none() | st.booleans() | st.integers() | finite | st.text(),
                      lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=20)


@given(values)
def test_finite_data_is_written_as_json_dumps_writes_it(data) -> None:
    assert dumps_finite(data, indent=2) == json.dumps(data, indent=2)
    assert first_non_finite(data) is None


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_value_is_an_error_naming_its_path(bad: float) -> None:
    data = {"model": "smp", "issues": [{"id": "a", "forecast": 1.0},
                                       {"id": "b", "extras": {"p": [0.5, bad]}}]}
    with pytest.raises(ModelError, match=r"not a finite number at issues\[1\]\.extras\.p\[1\]; "
                                         r"nothing was written"):
        dumps_finite(data)


def test_a_bare_non_finite_value_is_named_as_the_top_level() -> None:
    with pytest.raises(ModelError, match="at its top level"):
        dumps_finite(math.nan)
