"""Access scoping: the one place that decides what a signed-in user may see.

Every service that reads event data asks :func:`authorise` first. The rules:

* *admin* manages users and organisations and sees no event data at all;
* *viewer* sees aggregates of their own organisation's cases (cases in which it took a step);
* *analyst* sees case-level data of their own organisation's cases, and aggregates of all;
* *coordinator* sees aggregates across all organisations and no case-level data.

Aggregates that reach beyond the user's own cases ("cross-organisation") are published only
through small-cell suppression, and only for **one calendar quarter** with no organisation or
customer-attribute filter. Every permitted cross-organisation query is then a cell of one fixed,
non-overlapping grid (path × quarter), so two queries never partially overlap and no suppressed
cell can be recovered by differencing them; secondary suppression protects totals within a
table (:mod:`sujuva.privacy.suppression`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from sujuva.analytics.selection import Selection
from sujuva.errors import PermissionDeniedError
from sujuva.services.principal import Principal

Level = Literal["aggregate", "case"]
Reach = Literal["own", "all"]


@dataclass(frozen=True, kw_only=True)
class Grant:
    """What a user may run: the selection actually used and whether to suppress.

    ``own`` is the selection of the user's own organisation's cases matching the request (set
    when ``suppress`` is on for an analyst, whose own exact figures would otherwise let them
    subtract their way to other organisations' small cells).
    """

    selection: Selection
    suppress: bool
    reach: Reach
    own: Selection | None = None


def authorise(
    principal: Principal, selection: Selection, *, level: Level, reach: Reach = "all"
) -> Grant:
    """Scope ``selection`` for ``principal``, or raise :class:`PermissionDeniedError`.

    ``reach`` is what the user asked for: ``own`` (their organisation's cases) or ``all``;
    roles that cannot see all get their own cases regardless.
    """
    role = principal.role
    if role == "admin":
        raise PermissionDeniedError("administrators manage users and organisations only")
    if level == "case":
        if role != "analyst":
            raise PermissionDeniedError("case-level data is for analysts of the organisation")
        return Grant(selection=_owned(principal, selection), suppress=False, reach="own")
    if role == "viewer" or (role == "analyst" and reach == "own"):
        return Grant(selection=_owned(principal, selection), suppress=False, reach="own")
    grid = _grid_selection(selection)
    own = _owned(principal, grid) if role == "analyst" else None
    return Grant(selection=grid, suppress=True, reach="all", own=own)


def may_see_cases(principal: Principal) -> bool:
    """Whether the user may open case-level data (of their own organisation)."""
    return principal.role == "analyst"


def may_see_events(principal: Principal) -> bool:
    """Whether the user may see any analysis of event data."""
    return principal.role != "admin"


def may_import(principal: Principal) -> bool:
    """Whether the user may upload event data (their organisation's own exports)."""
    return principal.role == "analyst"


def may_administer(principal: Principal) -> bool:
    return principal.role == "admin"


def may_use_profile(principal: Principal, *, organisation: str | None) -> bool:
    """Whether the user may see, use or delete a source profile of ``organisation``: analysts
    of that organisation only."""
    return may_import(principal) and principal.organisation == organisation


def may_remove_imports(principal: Principal) -> bool:
    """Whether the user may remove any imports at all (analysts and administrators)."""
    return principal.role == "admin" or may_import(principal)


def may_remove_import(principal: Principal, *, organisation: str | None) -> bool:
    """Whether the user may remove an import made through the dashboard by ``organisation``:
    its own analysts, or an administrator (any organisation's)."""
    return principal.role == "admin" or may_use_profile(principal, organisation=organisation)


def linkage_reach(principal: Principal) -> Reach:
    """Which sources' linkage rows a user sees: analysts their organisation's own uploads
    (``own``), coordinators and administrators every source (``all``); viewers none.

    Rows other than the user's own sources are published with small-cell suppression.
    """
    if principal.role == "viewer":
        raise PermissionDeniedError("the linkage report is for analysts and coordinators")
    return "own" if principal.role == "analyst" else "all"


def _owned(principal: Principal, selection: Selection) -> Selection:
    if principal.organisation is None:
        raise PermissionDeniedError("this user belongs to no organisation")
    return replace(selection, owner=principal.organisation)


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter containing ``day``: its first day and the next quarter's first."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, end


def _grid_selection(selection: Selection) -> Selection:
    """The grid cell (paths × one quarter) that a cross-organisation request is served from."""
    if (
        selection.actors
        or selection.where
        or selection.outcomes
        or selection.case_ids
        or selection.status != "all"
    ):
        raise PermissionDeniedError(
            "filters by organisation, customer group, outcome or status are available for "
            "your own organisation's cases only"
        )
    if selection.start_from is None:
        raise PermissionDeniedError("cross-organisation figures are published per quarter")
    start, end = quarter_of(selection.start_from)
    return Selection(paths=selection.paths, start_from=start, start_to=end)


def require_events(principal: Principal) -> None:
    """Refuse users who may see no event data (administrators)."""
    if not may_see_events(principal):
        raise PermissionDeniedError("administrators manage users and organisations only")


def require_admin(principal: Principal) -> None:
    """Refuse everybody but administrators."""
    if not may_administer(principal):
        raise PermissionDeniedError("only administrators manage users and organisations")


def reach_for(principal: Principal, asked: str) -> Reach:
    """What a user may reach: viewers their own cases, coordinators all, analysts choose."""
    if principal.role == "viewer":
        return "own"
    if principal.role == "coordinator":
        return "all"
    return "own" if asked == "own" else "all"
