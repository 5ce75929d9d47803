"""``sujuva network``, ``sujuva target``, ``sujuva impact``, ``sujuva jobs-import``,
``sujuva members-import``: the network and the jobs target from the command line.

The command line is the local operator's face and acts as the network's coordinator.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from sujuva.cli.output import console
from sujuva.config import Settings, get_settings
from sujuva.errors import UsageError
from sujuva.impact import EffectConfig, jobs_effect, read_io_table
from sujuva.services import members, network, overview, target_json, targets
from sujuva.services.pilot_json import finite
from sujuva.services.principal import Principal
from sujuva.services.records import frame_records
from sujuva.store.appdb import upgrade_database

OPERATOR = Principal(user_id=0, username="cli", role="coordinator", organisation=None)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    app.command("network")(network_command)
    app.command("target")(target_command)
    app.command("impact")(impact_command)
    app.command("jobs-import")(jobs_import_command)
    app.command("members-import")(members_import_command)


def _settings() -> Settings:
    settings = get_settings()
    upgrade_database(settings=settings)
    return settings


def _print(data: Any) -> None:
    print(json.dumps(finite(data), default=str, indent=2, ensure_ascii=False))


def network_command(
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            help="A day in the quarter (YYYY-MM-DD); default: the latest full one.",
            show_default=False,
        ),
    ] = None,
    graphml: Annotated[Path | None, typer.Option("--graphml", help="Write GraphML here.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Who shares customers with whom in one quarter, with network measures (suppressed)."""
    settings = _settings()
    try:
        day = date.fromisoformat(quarter) if quarter else None
    except ValueError as exc:
        raise UsageError(f"--quarter: {quarter!r} is not a date (YYYY-MM-DD)") from exc
    day = day or overview.latest_complete_quarter(settings=settings)
    view = network.network_view(OPERATOR, start=day, settings=settings)
    if graphml is not None:
        graphml.write_bytes(network.export_graphml(view))
    if as_json:
        _print(
            {
                "quarter": view.grant.selection.start_from,
                "edges": frame_records(view.edges),
                "measures": frame_records(view.measures.nodes),
                "declared_vs_observed": frame_records(view.declared),
                "isolated": list(view.measures.isolated),
            }
        )
        return
    console.print(
        f"quarter from {view.grant.selection.start_from}: "
        f"{int((~view.edges['suppressed']).sum())} links shown, "
        f"{view.hidden_edges} hidden (fewer than "
        f"{settings.suppression_threshold} shared customers)"
    )
    for row in frame_records(view.measures.nodes):
        console.print(
            f"  {row['organisation']:<26} partners {row['degree']:>3}  "
            f"betweenness {row['betweenness']:.3f}"
        )


def target_command(as_json: JsonOption = False) -> None:
    """Progress toward the region's jobs target, the forecast and the effect."""
    view = targets.target_view(OPERATOR, settings=_settings())
    p = view.progress
    if as_json:
        _print(target_json.target_as_json(view))
        return
    console.print(
        f"{p.cumulative:,.0f} of {view.target.jobs:,.0f} new jobs "
        f"({p.share_reached:.0%}); on track: {'yes' if p.on_track else 'no'}; "
        f"reached at this pace: {p.reached_date or 'not within 20 years'}"
    )
    console.print(
        f"effect a year: direct {view.effect.direct_eur / 1e6:,.1f} M€, "
        f"total {view.effect.total_eur / 1e6:,.1f} M€"
    )


def impact_command(
    jobs: Annotated[float, typer.Option("--jobs", help="Number of new jobs.", min=0)] = 1000,
    euro_per_job: Annotated[
        float | None,
        typer.Option(
            "--euro-per-job",
            help="Direct effect per job a year (default: configured).",
            show_default=False,
        ),
    ] = None,
    multiplier: Annotated[
        float | None,
        typer.Option(
            "--multiplier", help="Total ÷ direct (default: configured).", show_default=False
        ),
    ] = None,
    io_table: Annotated[
        Path | None,
        typer.Option(
            "--io-table",
            help="An input–output table (CSV); --jobs then counts per table sector "
            "as SECTOR=N in --sector-jobs.",
            show_default=False,
        ),
    ] = None,
    sector_jobs: Annotated[
        list[str] | None,
        typer.Option("--sector-jobs", help="SECTOR=N (repeatable; with --io-table)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """What N new jobs are worth to the regional economy, every figure with its formula."""
    settings = _settings()
    if io_table is not None:
        table = read_io_table(io_table)
        split = _sector_jobs(sector_jobs or [])
        effect = jobs_effect(jobs=split, config=EffectConfig(io_table=table))
    elif euro_per_job is not None or multiplier is not None:
        effect = jobs_effect(
            jobs=jobs,
            config=EffectConfig(
                default_euro_per_job=euro_per_job or 150_000.0, multiplier=multiplier or 1.47
            ),
        )
    else:
        effect = targets.impact_of(jobs, settings=settings)
    if as_json:
        _print(target_json.effect_as_json(effect))
        return
    for line in effect.explanation:
        console.print(line.formula)


def _sector_jobs(items: list[str]) -> dict[str, float]:
    split: dict[str, float] = {}
    for item in items:
        sector, sep, value = item.rpartition("=")
        try:
            split[sector] = float(value)
        except ValueError as exc:
            raise UsageError(f"--sector-jobs {item!r}: write SECTOR=N") from exc
        if not sep:
            raise UsageError(f"--sector-jobs {item!r}: write SECTOR=N")
    if not split:
        raise UsageError("with --io-table, give the jobs per sector with --sector-jobs SECTOR=N")
    return split


def jobs_import_command(
    file: Annotated[Path, typer.Argument(help="CSV of job records.")],
) -> None:
    """Import job records (all or nothing); a file imported again replaces its records."""
    count = targets.import_jobs(OPERATOR, file, settings=_settings())
    console.print(f"{count} job records imported from {file.name}")


def members_import_command(
    file: Annotated[Path, typer.Argument(help="CSV of members.")],
) -> None:
    """Create or update members from CSV (code, name, sector_type, commitment, contact,
    paths_served with ';' between paths)."""
    count = members.import_members(OPERATOR, file, settings=_settings())
    console.print(f"{count} members imported")
