"""Dashboard pages: sign-in, language, region overview, path, comparison, cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from sujuva.errors import AuthenticationError, RateLimitedError, UsageError
from sujuva.services import accounts, cases, dashboard, overview, pilots, targets
from sujuva.services.access import Reach, may_see_cases, quarter_of, reach_for
from sujuva.services.principal import LANGUAGES, Principal
from sujuva.web import i18n, render
from sujuva.web.deps import anonymous_language, page_user, parse_day, settings_of
from sujuva.web.security import check_csrf

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]


@router.get("/")
def home() -> Response:
    return RedirectResponse("/overview", status_code=303)


@router.get("/login", dependencies=[Depends(anonymous_language)])
def login_page(request: Request, next: str = "/overview") -> Response:
    return render.page(request, "login.html", {"next": _safe_next(next), "failed": None})


@router.post("/login", dependencies=[Depends(anonymous_language), Depends(check_csrf)])
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/overview",
) -> Response:
    settings = settings_of(request)
    address = request.client.host if request.client else ""
    try:
        principal = accounts.authenticate(
            username=username, password=password, address=address, settings=settings
        )
    except (AuthenticationError, RateLimitedError) as exc:
        context = {"next": _safe_next(next), "failed": exc.message, "username": username}
        status = 429 if isinstance(exc, RateLimitedError) else 401
        return render.page(request, "login.html", context, status_code=status)
    request.session.clear()
    request.session["user_id"] = principal.user_id
    accounts.record_audit(principal=principal, action="login", address=address, settings=settings)
    target = _safe_next(next)
    if principal.role == "admin" and target == "/overview":
        target = "/admin"
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, user: User) -> Response:
    accounts.record_audit(principal=user, action="logout", settings=settings_of(request))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/language", dependencies=[Depends(anonymous_language), Depends(check_csrf)])
def language(request: Request, language: Annotated[str, Form()]) -> Response:
    """Switch language: for a signed-in user it is saved with the user."""
    if language not in LANGUAGES:
        raise UsageError(f"unknown language {language!r}")
    request.session["language"] = language
    user_id = request.session.get("user_id")
    if isinstance(user_id, int):
        accounts.update_user(user_id=user_id, language=language, settings=settings_of(request))
    back = request.headers.get("referer") or "/overview"
    return RedirectResponse(_safe_next(back), status_code=303)


def _safe_next(target: str) -> str:
    """Only local paths: a login link must not send users to another site."""
    if "://" in target:
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    return target if target.startswith("/") and not target.startswith("//") else "/overview"


@router.get("/overview")
def overview_page(request: Request, user: User, reach: Reach = "all") -> Response:
    settings = settings_of(request)
    summaries = overview.region_overview(user, reach=reach_for(user, reach), settings=settings)
    charts = {s.path: _trend_chart(s) for s in summaries}
    active = [
        p
        for p in pilots.list_pilots(user, settings=settings)
        if p.definition.end is None or p.definition.end > date.today()
    ]
    target = targets.target_view(user, settings=settings)
    context = {
        "summaries": summaries,
        "charts": charts,
        "reach": reach_for(user, reach),
        "pilots": active,
        "target": target,
    }
    return render.page(request, "overview.html", context)


def _trend_chart(summary: overview.PathSummary) -> dict[str, Any]:
    trend = summary.trend
    return {
        "x": [q.isoformat() for q in trend["quarter"]],
        "km": [None if v != v else v for v in trend["km_median_days"].astype(float)],
        "naive": [None if v != v else v for v in trend["naive_median_days"].astype(float)],
        "labels": {
            "km": i18n.gettext("Median lead time, open cases censored (days)"),
            "naive": i18n.gettext("Median of closed cases only (days)"),
        },
    }


def _period(
    user: Principal, reach: Reach, start: str | None, end: str | None, request: Request
) -> tuple[date | None, date | None]:
    """The period asked for; cross-organisation views default to the latest quarter."""
    first, stop = parse_day(start, name="start"), parse_day(end, name="end")
    if reach == "all":
        latest = overview.latest_complete_quarter(settings=settings_of(request))
        first = first or latest or date.today()
        return quarter_of(first)
    return first, stop


@dataclass
class MapQuery:
    """The path page's and map's query: period, reach and the map's sliders and label."""

    reach: Reach = "all"
    start: str | None = None
    end: str | None = None
    activities: Annotated[int, Query(ge=5, le=100)] = 100
    arcs: Annotated[int, Query(ge=5, le=100)] = 80
    label: Literal["frequency", "waiting"] = "frequency"


