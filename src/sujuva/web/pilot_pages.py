"""Pilot pages: the list, the create/edit form with a live group count, the result page and
its reports (self-contained HTML, PDF)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sujuva.errors import SujuvaError, UsageError
from sujuva.services import dashboard, pilot_report, pilots
from sujuva.services.pilot_records import PilotDefinition, PilotGroup
from sujuva.services.principal import Principal
from sujuva.web import i18n, render
from sujuva.web.deps import RowId, page_user, parse_day, settings_of

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]
COMPARISONS = ("both", "concurrent", "earlier")


@router.get("/pilots")
def pilot_list(request: Request, user: User) -> Response:
    items = pilots.list_pilots(user, settings=settings_of(request))
    return render.page(request, "pilots.html", {"pilots": items})


@router.get("/pilots/new")
def new_pilot(request: Request, user: User, path: str | None = None) -> Response:
    return _form(request, user, None, None, path=path)


@router.get("/pilots/count")
def live_count(request: Request, user: User) -> Response:
    """Cases per group for the form's current fields (the form's script asks as you type)."""
    try:
        definition = definition_from_fields(dict(request.query_params))
        counts = pilots.group_counts(user, definition, settings=settings_of(request))
    except SujuvaError as exc:
        return JSONResponse({"counts": {}, "summary": exc.message}, status_code=400)
    k = settings_of(request).suppression_threshold
    names = {
        "pilot_post": i18n.gettext("Pilot group"),
        "comparison_post": i18n.gettext("Comparison group"),
        "pilot_pre": i18n.gettext("Pilot group before the start"),
        "comparison_pre": i18n.gettext("Comparison group before the start"),
    }
    summary = " · ".join(
        f"{names.get(key, key)}: {i18n.number(value) if value is not None else f'<{k}'}"
        for key, value in sorted(
            counts.items(), key=lambda item: list(names).index(item[0]) if item[0] in names else 9
        )
    )
    return JSONResponse({"counts": counts, "summary": summary})


@router.post("/pilots")
async def create_pilot(request: Request, user: User) -> Response:
    fields = {k: str(v) for k, v in (await request.form()).items()}
    definition = definition_from_fields(fields)
    pilot_id = pilots.create(user, definition, settings=settings_of(request))
    return RedirectResponse(f"/pilots/{pilot_id}", status_code=303)


@router.get("/pilots/{pilot_id}/edit")
def edit_pilot(request: Request, user: User, pilot_id: RowId) -> Response:
    pilot = pilots.get(user, pilot_id, settings=settings_of(request))
    return _form(request, user, pilot_id, pilot.definition, path=pilot.definition.path)


@router.post("/pilots/{pilot_id}")
async def update_pilot(request: Request, user: User, pilot_id: RowId) -> Response:
    fields = {k: str(v) for k, v in (await request.form()).items()}
    definition = definition_from_fields(fields)
    pilots.change(user, pilot_id, definition, settings=settings_of(request))
    return RedirectResponse(f"/pilots/{pilot_id}", status_code=303)


@router.post("/pilots/{pilot_id}/delete")
def delete_pilot(request: Request, user: User, pilot_id: RowId) -> Response:
    pilots.delete(user, pilot_id, settings=settings_of(request))
    return RedirectResponse("/pilots", status_code=303)


@router.get("/pilots/{pilot_id}")
def pilot_result(request: Request, user: User, pilot_id: RowId) -> Response:
    result = pilots.evaluate(user, pilot_id, settings=settings_of(request))
    language = "fi" if i18n.current_language() == "fi" else "en"
    group_names = {
        "pilot": i18n.gettext("Pilot group"),
        "comparison": i18n.gettext("Comparison group"),
    }
    curves = {
        group: {
            "x": part["days"].tolist(),
            "y": part["still_waiting"].tolist(),
            "lower": part["lower"].tolist(),
            "upper": part["upper"].tolist(),
            "name": group_names[str(group)],
        }
        for group, part in result.curves.groupby("group")
    }
    context = {
        "result": result,
        "e": result.evaluation,
        "curves": curves,
        "verdict": result.evaluation.verdict.text[language],
    }
    return render.page(request, "pilot_result.html", context)


@router.get("/pilots/{pilot_id}/report.html")
def report_html(request: Request, user: User, pilot_id: RowId) -> Response:
    result = pilots.evaluate(user, pilot_id, settings=settings_of(request))
    html = pilot_report.report_html(result, language=_report_language())
    return Response(
        html,
        media_type="text/html",
        headers={"Content-Disposition": f'attachment; filename="pilot-{pilot_id}.html"'},
    )


@router.get("/pilots/{pilot_id}/report.pdf")
def report_pdf(request: Request, user: User, pilot_id: RowId) -> Response:
    result = pilots.evaluate(user, pilot_id, settings=settings_of(request))
    return Response(
        pilot_report.report_pdf(result, language=_report_language()),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="pilot-{pilot_id}.pdf"'},
    )


def _report_language() -> pilot_report.Language:
    """Reports come in Finnish or English (Swedish users get English)."""
    return "fi" if i18n.current_language() == "fi" else "en"


def _form(
    request: Request,
    user: Principal,
    pilot_id: RowId | None,
    definition: PilotDefinition | None,
    *,
    path: str | None,
) -> Response:
    settings = settings_of(request)
    paths = dashboard.paths(settings=settings)
    chosen = path if path in paths else paths[0]
    context: dict[str, Any] = {
        "pilot_id": pilot_id,
        "d": definition,
        "paths": paths,
        "path": chosen,
        "steps": pilots.steps_of(chosen, settings=settings),
        "organisations": dashboard.organisations_by_activity(settings=settings),
        "attributes": dashboard.case_attributes(settings=settings),
        "comparisons": COMPARISONS,
    }
    return render.page(request, "pilot_form.html", context)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(",", "\n").splitlines() if part.strip())


def definition_from_fields(fields: dict[str, str]) -> PilotDefinition:
    """A pilot definition from form or query fields (``where`` as ``attribute=value`` lines)."""
    where: dict[str, tuple[str, ...]] = {}
    for line in fields.get("group_where", "").splitlines():
        if not line.strip():
            continue
        attribute, sep, value = line.partition("=")
        if not sep or not value.strip():
            raise UsageError(f"group attribute {line!r}: write it as attribute=value")
        name = attribute.strip()
        name = name if name.startswith("case:") else f"case:{name}"
        where[name] = (*where.get(name, ()), value.strip())
    comparison = fields.get("comparison", "both")
    if comparison not in COMPARISONS:
        raise UsageError(f"unknown comparison {comparison!r}")
    start = parse_day(fields.get("start"), name="start")
    if start is None:
        raise UsageError("the pilot needs a start date")
    minimum = fields.get("min_effect_days", "").strip().replace(",", ".")
    try:
        min_effect = float(minimum) if minimum else None
    except ValueError as exc:
        raise UsageError(f"smallest effect that matters: {minimum!r} is not a number") from exc
    return PilotDefinition(
        name=fields.get("name", ""),
        hypothesis=fields.get("hypothesis", ""),
        path=fields.get("path", ""),
        change=fields.get("change", ""),
        steps_affected=_lines(fields.get("steps_affected", "")),
        organisations=_lines(fields.get("organisations", "")),
        start=start,
        end=parse_day(fields.get("end"), name="end"),
        group=PilotGroup(
            organisations=_lines(fields.get("group_organisations", "")),
            where=where,
            case_ids=_lines(fields.get("group_case_ids", "")),
        ),
        comparison=comparison,  # type: ignore[arg-type]
        outcome_from=fields.get("outcome_from", ""),
        outcome_to=fields.get("outcome_to", ""),
        competing=_lines(fields.get("competing", "")),
        min_effect_days=min_effect,
    )
