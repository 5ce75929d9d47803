"""CLI commands for analysis: map, variants, handoffs (tables, --json or --csv)."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from sujuva.analytics.selection import Selection
from sujuva.cli.output import console, print_json
from sujuva.errors import UsageError
from sujuva.services import analysis

PathOption = Annotated[
    list[str] | None, typer.Option("--path", help="Path(s) to include.", show_default=False)
]
FromOption = Annotated[
    str | None,
    typer.Option("--from", help="Cases starting on or after YYYY-MM-DD.", show_default=False),
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="Cases starting before YYYY-MM-DD.", show_default=False)
]
ActorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--actor", help="Cases in which this organisation took a step.", show_default=False
    ),
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where", help="Case attribute filter, e.g. case:municipality=Joensuu.", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV.")]


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the app."""
    app.command("map")(map_command)
    app.command("variants")(variants_command)
    app.command("handoffs")(handoffs_command)


def selection_from_options(
    paths: list[str] | None,
    start: str | None,
    end: str | None,
    actors: list[str] | None,
    where: list[str] | None,
) -> Selection:
    """Build a selection from the shared filter options (errors name the bad option)."""
    filters: dict[str, tuple[str, ...]] = {}
    for clause in where or []:
        name, sep, value = clause.partition("=")
        if not sep or not name:
            raise UsageError(f"--where {clause!r}: expected ATTRIBUTE=VALUE")
        key = name if name.startswith("case:") else f"case:{name}"
        filters[key] = (*filters.get(key, ()), value)
    return Selection(
        paths=tuple(paths or ()),
        start_from=_day(start, "--from"),
        start_to=_day(end, "--to"),
        actors=tuple(actors or ()),
        where=filters,
    )


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: expected a date as YYYY-MM-DD") from exc


def _emit(
    frame: pd.DataFrame,
    *,
    title: str,
    as_json: bool,
    as_csv: bool,
    extra: dict[str, object] | None = None,
) -> None:
    if as_json:
        print_json({**(extra or {}), "rows": frame.to_dict(orient="records")})
    elif as_csv:
        frame.to_csv(sys.stdout, index=False)
    else:
        table = Table(title=title, title_justify="left")
        for column in frame.columns:
            table.add_column(
                str(column), justify="right" if frame[column].dtype.kind in "iuf" else "left"
            )
        for row in frame.itertuples(index=False):
            table.add_row(*(_cell(value) for value in row))
        console.print(table)
        for key, value in (extra or {}).items():
            console.print(f"{key}: {value}")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, tuple):
        return " → ".join(map(str, value))
    return f"{value:,}" if isinstance(value, int) else str(value)


def _days(frame: pd.DataFrame) -> pd.DataFrame:
    """Seconds columns shown in days for people (``wait_median_s`` -> ``wait_median_d``)."""
    renamed = {c: c.removesuffix("_s") + "_d" for c in frame.columns if c.endswith("_s")}
    out = frame.rename(columns=renamed)
    for column in renamed.values():
        out[column] = out[column] / 86_400
    return out


def map_command(
    path: PathOption = None,
    start: FromOption = None,
    end: ToOption = None,
    actor: ActorOption = None,
    where: WhereOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """The process map: directly-follows arcs with frequencies and waiting (days)."""
    result = analysis.process_map(selection_from_options(path, start, end, actor, where))
    _emit(
        _days(result.arcs),
        title="Process map (waiting in days)",
        as_json=as_json,
        as_csv=as_csv,
        extra={
            "start_activities": result.start_activities,
            "end_activities": result.end_activities,
        },
    )


def variants_command(
    path: PathOption = None,
    start: FromOption = None,
    end: ToOption = None,
    actor: ActorOption = None,
    where: WhereOption = None,
    top: Annotated[int, typer.Option("--top", help="How many variants.")] = 20,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """The most frequent variants with their share and lead time (days)."""
    result = analysis.variants(selection_from_options(path, start, end, actor, where), top=top)
    _emit(_days(result.table), title="Variants (durations in days)", as_json=as_json, as_csv=as_csv)


def handoffs_command(
    path: PathOption = None,
    start: FromOption = None,
    end: ToOption = None,
    actor: ActorOption = None,
    where: WhereOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Hand-offs between organisations, their waiting, and the share of boundary time."""
    result = analysis.handoffs(selection_from_options(path, start, end, actor, where))
    share = result.boundary_share
    _emit(
        _days(result.matrix),
        title="Hand-offs between organisations (waiting in days)",
        as_json=as_json,
        as_csv=as_csv,
        extra={"boundary_share_of_waiting": None if share is None else round(share, 4)},
    )
