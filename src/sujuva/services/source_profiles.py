"""Use cases of source profiles: an organisation's saved way of reading one of its exports.

A profile is a :class:`~sujuva.eventlog.mapping.ColumnMapping` under a name, kept per
organisation in the app state; next month's export of the same source is read with it in one
click. Only analysts of the organisation see, use or delete its profiles
(:func:`sujuva.services.access.may_use_profile`); anybody else's profile is not found.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sujuva.config import Settings
from sujuva.errors import ConflictError, NotFoundError, PermissionDeniedError, UsageError
from sujuva.eventlog import model
from sujuva.eventlog.mapping import CONSTANT_COLUMNS, ColumnMapping
from sujuva.services.access import may_import, may_use_profile
from sujuva.services.account_records import code_of, find_organisation
from sujuva.services.principal import Principal
from sujuva.store.appdb import Organisation, session_scope, utc_now
from sujuva.store.appdb_sources import SourceProfileRow

MAX_NAME = 200
_TABLES = ("columns", "constants", "keys", "attributes")
_TEXTS = ("source", "sheet", "delimiter", "encoding")


@dataclass(frozen=True, kw_only=True)
class SourceProfile:
    """A saved column mapping of one of an organisation's sources."""

    id: int
    organisation: str
    name: str
    mapping: ColumnMapping
    created_by: int | None
    created_at: datetime
    updated_at: datetime


def mapping_json(mapping: ColumnMapping) -> dict[str, Any]:
    """A column mapping as JSON-ready data (every field of :class:`ColumnMapping`)."""
    return asdict(mapping)


def mapping_from_json(data: object) -> ColumnMapping:
    """A column mapping from :func:`mapping_json` data; anything else is a UsageError."""
    if not isinstance(data, dict) or set(data) - {*_TABLES, *_TEXTS}:
        raise UsageError("a source profile's mapping has unknown fields")
    tables: dict[str, dict[str, str]] = {}
    for name in _TABLES:
        table = data.get(name) or {}
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise UsageError(f"a source profile's {name} must map names to column names")
        tables[name] = dict(table)
    texts: dict[str, str | None] = {}
    for name in _TEXTS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise UsageError(f"a source profile's {name} must be text")
        texts[name] = value or None
    _check_names(tables)
    return ColumnMapping(**tables, **texts)  # type: ignore[arg-type]


def _check_names(tables: dict[str, dict[str, str]]) -> None:
    if set(tables["columns"]) - set(model.CORE_COLUMNS):
        raise UsageError("a source profile maps an unknown canonical column")
    if set(tables["constants"]) - set(CONSTANT_COLUMNS):
        raise UsageError("a source profile has a constant of an unknown column")
    if set(tables["keys"]) - set(model.KEY_KINDS):
        raise UsageError("a source profile names an unknown kind of key")
    if any(not model.is_free_attribute(name) for name in tables["attributes"]):
        raise UsageError("a source profile renames a column to a canonical name")


def _require(principal: Principal) -> str:
    """The user's organisation, if they may use source profiles at all."""
    if not may_import(principal) or principal.organisation is None:
        raise PermissionDeniedError("source profiles are for analysts of an organisation")
    return principal.organisation


def _record(row: SourceProfileRow) -> SourceProfile:
    return SourceProfile(
        id=row.id,
        organisation=code_of(row.organisation) or "",
        name=row.name,
        mapping=mapping_from_json(json.loads(row.mapping)),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _own_row(session: Session, principal: Principal, profile_id: int) -> SourceProfileRow:
    row = session.get(SourceProfileRow, profile_id)
    if row is None or not may_use_profile(principal, organisation=code_of(row.organisation)):
        raise NotFoundError(f"no source profile {profile_id} of your organisation")
    return row


def save_profile(
    principal: Principal,
    *,
    name: str,
    mapping: ColumnMapping,
    overwrite: bool = False,
    settings: Settings | None = None,
) -> SourceProfile:
    """Save ``mapping`` as a profile of the user's organisation under ``name``.

    A profile of that name exists already: with ``overwrite`` its mapping is replaced (the
    usual case when a source's export changed), otherwise a ConflictError.
    """
    organisation = _require(principal)
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise UsageError(f"a source profile needs a name of 1-{MAX_NAME} characters")
    text = json.dumps(mapping_json(mapping), ensure_ascii=False, sort_keys=True)
    with session_scope(settings=settings) as session:
        owner = find_organisation(session, code=organisation)
        assert owner is not None
        row = session.scalar(
            select(SourceProfileRow).where(
                SourceProfileRow.organisation_id == owner.id, SourceProfileRow.name == name
            )
        )
        now = utc_now()
        if row is not None and not overwrite:
            raise ConflictError(f"your organisation has a source profile {name!r} already")
        if row is None:
            row = SourceProfileRow(
                organisation=owner, name=name, created_by=principal.user_id, created_at=now
            )
            session.add(row)
        row.mapping, row.updated_at = text, now
        session.flush()
        return _record(row)


def list_profiles(principal: Principal, *, settings: Settings | None = None) -> list[SourceProfile]:
    """The source profiles of the user's organisation, by name."""
    organisation = _require(principal)
    with session_scope(settings=settings) as session:
        rows = session.scalars(
            select(SourceProfileRow)
            .join(SourceProfileRow.organisation)
            .where(Organisation.code == organisation)
            .order_by(SourceProfileRow.name, SourceProfileRow.id)
        )
        return [_record(row) for row in rows]


def get_profile(
    principal: Principal, *, profile_id: int, settings: Settings | None = None
) -> SourceProfile:
    """One source profile of the user's organisation (NotFound for anybody else's)."""
    _require(principal)
    with session_scope(settings=settings) as session:
        return _record(_own_row(session, principal, profile_id))


def delete_profile(
    principal: Principal, *, profile_id: int, settings: Settings | None = None
) -> SourceProfile:
    """Delete one source profile of the user's organisation; returns what was deleted."""
    _require(principal)
    with session_scope(settings=settings) as session:
        row = _own_row(session, principal, profile_id)
        deleted = _record(row)
        session.delete(row)
        return deleted


def profile_for_source(profiles: list[SourceProfile], *, source: str) -> SourceProfile | None:
    """The profile named like the source (or saved for a source of that name), if any."""
    for profile in profiles:
        if profile.name == source:
            return profile
    for profile in profiles:
        if profile.mapping.source == source:
            return profile
    return None
