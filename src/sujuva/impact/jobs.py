"""Job records: the new jobs counted against the target, imported or derived, never twice.

A job record is one new job (or part of one, in FTE). Records come two ways: **imported**
from the organisations' own reports (a CSV file, :func:`read_job_records`) and **derived**
from the customer paths (a case that reached "first employee hired" or "employed"),
normalised with :func:`job_records_frame`. :func:`merge_job_records` joins the two without
counting a job found both ways twice.

A job-records DataFrame has exactly the columns :data:`JOB_COLUMNS`:

- ``job_id`` (str): the source's own id of the job, ``""`` when none;
- ``date`` (datetime64, midnight): when the job began (hire date; the enterprise's
  registration for a new enterprise);
- ``sector`` (str): the focus sector (``bioeconomy``, ``technology industry``, ``wellbeing``,
  ``other`` by default), from the TOL code when not given;
- ``tol_code`` (str): the TOL 2008 code as digits (``"2511"``), ``""`` when only the sector
  is known;
- ``fte`` (float): full-time equivalents, 0 < fte ≤ 1 (a part-time job counts in part);
- ``type`` (str): ``new_enterprise`` (an entrepreneur's own job), ``growth_hire`` (a hire by
  an existing firm) or ``placement`` (a job seeker placed in a job);
- ``organisation`` (str): the network organisation credited with the job;
- ``path`` (str), ``case_id`` (str), ``pilot`` (str): the customer path, case and pilot the
  job came through, ``""`` when unknown;
- ``source`` (str): ``imported`` or ``derived``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from sujuva.errors import Problem, UsageError
from sujuva.impact.csvfile import parse_number, problems_error, read_csv
from sujuva.impact.tol import (
    DEFAULT_SECTORS,
    SectorMap,
    SectorTarget,
    normalise_tol_code,
    sector_map,
)

JOB_TYPES: tuple[str, ...] = ("new_enterprise", "growth_hire", "placement")
SOURCES: tuple[str, ...] = ("imported", "derived")
JOB_COLUMNS: tuple[str, ...] = (
    "job_id",
    "date",
    "sector",
    "tol_code",
    "fte",
    "type",
    "organisation",
    "path",
    "case_id",
    "pilot",
    "source",
)
#: Columns a CSV file may have (``source`` is set by the reader, not the file).
CSV_COLUMNS: tuple[str, ...] = JOB_COLUMNS[:-1]
OPTIONAL_TEXT = ("job_id", "path", "case_id", "pilot")
FIRST_YEAR, LAST_YEAR = 1900, 2999

Issue = tuple[str, str, str]  # (column, reason, value)


def empty_job_records() -> pd.DataFrame:
    """A job-records frame with no rows and the documented columns and dtypes."""
    return _frame([])


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(JOB_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"])
    frame["fte"] = frame["fte"].astype("float64")
    for column in JOB_COLUMNS:
        if column not in ("date", "fte"):
            frame[column] = frame[column].astype(object)
    return frame


def _text(value: object) -> str:
    """A cell as stripped text; missing values (None, NaN, NaT) are ``""``."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def parse_date(value: object) -> date:
    """A day from a date/datetime or ``YYYY-MM-DD`` (optionally with a time) / ``D.M.YYYY``
    text; ``ValueError`` with a human reason otherwise."""
    text = _text(value)
    if not text:
        raise ValueError("empty; a date is needed")
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = (
                datetime.strptime(text, "%d.%m.%Y").date()
                if "." in text and "-" not in text
                else datetime.fromisoformat(text).date()
            )
        except ValueError:
            raise ValueError("not a date; use YYYY-MM-DD or D.M.YYYY") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"year outside {FIRST_YEAR}–{LAST_YEAR}")
    return day


def _fte(value: object, *, decimal_comma: bool) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number):
            raise ValueError("empty; a number is needed")
    else:
        number = parse_number(_text(value), decimal_comma=decimal_comma)
    if not 0 < number <= 1:
        raise ValueError("FTE must be more than 0 and at most 1 (one full-time job)")
    return number


def _sector(values: Mapping[str, object], smap: SectorMap, issues: list[Issue]) -> tuple[str, str]:
    """(sector, tol_code) from either or both; unknown values or a mismatch are issues."""
    code_text, sector_text = _text(values.get("tol_code")), _text(values.get("sector"))
    code, sector, from_code = "", "", ""
    if code_text:
        try:
            code = normalise_tol_code(code_text)
            from_code = smap.sector_of(code)
        except UsageError as exc:
            issues.append(("tol_code", exc.message, code_text))
            code = ""
    if sector_text:
        sector = {name.casefold(): name for name in smap.names}.get(sector_text.casefold(), "")
        if not sector:
            reason = f"unknown sector; use one of {', '.join(smap.names)}"
            issues.append(("sector", reason, sector_text))
    if not code_text and not sector_text:
        issues.append(("tol_code", "a TOL code or a sector is needed", ""))
    if code and sector and from_code != sector:
        reason = f"TOL code {code} belongs to the sector '{from_code}' by the mapping"
        issues.append(("sector", reason, sector_text))
    return (sector or (from_code if code else "")), code


