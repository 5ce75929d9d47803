"""Use cases of the network's members: their details, CSV import and export, the demo members.

Member details (sector type, commitment, contact, paths served) describe organisations, not
persons: every signed-in user may read them; administrators and coordinators edit them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sujuva.config import Settings, get_settings
from sujuva.errors import InputError, PermissionDeniedError, Problem, UsageError
from sujuva.services.principal import Principal
from sujuva.store.appdb import Organisation, session_scope
from sujuva.store.appdb_network import COMMITMENTS, SECTOR_TYPES
from sujuva.store.store import Store

CSV_COLUMNS = ("code", "name", "sector_type", "commitment", "contact", "paths_served")


@dataclass(frozen=True, kw_only=True)
class Member:
    """A member organisation; ``code`` is its name in the event data."""

    code: str
    name: str
    sector_type: str
    commitment: str
    contact: str
    paths_served: tuple[str, ...]


def _member(row: Organisation) -> Member:
    return Member(
        code=row.code,
        name=row.name,
        sector_type=row.sector_type,
        commitment=row.commitment,
        contact=row.contact,
        paths_served=tuple(json.loads(row.paths_served or "[]")),
    )


def _may_edit(principal: Principal) -> None:
    if principal.role not in ("admin", "coordinator"):
        raise PermissionDeniedError("members are edited by coordinators and administrators")


def list_members(principal: Principal, *, settings: Settings | None = None) -> list[Member]:
    """Every member organisation, by name."""
    settings = settings or get_settings()
    with session_scope(settings=settings) as session:
        rows = session.scalars(select(Organisation).order_by(Organisation.name))
        return [_member(row) for row in rows]


def save_member(principal: Principal, member: Member, *, settings: Settings | None = None) -> None:
    """Create or update a member (by code)."""
    settings = settings or get_settings()
    _may_edit(principal)
    _check(member, where="")
    with session_scope(settings=settings) as session:
        _upsert(session, member)


def _check(member: Member, *, where: str) -> None:
    if not member.code.strip() or not member.name.strip():
        raise UsageError(f"{where}a member needs a code and a name")
    if member.sector_type not in SECTOR_TYPES:
        raise UsageError(
            f"{where}sector type {member.sector_type!r}: choose one of {', '.join(SECTOR_TYPES)}"
        )
    if member.commitment not in COMMITMENTS:
        raise UsageError(
            f"{where}commitment {member.commitment!r}: choose one of {', '.join(COMMITMENTS)}"
        )


def _upsert(session: Session, member: Member) -> None:
    row = session.scalars(select(Organisation).where(Organisation.code == member.code)).first()
    if row is None:
        row = Organisation(code=member.code)
        session.add(row)
    row.name = member.name
    row.sector_type = member.sector_type
    row.commitment = member.commitment
    row.contact = member.contact
    row.paths_served = json.dumps(list(member.paths_served))


def import_members(principal: Principal, path: Path, *, settings: Settings | None = None) -> int:
    """Create or update members from a CSV file (all or nothing); returns the rows read."""
    settings = settings or get_settings()
    _may_edit(principal)
    members, problems = _read_members(path)
    if problems:
        raise InputError(f"{path.name}: {len(problems)} rows rejected; nothing imported", problems)
    with session_scope(settings=settings) as session:
        for member in members:
            _upsert(session, member)
    return len(members)


def _read_members(path: Path) -> tuple[list[Member], list[Problem]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("code", "name") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"{path.name}: missing column(s) {', '.join(missing)}",
            [Problem(path.name, "header", c, "missing column") for c in missing],
        )
    members, problems = [], []
    for row in reader:
        line = f"line {reader.line_num}"
        member = Member(
            code=(row.get("code") or "").strip(),
            name=(row.get("name") or "").strip(),
            sector_type=(row.get("sector_type") or "other").strip(),
            commitment=(row.get("commitment") or "loose").strip(),
            contact=(row.get("contact") or "").strip(),
            paths_served=tuple(
                p.strip() for p in (row.get("paths_served") or "").split(";") if p.strip()
            ),
        )
        try:
            _check(member, where="")
        except UsageError as exc:
            problems.append(Problem(path.name, line, "", exc.message))
            continue
        members.append(member)
    return members, problems


def export_members(principal: Principal, *, settings: Settings | None = None) -> str:
    """Every member as CSV text (paths served separated by semicolons)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for m in list_members(principal, settings=settings):
        writer.writerow(
            [m.code, m.name, m.sector_type, m.commitment, m.contact, ";".join(m.paths_served)]
        )
    return buffer.getvalue()


def ensure_demo_members(*, settings: Settings | None = None) -> int:
    """Give the demo organisations their sector types and commitment from the demo's
    organisations file, and the paths each serves from the event data (idempotent)."""
    settings = settings or get_settings()
    store = Store(settings.data_dir, threads=settings.threads)
    table = store.side_table("organisations")
    if table is None:
        return 0
    with store.connect() as con:
        served = dict(
            con.execute(
                "SELECT a.name, string_agg(DISTINCT p.name, ';' ORDER BY p.name) FROM events e "
                "JOIN actors a ON a.code = e.actor_code JOIN paths p ON p.code = e.path_code "
                "GROUP BY a.name"
            ).fetchall()
        )
    with session_scope(settings=settings) as session:
        for row in table.to_pylist():
            code = str(row["short_name"])
            _upsert(
                session,
                Member(
                    code=code,
                    name=str(row["name"]),
                    sector_type=str(row["sector_type"]),
                    commitment=str(row["commitment"]),
                    contact=f"{row['municipality']}",
                    paths_served=tuple(str(served.get(code, "")).split(";"))
                    if served.get(code)
                    else (),
                ),
            )
    return int(table.num_rows)
