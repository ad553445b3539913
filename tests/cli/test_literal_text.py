"""What a user writes is printed as written: square brackets in a scenario name, a meeting
label, an intervention name or an option value are not terminal markup (rich read "[/x]" as a
closing tag and stopped the command with a traceback, and dropped "[postponed]" silently)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()
NAME = "Talks [/x] end [bold]b"
MEETING = "round 4 [postponed] [/y]"


@pytest.fixture
def bracketed(tmp_path, flagship_path):
    text = re.sub(r"^name: .*$", f'name: "{NAME}"', flagship_path.read_text(encoding="utf-8"),
                  count=1, flags=re.MULTILINE)
    text = text.replace("name: round 4 (agreed for Beijing by the end of September)",
                        f'name: "{MEETING}"')
    assert NAME in text and MEETING in text
    path = tmp_path / "bracketed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("args", [
    ["forecast", "-m", "compromise"],
    ["forecast", "-m", "compromise,median", "--draws", "5"],
    ["simulate", "--until", "2005-01-01"],
    ["sensitivity", "-m", "compromise", "--samples", "8", "--no-sobol"],
])
def test_a_name_with_brackets_is_printed_as_written(bracketed, args):
    res = runner.invoke(app, [args[0], str(bracketed), *args[1:],
                              *(["--no-record"] if args[0] in ("forecast", "simulate") else [])])
    assert res.exit_code == 0, res.output
    assert NAME in res.stdout
    if args[0] == "simulate":
        assert f"Six-Party Talks {MEETING} does not meet" in _flat(res.stdout)


def test_an_intervention_name_and_an_option_value_with_brackets(bracketed, tmp_path):
    intervention = tmp_path / "iv.yaml"
    intervention.write_text('name: "Amnesty [/note]"\nremove: [jenkins-case]\n',
                            encoding="utf-8")
    res = runner.invoke(app, ["compare", str(bracketed), "-i", str(intervention), "--runs", "2",
                              "--until", "2004-12-31"])
    assert res.exit_code == 0, res.output
    assert "Amnesty [/note]" in res.stdout and NAME in res.stdout
    bad = runner.invoke(app, ["forecast", str(bracketed), "--capability", "[bold]x[/bold]",
                              "--no-record"])
    assert bad.exit_code == 2
    assert "unknown capability coding '[bold]x[/bold]'" in _flat(bad.stderr)