def _record(
    values: Mapping[str, object], smap: SectorMap, *, decimal_comma: bool, source: str
) -> tuple[dict[str, object], list[Issue]]:
    """One validated record from raw ``values`` by column, and the issues found."""
    issues: list[Issue] = []
    record: dict[str, object] = {name: _text(values.get(name)) for name in OPTIONAL_TEXT}
    record["source"] = source
    try:
        record["date"] = parse_date(values.get("date"))
    except ValueError as exc:
        issues.append(("date", str(exc), _text(values.get("date"))))
    try:
        record["fte"] = _fte(values.get("fte", 1.0), decimal_comma=decimal_comma)
    except ValueError as exc:
        issues.append(("fte", str(exc), _text(values.get("fte"))))
    kind = _text(values.get("type")).lower().replace("-", "_").replace(" ", "_")
    if kind not in JOB_TYPES:
        reason = f"unknown type; use one of {', '.join(JOB_TYPES)}"
        issues.append(("type", reason, _text(values.get("type"))))
    record["type"] = kind
    record["organisation"] = _text(values.get("organisation"))
    if not record["organisation"]:
        issues.append(("organisation", "the organisation credited with the job is needed", ""))
    record["sector"], record["tol_code"] = _sector(values, smap, issues)
    return record, issues


def read_job_records(
    path: str | Path, *, sectors: Sequence[SectorTarget] = DEFAULT_SECTORS
) -> pd.DataFrame:
    """The job records in the CSV file at ``path`` (``source`` = ``imported``), all or nothing.

    Columns by header name (any order, case-insensitive): ``date``, ``type``,
    ``organisation`` and ``tol_code`` or ``sector`` are required; ``fte`` (1 when the column
    is absent), ``job_id``, ``path``, ``case_id``, ``pilot`` are optional. Every problem (an
    unknown column, TOL code, sector or type, an FTE outside (0, 1], a bad date, a repeated
    job_id) is reported with file, line and column in one :class:`UsageError`.
    """
    rows = read_csv(path)
    columns = [cell.lower().replace(" ", "_") for cell in rows.header]
    problems = _header_problems(rows.name, rows.header_line, columns)
    if problems:
        raise problems_error(rows.name, problems)
    smap = sector_map(sectors)
    records: list[dict[str, object]] = []
    first_line: dict[str, int] = {}
    for line, cells in rows.rows:
        where = f"line {line}"
        if len(cells) != len(columns):
            reason = f"{len(cells)} cells where the header has {len(columns)}"
            problems.append(Problem(rows.name, where, "", reason))
            continue
        values = dict(zip(columns, cells, strict=True))
        record, issues = _record(values, smap, decimal_comma=rows.decimal_comma, source="imported")
        problems += [Problem(rows.name, where, col, why, value) for col, why, value in issues]
        job_id = str(record["job_id"])
        if job_id and job_id in first_line:
            reason = f"job_id already used on line {first_line[job_id]}"
            problems.append(Problem(rows.name, where, "job_id", reason, job_id))
        if job_id:
            first_line.setdefault(job_id, line)
        records.append(record)
    if problems:
        raise problems_error(rows.name, problems)
    return _frame(records)


def _header_problems(name: str, line: int, columns: list[str]) -> list[Problem]:
    where = f"line {line}"
    problems = [
        Problem(name, where, column, f"unknown column; expected {', '.join(CSV_COLUMNS)}")
        for column in columns
        if column not in CSV_COLUMNS
    ]
    problems += [
        Problem(name, where, column, "column given twice")
        for column in sorted({c for c in columns if columns.count(c) > 1})
    ]
    for required in ("date", "type", "organisation"):
        if required not in columns:
            problems.append(Problem(name, where, required, "the required column is missing"))
    if "tol_code" not in columns and "sector" not in columns:
        problems.append(Problem(name, where, "tol_code", "a tol_code or a sector column is needed"))
    return problems


def job_records_frame(
    frame: pd.DataFrame,
    *,
    source: Literal["imported", "derived"],
    sectors: Sequence[SectorTarget] = DEFAULT_SECTORS,
) -> pd.DataFrame:
    """``frame`` (records built in code, e.g. derived from cases) checked and normalised to
    :data:`JOB_COLUMNS`, ``source`` set. Missing optional columns are filled (``fte`` = 1);
    other columns are ignored. Problems are reported by row position in one
    :class:`UsageError`, all or nothing."""
    if source not in SOURCES:
        raise UsageError(f"source must be one of {', '.join(SOURCES)} (got {source!r})")
    duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if duplicated:
        raise UsageError(f"job record column(s) given twice: {', '.join(duplicated)}")
    smap = sector_map(sectors)
    problems: list[Problem] = []
    records = []
    for position, values in enumerate(frame.to_dict("records")):
        named = {str(key): value for key, value in values.items()}
        record, issues = _record(named, smap, decimal_comma=False, source=source)
        where = f"row {position}"
        problems += [Problem("", where, col, why, value) for col, why, value in issues]
        records.append(record)
    if problems:
        raise problems_error(f"{source} job records", problems)
    return _frame(records)
