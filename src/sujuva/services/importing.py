"""Use case: import event-log files into the store, all or nothing (or with quarantine)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sujuva.config import Settings, get_settings
from sujuva.errors import InputError, Problem, StoreError, UsageError
from sujuva.eventlog import model
from sujuva.eventlog.mapping import ColumnMapping, resolve_columns
from sujuva.eventlog.normalise import REJECT_COLUMNS, NormaliseContext, normalise
from sujuva.eventlog.pathrules import PathRules
from sujuva.eventlog.sources import Source, file_stem, open_source
from sujuva.privacy.identity import looks_like_identity_codes
from sujuva.privacy.pseudonym import Pseudonymiser, load_key, new_key, save_key
from sujuva.store.store import ImportRecord, ImportTransaction, Store, StoreInfo

#: Called with a description of the step under way and the rows handled so far.
Progress = Callable[[str, int], None]


@dataclass
class FileReport:
    """What happened to one file: counts, how it was read, and its problems."""

    file: str
    format: str
    rows_read: int = 0
    imported: int = 0
    rejected: int = 0
    duplicate: int = 0
    read_as: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of one import command."""

    files: list[FileReport]
    committed: bool
    quarantine: Path | None
    info: StoreInfo

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)


@dataclass
class _FileRun:
    source: Source
    report: FileReport
    rejected_tables: list[pa.Table] = field(default_factory=list)
    source_names: dict[str, str] = field(default_factory=dict)
    name: str = ""
    first: datetime | None = None
    last: datetime | None = None
    keyed: bool = False
    rejected_keys: int = 0


@dataclass(frozen=True)
class SourceFile:
    """One file to import and how to read it."""

    path: Path
    mapping: ColumnMapping = field(default_factory=ColumnMapping)


@dataclass(frozen=True)
class Period:
    """A closed period of completion times (for replacing a source's events)."""

    start: datetime
    end: datetime


def import_files(
    paths: list[Path],
    *,
    mapping: ColumnMapping | None = None,
    path_name: str | None = None,
    fmt: str | None = None,
    quarantine: Path | None = None,
    side_tables: dict[str, pa.Table] | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    organisation: str | None = None,
    files: list[SourceFile] | None = None,
    rules: PathRules | None = None,
    replace: bool = False,
    replace_period: Period | None = None,
) -> ImportReport:
    """Import files into the store in one transaction.

    Without ``quarantine`` any rejected row aborts the whole import (nothing changes) with an
    :class:`InputError` listing the problems; with it, good rows are imported and rejected rows
    written to the quarantine CSV with their reasons. With ``organisation``, rows of any other
    organisation are rejected (the dashboard's uploads: each organisation sends its own events).

    ``files`` gives each file its own mapping (``paths`` all share ``mapping``). Events with
    customer keys form their cases by ``rules`` (default: the rules in force); with
    ``replace``, each file replaces its source's stored events of the period it covers (or of
    ``replace_period``), so a corrected re-export corrects and deletes.
    """
    settings = settings or get_settings()
    sources = [SourceFile(p, mapping or ColumnMapping()) for p in paths] + list(files or [])
    data_dir = settings.data_dir
    existing_key = load_key(data_dir, configured=_secret(settings))
    key = existing_key or new_key()
    pseudonymiser = Pseudonymiser(key)
    with ImportTransaction(
        data_dir, threads=settings.threads, memory_limit=settings.memory_limit
    ) as tx:
        runs, records = [], []
        for item in sources:
            import_id = tx.new_import_id()
            run = _read_file(
                item.path,
                sink=partial(tx.stage, import_id=import_id),
                fmt=fmt,
                mapping=item.mapping,
                path_name=path_name,
                pseudonymiser=pseudonymiser,
                settings=settings,
                progress=progress,
                organisation=organisation,
            )
            runs.append(run)
            records.append(_record(import_id, item.path, run))
            if replace:
                _replace(tx, run, replace_period)
        total_rejected = sum(run.report.rejected for run in runs)
        if total_rejected and quarantine is None:
            raise _rejection_error(runs, total_rejected)
        if quarantine is not None and total_rejected:
            _write_quarantine(quarantine, runs)
        for name, table in (side_tables or {}).items():
            tx.set_side_table(name, table)
        if rules is not None:
            tx.set_rules(rules)
        if existing_key is None:
            save_key(data_dir, key)
        if progress is not None:
            progress("building the store", sum(run.report.rows_read for run in runs))
        tx.commit(records)
    for run, record in zip(runs, records, strict=True):
        run.report.imported = record.imported
        run.report.duplicate = record.duplicate
    return ImportReport(
        files=[run.report for run in runs],
        committed=True,
        quarantine=quarantine if total_rejected else None,
        info=Store(data_dir, threads=settings.threads).info(),
    )


