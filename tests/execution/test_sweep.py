"""Sweep specs, worker-count invariance, and resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from detente.errors import ScenarioError
from detente.execution.executors import make_executor
from detente.execution.spec import SweepSpec, expand, parse_path, set_path
from detente.execution.sweep import plan, run_sweep


def write_spec(tmp_path: Path, scenario: Path, body: str, name: str = "spec.yaml") -> Path:
    f = tmp_path / name
    f.write_text(f"scenario: {scenario}\n{body}")
    return f


GRID = """models: [compromise, median]
seed: 5
draws: 20
parameters:
  actors[Germany].capability: {low: 0.05, high: 0.3, steps: 2}
  actors[UK].position.date: [7, 10]
  uncertainty.default: [{position: "±1"}]
"""


def stored(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT u.cell_key, u.model, u.seed, r.draw, r.round, r.actor, r.issue, r.value "
            "FROM results r JOIN runs u USING (run_id) ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_paths_and_set_path(flagship_path):
    from detente.scenario.io import load_scenario

    assert parse_path("actors[KP].position.A") == ["actors", ("KP",), "position", "A"]
    assert parse_path("issues[0].status_quo") == ["issues", 0, "status_quo"]
    data = load_scenario(flagship_path).model_dump(mode="json", by_alias=True)
    set_path(data, "actors[KP].capability", 20)
    assert set(data["actors"][5]["capability"].values()) == {20}
    set_path(data, "actors[CN].position.A", 40)
    assert data["actors"][1]["position"]["A"] == 40
    for bad, msg in [("actors[XX].capability", "no element with id 'XX'"),
                     ("actors[KP].strength", "no field 'strength'"),
                     ("nonsense", "no field 'nonsense'"), ("actors[KP]..x", "cannot read")]:
        with pytest.raises(ValueError, match=msg):
            set_path(data, bad, 1)


def test_grid_and_random_designs():
    spec = SweepSpec.model_validate({"scenario": "x", "models": ["a", "b"], "parameters": {
        "p": [1, 2, 3], "q": {"low": 0, "high": 1, "steps": 2}}})
    cells = expand(spec)
    assert len(cells) == 12 and len({c.key for c in cells}) == 12
    assert [c.key for c in expand(spec)] == [c.key for c in cells]  # stable across runs
    rnd = SweepSpec.model_validate({"scenario": "x", "design": "random", "samples": 5,
                                    "parameters": {"q": {"low": 0, "high": 1}}})
    vals = [c.params["q"] for c in expand(rnd)]
    assert len(set(vals)) == 5 and all(0 <= v <= 1 for v in vals)


@pytest.mark.parametrize("body,message", [
    ("parameters:\n  actors[Nowhere].capability: [1, 2]\n", "no element with id 'Nowhere'"),
    ("parameters:\n  actors[UK].strength: [1, 2]\n", "no field 'strength'"),
    ("parameters:\n  actors[UK].capability: []\n", "empty list"),
    ("parameters:\n  actors[UK].capability: {low: 1, high: 0, steps: 3}\n", "negative width"),
    ("parameters:\n  actors[UK].capability: {low: 0, high: 1}\n", "needs steps"),
    ("design: random\nparameters:\n  actors[UK].capability: [1]\n", "needs samples"),
    ("parameters:\n  actors[UK].capability: [-1]\n", "greater than or equal to 0"),
    ("parameters:\n  uncertainty.default: [{position: {'±': -2}}]\n", "must be positive"),
    ("parameters:\n  actors[UK].capability: 5\n", "expected a list of values or a range"),
    ("model: nosuchmodel\n", "unknown model"),
    ("options:\n  nosuchoption: [1]\n", "no option"),
    ("colour: red\n", "Extra inputs"),
    ("model: median\nmodels: [compromise]\n", "not both"),
    ("models: []\n", "models: empty list"),
    ("seed: -1\n", "greater than or equal to 0"),
    ("parameters:\n  actors[UK].capability: {low: 0, high: 1, steps: 1000000000}\n",
     "less than or equal to 10000"),
    ("parameters:\n  actors[UK].capability: {low: 0, high: 1, steps: 10000}\n"
     "  actors[Germany].capability: {low: 0, high: 1, steps: 10000}\n",
     "the grid has 100,000,000 cells (1 models x 10000 x 10000), more than 1,000,000"),
    # found when the sweep is planned, not when its first cell runs
    ("model: smp\ndraws: 100000000\n", "smp on 100,000,000 draws x 101 rounds would hold"),
    ("model: smp\ndraws: 100000\noptions:\n  rounds: [10, 100000]\n",
     "100,000 draws x 100,001 rounds would hold"),
    # a numpy error deep in the model once the first cell had run
    ("model: challenge\noptions:\n  rounds: [0, -1]\n", "must be a whole number, 0 or more"),
    ("model: challenge\noptions:\n  rounds: [2.5]\n", "got 2.5"),
    ("capability: gdp\n", "unknown capability coding 'gdp'; known: default, equal"),
])
def test_bad_specs_give_clear_errors(tmp_path, emission_path, body, message):
    spec = write_spec(tmp_path, emission_path, body)
    with pytest.raises(ScenarioError) as err:
        plan(spec)
    assert any(message in str(p) for p in err.value.problems), err.value.problems
    assert all(str(spec) in str(p) for p in err.value.problems)  # each names the spec file
    assert not any("Value error" in str(p) for p in err.value.problems)  # pydantic's prefix


def test_a_bad_range_names_its_key_and_line_and_only_the_form_written(tmp_path, emission_path):
    spec = write_spec(tmp_path, emission_path, "parameters:\n  actors[UK].capability: "
                      "{low: 0.1, hihg: 0.2}\n")
    with pytest.raises(ScenarioError) as err:
        plan(spec)
    got = {(p.path, p.line) for p in err.value.problems}
    assert got == {("parameters.actors[UK].capability.high", 3),
                   ("parameters.actors[UK].capability.hihg", 3)}, err.value.problems


def test_a_refused_value_is_located_at_its_parameter_by_actor_id(tmp_path, flagship_path):
    # these were "cell 0 ({...}): scenario.yaml: actors[5].capability.A: ..." once per issue
    # (six lines for one value), named the scenario file, which is fine, and gave no line
    spec = write_spec(tmp_path, flagship_path, "parameters:\n"
                      "  actors[CN].position.A: [45, 155]\n"
                      "  actors[5].capability: {low: -20, high: 40, steps: 3}\n"
                      "  actors[XX].salience.A: [1]\n")
    with pytest.raises(ScenarioError) as err:
        plan(spec)
    got = [(p.line, p.path, p.message) for p in err.value.problems]
    assert [g[:2] for g in got] == [(3, "parameters.actors[CN].position.A"),
                                    (4, "parameters.actors[5].capability"),
                                    (5, "parameters.actors[XX].salience.A")], got
    assert got[0][2].startswith("155 (cell ") and "outside the issue's scale 0-100" in got[0][2]
    assert got[1][2].startswith("-20 (cell 0) is refused: ")
    assert "no element with id 'XX'" in got[2][2]
    assert all(str(p.file) == str(spec) for p in err.value.problems)


def test_every_bad_option_is_located_at_its_line_and_path(tmp_path, emission_path):
    """A bad preset was blamed on `parameters:` (line 3), only the first bad option of a cell
    was reported, an unknown model had no line and was called `models`, and an empty list,
    steps: 1 and steps in a random design had no line or passed silently."""
    spec = write_spec(tmp_path, emission_path, "model: challenge\n"  # line 2
                      "parameters:\n  actors[UK].capability: [1, 2]\n"
                      "options:\n  q: [0.5]\n  preset: [nosuch]\n"
                      "  capability: [equal, gdp]\n")
    with pytest.raises(ScenarioError) as err:
        plan(spec)
    got = [(p.line, p.path) for p in err.value.problems]
    # the UK's capability is not read under 'equal' (test_a_capability_the_coding_...)
    assert got == [(4, "parameters.actors[UK].capability"), (6, "options.q"),
                   (7, "options.preset"), (8, "options.capability")], got
    assert "has no option q" in err.value.problems[1].message
    for body, where, message in (
            ("model: nosuch\n", (2, "model"), "unknown model 'nosuch'"),
            ("models: [compromise, nosuch]\n", (2, "models"), "unknown model 'nosuch'"),
            ("parameters:\n  actors[UK].capability: []\n",
             (3, "parameters.actors[UK].capability"), "empty list of values"),
            ("parameters:\n  actors[UK].capability: {low: 1, high: 2, steps: 1}\n",
             (3, "parameters.actors[UK].capability.steps"), "1 gives low alone"),
            ("design: random\nsamples: 3\nparameters:\n"
             "  actors[UK].capability: {low: 1, high: 2, steps: 3}\n",
             (5, "parameters.actors[UK].capability"), "steps apply to a grid design")):
        with pytest.raises(ScenarioError) as err:
            plan(write_spec(tmp_path, emission_path, body))
        (problem,) = err.value.problems
        assert (problem.line, problem.path) == where and message in problem.message, problem


def test_a_scenario_problem_path_is_read_with_actor_ids(flagship_path):
    from detente.execution.spec import by_id, parameter_at
    from detente.scenario.io import load_scenario

    data = load_scenario(flagship_path).model_dump(mode="json", by_alias=True)
    assert by_id(data, "actors[5].capability.A") == "actors[KP].capability.A"
    assert by_id(data, "actors[KP].position") == "actors[KP].position"
    assert by_id(data, "actors[99].position") == "actors[99].position"
    assert by_id(data, "not a path!") == "not a path!"
    keys = ["actors[CN].position.A", "actors[KP].capability"]
    assert parameter_at(data, "actors[5].capability.B", keys) == "actors[KP].capability"
    assert parameter_at(data, "actors[1]", keys) == "actors[CN].position.A"  # above it
    assert parameter_at(data, "actors[1].position.B", keys) is None
    assert parameter_at(data, "", keys) is None


def test_spec_problems_carry_their_line_and_aliases_are_refused(tmp_path, emission_path):
    spec = write_spec(tmp_path, emission_path, "parameters:\n  actors[UK].capability: [1]\n"
                      "colour: red\n")
    with pytest.raises(ScenarioError) as err:
        plan(spec)
    (p,) = err.value.problems
    assert p.path == "colour" and p.line == spec.read_text().splitlines().index("colour: red") + 1
    bomb = write_spec(tmp_path, emission_path, "x: &a [1, 2]\ny: [*a, *a]\n")
    with pytest.raises(ScenarioError, match="aliases"):
        plan(bomb)


def test_same_results_with_one_and_two_workers(tmp_path, emission_path):
    spec = write_spec(tmp_path, emission_path, GRID)
    one = run_sweep(spec, tmp_path / "one.duckdb", make_executor("local", 1))
    ex = make_executor("local", 2)
    try:
        two = run_sweep(spec, tmp_path / "two.duckdb", ex)
    finally:
        ex.close()
    assert one.computed == two.computed == 8
    rows = stored(tmp_path / "one.duckdb")
    assert len(rows) > 8 * 20 and rows == stored(tmp_path / "two.duckdb")


def test_same_results_on_a_dask_local_cluster(tmp_path, emission_path):
    pytest.importorskip("dask.distributed")
    spec = write_spec(tmp_path, emission_path, GRID)
    run_sweep(spec, tmp_path / "one.duckdb")
    ex = make_executor("dask-local", 2)
    try:
        run_sweep(spec, tmp_path / "dask.duckdb", ex)
    finally:
        ex.close()
    assert stored(tmp_path / "one.duckdb") == stored(tmp_path / "dask.duckdb")


def test_exported_params_keep_their_characters(tmp_path, emission_path):
    # a cell's params in a CSV export read {"uncertainty.default": {"position": "\\u00b11"}}
    from detente.store import RunStore

    spec = write_spec(tmp_path, emission_path, GRID)
    run_sweep(spec, tmp_path / "s.duckdb")
    with RunStore(tmp_path / "s.duckdb", read_only=True) as st:
        st.export(tmp_path / "out.csv", "csv", None, None)
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "±1" in text and "\\u00b1" not in text


def test_rerun_computes_nothing(tmp_path, emission_path):
    spec = write_spec(tmp_path, emission_path, GRID)
    first = run_sweep(spec, tmp_path / "s.duckdb")
    again = run_sweep(spec, tmp_path / "s.duckdb")
    assert (first.computed, again.computed, again.already_done) == (8, 0, 8)
    assert first.sweep_id == again.sweep_id


def test_killed_sweep_resumes_only_missing_cells(tmp_path, emission_path):
    """A real `detente sweep` subprocess killed with SIGKILL half-way, then run again."""
    body = ("model: median\nseed: 9\ndraws: 50\nparameters:\n"
            "  actors[Germany].capability: {low: 0.01, high: 0.5, steps: 20}\n"
            "  actors[UK].position.date: [7, 10]\n  uncertainty.default: [{position: '±1'}]\n")
    spec = write_spec(tmp_path, emission_path, body)
    store = tmp_path / "killed.duckdb"
    cmd = [sys.executable, "-c", "from detente.cli import main; main()", "sweep", str(spec),
           "--store", str(store), "--plain"]
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    seen = 0
    for line in proc.stdout:
        if line.startswith("cell "):
            seen += 1
            if seen == 5:
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = stored(store)
    keys = {r[0] for r in partial}
    assert 5 <= len(keys) < 40  # killed half-way, every recorded cell complete
    per_cell = {k: sum(1 for r in partial if r[0] == k) for k in keys}
    assert len(set(per_cell.values())) == 1  # no cell has partial rows

    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    assert f"{len(keys)} already in the store, {40 - len(keys)} to run" in done.stdout
    final = stored(store)
    con = duckdb.connect(str(store), read_only=True)
    n_runs, n_keys = con.execute(
        "SELECT count(*), count(DISTINCT cell_key) FROM runs").fetchone()
    con.close()
    assert n_runs == n_keys == 40
    assert set(partial) <= set(final)  # nothing recorded before was recomputed or lost

    clean = tmp_path / "clean.duckdb"
    run_sweep(spec, clean)
    assert final == stored(clean)


def test_ctrl_c_stops_a_sweep_on_workers_cleanly_and_a_rerun_resumes(tmp_path, emission_path):
    """Ctrl-C reaches the whole process group (the sweep and its workers): one line saying
    what is kept, exit 130, no traceback from any process, and no hang."""
    body = ("model: challenge\nseed: 3\ndraws: 400\nparameters:\n"
            "  actors[Germany].capability: {low: 0.01, high: 0.5, steps: 200}\n")
    spec = write_spec(tmp_path, emission_path, body)
    store = tmp_path / "interrupted.duckdb"
    cmd = [sys.executable, "-c", "from detente.cli import main; main()", "sweep", str(spec),
           "--store", str(store), "--plain", "--workers", "2"]
    env = {**os.environ, "COLUMNS": "300"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)  # its own process group
    for line in proc.stdout:
        if line.startswith("cell 3/"):
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
            break
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err + out
    assert "interrupted: the cells finished so far are in the store" in err
    con = duckdb.connect(str(store), read_only=True)
    kept = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    con.close()
    assert 3 <= kept < 200
    again = subprocess.run([*cmd[:-2]], capture_output=True, text=True, env=env, check=True)
    assert f"{kept} already in the store, {200 - kept} to run" in again.stdout


def test_a_cell_keeps_draw_0s_trajectory_unless_the_spec_asks_for_all(tmp_path, emission_path):
    """Every draw's forecast is stored either way; trajectories of every draw only on demand."""
    def draws_with(path: Path, positions: bool) -> set[int]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            cond = "actor IS NOT NULL" if positions else "actor IS NULL"
            return {r[0] for r in con.execute(f"SELECT DISTINCT draw FROM results WHERE {cond}")
                    .fetchall()}
        finally:
            con.close()

    first = write_spec(tmp_path, emission_path, GRID, "first.yaml")
    every = write_spec(tmp_path, emission_path, GRID + "trajectories: all\n", "all.yaml")
    run_sweep(first, tmp_path / "first.duckdb")
    run_sweep(every, tmp_path / "all.duckdb")
    assert draws_with(tmp_path / "first.duckdb", positions=True) == {0}
    assert draws_with(tmp_path / "all.duckdb", positions=True) == set(range(20))
    for store in ("first", "all"):
        assert draws_with(tmp_path / f"{store}.duckdb", positions=False) == set(range(20))


