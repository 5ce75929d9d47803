"""REST API for the network: members, the observed network, challenges, the target, impact."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from sujuva.api.routes import ERRORS
from sujuva.services import challenges, members, network, target_json, targets
from sujuva.services.access import reach_for
from sujuva.services.pilot_json import finite
from sujuva.services.principal import Principal
from sujuva.services.records import frame_records
from sujuva.web.deps import RowId, api_user, parse_day, settings_of

router = APIRouter(prefix="/api/v1", tags=["network"], responses=ERRORS)
Caller = Annotated[Principal, Depends(api_user)]


@router.get("/members")
def list_members(request: Request, user: Caller) -> list[dict[str, Any]]:
    """Member organisations with sector type, commitment, contact and paths served."""
    return [
        vars(m) | {"paths_served": list(m.paths_served)}
        for m in members.list_members(user, settings=settings_of(request))
    ]


@router.get("/network")
def observed_network(
    request: Request, user: Caller, start: str | None = None, reach: str = "all"
) -> dict[str, Any]:
    """Organisations linked by shared customers and hand-offs in one quarter (suppressed across
    organisations), with degree, betweenness, bridges and isolated members."""
    view = network.network_view(
        user,
        start=parse_day(start, name="start"),
        reach=reach_for(user, reach),
        settings=settings_of(request),
    )
    body: dict[str, Any] = finite(
        {
            "start": view.grant.selection.start_from,
            "end": view.grant.selection.start_to,
            "reach": view.grant.reach,
            "suppression": view.grant.suppress,
            "edges": frame_records(view.edges),
            "nodes": frame_records(view.nodes),
            "measures": frame_records(view.measures.nodes),
            "bridges": frame_records(view.measures.bridges),
            "isolated": list(view.measures.isolated),
            "declared_vs_observed": frame_records(view.declared),
        }
    )
    return body


class ChallengeIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = ""
    shared: bool = False


@router.get("/challenges")
def list_challenges(request: Request, user: Caller) -> list[dict[str, Any]]:
    """The challenges board (text as written: escape it when you show it)."""
    return [
        _challenge_json(c) for c in challenges.list_challenges(user, settings=settings_of(request))
    ]


@router.post("/challenges", status_code=201)
def post_challenge(request: Request, user: Caller, body: ChallengeIn) -> dict[str, Any]:
    """Post a challenge for your organisation."""
    settings = settings_of(request)
    challenge_id = challenges.post(
        user, title=body.title, body=body.body, shared=body.shared, settings=settings
    )
    return _challenge_json(challenges.get(user, challenge_id, settings=settings))


@router.get("/challenges/{challenge_id}")
def get_challenge(request: Request, user: Caller, challenge_id: RowId) -> dict[str, Any]:
    return _challenge_json(challenges.get(user, challenge_id, settings=settings_of(request)))


def _challenge_json(item: challenges.Challenge) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "body": item.body,
        "organisation": item.organisation,
        "shared": item.shared,
        "status": item.status,
        "created_at": item.created_at,
        "members": list(item.members),
        "comments": [vars(c) for c in item.comments],
        "history": [vars(h) for h in item.history],
        "pilots": [{"id": i, "name": n} for i, n in item.pilots],
    }


@router.get("/target")
def target(request: Request, user: Caller) -> dict[str, Any]:
    """Progress toward the jobs target, the forecast, tables (suppressed) and the effect."""
    view = targets.target_view(user, settings=settings_of(request))
    return target_json.target_as_json(view)


@router.get("/impact")
def impact(
    request: Request, user: Caller, jobs: Annotated[float, Query(gt=0, le=1_000_000)] = 1000
) -> dict[str, Any]:
    """What ``jobs`` new jobs are worth a year under the configured assumptions."""
    targets.require_member(user)
    body: dict[str, Any] = finite(
        target_json.effect_as_json(targets.impact_of(jobs, settings=settings_of(request)))
    )
    return body
