"""CLI commands for linking: path rules, the linkage report, removing a mistaken import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sujuva.cli.output import console, print_json
from sujuva.eventlog.pathrules import load_rules

rules_app = typer.Typer(
    help="The path rules that form cases from the exports.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the linking commands to the app."""
    app.add_typer(rules_app, name="rules")
    app.command("linkage")(linkage_command)
    app.command("remove-import")(remove_import_command)


@rules_app.command("show")
def rules_show() -> None:
    """Print the path rules in force (the shipped defaults until others are applied)."""
    from sujuva.services.store_info import rules_in_force

    rules = rules_in_force()
    console.print(f"# path rules in force: {rules.origin}", markup=False)
    console.print(rules.text, markup=False, highlight=False)


@rules_app.command("check")
def rules_check(
    file: Annotated[Path, typer.Argument(help="Path rules TOML file.", show_default=False)],
) -> None:
    """Validate a path rules file (every problem with its line and key)."""
    rules = load_rules(file)
    for rule in rules.paths:
        console.print(
            f"{rule.path}: {len(rule.activities)} steps, starts {list(rule.starts)}, "
            f"ends {list(rule.ends)}, inactivity {rule.inactivity_days or 'none'}",
            markup=False,
        )
    console.print(f"{file}: valid ({len(rules.paths)} paths)")


@rules_app.command("apply")
def rules_apply(
    file: Annotated[Path, typer.Argument(help="Path rules TOML file.", show_default=False)],
) -> None:
    """Form every case again with these rules and keep them in force (atomic)."""
    from sujuva.services.importing import apply_rules

    info = apply_rules(load_rules(file))
    console.print(
        f"rules from {file} in force; the store holds {info.events:,} events in "
        f"{info.cases:,} cases ({info.open_cases:,} open)"
    )


def linkage_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """How the exports linked: per source and for the region."""
    from sujuva.services.linkage import linkage_json, linkage_report

    data = linkage_json(linkage_report())
    if as_json:
        print_json(data)
        return
    table = Table(title="Linkage by source", title_justify="left")
    columns = (
        ("source", "source"),
        ("events", "events"),
        ("customers", "customers"),
        ("seen elsewhere", "shared_share"),
        ("outside any path", "unassigned_events"),
        ("cases", "cases"),
        ("conflicting", "conflicting_cases"),
        ("codes rejected", "rejected_keys"),
    )
    for label, _ in columns:
        table.add_column(label, justify="left" if label == "source" else "right")
    for row in data["sources"]:
        table.add_row(*(_cell(row.get(key)) for _, key in columns))
    console.print(table)
    region = data["region"]
    if region:
        console.print(
            f"region: {region['cases']:,} cases, {region['formed_cases']:,} formed from keys, "
            f"{region['multi_organisation_cases']:,} "
            f"({region['multi_organisation_share']:.1%}) span two or more organisations, "
            f"{region['cases_without_start']:,} formed cases do not begin with a start step"
        )
    for row in data["conflicts"]:
        console.print(f"conflicting {row['attribute']}: {row['cases']:,} cases", markup=False)


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1%}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def remove_import_command(
    import_id: Annotated[int, typer.Argument(help="Import number (see 'sujuva info').")],
) -> None:
    """Remove a mistaken import: the store becomes exactly as if it had never been imported."""
    from sujuva.services.importing import remove_import

    info = remove_import(import_id)
    console.print(
        f"import {import_id} removed; the store holds {info.events:,} events in "
        f"{info.cases:,} cases"
    )