def test_an_address_without_the_dask_executor_is_refused():
    """'--address tcp://...' with the default local executor ran locally without a word."""
    from detente.errors import OptionError

    for kind in ("local", "dask-local"):
        with pytest.raises(OptionError, match="give --executor dask with it"):
            make_executor(kind, 1, "tcp://127.0.0.1:1")
    with pytest.raises(OptionError, match="needs --address"):
        make_executor("dask", 1)


def test_runs_list_of_an_empty_kind_says_so_and_where_sweeps_go(tmp_path, emission_path):
    from typer.testing import CliRunner

    from detente.cli import app
    from detente.store import RunStore

    store = tmp_path / "s.duckdb"
    RunStore(store).close()
    res = CliRunner().invoke(app, ["runs", "list", "--store", str(store), "--kind", "sweep"])
    text = " ".join(res.stdout.split())
    assert res.exit_code == 0 and f"no sweep runs in {store}" in text
    assert "next to its spec" in text


def test_rounds_for_a_model_without_rounds_gets_a_note(tmp_path, emission_path):
    """A rounds axis over compromise ran its cells twice with the same figures, without a
    word (forecast --rounds says so)."""
    from typer.testing import CliRunner

    from detente.cli import app
    from detente.execution.spec import read_spec
    from detente.execution.sweep import ignored_settings

    spec = write_spec(tmp_path, emission_path,
                      "models: [compromise, challenge]\noptions:\n  rounds: [3, 5]\n")
    assert ignored_settings(read_spec(spec)) == [
        "options.rounds changes nothing for compromise: it has no rounds of bargaining; cells "
        "that differ only in rounds give the same figures"]
    res = CliRunner().invoke(app, ["sweep", str(spec), "--plain",
                                   "--store", str(tmp_path / "s.duckdb")])
    text = " ".join(res.stderr.split())
    assert res.exit_code == 0, res.output
    assert "note: options.rounds changes nothing for compromise:" in text
    rows = stored(tmp_path / "s.duckdb")  # the note's claim: the compromise cells agree
    by_cell: dict[str, list] = {}
    for key, model, _seed, *rest in rows:
        if model == "compromise":
            by_cell.setdefault(key, []).append(tuple(rest))
    assert len(by_cell) == 2
    first, second = by_cell.values()
    assert first == second
    for body in ("models: [challenge]\noptions:\n  rounds: [3, 5]\n",
                 "models: [compromise, median]\n"):  # rounds with rounds, or no rounds axis
        assert ignored_settings(read_spec(write_spec(tmp_path, emission_path, body))) == []


