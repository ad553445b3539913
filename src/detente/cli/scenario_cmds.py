"""Commands on scenario files: validate, convert, schema."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

from detente.cli.app import app, console, err_console, print_json, styled, user_errors
from detente.errors import DetenteError, OptionError, Problem, ScenarioError
from detente.scenario.io import (
    load_scenario,
    output_target,
    save_scenario,
    writable_formats,
)
from detente.scenario.losses import conversion_losses
from detente.scenario.model import Scenario

FormatOpt = Annotated[str | None, typer.Option("--format", "-f",
                                               help="input format (detected if omitted)")]


@app.command()
def validate(file: Path, fmt: FormatOpt = None,
             json_out: Annotated[bool, typer.Option(
                 "--json", help="print {file, valid, ...} as JSON: counts when valid, "
                                "problems (message, path, line, file) when not")] = False,
             ) -> None:
    """Check a scenario file and report its problems by file, line and field (exit code 2
    if any). Every problem is listed at once, except that a value which cannot be read at all
    inside a list (a meeting's impossible date) holds back the checks across fields (unknown
    ids, ranges) until it is fixed."""
    with user_errors():
        try:
            sc = load_scenario(file, fmt)
        except DetenteError as exc:
            if json_out:  # the problems on stdout as well, for tools
                problems = exc.problems if isinstance(exc, ScenarioError) else [
                    Problem(str(exc))]
                print_json({"file": str(file), "valid": False,
                            "problems": [dataclasses.asdict(p) for p in problems]})
            raise
    summary = {"file": str(file), "valid": True, "actors": len(sc.actors),
               "issues": len(sc.issues), "forums": len(sc.forums), "events": len(sc.calendar)}
    from detente.scenario.arrays import to_arrays
    from detente.simulation.engine import unweighed_agendas

    with user_errors():  # valid, but `simulate` refuses it: said now, not at the first run
        refused = [f"{file}: {p}" for p in unweighed_agendas(to_arrays(sc), sc)]
    for text in refused:
        err_console.print(f"note: simulate refuses this scenario: {text}", highlight=False)
    if refused:
        summary["simulation_problems"] = refused
    if json_out:
        print_json(summary)
    else:
        counts = ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for n, what in (
            (len(sc.actors), "actor"), (len(sc.issues), "issue"), (len(sc.forums), "forum"),
            (len(sc.calendar), "event")))
        console.print(styled("ok", "green") + f" {file}: {counts}")


@app.command()
def convert(src: Path, dst: Path, fmt: FormatOpt = None,
            to: Annotated[str | None, typer.Option(
                "--to", help=f"output format: {', '.join(writable_formats())} (from the "
                             "suffix if omitted; .csv: a one-issue BDM table, else KTAB, else "
                             "Decide)")]
            = None) -> None:
    """Convert a scenario between formats (YAML, JSON, BDM CSV, KTAB CSV, Decide, DEU).

    The file written is read back, and what its format does not carry (issue names, the
    outcome, forums, ...) is named on stderr."""
    with user_errors():
        if dst.exists() and src.exists() and dst.resolve() == src.resolve():
            raise OptionError(f"{dst} is the file being converted: writing it would replace "
                              "the source (and lose what the format does not carry); name "
                              "another output file")
        if dst.is_dir():
            raise OptionError(f"{dst} is a directory: name the output file (its suffix gives "
                              "the format, or give --to)")
        sc = load_scenario(src, fmt)
        try:
            written = save_scenario(sc, dst, to)
        except ScenarioError as exc:  # a field of the source that the output format refuses
            raise ScenarioError([p if p.file == str(dst) else dataclasses.replace(
                p, file=p.file or str(src), message=f"cannot be written to {dst}: {p.message}")
                for p in exc.problems]) from None
    console.print(f"wrote {dst} ({written.name})")
    if output_target(dst)[1]:  # a pipe or device: nothing to read back (reading would block)
        return
    try:
        lost = conversion_losses(sc, load_scenario(dst, written.name))
    except DetenteError as exc:
        err_console.print(styled("warning", "yellow") + f" {dst} cannot be read back: {exc}",
                          highlight=False, soft_wrap=True)
        return
    if lost:
        err_console.print(f"note: the {written.name} format does not carry everything: "
                          f"{', '.join(lost)} differ or are left out in {dst}",
                          highlight=False, soft_wrap=True)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format, for editors that validate files."""
    data = Scenario.model_json_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "detente scenario"
    print(json.dumps(data, indent=2))
