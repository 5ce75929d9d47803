"""CLI commands for analysis: map, variants, handoffs (tables, --json or --csv)."""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import pandas as pd
import typer
from rich.table import Table

from sujuva.analytics import mapdraw
from sujuva.analytics.selection import Selection, Status
from sujuva.cli.output import console, print_json
from sujuva.config import get_settings
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
StatusOption = Annotated[
    str, typer.Option("--status", help="all, open (no outcome yet) or closed cases.")
]
OutcomeOption = Annotated[
    list[str] | None,
    typer.Option("--outcome", help="Cases with this outcome (repeatable).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV.")]


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the app."""
    app.command("map")(map_command)
    app.command("variants")(variants_command)
    app.command("handoffs")(handoffs_command)
    app.command("lean")(lean_command)
    app.command("bottlenecks")(bottlenecks_command)
    app.command("deadlines")(deadlines_command)
    app.command("value")(value_command)
    app.command("compare")(compare_command)


def selection_from_options(
    paths: list[str] | None,
    start: str | None,
    end: str | None,
    actors: list[str] | None,
    where: list[str] | None,
    status: str = "all",
    outcomes: list[str] | None = None,
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
        outcomes=tuple(outcomes or ()),
        status=_status(status),
    )


def _status(text: str) -> Status:
    if text not in ("all", "open", "closed"):
        raise UsageError(f"--status {text!r}: use all, open or closed")
    return text  # type: ignore[return-value]


FILTER_NAMES = ("path", "start", "end", "actor", "where", "status", "outcome")
_FILTER_PARAMETERS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
    for name, kind, default in (
        ("path", PathOption, None),
        ("start", FromOption, None),
        ("end", ToOption, None),
        ("actor", ActorOption, None),
        ("where", WhereOption, None),
        ("status", StatusOption, "all"),
        ("outcome", OutcomeOption, None),
    )
]


def filtered(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the shared case filters; it receives them as one ``selection``."""
    signature = inspect.signature(command, eval_str=True)
    own = [
        parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for parameter in signature.parameters.values()
        if parameter.name != "selection"
    ]

    @functools.wraps(command)
    def with_selection(**options: Any) -> None:
        chosen = selection_from_options(*(options.pop(name) for name in FILTER_NAMES))
        command(selection=chosen, **options)

    parameters = [*_FILTER_PARAMETERS, *own]
    with_selection.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_selection.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
    return with_selection


def _cut_instant(cut: str | None) -> datetime | None:
    """The end of the ``--cut`` day in the configured zone (open cases are censored there)."""
    day = _day(cut, "--cut")
    zone = ZoneInfo(get_settings().timezone)
    return None if day is None else datetime.combine(day, time.max, tzinfo=zone)


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
        rows = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        print_json({**(extra or {}), "rows": rows})
    elif as_csv:
        frame.to_csv(sys.stdout, index=False)
    else:
        table = Table(title=title, title_justify="left")
        for column in frame.columns:
            table.add_column(
                str(column), justify="right" if frame[column].dtype.kind in "iuf" else "left"
            )
        shares = [_is_share(str(column)) for column in frame.columns]
        for row in frame.itertuples(index=False):
            table.add_row(*(_cell(v, share=s) for v, s in zip(row, shares, strict=True)))
        console.print(table)
        for key, value in (extra or {}).items():
            console.print(f"{key}: {value}")


def _is_share(column: str) -> bool:
    return "share" in column or column in SHARE_COLUMNS


SHARE_COLUMNS = frozenset(
    {"complete_and_accurate", "rolled_complete_and_accurate", "first_time_through"}
)


def _cell(value: object, *, share: bool = False) -> str:
    if share and isinstance(value, float):
        return f"{value:.1%}"
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


