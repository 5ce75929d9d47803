"""CLI commands for data: import, export, info."""

from __future__ import annotations

from dataclasses import replace as replace_fields
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sujuva.cli.output import (
    DelimiterOption,
    EncodingOption,
    SheetOption,
    console,
    print_json,
    row_progress,
)
from sujuva.errors import UsageError
from sujuva.eventlog import model
from sujuva.eventlog.mapping import ColumnMapping, load_mapping
from sujuva.eventlog.pathrules import load_rules
from sujuva.services.exporting import export_log
from sujuva.services.importing import ImportReport, import_files, parse_period
from sujuva.services.store_info import import_history, info_as_json, store_info

ColumnOption = Annotated[str | None, typer.Option(show_default=False, rich_help_panel="Columns")]


def register(app: typer.Typer) -> None:
    """Add the data commands to the app."""
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("info")(info_command)


def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="CSV, XES (.xes, .xes.gz) or Parquet files.", show_default=False),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv, xes or parquet (default: from the name).", show_default=False
        ),
    ] = None,
    path: Annotated[
        str | None,
        typer.Option(
            "--path",
            help="Path name for files without a path column (default: the file name).",
            show_default=False,
        ),
    ] = None,
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", help="TOML column-mapping file.", show_default=False)
    ] = None,
    quarantine: Annotated[
        Path | None,
        typer.Option(
            "--quarantine",
            help="Import the good rows; write rejected rows with reasons to this CSV.",
            show_default=False,
        ),
    ] = None,
    delimiter: DelimiterOption = None,
    encoding: EncodingOption = None,
    case: ColumnOption = None,
    activity: ColumnOption = None,
    timestamp: ColumnOption = None,
    start: ColumnOption = None,
    actor: ColumnOption = None,
    resource: ColumnOption = None,
    customer: ColumnOption = None,
    channel: ColumnOption = None,
    outcome: ColumnOption = None,
    path_column: ColumnOption = None,
    actor_name: Annotated[
        str | None,
        typer.Option(
            "--actor-name",
            help="Organisation of every row when the file has no actor column.",
            show_default=False,
        ),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="Column of personal identity codes (henkilötunnus): validated, pseudonymised, "
            "and cases formed from it by the path rules.",
            show_default=False,
            rich_help_panel="Linking",
        ),
    ] = None,
    firm_key: Annotated[
        str | None,
        typer.Option(
            "--firm-key",
            help="Column of business IDs (Y-tunnus), validated and pseudonymised.",
            show_default=False,
            rich_help_panel="Linking",
        ),
    ] = None,
    customer_key: Annotated[
        str | None,
        typer.Option(
            "--customer-key",
            help="Column of a customer number the organisations share (a plain key).",
            show_default=False,
            rich_help_panel="Linking",
        ),
    ] = None,
    rules_file: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="Path rules TOML (default: the rules in force; see 'sujuva rules show').",
            show_default=False,
            rich_help_panel="Linking",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Name of the source (default: the file name without extension).",
            show_default=False,
            rich_help_panel="Linking",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace the source's stored events of the period the file covers "
            "(a corrected re-export).",
            rich_help_panel="Linking",
        ),
    ] = False,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="With --replace: the period FROM..TO (dates) instead of the file's own span.",
            show_default=False,
            rich_help_panel="Linking",
        ),
    ] = None,
    sheet: SheetOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import event-log files (all or nothing unless --quarantine); duplicates are skipped.

    Files that share a key column (--key, --firm-key, --customer-key, or a column named e.g.
    Henkilötunnus or Y-tunnus) are linked into whole cases by the path rules.
    """
    base = load_mapping(mapping_file) if mapping_file else ColumnMapping()
    columns = {
        model.CASE_ID: case,
        model.ACTIVITY: activity,
        model.TIMESTAMP: timestamp,
        model.START_TIMESTAMP: start,
        model.ACTOR: actor,
        model.RESOURCE: resource,
        model.CUSTOMER_ID: customer,
        model.CHANNEL: channel,
        model.OUTCOME: outcome,
        model.PATH: path_column,
    }
    mapping = base.merged(
        columns={k: v for k, v in columns.items() if v},
        constants={model.ACTOR: actor_name or ""},
        keys={"person": key or "", "firm": firm_key or "", "customer": customer_key or ""},
        source=source,
    )
    mapping = replace_fields(
        mapping,
        delimiter=delimiter or mapping.delimiter,
        encoding=encoding or mapping.encoding,
        sheet=sheet or mapping.sheet,
    )
    if period and not replace:
        raise UsageError("--period goes with --replace")
    with row_progress(not as_json) as progress:
        report = import_files(
            files,
            mapping=mapping,
            path_name=path,
            fmt=fmt,
            quarantine=quarantine,
            progress=progress,
            rules=load_rules(rules_file) if rules_file else None,
            replace=replace,
            replace_period=parse_period(period) if period else None,
        )
    if as_json:
        print_json(_report_json(report))
    else:
        _print_report(report)


def _report_json(report: ImportReport) -> dict[str, object]:
    return {
        "committed": report.committed,
        "quarantine": str(report.quarantine) if report.quarantine else None,
        "files": [
            {
                "file": f.file,
                "format": f.format,
                "rows_read": f.rows_read,
                "imported": f.imported,
                "rejected": f.rejected,
                "duplicate": f.duplicate,
                "read_as": f.read_as,
                "problems": [p.as_dict() for p in f.problems],
            }
            for f in report.files
        ],
        "store": {"events": report.info.events, "cases": report.info.cases},
    }


def _print_report(report: ImportReport) -> None:
    table = Table(title="Import", title_justify="left")
    for column in ("file", "format", "read", "imported", "rejected", "duplicate", "read as"):
        table.add_column(
            column,
            justify="right" if column in {"read", "imported", "rejected", "duplicate"} else "left",
        )
    for f in report.files:
        read_as = ", ".join(f"{k} {v!r}" for k, v in f.read_as.items())
        table.add_row(
            f.file,
            f.format,
            f"{f.rows_read:,}",
            f"{f.imported:,}",
            f"{f.rejected:,}",
            f"{f.duplicate:,}",
            read_as,
        )
    console.print(table)
    for f in report.files:
        for problem in f.problems:
            console.print(f"  rejected: {problem}", markup=False, soft_wrap=True)
    if report.quarantine:
        console.print(
            f"{report.rejected:,} rejected row(s) written with their reasons to {report.quarantine}"
        )
    console.print(f"store now holds {report.info.events:,} events in {report.info.cases:,} cases")


def export_command(
    out: Annotated[
        Path,
        typer.Argument(help="Output file (.csv, .xes, .xes.gz, .parquet).", show_default=False),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv, xes or parquet (default: from the name).", show_default=False
        ),
    ] = None,
) -> None:
    """Export the whole stored event log (pseudonymised) as CSV, XES or Parquet."""
    count = export_log(out, fmt=fmt)
    console.print(f"wrote {count:,} events to {out}")


def info_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """What the store holds: events, cases, customers, paths, actors, time span, imports."""
    info = store_info()
    history = import_history()
    if as_json:
        print_json(info_as_json(info, history))
        return
    if info.generation is None:
        console.print(f"the store in {info.data_dir} is empty; import a file or run 'sujuva demo'")
        return
    table = Table(show_header=False, title=f"Store {info.data_dir}", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    span = (
        f"{info.first_event:%Y-%m-%d} – {info.last_event:%Y-%m-%d}"
        if info.first_event and info.last_event
        else "–"
    )
    for label, value in (
        ("events", f"{info.events:,}"),
        ("cases", f"{info.cases:,} ({info.open_cases:,} open)"),
        ("customers", f"{info.customers:,}"),
        ("paths", ", ".join(info.paths)),
        ("organisations", f"{len(info.actors)}: " + ", ".join(info.actors)),
        ("activities", f"{info.activities:,}"),
        ("time span", span),
        ("imports", f"{info.imports:,}"),
    ):
        table.add_row(label, value)
    console.print(table)
