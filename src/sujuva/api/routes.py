"""REST API ``/api/v1``: the dashboard's data for scripts, with the same scoping and suppression.

Suppressed cells are ``null`` and their row has ``"suppressed": true``. Every error has the one
shape ``{"error": {"kind", "message", "details"}}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from sujuva.config import Settings
from sujuva.services import accounts, cases, dashboard, overview, uploads
from sujuva.services.access import Grant, Reach, reach_for, require_admin, require_events
from sujuva.services.principal import Principal
from sujuva.services.records import frame_records
from sujuva.web.deps import RowId, api_user, parse_day, settings_of

TableName = Literal[
    "arcs",
    "activities",
    "handoffs",
    "deadlines",
    "deadlines_by_organisation",
    "value",
    "waste",
    "variants",
    "rework",
]


class ErrorBody(BaseModel):
    kind: str
    message: str
    details: list[dict[str, Any]]


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409, 422, 429, 503)
}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)
Caller = Annotated[Principal, Depends(api_user)]


class Me(BaseModel):
    username: str
    role: str
    organisation: str | None
    language: str


class TableResult(BaseModel):
    path: str
    start: date | None
    end: date | None
    reach: str
    suppression: bool
    threshold: int
    rows: list[dict[str, Any]]


class LeadResult(BaseModel):
    path: str
    start: date | None
    end: date | None
    reach: str
    suppressed: bool
    cases: int | None
    closed: int | None
    open: int | None
    km_median_days: float | None
    km_p90_days: float | None
    naive_median_days: float | None
    naive_p90_days: float | None
    curve: list[dict[str, Any]]


@router.get("/me", response_model=Me)
def me(user: Caller) -> Me:
    """Who the token belongs to."""
    return Me(
        username=user.username,
        role=user.role,
        organisation=user.organisation,
        language=user.language,
    )


@router.get("/paths", response_model=list[str])
def list_paths(request: Request, user: Caller) -> list[str]:
    """The customer paths in the store."""
    require_events(user)
    return dashboard.paths(settings=settings_of(request))


@router.get("/overview")
def region_overview(request: Request, user: Caller, reach: Reach = "all") -> list[dict[str, Any]]:
    """Each path's quarterly lead-time trend and latest deadline share met."""
    summaries = overview.region_overview(
        user, reach=reach_for(user, reach), settings=settings_of(request)
    )
    return [
        {
            "path": s.path,
            "latest_quarter": s.latest_quarter,
            "deadline_share_met": s.deadline_share_met,
            "trend": frame_records(s.trend),
        }
        for s in summaries
    ]


@dataclass
class Period:
    """A request's period and reach (cross-organisation requests snap to one quarter)."""

    start: str | None = None
    end: str | None = None
    reach: Reach = "all"

    def grant(self, user: Principal, path: str, settings: Settings) -> Grant:
        return dashboard.grant_for(
            user,
            path=path,
            start=parse_day(self.start, name="start"),
            end=parse_day(self.end, name="end"),
            reach=reach_for(user, self.reach),
            settings=settings,
        )


@router.get("/paths/{path}/lead-time", response_model=LeadResult)
def lead_time(
    request: Request,
    user: Caller,
    path: str,
    period: Annotated[Period, Depends()],
) -> LeadResult:
    """Kaplan–Meier lead time (open cases censored) beside the closed-only figures."""
    settings = settings_of(request)
    grant = period.grant(user, path, settings)
    lead = dashboard.lead_figures(grant, settings=settings)
    return LeadResult(
        path=path,
        start=grant.selection.start_from,
        end=grant.selection.start_to,
        reach=grant.reach,
        suppressed=lead.suppressed,
        cases=lead.cases,
        closed=lead.closed,
        open=lead.open,
        km_median_days=lead.km_median_days,
        km_p90_days=lead.km_p90_days,
        naive_median_days=lead.naive_median_days,
        naive_p90_days=lead.naive_p90_days,
        curve=frame_records(lead.curve),
    )


@router.get("/paths/{path}/tables/{table}", response_model=TableResult)
def table(
    request: Request,
    user: Caller,
    path: str,
    table: TableName,
    period: Annotated[Period, Depends()],
) -> TableResult:
    """One table of the path page: map arcs and steps, hand-offs, deadlines, value, variants,
    rework. Cross-organisation requests are served per calendar quarter, suppressed."""
    settings = settings_of(request)
    grant = period.grant(user, path, settings)
    frame = dashboard.table(table, grant, settings=settings)
    return TableResult(
        path=path,
        start=grant.selection.start_from,
        end=grant.selection.start_to,
        reach=grant.reach,
        suppression=grant.suppress,
        threshold=settings.suppression_threshold,
        rows=frame_records(frame),
    )