def _record(import_id: int, path: Path, run: _FileRun) -> ImportRecord:
    details: dict[str, object] = {"keyed": run.keyed, "rejected_keys": run.rejected_keys}
    if run.first is not None and run.last is not None:
        details["period"] = [run.first.isoformat(), run.last.isoformat()]
    return ImportRecord(
        import_id=import_id,
        file=str(path.resolve()),
        format=run.source.format,
        sha256=_sha256(path),
        rows_read=run.report.rows_read,
        rejected=run.report.rejected,
        source=run.name,
        details=details,
    )


def _replace(tx: ImportTransaction, run: _FileRun, period: Period | None) -> None:
    """Replace the source's stored events of the file's period (or the given one)."""
    if period is not None:
        tx.replace_period(source=run.name, start=period.start, end=period.end)
    elif run.first is not None and run.last is not None:
        tx.replace_period(source=run.name, start=run.first, end=run.last)


def remove_import(import_id: int, *, settings: Settings | None = None) -> StoreInfo:
    """Remove one earlier import: its events go, and the store is as if it had never been
    imported (copies of its events that other imports brought come back into force)."""
    return remove_imports([import_id], settings=settings)


def remove_imports(import_ids: list[int], *, settings: Settings | None = None) -> StoreInfo:
    """Remove several earlier imports (e.g. one upload's files) in one atomic change."""

    def remove(tx: ImportTransaction) -> None:
        for import_id in import_ids:
            tx.remove_import(import_id)

    return _rebuild(remove, settings=settings or get_settings())


def apply_rules(rules: PathRules, *, settings: Settings | None = None) -> StoreInfo:
    """Form every case again with new path rules (and keep them in force)."""
    settings = settings or get_settings()
    if Store(settings.data_dir).is_empty:
        raise StoreError(f"{settings.data_dir}: the store is empty; import a file first")
    return _rebuild(lambda tx: tx.set_rules(rules), settings=settings)


def _rebuild(change: Callable[[ImportTransaction], None], *, settings: Settings) -> StoreInfo:
    """A new generation from the current one with ``change`` made, published atomically."""
    with ImportTransaction(
        settings.data_dir, threads=settings.threads, memory_limit=settings.memory_limit
    ) as tx:
        change(tx)
        tx.commit([])
    return Store(settings.data_dir, threads=settings.threads).info()


def _secret(settings: Settings) -> str | None:
    return settings.secret_key.get_secret_value() if settings.secret_key else None


