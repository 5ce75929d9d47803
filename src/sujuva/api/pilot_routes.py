"""REST API for pilots: register, list, read and evaluate (same rules as the dashboard)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from sujuva.api.routes import ERRORS
from sujuva.services import pilots
from sujuva.services.pilot_json import evaluation_as_json, pilot_as_json
from sujuva.services.pilot_records import PilotDefinition, PilotGroup
from sujuva.services.principal import Principal
from sujuva.web.deps import RowId, api_user, settings_of

router = APIRouter(prefix="/api/v1/pilots", tags=["pilots"], responses=ERRORS)
Caller = Annotated[Principal, Depends(api_user)]


class PilotIn(BaseModel):
    """A pilot to register. ``group_where`` maps case attributes (``case:municipality``) to
    accepted values; ``comparison`` is concurrent, earlier or both."""

    name: str = Field(min_length=1, max_length=200)
    path: str
    start: date
    end: date | None = None
    outcome_from: str
    outcome_to: str
    hypothesis: str = ""
    change: str = ""
    steps_affected: list[str] = []
    organisations: list[str] = []
    group_organisations: list[str] = []
    group_where: dict[str, list[str]] = {}
    group_case_ids: list[str] = []
    comparison: Literal["concurrent", "earlier", "both"] = "both"
    competing: list[str] = []
    min_effect_days: float | None = None

    def definition(self) -> PilotDefinition:
        return PilotDefinition(
            name=self.name,
            path=self.path,
            start=self.start,
            end=self.end,
            outcome_from=self.outcome_from,
            outcome_to=self.outcome_to,
            hypothesis=self.hypothesis,
            change=self.change,
            steps_affected=tuple(self.steps_affected),
            organisations=tuple(self.organisations),
            group=PilotGroup(
                organisations=tuple(self.group_organisations),
                where={k: tuple(v) for k, v in self.group_where.items()},
                case_ids=tuple(self.group_case_ids),
            ),
            comparison=self.comparison,
            competing=tuple(self.competing),
            min_effect_days=self.min_effect_days,
        )


@router.get("")
def list_pilots(request: Request, user: Caller) -> list[dict[str, Any]]:
    """Every registered pilot."""
    return [pilot_as_json(p) for p in pilots.list_pilots(user, settings=settings_of(request))]


@router.post("", status_code=201)
def create_pilot(request: Request, user: Caller, body: PilotIn) -> dict[str, Any]:
    """Register a pilot (coordinators and analysts); checked against the data first."""
    settings = settings_of(request)
    pilot_id = pilots.create(user, body.definition(), settings=settings)
    return pilot_as_json(pilots.get(user, pilot_id, settings=settings))


@router.post("/count")
def count_groups(request: Request, user: Caller, body: PilotIn) -> dict[str, int | None]:
    """Cases on the clock per group and period (null where fewer than the threshold)."""
    return pilots.group_counts(user, body.definition(), settings=settings_of(request))


@router.get("/{pilot_id}")
def get_pilot(request: Request, user: Caller, pilot_id: RowId) -> dict[str, Any]:
    """One pilot's record."""
    return pilot_as_json(pilots.get(user, pilot_id, settings=settings_of(request)))


@router.get("/{pilot_id}/evaluation")
def evaluation(request: Request, user: Caller, pilot_id: RowId) -> dict[str, Any]:
    """The evaluation: groups, differences with CIs, tests, DiD, balance, power, verdict."""
    result = pilots.evaluate(user, pilot_id, settings=settings_of(request))
    return evaluation_as_json(result)
