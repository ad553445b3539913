"""The typer application and the helpers every command uses."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from detente.errors import DetenteError, ScenarioError
from detente.jsonio import dumps_finite
from detente.scenario.io import write_atomic

app = typer.Typer(
    name="detente",
    help="Model, simulate and forecast multilateral negotiations between states.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _print_version(value: bool) -> None:
    if value:
        from detente import __version__

        print(f"detente {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="print the version and exit")] = False) -> None:
    """The options before a command (``--version``); the app's help is the Typer's own."""


# markup off: scenario names, meeting labels and ids are printed as written ("round 1
# [postponed]" lost its bracket, and "[/x]" stopped a command with rich's MarkupError); the
# CLI's own colours are styled Text (:func:`styled`)
console = Console(markup=False)
err_console = Console(stderr=True, markup=False)


def styled(text: str, style: str) -> Text:
    """``text`` in ``style``; add plain strings to it with ``+`` (never read as markup)."""
    return Text(text, style=style)

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a Ctrl-C


@contextmanager
def user_errors() -> Iterator[None]:
    """Print library errors as one clear line per problem and exit with code 2."""
    try:
        yield
    except ScenarioError as exc:
        for p in exc.problems:
            err_console.print(styled("error", "red") + f" {p}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except DetenteError as exc:
        err_console.print(styled("error", "red") + f" {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except MemoryError as exc:  # a clear line rather than numpy's traceback; nothing written
        err_console.print(styled("error", "red")
                          + f" out of memory ({exc or 'no detail'}); ask for fewer "
                          "draws, samples or models", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def format_for(out: Path, fmt: str | None, by_suffix: dict[str, str],
               otherwise: str | None) -> str | None:
    """The output format of ``out``: ``fmt`` when given, else the one its suffix names in
    ``by_suffix`` (``otherwise`` for other suffixes). A ``fmt`` that a known suffix
    contradicts (``-o r.pdf -f html``) is an error: the file would lie about its content."""
    implied = by_suffix.get(out.suffix.lower(), otherwise)
    if fmt is None:
        return implied
    if out.suffix.lower() in by_suffix and implied != fmt:
        raise DetenteError(f"--format {fmt} does not fit {out.name!r}; leave --format out, or "
                           f"name the output for {fmt}")
    return fmt


def write_json(path: Any, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically; a NaN or infinity in it is a clear error
    (exit code 2) and nothing is written."""
    with user_errors():
        write_atomic(path, dumps_finite(data, indent=2) + "\n")


def print_json(data: Any) -> None:
    with user_errors():
        text = dumps_finite(data, indent=2, ensure_ascii=False)
    sys.stdout.write(text + "\n")


def parse_options(items: list[str] | None, flag: str = "--option",
                  own_flags: tuple[str, ...] = ()) -> dict[str, Any]:
    """``key=value`` pairs (of the option ``flag``, named in errors); values parsed as JSON
    where possible (numbers, true, null). A key in ``own_flags`` is a setting the command
    takes as a flag of its own (``rounds``: ``--rounds``), not a model option: refused."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise DetenteError(f"{flag} expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        if key.strip() in own_flags:
            raise DetenteError(f"{key.strip()} is not a model option: give it as "
                               f"--{key.strip()} {value}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


MODEL_HELP = "model name, or 'all'; repeat it or separate names by commas for several"


def parse_model_names(values: list[str]) -> tuple[list[str], bool]:
    """The model names of repeated or comma-separated ``--model`` values
    (:func:`detente.models.parse_names`); none at all is an error naming the option."""
    from detente.models import models, parse_names

    names, every = parse_names(values)
    if not names:
        raise DetenteError(f"--model needs a model name; models: {', '.join(models())}")
    return names, every


def fmt_num(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


Command = Callable[..., Any]


RECORD_ENV = "DETENTE_RECORD"
SEED_MAX = 2**63 - 1  # the run store keeps seeds as 64-bit integers
WORKERS_HELP = ("processes that run separate cases side by side (a DEU file's rows, a case "
                "file's readings) with condorcet, exchange or smp; at most this machine's cores; "
                "same result for any number")
DEFAULT_QUANTILES_TEXT = "0.1,0.5,0.9"
QUANTILES_HELP = ("quantiles reported with --draws, comma-separated "
                  f"[default: {DEFAULT_QUANTILES_TEXT}]")
CAPABILITY_HELP = ("capability coding: default, equal, a named coding, or a table "
                   "FILE.csv[:COLUMN] (an actor column and values)")


SLOW_CASE_DRAWS = 20_000  # smp: case x draws from which a run takes 100 s and more
SMP_CASE_DRAW_SECONDS = 0.005  # smp on one DEU case and draw, one core (README, Speed)


def print_workers_hint(separate: bool, n_cases: int, names: list[str] | None, draws: int,
                       workers: int) -> None:
    """Say how long smp (one of ``names``; None: every model) will take on ``n_cases``
    separate cases x ``draws`` in one process where that is 100 s or more (the DEU file at a
    report's 500 draws: 11-13 minutes), and suggest --workers and fewer --draws."""
    from detente.execution.cases import usable_cores

    cores = usable_cores()
    if (separate and workers == 1 and cores > 1 and n_cases * draws >= SLOW_CASE_DRAWS
            and (names is None or "smp" in names)):
        minutes = n_cases * draws * SMP_CASE_DRAW_SECONDS / 60
        err_console.print(f"note: smp runs each of the {n_cases:,} cases alone on {draws:,} "
                          f"draws: about {minutes:.0f} minute{'s' * (round(minutes) != 1)} "
                          f"on one process (5 ms per case and draw on our 2-core machine); "
                          f"--workers {cores} runs the cases on {cores} processes (the same "
                          f"result), and fewer --draws take proportionally less",
                          highlight=False)


def read_only_folder(folder: Path) -> bool:
    """Whether ``folder``'s mode grants nobody write permission. Checked by mode, not by
    ``os.access``: a process running as root may write anyway, and would then put a run store
    into a shared, read-only data folder (the anchor data of the tests, a colleague's files)."""
    try:
        return not folder.stat().st_mode & 0o222
    except OSError:
        return False


def record_run(file: Any, store: Any, record: bool, write: Callable[[Any], list[str]],
               only_existing: bool = False) -> tuple[list[str], Any]:
    """Record a finished run: in ``store`` if named (errors are fatal), else, when ``record``
    is on, in ``detente.duckdb`` next to the scenario, where a store that cannot be written
    (read-only folder, another process holding it) only warns, so the forecast is not lost.
    ``only_existing``: the default store is used only if it exists already (backtests, whose
    data often lie in a shared folder). Returns the run ids and the store path (empty and None
    when nothing was recorded)."""
    from detente.store import RunStore, StoreError, default_store_path

    if store is None and not record:
        return [], None
    path = store or default_store_path(file)
    if store is None and only_existing and not path.exists():
        return [], None
    try:
        if store is None and not path.exists() and read_only_folder(path.parent):
            raise StoreError(f"cannot write run store {path}: its folder is marked read-only "
                             "(no write permission), so the default store is not created "
                             "there; pick a writable location with --store, or --no-record")
        with RunStore(path) as st:
            return write(st), path
    except StoreError as exc:
        if store is not None:
            raise
        err_console.print(styled("warning", "yellow") + f" run not recorded: {exc}",
                          highlight=False, soft_wrap=True)
        return [], None
