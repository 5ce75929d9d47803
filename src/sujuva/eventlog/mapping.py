"""Column mapping: which source column is which canonical column.

Explicit mappings come from CLI options or a small TOML mapping file::

    [columns]
    case_id = "Asiakkuus"
    activity = "Vaihe"
    timestamp = "Valmis"

    [constants]          # values for columns the file does not have
    path = "entrepreneur"
    actor = "TE Office"

    [csv]
    delimiter = ";"
    encoding = "cp1252"

Columns not mapped explicitly are recognised by name: the canonical names, the XES / pm4py names
(``case:concept:name``, ``concept:name``, ``time:timestamp``, ``org:group``, ...) and common
Finnish and English synonyms, case-insensitively.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sujuva.errors import InputError, Problem, UsageError
from sujuva.eventlog import model

SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    model.CASE_ID: (
        "case_id",
        "case:concept:name",
        "case",
        "caseid",
        "case id",
        "tapaus",
        "tapaus_id",
    ),
    model.CUSTOMER_ID: ("customer_id", "customer", "asiakas", "asiakas_id", "client_id"),
    model.PATH: ("path", "polku", "palvelupolku", "process"),
    model.ACTIVITY: ("activity", "concept:name", "activity_name", "step", "vaihe", "toiminto"),
    model.ACTOR: ("actor", "org:group", "organisation", "organization", "organisaatio", "toimija"),
    model.TIMESTAMP: (
        "timestamp",
        "time:timestamp",
        "complete_timestamp",
        "end_time",
        "aikaleima",
        "aika",
    ),
    model.START_TIMESTAMP: ("start_timestamp", "start_time", "start", "alkuaika", "alku"),
    model.RESOURCE: ("resource", "org:resource", "staff", "käsittelijä", "resurssi"),
    model.CHANNEL: ("channel", "kanava", "asiointikanava"),
    model.OUTCOME: ("outcome", "result", "tulos", "lopputulos"),
}
CONSTANT_COLUMNS: Final = (model.PATH, model.ACTOR, model.CHANNEL)
#: The ``sujuva import`` option that names each canonical column.
CLI_OPTIONS: Final = {
    model.CASE_ID: "--case",
    model.CUSTOMER_ID: "--customer",
    model.PATH: "--path-column",
    model.ACTIVITY: "--activity",
    model.ACTOR: "--actor",
    model.TIMESTAMP: "--timestamp",
    model.START_TIMESTAMP: "--start",
    model.RESOURCE: "--resource",
    model.CHANNEL: "--channel",
    model.OUTCOME: "--outcome",
}


@dataclass(frozen=True)
class ColumnMapping:
    """How to read one source: explicit column names, constants, and CSV options."""

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None

    def merged(self, *, columns: dict[str, str], constants: dict[str, str]) -> ColumnMapping:
        """This mapping with CLI options laid over it (options win)."""
        return ColumnMapping(
            columns={**self.columns, **{k: v for k, v in columns.items() if v}},
            constants={**self.constants, **{k: v for k, v in constants.items() if v}},
            delimiter=self.delimiter,
            encoding=self.encoding,
        )


def load_mapping(path: Path) -> ColumnMapping:
    """Read a TOML mapping file; unknown canonical names are an error naming the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: mapping file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a valid TOML mapping file: {exc}") from exc
    columns = _string_table(data, "columns", path)
    constants = _string_table(data, "constants", path)
    for key in columns:
        if key not in model.CORE_COLUMNS:
            raise UsageError(
                f"{path}: [columns] {key!r} is not one of {', '.join(model.CORE_COLUMNS)}"
            )
    for key in constants:
        if key not in CONSTANT_COLUMNS:
            raise UsageError(
                f"{path}: [constants] {key!r} is not one of {', '.join(CONSTANT_COLUMNS)}"
            )
    csv_options = _string_table(data, "csv", path)
    return ColumnMapping(
        columns=columns,
        constants=constants,
        delimiter=csv_options.get("delimiter"),
        encoding=csv_options.get("encoding"),
    )


def _string_table(data: dict[str, object], name: str, path: Path) -> dict[str, str]:
    table = data.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise UsageError(f"{path}: [{name}] must map names to strings")
    return {str(key): str(value) for key, value in table.items()}


def resolve_columns(
    source_columns: list[str], mapping: ColumnMapping, *, display_name: str
) -> dict[str, str]:
    """Map source column names to canonical names; check that required columns are there.

    Returns ``{source_name: canonical_name}`` for mapped columns; unmapped source columns keep
    their names (free attributes). Raises :class:`InputError` naming what is missing.
    """
    rename: dict[str, str] = {}
    for canonical, source in mapping.columns.items():
        if source not in source_columns:
            raise _missing(display_name, canonical, source_columns, asked=source)
        rename[source] = canonical
    for canonical, aliases in SYNONYMS.items():
        if canonical in rename.values() or canonical in mapping.constants:
            continue
        match = _recognise(canonical, aliases, source_columns, taken=rename)
        if match is not None:
            rename[match] = canonical
    for required in model.REQUIRED_COLUMNS:
        if required not in rename.values():
            raise _missing(display_name, required, source_columns)
    return rename


def _recognise(
    canonical: str, aliases: tuple[str, ...], source_columns: list[str], *, taken: dict[str, str]
) -> str | None:
    """The source column for ``canonical``: its exact name first, then a synonym (any case)
    that is neither taken nor itself the name of another canonical column."""
    if canonical in source_columns:
        return canonical if canonical not in taken else None
    for alias in aliases:
        for name in source_columns:
            if name.lower() == alias and name not in taken and name not in SYNONYMS:
                return name
    return None


def _missing(
    display_name: str, canonical: str, found: list[str], asked: str | None = None
) -> InputError:
    option = CLI_OPTIONS.get(canonical, "--" + canonical)
    shown = ", ".join(repr(name) for name in found[:20])
    if asked is not None:
        reason = f"column {asked!r} (given for {canonical}) is not in the file"
    else:
        reason = f"missing required column '{canonical}'"
    hint = f"; found columns: {shown}; name one with {option} COLUMN"
    if len(found) == 1 and any(d in found[0] for d in ",;\t|"):
        hint += " (the header has a single column: is the delimiter wrong? try --delimiter)"
    return InputError(
        f"{display_name}: {reason}{hint}", [Problem(display_name, "header", canonical, reason)]
    )
