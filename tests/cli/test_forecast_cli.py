"""``detente forecast``: capabilities too extreme for float arithmetic are a clear error naming
the file and line, with no output file; a model that links issues, run on a file of separate
cases, is flagged."""

from __future__ import annotations

import json

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


def test_models_that_link_issues_are_flagged_on_files_of_separate_cases(tmp_path):
    from detente.models import get_model

    rows = ['"isnr"\t"pcom"\t"pep"\t"pfr"\t"pde"\t"scom"\t"sep"\t"sfr"\t"sde"\t"rp"\t"out"',
            '"a"\t0\t50\t100\t20\t100\t100\t50\t80\t\t30',
            '"b"\t10\t60\t90\t30\t90\t100\t50\t80\t\t60']
    path = tmp_path / "two.tsv"
    path.write_text("\n".join(rows) + "\n")
    assert [n for n in ("exchange", "smp", "compromise", "challenge")
            if get_model(n).links_issues] == ["exchange", "smp"]
    linked = runner.invoke(app, ["forecast", str(path), "-m", "exchange", "--json",
                                 "--no-record"])
    assert linked.exit_code == 0, linked.stderr
    assert "separate cases; exchange links issues" in " ".join(linked.stderr.split())
    json.loads(linked.stdout)  # the note stays out of the JSON
    alone = runner.invoke(app, ["forecast", str(path), "-m", "compromise", "--no-record"])
    assert alone.exit_code == 0 and "separate cases" not in alone.stderr
    one = tmp_path / "one.tsv"  # a single case: nothing to link
    one.write_text("\n".join(rows[:2]) + "\n")
    single = runner.invoke(app, ["forecast", str(one), "-m", "exchange", "--no-record"])
    assert "separate cases" not in single.stderr
