"""The column-mapping step of an upload: how each file's columns will be read, before import.

For every file of a queued import job the step holds the file's columns, the sniffed (or the
source profile's, or the user's) choice of column for each canonical field and each kind of
linking key, the constant organisation and path, the sheet of a workbook and the source's name.
The dashboard shows it as a form; posting the form imports with exactly that mapping and may
save it as the organisation's source profile for next month's export.

Form fields are per file, prefixed ``f<i>_`` (``f0_case_id``, ``f0_key_person``,
``f0_const_path``, ``f0_source``, ``f0_sheet``, ``f0_profile``, ``f0_save``,
``f0_profile_name``); ``f0_mapped`` marks a file whose fields were posted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

import python_calamine as calamine

from sujuva.config import Settings, get_settings
from sujuva.errors import InputError
from sujuva.eventlog import model
from sujuva.eventlog.excel_reader import SUFFIXES as EXCEL_SUFFIXES
from sujuva.eventlog.mapping import ColumnMapping, resolve_columns
from sujuva.eventlog.sources import file_stem
from sujuva.services import source_profiles, uploads
from sujuva.services.principal import Principal
from sujuva.services.source_profiles import SourceProfile

#: The canonical columns the form offers, in the order shown.
FIELDS: Final = (
    model.CASE_ID,
    model.ACTIVITY,
    model.TIMESTAMP,
    model.START_TIMESTAMP,
    model.ACTOR,
    model.RESOURCE,
    model.CHANNEL,
    model.OUTCOME,
    model.PATH,
)
#: The linking keys the form offers: ``key_person``, ``key_firm``, ``key_customer``.
KEY_FIELDS: Final = tuple(f"key_{kind}" for kind in model.KEY_KINDS)
#: The columns a constant may stand in for (organisation and path).
CONSTANT_FIELDS: Final = (model.ACTOR, model.PATH)

#: What a personal identity code looks like in the preview.
CODE_MASK: Final = "••••••-••••"
_PERSON_KEY: Final = model.RAW_KEY_PREFIX + "person"

ProblemKind = Literal["missing", "absent", "twice", "organisation"]


@dataclass(frozen=True, kw_only=True)
class FieldProblem:
    """Why a file cannot be imported as the form stands, for the page to say in its language.

    ``missing``: no column for a required ``field``; ``absent``: ``column`` (named by a
    profile) is not in the file; ``twice``: ``column`` is chosen for ``field`` and ``other``;
    ``organisation``: the constant organisation ``column`` is not the user's.
    """

    kind: ProblemKind
    field: str
    column: str = ""
    other: str = ""


@dataclass(frozen=True, kw_only=True)
class MappingStep:
    """One file of the job as the mapping form shows it (``choices``: field → column, ``""``
    for none; ``profile``: the id of the profile that filled the form, if any)."""

    index: int
    preview: uploads.Preview
    header: list[str]
    sheets: list[str]
    sheet: str | None
    choices: dict[str, str]
    constants: dict[str, str]
    source: str
    profile: int | None
    mapping: ColumnMapping
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        """The prefix of this file's form fields."""
        return f"f{self.index}_"


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook (empty for other files or an unreadable workbook)."""
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return []
    try:
        return [str(name) for name in calamine.CalamineWorkbook.from_path(str(path)).sheet_names]
    except Exception:  # the preview reports the unreadable workbook itself
        return []


def mapping_steps(
    principal: Principal,
    *,
    job_id: int,
    form: Mapping[str, str],
    settings: Settings | None = None,
) -> tuple[list[MappingStep], list[SourceProfile]]:
    """The mapping step of every file of a job, and the organisation's source profiles.

    ``form`` holds the page's query or the posted form: a file's posted fields win, then the
    profile chosen for it (``f<i>_profile``), then the profile named like the file's stem,
    then the columns recognised by name.
    """
    settings = settings or get_settings()
    job = uploads.job_for(principal, job_id, settings=settings)
    profiles = source_profiles.list_profiles(principal, settings=settings)
    folder = uploads.upload_dir(job_id, settings)
    steps = [
        _step(
            index,
            folder / name,
            form=form,
            profiles=profiles,
            organisation=principal.organisation or "",
        )
        for index, name in enumerate(job.files)
    ]
    return steps, profiles


def _chosen_profile(
    index: int, path: Path, *, form: Mapping[str, str], profiles: list[SourceProfile]
) -> SourceProfile | None:
    asked = form.get(f"f{index}_profile")
    if asked is None:
        return source_profiles.profile_for_source(profiles, source=file_stem(path))
    return next((p for p in profiles if str(p.id) == asked.strip()), None)


def _step(
    index: int,
    path: Path,
    *,
    form: Mapping[str, str],
    profiles: list[SourceProfile],
    organisation: str,
) -> MappingStep:
    prefix = f"f{index}_"
    posted = f"{prefix}mapped" in form
    profile = None if posted else _chosen_profile(index, path, form=form, profiles=profiles)
    base = profile.mapping if profile is not None else ColumnMapping()
    sheets = sheet_names(path)
    sheet = _sheet(form.get(f"{prefix}sheet") or base.sheet, sheets)
    reading = replace(base, sheet=sheet)
    preview = uploads.preview_file(path, mapping=_reading_options(reading))
    header = list(preview.columns)
    problems: list[FieldProblem] = []
    if posted:
        reading = _mapping_from_form(form, prefix, header, problems, organisation=organisation)
        reading = replace(reading, sheet=sheet)
    rename, missing = resolve_partly(header, reading, display_name=path.name)
    problems += missing if header else []
    choices = _choices(rename)
    constants = {name: reading.constants.get(name, "") for name in CONSTANT_FIELDS}
    if not choices[model.ACTOR] and not constants[model.ACTOR]:
        constants[model.ACTOR] = organisation
    if not posted:
        reading = _explicit(header, choices, constants, base, sheet)
    shown = {name: rename.get(name, name) for name in header}
    preview = replace(preview, rows=_masked(preview.rows, rename))
    source = reading.source or file_stem(path)
    return MappingStep(
        index=index,
        preview=replace(preview, columns=shown, problem=preview.problem if not header else None),
        header=header,
        sheets=sheets,
        sheet=sheet,
        choices=choices,
        constants=constants,
        source=source,
        profile=profile.id if profile is not None else None,
        mapping=replace(reading, source=source),
        problems=problems,
    )


def _masked(rows: list[dict[str, Any]], rename: dict[str, str]) -> list[dict[str, Any]]:
    """Preview rows with personal identity codes masked: they are shown to nobody."""
    codes = [name for name, canonical in rename.items() if canonical == _PERSON_KEY]
    if not codes:
        return rows
    return [{**row, **{name: CODE_MASK for name in codes if row.get(name)}} for row in rows]


def _sheet(asked: str | None, sheets: list[str]) -> str | None:
    """The sheet to read: the one asked for (a name or a 1-based number), else the first."""
    if asked in sheets:
        return asked
    if asked is not None and asked.isdigit() and 1 <= int(asked) <= len(sheets):
        return sheets[int(asked) - 1]
    return sheets[0] if sheets else None


def _reading_options(mapping: ColumnMapping) -> ColumnMapping:
    """Only what chooses what is read: the sheet, the CSV delimiter and encoding."""
    return ColumnMapping(
        sheet=mapping.sheet, delimiter=mapping.delimiter, encoding=mapping.encoding
    )


def _choices(rename: dict[str, str]) -> dict[str, str]:
    """Field → source column (``""``: none) from a resolution of the columns."""
    choices = dict.fromkeys((*FIELDS, *KEY_FIELDS), "")
    for source, canonical in rename.items():
        name = canonical.removeprefix(model.RAW_KEY_PREFIX)
        if canonical in FIELDS:
            choices[canonical] = source
        elif canonical.startswith(model.RAW_KEY_PREFIX) and f"key_{name}" in choices:
            choices[f"key_{name}"] = source
    return choices


def resolve_partly(
    header: list[str], mapping: ColumnMapping, *, display_name: str
) -> tuple[dict[str, str], list[FieldProblem]]:
    """:func:`resolve_columns`, but a missing required column is a problem to show, not an
    error: the rest is still resolved (so that the form can show every guess)."""
    problems = [
        FieldProblem(kind="absent", field=name, column=column)
        for name, column in _named(mapping).items()
        if column not in header
    ]
    usable = _without_absent(mapping, header)
    extra: list[str] = []
    for _ in range(len(model.REQUIRED_COLUMNS) + 1):
        try:
            rename = resolve_columns(header + extra, usable, display_name=display_name)
        except InputError as exc:
            missing = exc.problems[0].column if exc.problems else ""
            if missing not in model.REQUIRED_COLUMNS or missing in extra or missing in header:
                raise
            if not any(p.field == missing for p in problems):
                problems.append(FieldProblem(kind="missing", field=missing))
            extra.append(missing)  # stands in for it, matched by its exact name
            continue
        return {s: c for s, c in rename.items() if s not in extra}, problems
    raise AssertionError("unreachable: each round adds one required column")


def _named(mapping: ColumnMapping) -> dict[str, str]:
    """Field → column of every column the mapping names (not its free attributes)."""
    return {**mapping.columns, **{f"key_{kind}": col for kind, col in mapping.keys.items()}}


def _without_absent(mapping: ColumnMapping, header: list[str]) -> ColumnMapping:
    return replace(
        mapping,
        columns={k: v for k, v in mapping.columns.items() if v in header},
        keys={k: v for k, v in mapping.keys.items() if v in header},
        attributes={k: v for k, v in mapping.attributes.items() if v in header},
    )


def _mapping_from_form(
    form: Mapping[str, str],
    prefix: str,
    header: list[str],
    problems: list[FieldProblem],
    *,
    organisation: str,
) -> ColumnMapping:
    """The mapping a file's posted fields give; problems with them are added to ``problems``."""
    chosen: dict[str, str] = {}
    used: dict[str, str] = {}
    for name in (*FIELDS, *KEY_FIELDS):
        column = form.get(prefix + name, "")
        if not column:
            continue
        if column in used:
            problems.append(
                FieldProblem(kind="twice", field=name, column=column, other=used[column])
            )
            continue
        chosen[name] = column
        used[column] = name
    constants = {
        name: value
        for name in CONSTANT_FIELDS
        if (value := " ".join(form.get(f"{prefix}const_{name}", "").split()))
    }
    actor = constants.get(model.ACTOR)
    if actor is not None and actor != organisation:
        problems.append(FieldProblem(kind="organisation", field=model.ACTOR, column=actor))
    source = " ".join(form.get(f"{prefix}source", "").split()) or None
    return _explicit(header, chosen, constants, ColumnMapping(source=source), None)


