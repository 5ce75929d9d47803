"""The plain records the account services hand out, and the lookups they share.

Services return these frozen dataclasses, never ORM objects, so that nothing outside a
service's transaction can read or change the database behind its back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from sujuva.errors import NotFoundError
from sujuva.services.principal import Language, Principal, Role
from sujuva.store.appdb import (
    ApiToken,
    AuditRow,
    ImportJobRow,
    Organisation,
    SavedViewRow,
    User,
)


@dataclass(frozen=True, kw_only=True)
class OrganisationRecord:
    """A member organisation; ``code`` is its actor name in the event data."""

    id: int
    code: str
    name: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class UserRecord:
    """A user account as listed to admins (never the password hash)."""

    id: int
    username: str
    role: Role
    organisation: str | None
    language: Language
    active: bool
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class TokenRecord:
    """An API token without its secret: ``prefix`` is its first characters, for recognition."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One audited action: who (user name copied), what, on what, from which address."""

    id: int
    at: datetime
    user_id: int | None
    username: str
    action: str
    target: str
    detail: str
    address: str


@dataclass(frozen=True, kw_only=True)
class SavedView:
    """A saved dashboard view: a page path and its query string."""

    id: int
    user_id: int
    name: str
    path: str
    query: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class ImportJob:
    """An import started from the dashboard, with its progress and outcome.

    ``status`` is queued, running, done or failed; ``report`` is the JSON-ready report stored
    when the job finished.
    """

    id: int
    user_id: int
    organisation: str | None
    status: str
    files: tuple[str, ...]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rows_read: int
    imported: int
    rejected: int
    duplicate: int
    progress_step: str
    progress_rows: int
    message: str
    quarantine_file: str | None
    report: dict[str, Any] | None


@dataclass(frozen=True, kw_only=True)
class DemoLogin:
    """A demo account's credentials, to print for whoever tries the demo."""

    username: str
    password: str
    role: Role
    organisation: str | None


def code_of(organisation: Organisation | None) -> str | None:
    """The code of an organisation row, or None for none."""
    return organisation.code if organisation is not None else None


def find_organisation(session: Session, *, code: str | None) -> Organisation | None:
    """The organisation with this code (None for None); NotFoundError if there is none."""
    if code is None:
        return None
    found = session.scalar(select(Organisation).where(Organisation.code == code))
    if found is None:
        raise NotFoundError(f"no organisation {code!r}")
    return found


def organisation_record(row: Organisation) -> OrganisationRecord:
    """Copy an organisation row."""
    return OrganisationRecord(id=row.id, code=row.code, name=row.name, created_at=row.created_at)


def user_record(row: User) -> UserRecord:
    """Copy a user row (with its organisation's code)."""
    return UserRecord(
        id=row.id,
        username=row.username,
        role=cast(Role, row.role),
        organisation=code_of(row.organisation),
        language=cast(Language, row.language),
        active=row.active,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def principal_of(row: User) -> Principal:
    """The principal a user row stands for."""
    return Principal(
        user_id=row.id,
        username=row.username,
        role=cast(Role, row.role),
        organisation=code_of(row.organisation),
        language=cast(Language, row.language),
    )


def token_record(row: ApiToken) -> TokenRecord:
    """Copy a token row (its hash stays behind)."""
    return TokenRecord(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked=row.revoked,
    )


def audit_entry(row: AuditRow) -> AuditEntry:
    """Copy an audit row."""
    return AuditEntry(
        id=row.id,
        at=row.at,
        user_id=row.user_id,
        username=row.username,
        action=row.action,
        target=row.target,
        detail=row.detail,
        address=row.address,
    )


def saved_view(row: SavedViewRow) -> SavedView:
    """Copy a saved-view row."""
    return SavedView(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        path=row.path,
        query=row.query,
        created_at=row.created_at,
    )


def import_job(row: ImportJobRow) -> ImportJob:
    """Copy an import-job row, decoding its JSON file list and report."""
    return ImportJob(
        id=row.id,
        user_id=row.user_id,
        organisation=code_of(row.organisation),
        status=row.status,
        files=tuple(json.loads(row.files)),
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        rows_read=row.rows_read,
        imported=row.imported,
        rejected=row.rejected,
        duplicate=row.duplicate,
        progress_step=row.progress_step,
        progress_rows=row.progress_rows,
        message=row.message,
        quarantine_file=row.quarantine_file,
        report=json.loads(row.report) if row.report is not None else None,
    )
