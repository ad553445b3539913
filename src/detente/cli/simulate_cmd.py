"""``detente simulate`` and ``detente compare``: the dynamic simulation on the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from detente.cli.app import app, console, parse_options, print_json, user_errors
from detente.errors import DetenteError
from detente.scenario.io import load_scenario, write_atomic
from detente.simulation import SimOptions, simulate


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DetenteError(f"--until expects a date YYYY-MM-DD, got {text!r}") from None


def _mechanisms(off: list[str] | None, option: list[str] | None) -> dict:
    out: dict = {name: False for name in off or []}
    for key, value in parse_options(option).items():
        name, _, param = key.partition(".")
        if not param:
            raise DetenteError(f"--param expects mechanism.parameter=value, got {key!r}")
        out.setdefault(name, {})
        if isinstance(out[name], dict):
            out[name][param] = value
    return out


@app.command("simulate")
def simulate_cmd(
    file: Path,
    until: Annotated[str | None, typer.Option(help="last date simulated, YYYY-MM-DD")] = None,
    seed: Annotated[int, typer.Option(help="seed of the random generator")] = 0,
    step: Annotated[str, typer.Option(
        help="bargaining step: 'concession' or a static model name")] = "concession",
    off: Annotated[list[str] | None, typer.Option(
        "--off", help="switch a mechanism off (repeatable)")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="mechanism.parameter=value (repeatable)")] = None,
    capability: Annotated[str, typer.Option(help="capability coding")] = "default",
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    out: Annotated[Path | None, typer.Option(help="also write the JSON to this file")] = None,
) -> None:
    """Walk a scenario's calendar: forum meetings, events, trust and support over time."""
    with user_errors():
        sc = load_scenario(file)
        opts = SimOptions(until=_date(until), step=step, capability=capability,
                          mechanisms=_mechanisms(off, param))
        history = simulate(sc, opts, seed)
        data = history.to_dict()
    if out is not None:
        write_atomic(out, json.dumps(data, indent=2, allow_nan=False) + "\n")
    if json_out:
        print_json(data)
        return
    console.print(f"[bold]{sc.name or file}[/bold]: {history.start} to {history.until}, "
                  f"seed {seed}")
    for line in history.narrative():
        console.print(line, highlight=False, soft_wrap=True)