def _read_file(
    path: Path,
    *,
    sink: Callable[[pa.Table], None],
    fmt: str | None,
    mapping: ColumnMapping,
    path_name: str | None,
    pseudonymiser: Pseudonymiser,
    settings: Settings,
    progress: Progress | None,
    organisation: str | None = None,
) -> _FileRun:
    """Read, map and normalise one file, passing good events to ``sink`` batch by batch."""
    source = open_source(path, fmt=fmt, mapping=mapping)
    run = _FileRun(
        source,
        FileReport(file=source.display_name, format=source.format, read_as=source.describe()),
    )
    run.name = mapping.source or file_stem(path)
    ctx = NormaliseContext(
        constants={**mapping.constants, **({model.PATH: path_name} if path_name else {})},
        default_path=path_name or mapping.constants.get(model.PATH) or file_stem(path),
        zone=ZoneInfo(settings.timezone),
        ambiguous=settings.ambiguous_time,
        pseudonymiser=pseudonymiser,
        decimal_comma=source.describe().get("delimiter", ",") != ",",
        infer_types=source.format in ("csv", "excel"),
        organisation=organisation,
        source=run.name,
        key_fingerprint=pseudonymiser.fingerprint,
    )
    rename: dict[str, str] | None = None
    for batch in source.batches():
        if rename is None:
            names = [
                n for n in batch.schema.names if n not in model.INTERNAL_COLUMNS and n != "_problem"
            ]
            rename = resolve_columns(names, mapping, display_name=source.display_name)
            run.source_names = {canonical: name for name, canonical in rename.items()}
            run.keyed = any(c.startswith(model.RAW_KEY_PREFIX) for c in rename.values())
            _refuse_unnamed_codes(batch, rename, display_name=source.display_name)
        renamed = batch.rename_columns([rename.get(name, name) for name in batch.schema.names])
        result = normalise(renamed, ctx)
        run.report.rows_read += batch.num_rows
        _note_period(run, result.events)
        sink(result.events)
        if result.rejected.num_rows:
            _collect_rejects(run, result.rejected, settings.max_problems_shown)
        if progress is not None:
            progress(f"reading {source.display_name}", run.report.rows_read)
    _add_extra_problems(run, settings.max_problems_shown)
    if rename is None and not run.report.rejected:
        raise InputError(
            f"{source.display_name}: the file has no events",
            [Problem(source.display_name, "", "", "no data rows")],
        )
    return run


def _refuse_unnamed_codes(
    batch: pa.RecordBatch, rename: dict[str, str], *, display_name: str
) -> None:
    """Refuse a file with a column of personal identity codes that is not named as a key:
    stored as a plain attribute, the codes would reach the store unpseudonymised."""
    for name in batch.schema.names:
        target = rename.get(name, name)
        if not model.is_free_attribute(target) or name in model.INTERNAL_COLUMNS:
            continue
        column = batch.column(name)
        if pa.types.is_string(column.type) and looks_like_identity_codes(column):
            reason = (
                "the column seems to hold personal identity codes; name it as the key "
                f"(--key {name!r}) so that it is pseudonymised, or remove it"
            )
            raise InputError(
                f"{display_name}: column {name!r}: {reason}",
                [Problem(display_name, "header", name, reason)],
            )


def _note_period(run: _FileRun, events: pa.Table) -> None:
    """Widen the file's period of completion times by a batch's."""
    if events.num_rows == 0:
        return
    bounds = pc.min_max(events[model.TIMESTAMP]).as_py()
    low, high = bounds["min"], bounds["max"]
    run.first = low if run.first is None or low < run.first else run.first
    run.last = high if run.last is None or high > run.last else run.last


def _collect_rejects(run: _FileRun, rejected: pa.Table, limit: int) -> None:
    run.report.rejected += rejected.num_rows
    keys = pc.starts_with(rejected["_column"], model.RAW_KEY_PREFIX)
    run.rejected_keys += int(pc.sum(keys).as_py() or 0)
    run.rejected_tables.append(rejected)
    room = limit - len(run.report.problems)
    if room > 0:
        head = rejected.slice(0, room)
        locations = run.source.locate(head)
        for location, column, reason, value in zip(
            locations,
            head["_column"].to_pylist(),
            head["_reason"].to_pylist(),
            head["_value"].to_pylist(),
            strict=True,
        ):
            if column.startswith(model.RAW_KEY_PREFIX):
                column = run.source_names.get(column, column)
            run.report.problems.append(
                Problem(run.source.display_name, location, column, reason, value)
            )


