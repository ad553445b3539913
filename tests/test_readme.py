"""The README's command lines work as written (run in a copy of scenarios/)."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.scenario.io import load_scenario

from .conftest import ANCHORS, ROOT, split_deu_by_proposal

# stand-ins for the README's placeholders, from the anchor data
PLACEHOLDERS = {
    "DEU_FILE.tsv": ANCHORS / "bdm" / "deu3_public__blksv.tsv",
    "some_bdm_table.csv": ANCHORS / "bdm" / "emission_bdm1994__jmckib.csv",
}
SPLIT = ("DEU_A.tsv", "DEU_B.tsv")  # the public DEU file's two halves, by proposal
NOT_RUN = {"serve"}  # a server that runs until stopped (tests/web covers it)


def readme_commands() -> list[str]:
    """The ``detente …`` lines of the README's first ``sh`` block after "## Use"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    use = text[text.index("## Use"):]
    block = re.search(r"```sh\n(.*?)```", use, re.S)
    assert block, "README: no sh block under ## Use"
    lines = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line.startswith("detente ")]


def test_the_readme_lists_commands():
    cmds = readme_commands()
    assert len(cmds) >= 10
    assert {c.split()[1] for c in cmds} >= {"forecast", "simulate", "backtest", "report",
                                           "sweep", "runs", "serve", "convert", "schema"}


@pytest.mark.parametrize("line", readme_commands())
def test_readme_command_works(line, tmp_path, monkeypatch):
    argv = shlex.split(line)[1:]
    if argv[0] in NOT_RUN:
        pytest.skip(f"'detente {argv[0]}' runs until stopped")
    out_file = None
    if ">" in argv:  # a shell redirection: check the output instead of writing it
        out_file = argv[argv.index(">") + 1]
        argv = argv[:argv.index(">")]
    for name, path in PLACEHOLDERS.items():
        if name in argv:
            if not path.exists():
                pytest.skip(f"anchor data not found at {path} (../shared/anchors is absent)")
            # a copy: what the line records goes next to it, never into the anchors folder
            argv[argv.index(name)] = str(shutil.copy(path, tmp_path / path.name))
    if any(name in argv for name in SPLIT):
        deu = PLACEHOLDERS["DEU_FILE.tsv"]
        if not deu.exists():
            pytest.skip(f"anchor data not found at {deu} (../shared/anchors is absent)")
        for name, part in zip(SPLIT, split_deu_by_proposal(deu, tmp_path), strict=True):
            argv[argv.index(name)] = str(part)
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DETENTE_RECORD", "1")  # as a user would run them
    if argv[0] == "runs":  # reads what an earlier README line recorded
        CliRunner().invoke(app, ["forecast", "scenarios/ec-emissions-1994.yaml", "-m",
                                 "compromise"])
    res = CliRunner().invoke(app, argv)
    assert res.exit_code == 0, f"{line}\n{res.output}"
    assert res.stdout.strip(), f"{line}: printed nothing"
    if out_file:
        assert res.stdout.lstrip().startswith("{"), out_file
    if "-o" in argv:
        assert (tmp_path / argv[argv.index("-o") + 1]).stat().st_size > 0
    if argv[0] == "convert":
        assert load_scenario(tmp_path / argv[2]).actors
