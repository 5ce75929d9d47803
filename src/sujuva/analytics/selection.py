"""Which cases a measure looks at: path, period, organisations, attributes, outcome, status.

A selection is case-level: a case is in or out as a whole, so directly-follows pairs, positions
and successors built at import stay valid without any re-sort. It compiles to one SQL predicate
over the ``cases`` table (alias ``c``) with bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sujuva.errors import UsageError
from sujuva.store.build import q

Status = Literal["all", "open", "closed"]


@dataclass(frozen=True, kw_only=True)
class Selection:
    """Cases to analyse; every empty field means "no restriction".

    ``start_from``/``start_to`` bound the case's first event (``start_to`` exclusive);
    ``actors`` keeps cases in which any of these organisations took a step; ``where`` keeps
    cases whose case attribute equals one of the given values (``{"case:municipality":
    ("Joensuu",)}``); ``status`` ``open`` keeps cases without an outcome at the data cut.
    """

    paths: tuple[str, ...] = ()
    start_from: date | None = None
    start_to: date | None = None
    actors: tuple[str, ...] = ()
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    outcomes: tuple[str, ...] = ()
    status: Status = "all"
    #: Keep only cases in which this organisation took a step (access scoping: "own cases").
    owner: str | None = None
    #: Keep only these cases (by the source system's case id), e.g. a pilot's explicit list.
    case_ids: tuple[str, ...] = ()

    @property
    def is_everything(self) -> bool:
        return self == Selection()


@dataclass(frozen=True)
class CompiledSelection:
    """SQL text of a predicate over ``cases c`` and its parameters, in order."""

    predicate: str
    params: list[object]
    #: A predicate over ``events`` alone that prunes by path (events are stored in path order).
    event_predicate: str = "TRUE"
    #: Whether a case filter beyond the path remains to be applied to the events.
    filters_cases: bool = True


def compile_selection(
    selection: Selection, *, case_columns: set[str], zone: ZoneInfo, path_codes: dict[str, int]
) -> CompiledSelection:
    """Turn a selection into a predicate; unknown case attributes are a :class:`UsageError`.

    ``path_codes`` maps the store's path names to their codes, so a path filter becomes a
    range the engine can prune by (a path not in the store selects nothing).
    """
    clauses: list[str] = []
    params: list[object] = []
    event_predicate = "TRUE"
    if selection.paths:
        codes = sorted({path_codes[p] for p in selection.paths if p in path_codes})
        listed = ", ".join(str(code) for code in codes) if codes else "NULL"
        clauses.append(f"c.path_code IN ({listed})")
        event_predicate = f"path_code IN ({listed})"
    if selection.start_from is not None:
        clauses.append("c.first_ts >= ?")
        params.append(_instant(selection.start_from, zone))
    if selection.start_to is not None:
        clauses.append("c.first_ts < ?")
        params.append(_instant(selection.start_to, zone))
    if selection.actors:
        clauses.append(
            "c.case_idx IN (SELECT e.case_idx FROM events e WHERE e.actor_code IN "
            f"(SELECT code FROM actors WHERE name IN ({_marks(selection.actors)})))"
        )
        params.extend(selection.actors)
    if selection.owner is not None:
        clauses.append(
            "c.case_idx IN (SELECT e.case_idx FROM events e WHERE e.actor_code = "
            "(SELECT code FROM actors WHERE name = ?))"
        )
        params.append(selection.owner)
    for attribute, values in selection.where.items():
        if attribute not in case_columns:
            known = ", ".join(sorted(c for c in case_columns if c.startswith("case:")))
            raise UsageError(f"unknown case attribute {attribute!r}; known: {known or 'none'}")
        clauses.append(f"CAST(c.{q(attribute)} AS VARCHAR) IN ({_marks(values)})")
        params.extend(values)
    if selection.case_ids:
        clauses.append(f"c.case_id IN ({_marks(selection.case_ids)})")
        params.extend(selection.case_ids)
    if selection.outcomes:
        clauses.append(f"c.outcome IN ({_marks(selection.outcomes)})")
        params.extend(selection.outcomes)
    if selection.status == "open":
        clauses.append("c.outcome IS NULL")
    elif selection.status == "closed":
        clauses.append("c.outcome IS NOT NULL")
    only_paths = len(clauses) == (1 if selection.paths else 0)
    return CompiledSelection(
        " AND ".join(clauses) or "TRUE", params, event_predicate, filters_cases=not only_paths
    )


def _marks(values: tuple[str, ...]) -> str:
    if not values:
        raise UsageError("an empty list of values selects nothing")
    return ", ".join("?" for _ in values)


def _instant(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight starting a calendar day (periods are whole local days)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone)
