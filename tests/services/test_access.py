"""Access scoping rules: one table of role × level × reach, and the quarter grid."""

from __future__ import annotations

from datetime import date

import pytest

from sujuva.analytics.selection import Selection
from sujuva.errors import PermissionDeniedError
from sujuva.services.access import authorise, quarter_of
from sujuva.services.principal import Principal

ORG = "TE Office"


def who(role: str, organisation: str | None = ORG) -> Principal:
    return Principal(user_id=1, username=role, role=role, organisation=organisation)  # type: ignore[arg-type]


ASKED = Selection(paths=("entrepreneur",), start_from=date(2017, 5, 17), start_to=date(2018, 1, 1))


@pytest.mark.parametrize(
    ("role", "organisation", "level", "reach", "expected"),
    [
        ("admin", None, "aggregate", "all", "denied"),
        ("admin", None, "case", "own", "denied"),
        ("coordinator", None, "case", "own", "denied"),
        ("viewer", ORG, "case", "own", "denied"),
        ("analyst", ORG, "case", "own", "own"),
        ("analyst", ORG, "aggregate", "own", "own"),
        ("analyst", ORG, "aggregate", "all", "grid"),
        ("viewer", ORG, "aggregate", "all", "own"),
        ("coordinator", None, "aggregate", "all", "grid"),
        ("coordinator", None, "aggregate", "own", "grid"),
    ],
)
def test_rules(role: str, organisation: str | None, level: str, reach: str, expected: str) -> None:
    principal = who(role, organisation)
    if expected == "denied":
        with pytest.raises(PermissionDeniedError):
            authorise(principal, ASKED, level=level, reach=reach)  # type: ignore[arg-type]
        return
    grant = authorise(principal, ASKED, level=level, reach=reach)  # type: ignore[arg-type]
    if expected == "own":
        assert grant.selection.owner == ORG
        assert not grant.suppress
        assert grant.selection.start_from == ASKED.start_from  # own periods are free
    else:
        assert grant.suppress
        assert grant.selection.owner is None
        assert (grant.selection.start_from, grant.selection.start_to) == (
            date(2017, 4, 1),
            date(2017, 7, 1),
        )
        assert (grant.own is not None) == (role == "analyst")


@pytest.mark.parametrize(
    "selection",
    [
        Selection(paths=("entrepreneur",), start_from=date(2017, 1, 1), actors=("PRH",)),
        Selection(paths=("entrepreneur",), start_from=date(2017, 1, 1), status="open"),
        Selection(
            paths=("entrepreneur",),
            start_from=date(2017, 1, 1),
            where={"case:municipality": ("Lieksa",)},
        ),
        Selection(paths=("entrepreneur",)),
    ],
)
def test_cross_organisation_requests_are_grid_cells_only(selection: Selection) -> None:
    with pytest.raises(PermissionDeniedError):
        authorise(who("coordinator", None), selection, level="aggregate")


def test_a_user_without_organisation_cannot_reach_own_cases() -> None:
    with pytest.raises(PermissionDeniedError):
        authorise(who("analyst", None), ASKED, level="case")


@pytest.mark.parametrize(
    ("day", "first", "end"),
    [
        (date(2017, 1, 1), date(2017, 1, 1), date(2017, 4, 1)),
        (date(2017, 3, 31), date(2017, 1, 1), date(2017, 4, 1)),
        (date(2017, 11, 30), date(2017, 10, 1), date(2018, 1, 1)),
        (date(2016, 7, 1), date(2016, 7, 1), date(2016, 10, 1)),
    ],
)
def test_quarter_of(day: date, first: date, end: date) -> None:
    assert quarter_of(day) == (first, end)
