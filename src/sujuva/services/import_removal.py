"""Use case: remove a mistaken import made through the dashboard, as if it had never been made.

A finished import job remembers the store's import records of its files (``store_imports`` in
its report; for older jobs they are found by the job's upload folder). Removing the job removes
them from the store in one atomic change (:func:`importing.remove_imports`), marks the job
removed and writes the audit log. Analysts remove their own organisation's imports;
administrators anybody's (:func:`sujuva.services.access.may_remove_import`).
"""

from __future__ import annotations

import json

from sujuva.config import Settings, get_settings
from sujuva.errors import ConflictError, NotFoundError, PermissionDeniedError
from sujuva.services import accounts, cache, importing, uploads
from sujuva.services.access import may_remove_import, may_remove_imports
from sujuva.services.principal import Principal
from sujuva.store.appdb import ImportJobRow, session_scope, utc_now
from sujuva.store.store import Store


def removable_job(
    principal: Principal, *, job_id: int, settings: Settings | None = None
) -> accounts.ImportJob:
    """An import job the user may remove (NotFound for another organisation's analyst)."""
    settings = settings or get_settings()
    if not may_remove_imports(principal):
        raise PermissionDeniedError("imports are removed by their organisation's analysts")
    job = accounts.get_import_job(job_id=job_id, settings=settings)
    if not may_remove_import(principal, organisation=job.organisation):
        raise NotFoundError(f"no import job {job_id} of your organisation")
    return job


def may_remove(job: accounts.ImportJob) -> bool:
    """Whether a job holds an import that can still be removed (done and not removed)."""
    return job.status == "done" and not (job.report or {}).get("removed")


def store_imports(job: accounts.ImportJob, *, settings: Settings) -> list[int]:
    """The store's import records of the job that are still in the store."""
    present = {
        record.import_id for record in Store(settings.data_dir, threads=settings.threads).imports()
    }
    recorded = (job.report or {}).get("store_imports")
    if isinstance(recorded, list):
        return [int(i) for i in recorded if int(i) in present]
    return [i for i in uploads.store_imports_of(job.id, settings=settings) if i in present]


def remove_job_import(
    principal: Principal,
    *,
    job_id: int,
    address: str = "",
    settings: Settings | None = None,
) -> accounts.ImportJob:
    """Remove a finished import job's events from the store and mark the job removed.

    A job that is not finished, or removed already, is a ConflictError. The caches are
    cleared and the removal is written to the audit log.
    """
    settings = settings or get_settings()
    job = removable_job(principal, job_id=job_id, settings=settings)
    if not may_remove(job):
        raise ConflictError(f"import job {job_id} has no import to remove ({job.status})")
    ids = store_imports(job, settings=settings)
    if ids:
        importing.remove_imports(ids, settings=settings)  # all of the job's files, atomically
    cache.clear()
    _mark_removed(job_id, principal=principal, store_imports=ids, settings=settings)
    accounts.record_audit(
        principal=principal,
        action="remove_import",
        target=f"job {job_id}",
        detail=f"store imports {', '.join(map(str, ids)) or 'none'}; files {', '.join(job.files)}",
        address=address,
        settings=settings,
    )
    return accounts.get_import_job(job_id=job_id, settings=settings)


def _mark_removed(
    job_id: int, *, principal: Principal, store_imports: list[int], settings: Settings
) -> None:
    with session_scope(settings=settings) as session:
        row = session.get(ImportJobRow, job_id)
        if row is None:
            raise NotFoundError(f"no import job {job_id}")
        report = json.loads(row.report) if row.report else {}
        report["removed"] = {
            "at": utc_now().isoformat(),
            "by": principal.username,
            "store_imports": store_imports,
        }
        row.report = json.dumps(report, default=str)
