"""Pilot records: register, list, read, change and remove pilots in the app-state database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sujuva.config import Settings
from sujuva.errors import ConflictError, NotFoundError, UsageError
from sujuva.store.appdb import PilotRow, session_scope, utc_now

Comparison = Literal["concurrent", "earlier", "both"]


@dataclass(frozen=True, kw_only=True)
class PilotGroup:
    """Which cases are in the pilot: any of these organisations took a step (empty: any),
    case attributes equal one of the values, or exactly these case ids."""

    organisations: tuple[str, ...] = ()
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    case_ids: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.organisations or self.where or self.case_ids)


@dataclass(frozen=True, kw_only=True)
class PilotDefinition:
    """Everything a pilot is registered with.

    ``comparison``: ``concurrent`` (cases outside the group in the same period), ``earlier``
    (the group's own cases before the start) or ``both`` (concurrent, with both groups' earlier
    cases for difference-in-differences). The primary outcome is the time from the first
    ``outcome_from`` step to the first ``outcome_to`` step after it; ``competing`` names case
    outcomes that end the wait otherwise (empty: every other closing competes).
    """

    name: str
    path: str
    start: date
    outcome_from: str
    outcome_to: str
    group: PilotGroup
    hypothesis: str = ""
    change: str = ""
    steps_affected: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    end: date | None = None
    comparison: Comparison = "both"
    competing: tuple[str, ...] = ()
    min_effect_days: float | None = None


@dataclass(frozen=True, kw_only=True)
class Pilot:
    """A stored pilot: its id, definition and bookkeeping."""

    id: int
    definition: PilotDefinition
    created_by: int | None
    created_at: datetime
    updated_at: datetime


def _row_values(definition: PilotDefinition) -> dict[str, Any]:
    group = definition.group
    return {
        "name": definition.name.strip(),
        "hypothesis": definition.hypothesis,
        "path": definition.path,
        "change": definition.change,
        "steps_affected": json.dumps(list(definition.steps_affected)),
        "organisations": json.dumps(list(definition.organisations)),
        "start": definition.start,
        "end": definition.end,
        "pilot_group": json.dumps(
            {
                "organisations": list(group.organisations),
                "where": {k: list(v) for k, v in group.where.items()},
                "case_ids": list(group.case_ids),
            }
        ),
        "comparison": definition.comparison,
        "outcome_from": definition.outcome_from,
        "outcome_to": definition.outcome_to,
        "competing": json.dumps(list(definition.competing)),
        "min_effect_days": definition.min_effect_days,
    }


def _pilot(row: PilotRow) -> Pilot:
    group = json.loads(row.pilot_group)
    definition = PilotDefinition(
        name=row.name,
        hypothesis=row.hypothesis,
        path=row.path,
        change=row.change,
        steps_affected=tuple(json.loads(row.steps_affected)),
        organisations=tuple(json.loads(row.organisations)),
        start=row.start,
        end=row.end,
        group=PilotGroup(
            organisations=tuple(group.get("organisations", [])),
            where={k: tuple(v) for k, v in group.get("where", {}).items()},
            case_ids=tuple(group.get("case_ids", [])),
        ),
        comparison=row.comparison,  # type: ignore[arg-type]
        outcome_from=row.outcome_from,
        outcome_to=row.outcome_to,
        competing=tuple(json.loads(row.competing)),
        min_effect_days=row.min_effect_days,
    )
    return Pilot(
        id=row.id,
        definition=definition,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def insert(definition: PilotDefinition, *, user_id: int | None, settings: Settings) -> int:
    """Store a new pilot; a name in use already is a :class:`ConflictError`."""
    try:
        with session_scope(settings=settings) as session:
            row = PilotRow(**_row_values(definition), created_by=user_id)
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError as exc:
        raise ConflictError(f"a pilot named {definition.name!r} exists already") from exc


def update(pilot_id: int, definition: PilotDefinition, *, settings: Settings) -> None:
    """Replace a pilot's definition."""
    try:
        with session_scope(settings=settings) as session:
            row = session.get(PilotRow, pilot_id)
            if row is None:
                raise NotFoundError(f"no pilot {pilot_id}")
            for key, value in _row_values(definition).items():
                setattr(row, key, value)
            row.updated_at = utc_now()
    except IntegrityError as exc:
        raise ConflictError(f"a pilot named {definition.name!r} exists already") from exc


def fetch(pilot_id: int, *, settings: Settings) -> Pilot:
    with session_scope(settings=settings) as session:
        row = session.get(PilotRow, pilot_id)
        if row is None:
            raise NotFoundError(f"no pilot {pilot_id}")
        return _pilot(row)


def fetch_by_name(name: str, *, settings: Settings) -> Pilot | None:
    with session_scope(settings=settings) as session:
        row = session.scalars(select(PilotRow).where(PilotRow.name == name)).first()
        return None if row is None else _pilot(row)


def fetch_all(*, settings: Settings) -> list[Pilot]:
    with session_scope(settings=settings) as session:
        rows = session.scalars(select(PilotRow).order_by(PilotRow.start.desc(), PilotRow.id))
        return [_pilot(row) for row in rows]


def remove(pilot_id: int, *, settings: Settings) -> None:
    with session_scope(settings=settings) as session:
        row = session.get(PilotRow, pilot_id)
        if row is None:
            raise NotFoundError(f"no pilot {pilot_id}")
        session.delete(row)


def check_shape(definition: PilotDefinition) -> None:
    """Checks that need no data: a name, a group, dates in order, a sensible effect size."""
    if not definition.name.strip() or len(definition.name) > 200:
        raise UsageError("a pilot needs a name of 1-200 characters")
    if definition.group.is_empty:
        raise UsageError(
            "the pilot group is empty: name organisations, customer attributes or case ids"
        )
    if definition.end is not None and definition.end <= definition.start:
        raise UsageError(f"the pilot ends ({definition.end}) before it starts ({definition.start})")
    if definition.outcome_from == definition.outcome_to:
        raise UsageError("the outcome must run from one step to another step")
    if definition.min_effect_days is not None and definition.min_effect_days <= 0:
        raise UsageError("the smallest effect that would matter must be a positive number of days")