@router.get("/paths/{path}")
def path_page(
    request: Request,
    user: User,
    path: str,
    view_query: Annotated[MapQuery, Depends()],
) -> Response:
    settings = settings_of(request)
    q = view_query
    reach = reach_for(user, q.reach)
    first, stop = _period(user, reach, q.start, q.end, request)
    view = dashboard.path_view(
        user, path=path, start=first, end=stop, reach=reach, settings=settings
    )
    curve = view.lead.curve
    context = {
        "view": view,
        "path": path,
        "reach": reach,
        "start": first,
        "end": stop,
        "activities": q.activities,
        "arcs_pct": q.arcs,
        "label": q.label,
        "quarters": overview.quarters(settings=settings),
        "curve": {
            "x": curve["days"].tolist(),
            "y": curve["still_open"].tolist(),
            "lower": curve["lower"].tolist(),
            "upper": curve["upper"].tolist(),
            "name": i18n.gettext("Share of customers still on the path"),
        },
        "may_see_cases": may_see_cases(user),
    }
    return render.page(request, "path.html", context)


@router.get("/paths/{path}/map.svg")
def map_image(
    request: Request,
    user: User,
    path: str,
    view_query: Annotated[MapQuery, Depends()],
) -> Response:
    q = view_query
    reach = reach_for(user, q.reach)
    first, stop = _period(user, reach, q.start, q.end, request)
    svg = dashboard.map_svg(
        user,
        path=path,
        start=first,
        end=stop,
        reach=reach,
        activity_coverage=q.activities / 100,
        arc_coverage=q.arcs / 100,
        label=q.label,
        settings=settings_of(request),
    )
    return Response(svg, media_type="image/svg+xml")


@router.get("/paths/{path}/compare")
def compare_page(
    request: Request,
    user: User,
    path: str,
    reach: Reach = "all",
    a_start: str | None = None,
    a_end: str | None = None,
    b_start: str | None = None,
    b_end: str | None = None,
) -> Response:
    settings = settings_of(request)
    reach = reach_for(user, reach)
    b = _period(user, reach, b_start, b_end, request)
    default_a = None if b[0] is None else date(b[0].year - 1, b[0].month, 1).isoformat()
    a = _period(user, reach, a_start or default_a, a_end, request)
    result = overview.compare_periods(user, path=path, a=a, b=b, reach=reach, settings=settings)
    context = {
        "result": result,
        "path": path,
        "reach": reach,
        "quarters": overview.quarters(settings=settings),
    }
    return render.page(request, "compare.html", context)


@router.get("/paths/{path}/cases")
def cases_page(
    request: Request, user: User, path: str, start: str | None = None, end: str | None = None
) -> Response:
    settings = settings_of(request)
    first, stop = parse_day(start, name="start"), parse_day(end, name="end")
    listing = cases.case_list(user, path=path, start=first, end=stop, settings=settings)
    return render.page(
        request, "cases.html", {"path": path, "listing": listing, "start": first, "end": stop}
    )


@router.get("/paths/{path}/cases/{case_id}")
def case_page(request: Request, user: User, path: str, case_id: str) -> Response:
    events = cases.case_events(user, path=path, case_id=case_id, settings=settings_of(request))
    return render.page(request, "case.html", {"path": path, "case_id": case_id, "events": events})
