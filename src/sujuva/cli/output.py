"""Shared terminal output: the console, error printing and progress."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sujuva.errors import InputError, SujuvaError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def print_error(exc: SujuvaError) -> None:
    """One clear line on stderr, then any located problems (a bounded list)."""
    err_console.print(f"[bold red]error:[/] {exc.message}", soft_wrap=True)
    if isinstance(exc, InputError) and exc.problems:
        for problem in exc.problems:
            err_console.print(f"  {problem}", soft_wrap=True, markup=False)
        if exc.total > len(exc.problems):
            err_console.print(f"  ... and {exc.total - len(exc.problems)} more")


def print_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(_finite(data), indent=2, ensure_ascii=False, default=str) + "\n")


def _finite(data: Any) -> Any:
    """NaN and infinities become null: JSON has no such numbers."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


@contextmanager
def row_progress(enabled: bool) -> Iterator[Any]:
    """A progress display, one line per step with its row count; yields a callback
    ``(step, rows)``. A new step marks the earlier ones finished."""
    if not enabled:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def update(step: str, rows: int) -> None:
            if step not in tasks:
                for task in tasks.values():
                    progress.update(task, total=1, completed=1)
                tasks[step] = progress.add_task(step, total=None, rows=0)
            progress.update(tasks[step], rows=rows)

        yield update


#: Options for reading a source file, shared by ``import`` and ``pseudonymise``.
DelimiterOption = Annotated[
    str | None,
    typer.Option("--delimiter", help="CSV delimiter (default: sniffed).", show_default=False),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding", help="CSV encoding (default: UTF-8, else cp1252).", show_default=False
    ),
]
SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet", help="Excel sheet name or number (default: the first).", show_default=False
    ),
]