def _add_extra_problems(run: _FileRun, limit: int) -> None:
    extra = run.source.extra_problems()
    run.report.rejected += len(extra)
    run.report.rows_read += len(extra)
    run.report.problems = sorted(run.report.problems + extra, key=_location_order)[:limit]
    if extra:
        table = pa.table(
            {
                "_location": [p.location for p in extra],
                "_column": [p.column for p in extra],
                "_reason": [p.reason for p in extra],
                "_value": [p.value for p in extra],
            }
        )
        run.rejected_tables.append(table)


def _location_order(problem: Problem) -> tuple[int, ...]:
    digits = [int(part) for part in problem.location.replace(",", " ").split() if part.isdigit()]
    return tuple(digits)


def _rejection_error(runs: list[_FileRun], total: int) -> InputError:
    problems = [p for run in runs for p in run.report.problems]
    files = ", ".join(
        f"{run.report.file}: {run.report.rejected} of {run.report.rows_read} rows"
        for run in runs
        if run.report.rejected
    )
    message = (
        f"import refused, nothing was changed: {total} row(s) rejected ({files}). "
        "Fix them, or import the good rows with --quarantine FILE."
    )
    return InputError(message, problems, total=total)


def _write_quarantine(target: Path, runs: list[_FileRun]) -> None:
    tables = []
    for run in runs:
        for table in run.rejected_tables:
            if "_location" not in table.column_names:
                table = table.append_column(
                    "_location", pa.array(run.source.locate(table), pa.string())
                )
            table = table.drop_columns(
                [c for c in model.INTERNAL_COLUMNS if c in table.column_names]
            )
            table = table.rename_columns([run.source_names.get(c, c) for c in table.column_names])
            table = table.append_column(
                "_file", pa.array([run.report.file] * table.num_rows, pa.string())
            )
            tables.append(
                table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
            )
    merged = pa.concat_tables(tables, promote_options="permissive")
    first = ["_file", "_location", *REJECT_COLUMNS]
    merged = merged.select(first + [c for c in merged.column_names if c not in first])
    merged = merged.rename_columns(
        [c.lstrip("_") if c in first else c for c in merged.column_names]
    )
    tmp = target.with_name(target.name + ".tmp")
    pacsv.write_csv(merged, tmp)
    os.replace(tmp, target)


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_events(
    path: Path,
    *,
    mapping: ColumnMapping | None = None,
    path_name: str | None = None,
    fmt: str | None = None,
    strict: bool = True,
    settings: Settings | None = None,
) -> tuple[pa.Table, FileReport]:
    """Read one file into canonical events without storing it.

    Identifiers are pseudonymised with the data directory's key when there is one, else with a
    throw-away key. With ``strict`` any rejected row raises :class:`InputError`; otherwise the
    report lists the problems and the good rows are returned.
    """
    settings = settings or get_settings()
    mapping = mapping or ColumnMapping()
    key = load_key(settings.data_dir, configured=_secret(settings)) or new_key()
    tables: list[pa.Table] = []
    run = _read_file(
        path,
        sink=tables.append,
        fmt=fmt,
        mapping=mapping,
        path_name=path_name,
        pseudonymiser=Pseudonymiser(key),
        settings=settings,
        progress=None,
    )
    if strict and run.report.rejected:
        raise _rejection_error([run], run.report.rejected)
    events = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    drop = [c for c in model.INTERNAL_COLUMNS if c in events.column_names]
    run.report.imported = events.num_rows
    return events.drop_columns(drop), run.report


def parse_period(text: str, *, settings: Settings | None = None) -> Period:
    """``FROM..TO`` (ISO dates, both included, local days) as a :class:`Period`."""
    settings = settings or get_settings()
    zone = ZoneInfo(settings.timezone)
    first, sep, last = text.partition("..")
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip())
    except ValueError as exc:
        raise UsageError(
            f"period {text!r}: give it as FROM..TO, e.g. 2018-07-01..2018-12-31"
        ) from exc
    if not sep or end < start:
        raise UsageError(f"period {text!r}: give it as FROM..TO with FROM not after TO")
    return Period(
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end, time.max, tzinfo=zone),
    )
