"""``detente forecast`` on inputs too extreme for a model's arithmetic: a clear error, no file."""

from __future__ import annotations

from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()


def test_an_overflowing_capability_is_a_clear_error_and_writes_nothing(tmp_path):
    # 1e308 x salience overflows the compromise model's weighted sum (found by fuzzing)
    table = tmp_path / "huge.csv"
    table.write_text("Actor,Capability,Position,Salience\nA,1e308,10,0.9\nB,1e308,60,0.8\n"
                     "C,1,90,0.5\n")
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["forecast", str(table), "-m", "compromise", "--json",
                                 "--out", str(out), "--no-record"])
    assert result.exit_code == 2
    assert "model 'compromise' gave no finite forecast for issue" in result.stderr
    assert result.stdout == ""
    assert not out.exists()