@filtered
def map_command(
    selection: Selection,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    svg: Annotated[
        Path | None,
        typer.Option("--svg", help="Draw the map to this SVG file.", show_default=False),
    ] = None,
    activities: Annotated[
        float,
        typer.Option(
            "--activities", min=0.0, max=1.0, help="Share of events the drawn activities cover."
        ),
    ] = 1.0,
    arcs: Annotated[
        float,
        typer.Option("--arcs", min=0.0, max=1.0, help="Share of transitions the drawn arcs cover."),
    ] = 1.0,
    waiting: Annotated[
        bool, typer.Option("--waiting", help="Label arcs with median waiting, not frequency.")
    ] = False,
) -> None:
    """The process map: arcs with frequencies and waiting (days); --svg draws it."""
    result = analysis.process_map(selection)
    if svg is not None:
        drawing = mapdraw.render_svg(
            result,
            activity_coverage=activities,
            arc_coverage=arcs,
            label="waiting" if waiting else "frequency",
            title=", ".join(selection.paths or ("all paths",)),
        )
        svg.write_text(drawing, encoding="utf-8")
        console.print(f"wrote the process map to {svg}")
        return
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


@filtered
def variants_command(
    selection: Selection,
    top: Annotated[int, typer.Option("--top", help="How many variants.")] = 20,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """The most frequent variants with their share and lead time (days)."""
    result = analysis.variants(selection, top=top)
    _emit(_days(result.table), title="Variants (durations in days)", as_json=as_json, as_csv=as_csv)


@filtered
def handoffs_command(
    selection: Selection,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Hand-offs between organisations, their waiting, and the share of boundary time."""
    result = analysis.handoffs(selection)
    share = result.boundary_share
    _emit(
        _days(result.matrix),
        title="Hand-offs between organisations (waiting in days)",
        as_json=as_json,
        as_csv=as_csv,
        extra={"boundary_share_of_waiting": None if share is None else round(share, 4)},
    )


CutOption = Annotated[
    str | None,
    typer.Option(
        "--cut",
        help="Data cut YYYY-MM-DD for open cases (default: the last event).",
        show_default=False,
    ),
]


@filtered
def lean_command(
    selection: Selection,
    cut: CutOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lead time with open cases censored (Kaplan–Meier) beside the naive figure, and rework."""
    data_cut = _cut_instant(cut)
    lead = analysis.lead_time(selection, data_cut=data_cut)
    again = analysis.rework(selection)
    summary = {
        "cases": lead.cases,
        "closed": lead.closed,
        "open": lead.open,
        "lead_time_median_days_kaplan_meier": lead.km_median_days,
        "lead_time_p90_days_kaplan_meier": lead.km_p90_days,
        "lead_time_median_days_closed_only": lead.naive_median_days,
        "lead_time_p90_days_closed_only": lead.naive_p90_days,
        "process_cycle_efficiency_share": analysis.process_cycle_efficiency(selection),
        "rolled_complete_and_accurate": again.rolled_complete_and_accurate,
        "first_time_through": again.first_time_through,
    }
    if as_json:
        print_json({**summary, "rework": again.steps.to_dict(orient="records")})
        return
    table = Table(title="Lean summary", title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in summary.items():
        shown = "–" if value is None else _cell(value, share=_is_share(key))
        table.add_row(key.replace("_", " "), shown)
    console.print(table)
    console.print("Closed-only figures leave out the open cases, which are the slow ones.")
    _emit(again.steps.head(10), title="Steps redone most often", as_json=False, as_csv=False)


@filtered
def bottlenecks_command(
    selection: Selection,
    top: Annotated[int, typer.Option("--top", help="How many to list.")] = 10,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Transitions ranked by their share of all waiting, the first explained in a sentence."""
    found = analysis.bottlenecks(selection)
    _wip, check, queue = analysis.flow_check(selection)
    extra: dict[str, object] = {"explanation": found.explanation}
    if queue is not None and len(queue):
        extra["mean_daily_queue_before_top_bottleneck"] = round(float(queue["queue"].mean()), 1)
        extra["max_daily_queue_before_top_bottleneck"] = int(queue["queue"].max())
    if check is not None:
        extra["littles_law"] = (
            f"mean WIP {check.mean_wip:.0f} vs arrivals/day x mean lead time "
            f"{check.predicted_wip:.0f} (ratio {check.ratio:.2f})"
        )
    _emit(
        _days(found.transitions.head(top)),
        title="Bottlenecks (waiting in days)",
        as_json=as_json,
        as_csv=as_csv,
        extra=extra,
    )


@filtered
def deadlines_command(
    selection: Selection,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules", help="TOML rules file (default: the shipped rules).", show_default=False
        ),
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="rule, organisation, month or breaches.")
    ] = "rule",
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Statutory deadlines: share met per rule, organisation or month, or the list of breaches."""
    report = analysis.deadline_report(selection, rules_file=rules)
    tables = {
        "rule": report.summary,
        "organisation": report.by_organisation,
        "month": report.by_month,
        "breaches": report.breaches,
    }
    if by not in tables:
        raise UsageError(f"--by {by!r}: use one of {', '.join(tables)}")
    _emit(tables[by], title=f"Statutory deadlines by {by}", as_json=as_json, as_csv=as_csv)


@filtered
def value_command(
    selection: Selection,
    show: Annotated[str, typer.Option("--show", help="ratings, waste or duplicates.")] = "waste",
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """What customers say each step is worth: ratings, waste candidates, duplicate contacts."""
    ratings, waste, duplicates = analysis.value_report(selection)
    tables = {"ratings": ratings, "waste": waste, "duplicates": duplicates.pairs}
    if show not in tables:
        raise UsageError(f"--show {show!r}: use one of {', '.join(tables)}")
    titles = {
        "ratings": "Customer-perceived value per step",
        "waste": "Waste candidates",
        "duplicates": "Information asked again by another organisation",
    }
    _emit(_days(tables[show]), title=titles[show], as_json=as_json, as_csv=as_csv)


def compare_command(
    path: PathOption = None,
    actor: ActorOption = None,
    where: WhereOption = None,
    status: StatusOption = "all",
    outcome: OutcomeOption = None,
    a_from: Annotated[
        str | None,
        typer.Option("--a-from", help="A: cases starting on or after.", show_default=False),
    ] = None,
    a_to: Annotated[
        str | None, typer.Option("--a-to", help="A: cases starting before.", show_default=False)
    ] = None,
    b_from: Annotated[
        str | None,
        typer.Option("--b-from", help="B: cases starting on or after.", show_default=False),
    ] = None,
    b_to: Annotated[
        str | None, typer.Option("--b-to", help="B: cases starting before.", show_default=False)
    ] = None,
    a_where: Annotated[
        list[str] | None,
        typer.Option("--a-where", help="A only: ATTRIBUTE=VALUE.", show_default=False),
    ] = None,
    b_where: Annotated[
        list[str] | None,
        typer.Option("--b-where", help="B only: ATTRIBUTE=VALUE.", show_default=False),
    ] = None,
    cut: CutOption = None,
    show_arcs: Annotated[
        bool, typer.Option("--arcs", help="Also list the arcs that changed.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Compare two periods or groups: lead time, hand-offs, rework, and the map difference."""
    a = selection_from_options(
        path, a_from, a_to, actor, [*(where or []), *(a_where or [])], status, outcome
    )
    b = selection_from_options(
        path, b_from, b_to, actor, [*(where or []), *(b_where or [])], status, outcome
    )
    data_cut = _cut_instant(cut)
    result = analysis.comparison(a, b, data_cut=data_cut)
    if as_json:
        rows = json.loads(result.measures.to_json(orient="records"))
        arcs = json.loads(result.arcs.to_json(orient="records"))
        print_json({"measures": rows, "arcs": arcs})
        return
    _emit(
        result.measures,
        title="A and B side by side (difference = B - A)",
        as_json=False,
        as_csv=False,
    )
    if show_arcs:
        changed = result.arcs[result.arcs["change"] != "same"]
        _emit(changed, title="Arcs that changed", as_json=False, as_csv=False)