def test_a_capability_the_coding_does_not_read_is_refused(tmp_path, flagship_path):
    """actors[KP].capability swept under capability 'structural' (KP has a structural value)
    gave the same figures in every cell without a word; an actor without the coding falls
    back to its own capability, so sweeping it there stays allowed."""
    spec = write_spec(tmp_path, flagship_path, "parameters:\n"
                      "  actors[KP].capability: [1, 1000]\n"
                      "options:\n"
                      "  capability: [default, structural]\n")
    with pytest.raises(ScenarioError) as err:
        plan(spec)
    (problem,) = err.value.problems
    assert problem.path == "parameters.actors[KP].capability" and problem.line == 3
    assert "coding 'structural' does not read" in problem.message
    fine = write_spec(tmp_path, flagship_path, "parameters:\n"
                      "  actors[KP].capability: [1, 1000]\n")
    assert plan(fine)  # the default coding reads it
    text = flagship_path.read_text(encoding="utf-8")
    assert text.count("    capabilities: {structural: 6}\n") == 1  # KP's
    no_kp_coding = tmp_path / "flagship.yaml"
    no_kp_coding.write_text(text.replace("    capabilities: {structural: 6}\n", ""),
                            encoding="utf-8")
    falls_back = write_spec(tmp_path, no_kp_coding, "parameters:\n"
                            "  actors[KP].capability: [1, 1000]\n"
                            "options:\n  capability: [structural]\n", name="back.yaml")
    assert plan(falls_back)  # KP has no structural value: the coding reads its own capability
