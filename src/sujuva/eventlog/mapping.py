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

    [excel]
    sheet = "Tapahtumat"   # or a 1-based number; default the first sheet

Columns not mapped explicitly are recognised by name: the canonical names, the XES / pm4py names
(``case:concept:name``, ``concept:name``, ``time:timestamp``, ``org:group``, ...) and common
Finnish, Swedish and English synonyms, ignoring case, surrounding space and the difference
between ``_``, ``-`` and a space (``Asiakkuus ID`` = ``asiakkuus_id``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
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
        "asiakkuus",
        "asiakkuus id",
        "asiakkuusnumero",
        "tapausnumero",
        "ärende",
        "ärendenummer",
    ),
    model.CUSTOMER_ID: (
        "customer_id",
        "customer",
        "asiakas",
        "asiakas_id",
        "client_id",
        "asiakasnumero",
        "kund",
        "kundnummer",
    ),
    model.PATH: ("path", "polku", "palvelupolku", "process"),
    model.ACTIVITY: (
        "activity",
        "concept:name",
        "activity_name",
        "step",
        "vaihe",
        "toiminto",
        "toimenpide",
        "tehtävä",
        "åtgärd",
        "aktivitet",
        "palvelu",  # last: a file with a step column often names the service too
    ),
    model.ACTOR: (
        "actor",
        "org:group",
        "organisation",
        "organization",
        "organisaatio",
        "toimija",
        "yksikkö",
        "toimipiste",
        "enhet",
    ),
    model.TIMESTAMP: (
        "timestamp",
        "time:timestamp",
        "complete_timestamp",
        "end_time",
        "aikaleima",
        "aika",
        "ajankohta",
        "valmistunut",
        "tidpunkt",
        "päivämäärä",
        "päiväys",
        "pvm",
        "datum",
        "valmis",
        "date",
        "datetime",
        "time",
        "completed",
    ),
    model.START_TIMESTAMP: (
        "start_timestamp",
        "start_time",
        "start",
        "alkuaika",
        "alku",
        "alkoi",
        "aloitettu",
        "starttid",
    ),
    model.RESOURCE: (
        "resource",
        "org:resource",
        "staff",
        "käsittelijä",
        "resurssi",
        "virkailija",
        "työntekijä",
        "handläggare",
    ),
    model.CHANNEL: ("channel", "kanava", "asiointikanava", "kanal"),
    model.OUTCOME: ("outcome", "result", "tulos", "lopputulos", "resultat"),
}
CONSTANT_COLUMNS: Final = (model.PATH, model.ACTOR, model.CHANNEL)
#: Column names recognised as linking keys when no key is named (so that a column of identity
#: codes is never stored as a plain attribute).
KEY_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "person": (
        "henkilötunnus",
        "henkilotunnus",
        "hetu",
        "henkilötunnus_id",
        "personal identity code",
        "personal_identity_code",
        "personbeteckning",
        "personnummer",
        "ssn",
    ),
    "firm": (
        "y-tunnus",
        "ytunnus",
        "y_tunnus",
        "y tunnus",
        "business id",
        "business_id",
        "fo-nummer",
        "företags- och organisationsnummer",
    ),
}
#: The ``sujuva import`` option that names each kind of key.
KEY_OPTIONS: Final = {"person": "--key", "firm": "--firm-key", "customer": "--customer-key"}
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
    #: Linking keys: kind (``person``, ``firm``, ``customer``) → source column.
    keys: dict[str, str] = field(default_factory=dict)
    #: Renamed attributes: target name (``rating``, ``case:municipality``) → source column.
    attributes: dict[str, str] = field(default_factory=dict)
    #: The source's name (provenance); default: the file name without its extension.
    source: str | None = None
    #: The sheet of a workbook to read: a name or a 1-based number; default the first.
    sheet: str | None = None

    def merged(
        self,
        *,
        columns: dict[str, str],
        constants: dict[str, str],
        keys: dict[str, str] | None = None,
        source: str | None = None,
    ) -> ColumnMapping:
        """This mapping with CLI options laid over it (options win)."""
        return replace(
            self,
            columns={**self.columns, **{k: v for k, v in columns.items() if v}},
            constants={**self.constants, **{k: v for k, v in constants.items() if v}},
            keys={**self.keys, **{k: v for k, v in (keys or {}).items() if v}},
            source=source or self.source,
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
    keys = _string_table(data, "keys", path)
    for key in keys:
        if key not in model.KEY_KINDS:
            raise UsageError(f"{path}: [keys] {key!r} is not one of {', '.join(model.KEY_KINDS)}")
    attributes = _string_table(data, "attributes", path)
    for key in attributes:
        if key in model.CORE_COLUMNS or not model.is_free_attribute(key):
            raise UsageError(
                f"{path}: [attributes] {key!r} is a canonical column; map it under [columns]"
            )
    source_table = _string_table(data, "source", path)
    return ColumnMapping(
        columns=columns,
        constants=constants,
        keys=keys,
        attributes=attributes,
        source=source_table.get("name"),
        delimiter=csv_options.get("delimiter"),
        encoding=csv_options.get("encoding"),
        sheet=_excel_sheet(data, path),
    )


def _excel_sheet(data: dict[str, object], path: Path) -> str | None:
    """The ``[excel] sheet`` of a mapping file (a name or a 1-based number), if any."""
    table = data.get("excel", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [excel] must be a table")
    unknown = [str(key) for key in table if key != "sheet"]
    if unknown:
        raise UsageError(f"{path}: [excel] {unknown[0]!r} is not a setting; use sheet")
    sheet = table.get("sheet")
    if sheet is None:
        return None
    if isinstance(sheet, bool) or not isinstance(sheet, str | int):
        raise UsageError(f"{path}: [excel] sheet must be a sheet name or a number")
    if isinstance(sheet, int) and sheet < 1:
        raise UsageError(f"{path}: [excel] sheet numbers start at 1")
    return str(sheet)


def _string_table(data: dict[str, object], name: str, path: Path) -> dict[str, str]:
    table = data.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise UsageError(f"{path}: [{name}] must map names to strings")
    return {str(key): str(value) for key, value in table.items()}


def resolve_columns(
    source_columns: list[str], mapping: ColumnMapping, *, display_name: str
) -> dict[str, str]:
    """Map source column names to canonical names; check that required columns are there.

    Returns ``{source_name: canonical_name}`` for mapped columns: canonical columns, linking
    keys as ``_key_<kind>`` (named, or recognised by name such as ``Henkilötunnus`` or
    ``Y-tunnus``) and renamed attributes; unmapped source columns keep their names (free
    attributes). A case id is required unless the file has a key. Raises :class:`InputError`
    naming what is missing.
    """
    rename: dict[str, str] = {}
    for canonical, source in mapping.columns.items():
        if source not in source_columns:
            raise _missing(display_name, canonical, source_columns, asked=source)
        rename[source] = canonical
    _resolve_keys(source_columns, mapping, rename, display_name=display_name)
    for target, source in mapping.attributes.items():
        if source not in source_columns:
            raise _missing(display_name, target, source_columns, asked=source)
        rename.setdefault(source, target)
    for canonical, aliases in SYNONYMS.items():
        if canonical in rename.values() or canonical in mapping.constants:
            continue
        match = _recognise(canonical, aliases, source_columns, taken=rename)
        if match is not None:
            rename[match] = canonical
    if model.SOURCE_CASE_ID in source_columns and model.SOURCE_CASE_ID not in rename:
        # an export of a store: keep its provenance
        rename[model.SOURCE_CASE_ID] = model.SOURCE_CASE_ID
        if model.SOURCE in source_columns and model.SOURCE not in rename:
            rename[model.SOURCE] = model.SOURCE
    keyed = any(name.startswith(model.RAW_KEY_PREFIX) for name in rename.values())
    for required in model.REQUIRED_COLUMNS:
        if required == model.CASE_ID and keyed:
            continue
        if required not in rename.values():
            raise _missing(display_name, required, source_columns)
    return rename


def _resolve_keys(
    source_columns: list[str],
    mapping: ColumnMapping,
    rename: dict[str, str],
    *,
    display_name: str,
) -> None:
    """Add the key columns to ``rename``: the named ones, else those recognised by name."""
    for kind, source in mapping.keys.items():
        if source not in source_columns:
            raise _missing(display_name, model.RAW_KEY_PREFIX + kind, source_columns, asked=source)
        rename[source] = model.RAW_KEY_PREFIX + kind  # a key named as the case id too: a key
    for kind, aliases in KEY_SYNONYMS.items():
        if kind in mapping.keys:
            continue
        for name in source_columns:
            if name not in rename and _folded(name) in aliases:
                rename[name] = model.RAW_KEY_PREFIX + kind
                break


def _folded(name: str) -> str:
    return " ".join(name.strip().lower().split())


def _recognise(
    canonical: str, aliases: tuple[str, ...], source_columns: list[str], *, taken: dict[str, str]
) -> str | None:
    """The source column for ``canonical``: its exact name first, then a synonym that is
    neither taken nor itself the name of another canonical column. Synonyms match ignoring
    case, surrounding space and the difference between ``_``, ``-`` and a space."""
    if canonical in source_columns:
        return canonical if canonical not in taken else None
    forms = {name: _synonym_form(name) for name in source_columns if name not in taken}
    for alias in aliases:
        wanted = _synonym_form(alias)
        for name, form in forms.items():
            owner = _CANONICAL_FORMS.get(form, canonical)
            if form == wanted and name not in SYNONYMS and owner == canonical:
                return name
    return None


def _synonym_form(name: str) -> str:
    """A column name as synonyms are compared: NFC, case-folded, ``_ - space`` alike."""
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFC", name)).strip().casefold()


_SEPARATORS: Final = re.compile(r"[\s_\-]+")
_CANONICAL_FORMS: Final = {_synonym_form(name): name for name in SYNONYMS}


def _missing(
    display_name: str, canonical: str, found: list[str], asked: str | None = None
) -> InputError:
    option = CLI_OPTIONS.get(canonical, "--" + canonical)
    if canonical.startswith(model.RAW_KEY_PREFIX):
        kind = canonical.removeprefix(model.RAW_KEY_PREFIX)
        option, canonical = KEY_OPTIONS[kind], f"the {kind} key"
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
