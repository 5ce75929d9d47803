"""Use cases over the dashboard's own history: the audit log, saved views and import jobs.

Part of the account services (re-exported by :mod:`sujuva.services.accounts`); each function
runs in its own transaction on the app-state database of ``settings``.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sujuva.config import Settings
from sujuva.errors import NotFoundError, UsageError
from sujuva.services.account_records import (
    AuditEntry,
    ImportJob,
    SavedView,
    audit_entry,
    find_organisation,
    import_job,
    saved_view,
)
from sujuva.services.principal import Principal
from sujuva.store.appdb import (
    AuditRow,
    ImportJobRow,
    Organisation,
    SavedViewRow,
    User,
    session_scope,
    utc_now,
)

# --- audit log -----------------------------------------------------------------------------


def record_audit(
    *,
    principal: Principal | None,
    action: str,
    target: str = "",
    detail: str = "",
    address: str = "",
    settings: Settings | None = None,
) -> None:
    """Append to the audit log who did what to what, from where (``None``: not signed in)."""
    with session_scope(settings=settings) as session:
        session.add(
            AuditRow(
                at=utc_now(),
                user_id=principal.user_id if principal else None,
                username=principal.username if principal else "",
                action=action[:100],
                target=target[:500],
                detail=detail,
                address=address[:100],
            )
        )


def audit_entries(*, limit: int = 200, settings: Settings | None = None) -> list[AuditEntry]:
    """The newest ``limit`` audit entries, newest first (for the admin page)."""
    with session_scope(settings=settings) as session:
        query = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc())
        return [audit_entry(row) for row in session.scalars(query.limit(limit))]


# --- saved views ---------------------------------------------------------------------------


def save_view(
    *, user_id: int, name: str, path: str, query: str, settings: Settings | None = None
) -> SavedView:
    """Save a dashboard page (path and query string) under a name, for its user only."""
    name = name.strip()
    if not name or len(name) > 200 or not path.startswith("/") or len(path) > 500:
        raise UsageError("a view needs a name (1-200 characters) and a path starting with /")
    with session_scope(settings=settings) as session:
        if session.get(User, user_id) is None:
            raise NotFoundError(f"no user {user_id}")
        row = SavedViewRow(user_id=user_id, name=name, path=path, query=query, created_at=utc_now())
        session.add(row)
        session.flush()
        return saved_view(row)


def list_views(*, user_id: int, settings: Settings | None = None) -> list[SavedView]:
    """A user's saved views, by name."""
    with session_scope(settings=settings) as session:
        query = select(SavedViewRow).where(SavedViewRow.user_id == user_id)
        rows = session.scalars(query.order_by(SavedViewRow.name, SavedViewRow.id))
        return [saved_view(row) for row in rows]


def delete_view(*, user_id: int, view_id: int, settings: Settings | None = None) -> None:
    """Delete one of the user's saved views (other users' views are not found)."""
    with session_scope(settings=settings) as session:
        row = session.get(SavedViewRow, view_id)
        if row is None or row.user_id != user_id:
            raise NotFoundError(f"no saved view {view_id} of user {user_id}")
        session.delete(row)


# --- import jobs ---------------------------------------------------------------------------


def create_import_job(
    *, principal: Principal, files: list[str], settings: Settings | None = None
) -> int:
    """Queue an import of ``files`` on behalf of ``principal`` and their organisation.

    Returns the job's id, which the worker passes to the progress and finish calls.
    """
    with session_scope(settings=settings) as session:
        row = ImportJobRow(
            user_id=principal.user_id,
            organisation=find_organisation(session, code=principal.organisation),
            status="queued",
            files=json.dumps(list(files)),
            created_at=utc_now(),
        )
        session.add(row)
        session.flush()
        return row.id


def _job_row(session: Session, job_id: int) -> ImportJobRow:
    row = session.get(ImportJobRow, job_id)
    if row is None:
        raise NotFoundError(f"no import job {job_id}")
    return row


def update_import_job(
    *, job_id: int, step: str, rows: int, settings: Settings | None = None
) -> None:
    """Mark the job running and record its progress (the step under way, rows handled)."""
    with session_scope(settings=settings) as session:
        row = _job_row(session, job_id)
        row.status = "running"
        row.started_at = row.started_at or utc_now()
        row.progress_step, row.progress_rows = step, rows


def finish_import_job(
    *,
    job_id: int,
    ok: bool,
    rows_read: int,
    imported: int,
    rejected: int,
    duplicate: int,
    message: str,
    quarantine_file: str | None,
    report: dict[str, Any],
    settings: Settings | None = None,
) -> None:
    """Record how an import ended: done or failed, its counts, message and full report.

    The report is stored as JSON; values JSON cannot hold (paths, times) are stored as text.
    """
    with session_scope(settings=settings) as session:
        row = _job_row(session, job_id)
        row.status = "done" if ok else "failed"
        row.started_at = row.started_at or utc_now()
        row.finished_at = utc_now()
        row.rows_read, row.imported, row.rejected = rows_read, imported, rejected
        row.duplicate, row.message, row.quarantine_file = duplicate, message, quarantine_file
        row.report = json.dumps(report, default=str)


def get_import_job(*, job_id: int, settings: Settings | None = None) -> ImportJob:
    """One import job; callers check that the principal may see its organisation."""
    with session_scope(settings=settings) as session:
        return import_job(_job_row(session, job_id))


def list_import_jobs(
    *, organisation: str | None, limit: int = 200, settings: Settings | None = None
) -> list[ImportJob]:
    """Import jobs of one organisation (``None``: of all organisations), newest first."""
    with session_scope(settings=settings) as session:
        query = select(ImportJobRow)
        if organisation is not None:
            query = query.join(ImportJobRow.organisation).where(Organisation.code == organisation)
        rows = session.scalars(query.order_by(ImportJobRow.id.desc()).limit(limit))
        return [import_job(row) for row in rows]
