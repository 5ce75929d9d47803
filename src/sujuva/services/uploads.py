"""Use cases of the dashboard's Data page: upload, preview, import in the background.

Uploaded files are kept under ``<data_dir>/uploads/<job>/``; the import runs in a worker
thread through :func:`importing.import_files` (all-or-nothing, or with quarantine), its progress
and report kept in the app-state database so every worker process sees them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sujuva.config import Settings, get_settings
from sujuva.errors import (
    InputError,
    NotFoundError,
    PermissionDeniedError,
    SujuvaError,
    UsageError,
)
from sujuva.eventlog.mapping import ColumnMapping, resolve_columns
from sujuva.eventlog.sources import open_source
from sujuva.services import accounts, cache, importing
from sujuva.services.access import may_import
from sujuva.services.principal import Principal
from sujuva.store.store import Store

PREVIEW_ROWS = 10
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, kw_only=True)
class Preview:
    """The first rows of one uploaded file and how its columns would be read.

    ``columns`` maps each source column to the canonical name it becomes (itself when it is a
    free attribute); ``problem`` is the reason it cannot be imported as it is, if any.
    """

    file: str
    format: str
    columns: dict[str, str]
    rows: list[dict[str, Any]]
    problem: str | None


def require_import(principal: Principal) -> None:
    """Refuse users who may not upload (everybody but analysts of an organisation)."""
    if not may_import(principal):
        raise PermissionDeniedError("uploads are for analysts of an organisation")


def upload_dir(job_id: int, settings: Settings) -> Path:
    return settings.data_dir / "uploads" / f"job-{job_id:06d}"


def save_upload(
    principal: Principal, *, files: list[tuple[str, bytes]], settings: Settings | None = None
) -> int:
    """Keep uploaded files (name, content) for a new import job; returns the job id."""
    settings = settings or get_settings()
    require_import(principal)
    names = [_safe(name) for name, _ in files]
    if not files:
        raise InputError("choose at least one file to upload")
    job_id = accounts.create_import_job(principal=principal, files=names, settings=settings)
    folder = upload_dir(job_id, settings)
    folder.mkdir(parents=True, exist_ok=True)
    for name, (_, content) in zip(names, files, strict=True):
        (folder / name).write_bytes(content)
    return job_id


def _safe(name: str) -> str:
    cleaned = _SAFE_NAME.sub("_", Path(name).name).strip("._")
    return cleaned or "upload.csv"


def job_for(principal: Principal, job_id: int, *, settings: Settings) -> accounts.ImportJob:
    """An import job of the user's own organisation (NotFound for anybody else's)."""
    require_import(principal)
    job = accounts.get_import_job(job_id=job_id, settings=settings)
    if job.organisation != principal.organisation:
        raise NotFoundError(f"no import job {job_id} of your organisation")
    return job


def preview(
    principal: Principal, *, job_id: int, settings: Settings | None = None
) -> list[Preview]:
    """First rows and column reading of every file of a job, before anything is imported."""
    settings = settings or get_settings()
    job = job_for(principal, job_id, settings=settings)
    folder = upload_dir(job_id, settings)
    return [preview_file(folder / name) for name in job.files]


def preview_file(path: Path, *, mapping: ColumnMapping | None = None) -> Preview:
    """The first rows of one file (CSV, XES, Parquet or an Excel sheet) and how its columns
    would be read with ``mapping`` (default: recognised by name; its sheet, delimiter and
    encoding choose what is read)."""
    mapping = mapping or ColumnMapping()
    try:
        source = open_source(path, fmt=None, mapping=mapping)
        first = next(iter(source.batches()), None)
    except SujuvaError as exc:
        return Preview(file=path.name, format="?", columns={}, rows=[], problem=exc.message)
    if first is None:
        return Preview(
            file=path.name,
            format=source.format,
            columns={},
            rows=[],
            problem="the file has no rows",
        )
    names = [n for n in first.schema.names if not n.startswith("_")]
    problem = None
    try:
        rename = resolve_columns(names, mapping, display_name=path.name)
    except InputError as exc:
        rename, problem = {}, exc.message
    rows = first.slice(0, PREVIEW_ROWS).select(names).to_pylist()
    return Preview(
        file=path.name,
        format=source.format,
        columns={n: rename.get(n, n) for n in names},
        rows=rows,
        problem=problem,
    )


def start_import(
    principal: Principal,
    *,
    job_id: int,
    quarantine: bool,
    path_name: str | None = None,
    mappings: list[ColumnMapping] | None = None,
    settings: Settings | None = None,
) -> None:
    """Run the job's import in a background thread (progress goes to the job record).

    ``mappings`` gives each of the job's files, in order, the mapping chosen on the job page
    (default: columns recognised by name).
    """
    settings = settings or get_settings()
    job = job_for(principal, job_id, settings=settings)
    if job.status != "queued":
        return
    chosen = list(mappings) if mappings is not None else [ColumnMapping() for _ in job.files]
    if len(chosen) != len(job.files):
        raise UsageError(f"import job {job_id} has {len(job.files)} file(s): give one mapping each")
    accounts.update_import_job(job_id=job_id, step="starting", rows=0, settings=settings)
    worker = threading.Thread(
        target=_run_import,
        kwargs={
            "principal": principal,
            "job_id": job_id,
            "files": job.files,
            "mappings": chosen,
            "quarantine": quarantine,
            "path_name": path_name or None,
            "settings": settings,
        },
        name=f"import-{job_id}",
        daemon=True,
    )
    worker.start()


def _run_import(
    *,
    principal: Principal,
    job_id: int,
    files: list[str],
    mappings: list[ColumnMapping],
    quarantine: bool,
    path_name: str | None,
    settings: Settings,
) -> None:
    folder = upload_dir(job_id, settings)
    rejected_file = folder / "rejected.csv"

    def progress(step: str, rows: int) -> None:
        accounts.update_import_job(job_id=job_id, step=step, rows=rows, settings=settings)

    try:
        report = importing.import_files(
            [],
            files=[
                importing.SourceFile(folder / name, mapping)
                for name, mapping in zip(files, mappings, strict=True)
            ],
            quarantine=rejected_file if quarantine else None,
            path_name=path_name,
            settings=settings,
            progress=progress,
            organisation=principal.organisation,
        )
    except SujuvaError as exc:
        _finish_failed(job_id, exc, settings)
        return
    except Exception as exc:  # a bug: keep the job from hanging in "running"
        _finish_failed(job_id, SujuvaError(f"unexpected error: {exc}"), settings)
        raise
    cache.clear()
    _finish_done(job_id, report, rejected_file, settings)
    accounts.record_audit(
        principal=principal,
        action="import",
        target=f"job {job_id}",
        detail=", ".join(files),
        settings=settings,
    )


def _finish_done(
    job_id: int, report: importing.ImportReport, rejected_file: Path, settings: Settings
) -> None:
    """Record a finished import: its counts, problems and the store's import records."""
    accounts.finish_import_job(
        job_id=job_id,
        ok=True,
        rows_read=sum(f.rows_read for f in report.files),
        imported=sum(f.imported for f in report.files),
        rejected=report.rejected,
        duplicate=sum(f.duplicate for f in report.files),
        message="imported",
        quarantine_file=str(rejected_file) if report.quarantine else None,
        report={
            "problems": [p.as_dict() for f in report.files for p in f.problems],
            "store_imports": store_imports_of(job_id, settings=settings),
        },
        settings=settings,
    )


