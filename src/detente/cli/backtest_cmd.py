"""``detente backtest``: model errors on issues with known outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from detente.cli.app import app, console, fmt_num, print_json, user_errors
from detente.evaluation.backtest import BacktestResult, backtest, load_dataset
from detente.models import models


@app.command("backtest")
def backtest_cmd(
    file: Path,
    fmt: Annotated[str | None, typer.Option("--format", "-f",
                                            help="input format (detected if omitted)")] = None,
    model: Annotated[str, typer.Option("--model", "-m",
                                       help="model name, or 'all'")] = "compromise",
    capability: Annotated[str, typer.Option(
        help="capability coding: default, equal, or a named coding (DEU: gdp)")] = "default",
    preset: Annotated[str | None, typer.Option(
        help="named option set (with --model all: for the models that have it)")] = None,
    seed: Annotated[int, typer.Option(help="seed of the random generator")] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    detail: Annotated[bool, typer.Option(
        "--detail", help="with --json: add preset, share beating compromise, skipped issues "
                         "and per-issue errors")] = False,
) -> None:
    """Run models on every issue with a known outcome; report MAE, RMSE and median error.

    An issue counts when at least 3 actors have a position and a salience and its outcome is
    on the issue's scale. Rows of a DEU file run as separate one-issue cases.
    """
    with user_errors():
        sc, cases = load_dataset(file, fmt)
        names = list(models()) if model == "all" else [model]
        results = backtest(sc, names, preset, capability, cases, seed, str(file))
    if json_out:
        items = [r.to_dict(detail) for r in results]
        print_json(items[0] if model != "all" else {"models": items})
        return
    _print_table(str(file), capability, results)


def _print_table(title: str, capability: str, results: list[BacktestResult]) -> None:
    table = Table(title=f"backtest: {title} (capability {capability})")
    for name in ("model", "issues", "MAE", "RMSE", "median AE", "beats compromise"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for r in results:
        label = r.model if r.preset == "default" else f"{r.model} ({r.preset})"
        beats = "—" if r.beats_baseline is None else f"{100 * r.beats_baseline:.0f}%"
        s = r.summary
        table.add_row(label, str(s.n), fmt_num(s.mae), fmt_num(s.rmse), fmt_num(s.median_ae),
                      beats)
    console.print(table)
    skipped = results[0].skipped
    if skipped:
        console.print("left out: " + ", ".join(f"{n} issues with {why}"
                                               for why, n in skipped.items()))