@router.get("/paths/{path}/map.svg", response_class=Response)
def process_map(
    request: Request,
    user: Caller,
    path: str,
    start: str | None = None,
    end: str | None = None,
    reach: Reach = "all",
    activities: float = 1.0,
    arcs: float = 1.0,
    label: Literal["frequency", "waiting"] = "frequency",
) -> Response:
    """The process map as SVG (suppressed arcs and steps left out)."""
    svg = dashboard.map_svg(
        user,
        path=path,
        start=parse_day(start, name="start"),
        end=parse_day(end, name="end"),
        reach=reach_for(user, reach),
        activity_coverage=min(max(activities, 0.05), 1.0),
        arc_coverage=min(max(arcs, 0.05), 1.0),
        label=label,
        settings=settings_of(request),
    )
    return Response(svg, media_type="image/svg+xml")


@router.get("/paths/{path}/compare")
def compare(
    request: Request,
    user: Caller,
    path: str,
    a_start: str,
    b_start: str,
    a_end: str | None = None,
    b_end: str | None = None,
    reach: Reach = "all",
) -> dict[str, Any]:
    """Two periods side by side: lead time and median waiting per arc."""
    result = overview.compare_periods(
        user,
        path=path,
        a=(parse_day(a_start, name="a_start"), parse_day(a_end, name="a_end")),
        b=(parse_day(b_start, name="b_start"), parse_day(b_end, name="b_end")),
        reach=reach_for(user, reach),
        settings=settings_of(request),
    )
    return {
        "path": path,
        "a": result.a,
        "b": result.b,
        "lead_a": _lead_json(result.lead_a),
        "lead_b": _lead_json(result.lead_b),
        "arcs": frame_records(result.arcs),
    }


def _lead_json(lead: dashboard.LeadFigures) -> dict[str, Any]:
    return {
        "suppressed": lead.suppressed,
        "cases": lead.cases,
        "open": lead.open,
        "km_median_days": lead.km_median_days,
        "naive_median_days": lead.naive_median_days,
    }


@router.get("/paths/{path}/cases")
def case_list(
    request: Request, user: Caller, path: str, start: str | None = None, end: str | None = None
) -> list[dict[str, Any]]:
    """Your organisation's cases on the path (analysts only; audited)."""
    frame = cases.case_list(
        user,
        path=path,
        start=parse_day(start, name="start"),
        end=parse_day(end, name="end"),
        settings=settings_of(request),
    )
    return frame_records(frame)


@router.get("/paths/{path}/cases/{case_id}")
def case_events(request: Request, user: Caller, path: str, case_id: str) -> list[dict[str, Any]]:
    """One of your organisation's cases, event by event (analysts only; audited)."""
    return frame_records(
        cases.case_events(user, path=path, case_id=case_id, settings=settings_of(request))
    )


@router.get("/imports")
def list_imports(request: Request, user: Caller) -> list[dict[str, Any]]:
    """Your organisation's import jobs, newest first (analysts)."""
    uploads.require_import(user)
    jobs = accounts.list_import_jobs(organisation=user.organisation, settings=settings_of(request))
    return [uploads.job_json(job) for job in jobs]


@router.get("/imports/{job_id}")
def get_import(request: Request, user: Caller, job_id: RowId) -> dict[str, Any]:
    """One import job: status, progress, counts and rejected rows with their reasons."""
    return uploads.job_json(uploads.job_for(user, job_id, settings=settings_of(request)))


@router.post("/imports", status_code=202)
async def create_import(
    request: Request,
    user: Caller,
    files: Annotated[list[UploadFile], File()],
    quarantine: Annotated[bool, Form()] = False,
    path_name: Annotated[str, Form()] = "",
) -> dict[str, Any]:
    """Upload files and import them in the background; poll ``/imports/{id}``."""
    settings = settings_of(request)
    contents = [(f.filename or "upload.csv", await f.read()) for f in files]
    job_id = uploads.save_upload(user, files=contents, settings=settings)
    uploads.start_import(
        user, job_id=job_id, quarantine=quarantine, path_name=path_name or None, settings=settings
    )
    return uploads.job_json(uploads.job_for(user, job_id, settings=settings))


@router.get("/organisations")
def organisations(request: Request, user: Caller) -> list[dict[str, Any]]:
    """Member organisations (everyone signed in may list them)."""
    return [
        {"code": o.code, "name": o.name}
        for o in accounts.list_organisations(settings=settings_of(request))
    ]


@router.get("/users")
def users(request: Request, user: Caller) -> list[dict[str, Any]]:
    """Users with their roles (administrators only)."""
    require_admin(user)
    return [
        {
            "id": u.id,
            "username": u.username,
            "role": u.role,
            "organisation": u.organisation,
            "active": u.active,
        }
        for u in accounts.list_users(settings=settings_of(request))
    ]
