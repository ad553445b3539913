"""The run store: every run recorded in an embedded DuckDB file.

Tables:

``scenarios``  hash (sha256 of the scenario's canonical JSON), name, content (that JSON)
``runs``       one row per run: id, time, kind (forecast, simulation, sweep, backtest),
               scenario hash and name,
               model, preset, capability coding, options (JSON), seed, draws, rounds,
               detente version, sweep id, cell key and index, cell parameters (JSON) and a
               JSON summary (per-issue forecast and quantiles)
``results``    long format: run_id, draw, round, actor, issue, value (see :mod:`.rows`)
``sweeps``     one row per sweep: id, time, spec (JSON), number of cells

A run is written in one transaction: it is in the store with all its rows, or not at all
(a process killed half-way leaves nothing of that run). ``runs`` has a unique (sweep_id,
cell_key) constraint, so a sweep cell cannot be recorded twice.

DuckDB allows one writing process per file; a second one gets a :class:`StoreError` that says
the store is in use, not a lock traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from detente import __version__
from detente.errors import DetenteError
from detente.jsonio import dumps_finite
from detente.scenario.io import output_target
from detente.scenario.model import Scenario

DEFAULT_NAME = "detente.duckdb"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    hash VARCHAR PRIMARY KEY, name VARCHAR, content VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps (
    sweep_id VARCHAR PRIMARY KEY, created TIMESTAMP, spec VARCHAR, cells INTEGER);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, created TIMESTAMP NOT NULL, kind VARCHAR NOT NULL,
    scenario_hash VARCHAR NOT NULL, scenario_name VARCHAR, model VARCHAR NOT NULL,
    preset VARCHAR, capability VARCHAR, options VARCHAR, seed BIGINT, draws INTEGER,
    rounds INTEGER, version VARCHAR, sweep_id VARCHAR, cell_key VARCHAR, cell_index INTEGER,
    params VARCHAR, summary VARCHAR, UNIQUE (sweep_id, cell_key));
CREATE TABLE IF NOT EXISTS results (
    run_id VARCHAR NOT NULL, draw INTEGER NOT NULL, round INTEGER NOT NULL, actor VARCHAR,
    issue VARCHAR NOT NULL, value DOUBLE);
"""

RUN_COLUMNS = ("run_id", "created", "kind", "scenario_hash", "scenario_name", "model",
               "preset", "capability", "options", "seed", "draws", "rounds", "version",
               "sweep_id", "cell_key", "cell_index", "params", "summary")


class StoreError(DetenteError):
    """The run store cannot be opened or written (locked, read-only, missing, corrupt)."""


def unknown_sweep(sweep_id: str, store: Path) -> StoreError:
    """The error for a sweep id that names no sweep in ``store``."""
    return StoreError(f"no sweep {sweep_id!r} in {store} (a sweep id is the part of its "
                      "cells' run ids before the dash)")


def scenario_json(sc: Scenario) -> str:
    """The canonical JSON of a scenario: what is hashed and stored."""
    return json.dumps(sc.model_dump(mode="json", by_alias=True), sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def scenario_hash(sc: Scenario) -> str:
    return hashlib.sha256(scenario_json(sc).encode()).hexdigest()


def default_store_path(scenario_file: str | Path) -> Path:
    """``detente.duckdb`` in the scenario file's folder."""
    return Path(scenario_file).resolve().parent / DEFAULT_NAME


@dataclass
class RunRecord:
    """The metadata of one run (everything but the result rows)."""

    scenario: Scenario
    model: str
    preset: str
    capability: str
    options: dict[str, Any]
    seed: int
    draws: int
    rounds: int
    kind: str = "forecast"
    summary: dict[str, Any] = field(default_factory=dict)
    sweep_id: str | None = None
    cell_key: str | None = None
    cell_index: int | None = None
    params: dict[str, Any] | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])


