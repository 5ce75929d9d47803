"""CLI commands for pseudonymising at the source: ``pseudonymise``, ``key export``,
``key fingerprint``.

``pseudonymise`` runs on an organisation's own machine with only the region's key file; the
``key`` commands run where the store is, to hand its key to the region's organisations.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Annotated

import typer

from sujuva.cli.output import (
    DelimiterOption,
    EncodingOption,
    SheetOption,
    console,
    print_json,
)
from sujuva.config import get_settings
from sujuva.errors import ConflictError, NotFoundError, UsageError
from sujuva.privacy.pseudonym import (
    key_fingerprint,
    load_key,
    new_key,
    read_key_file,
    save_key,
    write_key_file,
)
from sujuva.services.source_pseudonymise import PseudonymiseReport, pseudonymise_file

KIND_NAMES = {
    "person": "personal identity code",
    "firm": "business ID",
    "customer": "customer number",
}

key_app = typer.Typer(
    help="The region's pseudonym key: hand it to the organisations, tell keys apart.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``pseudonymise`` and the ``key`` commands to the app."""
    app.command("pseudonymise")(pseudonymise_command)
    app.add_typer(key_app, name="key")


def pseudonymise_command(
    source: Annotated[
        Path,
        typer.Argument(metavar="IN", help="The export: CSV, Excel or Parquet.", show_default=False),
    ],
    target: Annotated[
        Path, typer.Argument(metavar="OUT", help="Pseudonymised file to write: .csv or .parquet.")
    ],
    key_file: Annotated[
        Path,
        typer.Option(
            "--key-file",
            metavar="K",
            help="The region's key (from 'sujuva key export').",
            show_default=False,
        ),
    ],
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            metavar="NAME",
            help="A column of personal identity codes (henkilötunnus).",
            show_default=False,
        ),
    ] = None,
    firm_column: Annotated[
        list[str] | None,
        typer.Option(
            "--firm-column",
            metavar="NAME",
            help="A column of business IDs (Y-tunnus).",
            show_default=False,
        ),
    ] = None,
    plain_column: Annotated[
        list[str] | None,
        typer.Option(
            "--plain-column",
            metavar="NAME",
            help="A column of customer numbers agreed in the region.",
            show_default=False,
        ),
    ] = None,
    sheet: SheetOption = None,
    delimiter: DelimiterOption = None,
    encoding: EncodingOption = None,
    quarantine: Annotated[
        Path | None,
        typer.Option(
            "--quarantine",
            help="Write the good rows; write rows with invalid codes (codes blanked) to this CSV.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replace identity codes by the region's pseudonyms before the export leaves the house."""
    columns = _columns(person=column or [], firm=firm_column or [], plain=plain_column or [])
    report = pseudonymise_file(
        source,
        target,
        key_file=key_file,
        columns=columns,
        sheet=sheet,
        delimiter=delimiter,
        encoding=encoding,
        quarantine=quarantine,
    )
    if as_json:
        print_json(dataclasses.asdict(report))
    else:
        _print_report(report)


def _columns(*, person: list[str], firm: list[str], plain: list[str]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for kind, names in (("person", person), ("firm", firm), ("customer", plain)):
        for name in names:
            if columns.get(name, kind) != kind:
                raise UsageError(f"column {name!r} is named as two kinds of key")
            columns[name] = kind
    if not columns:
        raise UsageError(
            "name the columns to pseudonymise: --column (personal identity codes), "
            "--firm-column (business IDs) or --plain-column (customer numbers)"
        )
    return columns


def _print_report(report: PseudonymiseReport) -> None:
    console.print(f"wrote {report.rows:,} rows of {report.input} to {report.output}")
    for name, kind in report.columns.items():
        console.print(f"  {name}: {KIND_NAMES[kind]}s replaced by pseudonyms", markup=False)
    console.print(f"key fingerprint {report.fingerprint} (in column 'sujuva_key' of every row)")
    if report.quarantine:
        console.print(
            f"{report.rejected:,} rejected row(s) written with their reasons to "
            f"{report.quarantine} (the invalid codes blanked)"
        )


@key_app.command("export")
def key_export_command(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="Key file to write (mode 0600).", show_default=False),
    ],
) -> None:
    """Write the store's pseudonym key to FILE for the region's organisations."""
    if os.path.lexists(file) and _store_key(create=False) is None:
        raise ConflictError(f"{file}: the file exists; remove it or choose another file name")
    key = _store_key(create=True)
    assert key is not None
    write_key_file(file, key)
    console.print(f"wrote the pseudonym key to {file} (mode 0600)")
    console.print(f"key fingerprint {key_fingerprint(key)}")
    console.print(
        "Give it only to the region's organisations, over a secure channel (never by plain "
        "e-mail): anyone with the key can test guesses of identity codes against pseudonyms."
    )


@key_app.command("fingerprint")
def key_fingerprint_command(
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            metavar="K",
            help="A key file (default: the store's key).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print the fingerprint of a key file, or of the store's key."""
    key = read_key_file(key_file) if key_file is not None else _store_key(create=False)
    if key is None:
        raise NotFoundError(
            f"{get_settings().data_dir}: no pseudonym key yet; an import or 'sujuva key export' "
            "creates one"
        )
    fingerprint = key_fingerprint(key)
    if as_json:
        print_json({"fingerprint": fingerprint, "key_file": str(key_file) if key_file else None})
    else:
        console.print(f"key fingerprint {fingerprint}")


def _store_key(*, create: bool) -> bytes | None:
    """The store's key (configured, or the data directory's), made and saved if asked."""
    settings = get_settings()
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    key = load_key(settings.data_dir, configured=configured)
    if key is None and create:
        save_key(settings.data_dir, new_key())
        key = load_key(settings.data_dir)  # another process may have saved one first
    return key
