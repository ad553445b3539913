"""``detente forecast`` on capabilities too extreme for float arithmetic: a clear error naming
the file and line, and no output file."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()


@pytest.mark.parametrize(("value", "message"), [
    ("1e308", "capability 1e+308 is too large (at most 1e+50)"),
    ("1e-300", "capability 1e-300 is too small (0, or at least 1e-50)"),
])
def test_an_extreme_capability_is_a_clear_error_and_writes_nothing(tmp_path, value, message):
    # 1e308 x salience overflowed the compromise model's weighted sum (found by fuzzing)
    table = tmp_path / "extreme.csv"
    table.write_text(f"Actor,Capability,Position,Salience\nA,1,10,0.9\nB,{value},60,0.8\n"
                     "C,1,90,0.5\n")
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["forecast", str(table), "-m", "compromise", "--json",
                                 "--out", str(out), "--no-record"])
    assert result.exit_code == 2
    assert f"{table}:3: actors[1].capability: {message}" in result.stderr
    assert "divide them all" in result.stderr or "multiply them all" in result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_capabilities_in_any_unit_give_the_same_forecast(tmp_path):
    # scaled to a largest of 1 inside: before, the median moved once all were below 1e-10
    rows = [("A", 3, 10, 0.9), ("B", 2, 60, 0.8), ("C", 4, 90, 0.5), ("D", 1, 40, 0.7)]
    forecasts = []
    for factor in (1.0, 1e-40):
        table = tmp_path / f"t{factor}.csv"
        table.write_text("Actor,Capability,Position,Salience\n" + "".join(
            f"{a},{c * factor!r},{p},{s}\n" for a, c, p, s in rows))
        result = runner.invoke(app, ["forecast", str(table), "-m", "median", "--json",
                                     "--no-record"])
        assert result.exit_code == 0, result.stderr
        forecasts.append(result.stdout)
    assert forecasts[0] == forecasts[1]