def _duckdb_or_new(path: Path) -> bool:
    """Whether ``path`` is a DuckDB database file, or nothing yet (an empty file or none):
    a DuckDB file has the magic bytes ``DUCK`` at offset 8."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:  # none yet, or unreadable: DuckDB's own error says why
        return True
    return not head or head[8:12] == b"DUCK"


# sweep and runs have no --no-record: a sweep's cells live in the store
_NO_RECORD = " (forecast, simulate and backtest can also skip recording: --no-record)"


def _explain(path: Path, exc: Exception, read_only: bool) -> StoreError:
    msg = str(exc)
    low = msg.lower()
    if "lock" in low:
        return StoreError(f"run store {path} is in use by another detente process; wait for "
                          "it to finish or pick another file with --store" + _NO_RECORD)
    if "permission denied" in low or "read-only" in low or "read only" in low:
        return StoreError(f"cannot {'read' if read_only else 'write'} run store {path}: "
                          "permission denied (read-only file or folder); pick a writable "
                          "location with --store" + _NO_RECORD)
    if "not a valid duckdb" in low or "invalid" in low or "corrupt" in low:
        return StoreError(f"{path} is not a detente run store (not a readable DuckDB file)")
    return StoreError(f"cannot open run store {path}: {msg.splitlines()[0]}")


class RunStore:
    """An open run store. Use as a context manager; ``read_only`` for list/show/export."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise StoreError(f"no run store at {self.path}")
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a run store file")
        if not read_only and not self.path.parent.exists():  # created, as --out's folders are
            try:
                self.path.parent.mkdir(parents=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of run store {self.path}: "
                                 f"{exc.strerror or exc}") from None
        if not _duckdb_or_new(self.path):  # DuckDB opened a CSV as a passing in-memory store
            raise StoreError(f"{self.path} is not a detente run store (not a DuckDB file); "
                             "name a .duckdb file with --store")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            if not read_only:
                self.con.execute(_SCHEMA)
        except duckdb.Error as exc:
            raise _explain(self.path, exc, read_only) from None
        self.read_only = read_only

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.read_only:
            raise StoreError(f"run store {self.path} was opened read-only")
        con = self.con
        con.begin()
        try:
            yield con
            con.commit()
        except BaseException as exc:
            # no transaction may be left to roll back: Ctrl-C stopped the commit itself
            with suppress(duckdb.Error):
                con.rollback()
            if _interrupted(exc):  # Ctrl-C inside DuckDB; the run is all there or not at all
                raise KeyboardInterrupt from None
            if isinstance(exc, duckdb.Error):
                raise _explain(self.path, exc, False) from None
            raise

    def record(self, run: RunRecord, rows: pd.DataFrame) -> str:
        """Record a run and its rows in one transaction; returns the run id."""
        content = scenario_json(run.scenario)
        digest = hashlib.sha256(content.encode()).hexdigest()
        values = (run.run_id, dt.datetime.now(dt.UTC).replace(tzinfo=None), run.kind, digest,
                  run.scenario.name, run.model, run.preset, run.capability,
                  json.dumps(run.options, sort_keys=True, default=str, ensure_ascii=False),
                  run.seed, run.draws, run.rounds, __version__, run.sweep_id, run.cell_key,
                  run.cell_index,
                  None if run.params is None else json.dumps(run.params, sort_keys=True,
                                                             ensure_ascii=False),
                  dumps_finite(run.summary))
        frame = rows.assign(run_id=run.run_id)[["run_id", "draw", "round", "actor", "issue",
                                                "value"]]
        with self._transaction() as con:
            con.execute("INSERT INTO scenarios VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        [digest, run.scenario.name, content])
            con.execute(f"INSERT INTO runs VALUES ({', '.join('?' * len(values))})",
                        list(values))
            con.register("_detente_rows", frame)
            try:
                con.execute("INSERT INTO results SELECT * FROM _detente_rows")
            finally:
                con.unregister("_detente_rows")
        return run.run_id

    def register_sweep(self, sweep_id: str, spec: dict[str, Any], cells: int) -> None:
        with self._transaction() as con:
            con.execute("INSERT INTO sweeps VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        [sweep_id, dt.datetime.now(dt.UTC).replace(tzinfo=None),
                         json.dumps(spec, sort_keys=True, default=str, ensure_ascii=False),
                         cells])

    def done_cells(self, sweep_id: str) -> set[str]:
        rows = self.con.execute("SELECT cell_key FROM runs WHERE sweep_id = ?",
                                [sweep_id]).fetchall()
        return {r[0] for r in rows}

    def _has_tables(self) -> bool:
        """Whether the store has runs (False for a new, empty one); a DuckDB file whose
        ``runs`` table is not detente's is an error, not an empty store."""
        names = {r[0] for r in self.con.execute("SHOW TABLES").fetchall()}
        if not {"runs", "results"} <= names:
            return False
        columns = {r[0] for r in self.con.execute("DESCRIBE runs").fetchall()}
        missing = [c for c in RUN_COLUMNS if c not in columns]
        if missing:
            raise StoreError(f"{self.path} is a DuckDB file but not a detente run store: its "
                             f"table 'runs' lacks {', '.join(missing[:4])}"
                             + (" ..." if len(missing) > 4 else ""))
        return True

    def runs(self, limit: int | None = None, sweep_id: str | None = None,
             kind: str | None = None) -> list[dict[str, Any]]:
        """Run metadata, newest first; only one sweep's or one kind's runs if given."""
        if not self._has_tables():
            return []
        sql = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs"
        where, args = [], []
        for column, value in (("sweep_id", sweep_id), ("kind", kind)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created DESC, cell_index DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [self._run_dict(r) for r in self.con.execute(sql, args).fetchall()]

    @staticmethod
    def _run_dict(row: tuple[Any, ...]) -> dict[str, Any]:
        out = dict(zip(RUN_COLUMNS, row, strict=True))
        for key in ("options", "params", "summary"):
            try:
                out[key] = None if out[key] is None else json.loads(out[key])
            except json.JSONDecodeError:
                raise StoreError(f"run {out['run_id']}: its {key} is not valid JSON; the store "
                                 "was changed outside detente") from None
        out["created"] = out["created"].isoformat(timespec="seconds")
        return out

    def run(self, run_id: str) -> dict[str, Any]:
        """One run by id, or by a unique prefix of its id."""
        if not run_id.strip():  # every id starts with ""; the list gives the ids
            raise StoreError("the run id is empty; `detente runs list` gives the ids")
        if not self._has_tables():
            raise StoreError(f"no run {run_id!r} in {self.path}")
        rows = self.con.execute(
            f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE starts_with(run_id, ?)",
            [run_id]).fetchall()
        if not rows:
            raise StoreError(f"no run {run_id!r} in {self.path}")
        if len(rows) > 1:
            raise StoreError(f"{run_id!r} matches {len(rows)} runs; give more of the id")
        return self._run_dict(rows[0])

    def results(self, run_id: str) -> pd.DataFrame:
        return self.con.execute(
            "SELECT draw, round, actor, issue, value FROM results WHERE run_id = ? "
            "ORDER BY draw, round, actor NULLS FIRST, issue", [run_id]).df()

    def count_rows(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM results").fetchone()[0])

    def export(self, dest: str | Path, fmt: str, run_id: str | None = None,
               sweep_id: str | None = None) -> int:
        """Write results joined with their run's metadata to ``dest`` (parquet or csv).

        A backtest's forecast rows carry the issue's observed ``outcome`` (from the run's
        summary); the column is empty on every other row.

        The file is written to a temporary name and renamed, so readers never see half a file.
        Returns the number of rows written.
        """
        if fmt not in ("parquet", "csv"):
            raise StoreError(f"unknown export format {fmt!r}; use parquet or csv")
        dest = Path(dest)
        where, args = [], []
        if run_id is not None:
            where.append("r.run_id = ?")
            args.append(self.run(run_id)["run_id"])
        if sweep_id is not None:
            if not self.runs(1, sweep_id):
                raise unknown_sweep(sweep_id, self.path)
            where.append("u.sweep_id = ?")
            args.append(sweep_id)
        sql = ("SELECT r.run_id, u.kind, u.model, u.preset, u.capability, u.seed, u.sweep_id, "
               f"u.cell_index, u.params, r.draw, r.round, r.actor, r.issue, r.value, {_OUTCOME} "
               "FROM results r JOIN runs u USING (run_id)")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY u.created, r.run_id, r.draw, r.round, r.actor NULLS FIRST, r.issue"
        target, in_place = output_target(dest)  # /dev/stdout is written through
        if target.is_dir():
            raise StoreError(f"cannot export to {dest}: it is a folder; name a file in it")
        folder = Path(tempfile.gettempdir()) if in_place else target.parent
        tmp = folder / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
        opts = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # COPY returns the number of rows it wrote (the query ran twice with a count)
            n = self.con.execute(f"COPY ({sql}) TO '{_sql_path(tmp)}' ({opts})",
                                 args).fetchone()[0]
            if in_place:
                with open(tmp, "rb") as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                tmp.unlink()
            else:
                tmp.replace(target)
        except duckdb.Error as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot export to {dest}: {str(exc).splitlines()[0]}") from None
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot export to {dest}: {exc.strerror or exc}") from None
        return int(n)


# A backtest run's summary holds {"issues": {issue: {"forecast", "outcome"}}}; the JSON
# pointer escapes '~' and '/' in the issue id (RFC 6901).
_OUTCOME = ("CASE WHEN u.kind = 'backtest' AND r.actor IS NULL THEN CAST(json_extract("
            "u.summary, '/issues/' || replace(replace(r.issue, '~', '~0'), '/', '~1') "
            "|| '/outcome') AS DOUBLE) END AS outcome")


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB's report of a Ctrl-C during a query or commit."""
    return isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower())


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")