def store_imports_of(job_id: int, *, settings: Settings) -> list[int]:
    """The ids of the store's import records of a job's files (its upload folder's), oldest
    first; removed imports are no longer in the store and not listed."""
    folder = upload_dir(job_id, settings).resolve()
    return [
        record.import_id
        for record in Store(settings.data_dir, threads=settings.threads).imports()
        if Path(record.file).parent == folder
    ]


def _finish_failed(job_id: int, error: SujuvaError, settings: Settings) -> None:
    details = error.details()
    accounts.finish_import_job(
        job_id=job_id,
        ok=False,
        rows_read=0,
        imported=0,
        rejected=getattr(error, "total", 0) or len(details),
        duplicate=0,
        message=error.message,
        quarantine_file=None,
        report={"problems": details},
        settings=settings,
    )


def job_json(job: accounts.ImportJob) -> dict[str, Any]:
    """An import job as JSON-ready data (the API's shape)."""
    return {
        "id": job.id,
        "status": job.status,
        "files": list(job.files),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "progress_step": job.progress_step,
        "progress_rows": job.progress_rows,
        "rows_read": job.rows_read,
        "imported": job.imported,
        "rejected": job.rejected,
        "duplicate": job.duplicate,
        "message": job.message,
        "problems": (job.report or {}).get("problems", []),
        "store_imports": (job.report or {}).get("store_imports", []),
        "removed": (job.report or {}).get("removed"),
    }
