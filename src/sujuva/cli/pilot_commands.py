"""``sujuva pilot create|list|show|evaluate``: pilots from the command line.

The command line is the local operator's face: it acts as a network coordinator (aggregates
across organisations, no case lists).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from sujuva.cli.output import console
from sujuva.config import get_settings
from sujuva.errors import UsageError
from sujuva.services import pilot_report, pilots
from sujuva.services.pilot_json import finite, pilot_as_json
from sujuva.services.pilot_records import PilotDefinition, PilotGroup
from sujuva.services.principal import Principal
from sujuva.store.appdb import upgrade_database

OPERATOR = Principal(user_id=0, username="cli", role="coordinator", organisation=None)
app = typer.Typer(
    help="Pilots (kokeilut): register one, compare it honestly, read the verdict.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="pilot")


def _settings() -> Any:
    settings = get_settings()
    upgrade_database(settings=settings)
    return settings


def _where(items: list[str]) -> dict[str, tuple[str, ...]]:
    where: dict[str, tuple[str, ...]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not value:
            raise UsageError(f"--group {item!r}: write it as attribute=value")
        name = name if name.startswith("case:") else f"case:{name}"
        where[name] = (*where.get(name, ()), value)
    return where


@app.command("create")
def create_command(
    name: Annotated[str, typer.Option("--name", help="The pilot's name.")],
    path: Annotated[str, typer.Option("--path", help="The customer path it changes.")],
    start: Annotated[str, typer.Option("--start", help="First day (YYYY-MM-DD).")],
    outcome_from: Annotated[str, typer.Option("--from", help="Step that starts the clock.")],
    outcome_to: Annotated[str, typer.Option("--to", help="Step that is the outcome.")],
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="Pilot group: case attribute=value (repeatable)."),
    ] = None,
    group_organisation: Annotated[
        list[str] | None,
        typer.Option("--group-organisation", help="Pilot group: cases this organisation served."),
    ] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last day + 1 (YYYY-MM-DD).")] = None,
    comparison: Annotated[
        str, typer.Option("--comparison", help="concurrent, earlier or both.")
    ] = "both",
    competing: Annotated[
        list[str] | None, typer.Option("--competing", help="A competing case outcome (repeatable).")
    ] = None,
    min_effect: Annotated[
        float | None,
        typer.Option("--min-effect", help="Smallest effect that would matter, in days."),
    ] = None,
    hypothesis: Annotated[str, typer.Option("--hypothesis")] = "",
    change: Annotated[str, typer.Option("--change", help="What changes, in words.")] = "",
) -> None:
    """Register a pilot (checked against the data first)."""
    if comparison not in ("concurrent", "earlier", "both"):
        raise UsageError(f"--comparison {comparison!r}: choose concurrent, earlier or both")
    try:
        first = date.fromisoformat(start)
        last = date.fromisoformat(end) if end else None
    except ValueError as exc:
        raise UsageError(f"dates are YYYY-MM-DD: {exc}") from exc
    definition = PilotDefinition(
        name=name,
        path=path,
        start=first,
        end=last,
        outcome_from=outcome_from,
        outcome_to=outcome_to,
        hypothesis=hypothesis,
        change=change,
        group=PilotGroup(organisations=tuple(group_organisation or ()), where=_where(group or [])),
        comparison=comparison,  # type: ignore[arg-type]
        competing=tuple(competing or ()),
        min_effect_days=min_effect,
    )
    pilot_id = pilots.create(OPERATOR, definition, settings=_settings())
    console.print(f"pilot {pilot_id} registered: {name}")


@app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """Every registered pilot."""
    items = pilots.list_pilots(OPERATOR, settings=_settings())
    if as_json:
        print(json.dumps([pilot_as_json(p) for p in items], default=str, indent=2))
        return
    for p in items:
        d = p.definition
        console.print(
            f"{p.id:>4}  {d.name}  [{d.path}, from {d.start}]  {d.outcome_from} → {d.outcome_to}"
        )


@app.command("show")
def show_command(pilot_id: int, as_json: JsonOption = False) -> None:
    """One pilot's record."""
    data = pilot_as_json(pilots.get(OPERATOR, pilot_id, settings=_settings()))
    if as_json:
        print(json.dumps(data, default=str, indent=2))
        return
    for key, value in data.items():
        console.print(f"{key:>16}: {value}")


@app.command("evaluate")
def evaluate_command(
    pilot_id: int,
    as_json: JsonOption = False,
    language: Annotated[str, typer.Option("--language", help="fi or en.")] = "fi",
    html: Annotated[Path | None, typer.Option("--html", help="Write the report here.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write a PDF report here.")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=100)] = 1000,
) -> None:
    """Evaluate a pilot against its comparison group and print the verdict."""
    if language not in ("fi", "en"):
        raise UsageError("--language: fi or en")
    settings = _settings()
    result = pilots.evaluate(OPERATOR, pilot_id, bootstrap=bootstrap, settings=settings)
    lang: pilot_report.Language = "fi" if language == "fi" else "en"
    if html is not None:
        html.write_text(pilot_report.report_html(result, language=lang), encoding="utf-8")
    if pdf is not None:
        pdf.write_bytes(pilot_report.report_pdf(result, language=lang))
    if as_json:
        e = result.evaluation
        print(
            json.dumps(
                finite(
                    {
                        "verdict": {
                            "kind": e.verdict.kind,
                            "strength": e.verdict.strength,
                            "text": e.verdict.text,
                            "caveats": list(e.verdict.caveats),
                        },
                        "pilot": vars(e.pilot),
                        "comparison": vars(e.comparison),
                        "median_difference": vars(e.median_difference),
                        "logrank": vars(e.logrank),
                        "hazard_ratio": e.cox.hazard_ratio,
                        "mde_days": e.power.mde_days,
                    }
                ),
                default=str,
                indent=2,
            )
        )
        return
    console.print(result.evaluation.verdict.text[lang])
