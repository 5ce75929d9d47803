"""CLI commands for the demo region: demo-data (files only) and demo (files + store)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sujuva.cli.data_commands import info_command
from sujuva.cli.output import console, row_progress
from sujuva.services.demo import build_demo, write_demo_files

SizeOption = Annotated[
    str, typer.Option("--size", help="small (~150 k events), medium (~1 M) or large (~10 M).")
]
EventsOption = Annotated[
    int | None,
    typer.Option(
        "--events", help="Approximate number of events (overrides --size).", show_default=False
    ),
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Random seed; the same seed gives the same region.")
]


def register(app: typer.Typer) -> None:
    """Add the demo commands to the app."""
    app.command("demo-data")(demo_data_command)
    app.command("demo")(demo_command)


def demo_data_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for the generated files.")] = Path(
        "sujuva-demo"
    ),
    size: SizeOption = "small",
    events: EventsOption = None,
    seed: SeedOption = 2017,
) -> None:
    """Generate a realistic demo North Karelia 2016–2018 with known ground truth (files only)."""
    with console.status("generating the demo region"):
        files = write_demo_files(out, size=size, events=events, seed=seed)
    for name, path in files.items():
        console.print(f"{name:>14}: {path}")


def demo_command(
    size: SizeOption = "small",
    events: EventsOption = None,
    seed: SeedOption = 2017,
) -> None:
    """Build the demo region into the store (once) and print a summary of it."""
    with row_progress(True) as progress:
        result = build_demo(size=size, events=events, seed=seed, progress=progress)
    verb = "already built" if result.reused else "built"
    console.print(f"demo region {verb}; its source files and ground truth are in {result.folder}")
    info_command(as_json=False)