def _explicit(
    header: list[str],
    choices: dict[str, str],
    constants: dict[str, str],
    base: ColumnMapping,
    sheet: str | None,
) -> ColumnMapping:
    """A mapping that names every choice, so that it reads the same next month.

    Columns the form leaves at "none" that would otherwise be recognised by name as one of its
    fields are kept as free attributes under their own names (keys recognised by name stay
    keys: a column of identity codes is never stored as it is).
    """
    columns = {name: col for name, col in choices.items() if name in FIELDS and col}
    keys = {
        name.removeprefix("key_"): col
        for name, col in choices.items()
        if name in KEY_FIELDS and col
    }
    named = set(columns.values()) | set(keys.values())
    constants = {name: value for name, value in constants.items() if value}
    plain = ColumnMapping(columns=columns, keys=keys, constants=constants)
    guessed, _ = resolve_partly(header, plain, display_name="")
    attributes = {
        column: column
        for column, canonical in guessed.items()
        if column not in named and canonical in FIELDS and model.is_free_attribute(column)
    }
    kept = {k: v for k, v in base.attributes.items() if v in header and v not in named}
    return replace(
        base,
        columns=columns,
        keys=keys,
        constants=constants,
        attributes={**kept, **attributes},
        sheet=sheet if sheet is not None else base.sheet,
    )


def start_from_form(
    principal: Principal,
    *,
    job_id: int,
    form: Mapping[str, str],
    settings: Settings | None = None,
) -> list[MappingStep] | None:
    """Start the job's import with the mapping of the form (or of the profiles it names).

    Returns the steps with their problems instead when a file cannot be imported as the form
    stands (the page shows them again); saves the profiles the form asks for first.
    """
    settings = settings or get_settings()
    steps, _ = mapping_steps(principal, job_id=job_id, form=form, settings=settings)
    if any(step.problems for step in steps):
        return steps
    for step in steps:
        if form.get(f"{step.prefix}save"):
            name = form.get(f"{step.prefix}profile_name", "").strip() or step.source
            source_profiles.save_profile(
                principal, name=name, mapping=step.mapping, overwrite=True, settings=settings
            )
    uploads.start_import(
        principal,
        job_id=job_id,
        quarantine=form.get("quarantine", "") in ("true", "on", "1"),
        path_name=form.get("path_name", "").strip() or None,
        mappings=[step.mapping for step in steps],
        settings=settings,
    )
    return None
