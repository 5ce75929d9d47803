"""Target and impact pages: progress toward the jobs target, the forecast, the regional-economy
effect with its formulas, job-record and input–output uploads, the target's settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sujuva.errors import UsageError
from sujuva.services import targets
from sujuva.services.principal import Principal
from sujuva.web import i18n, render
from sujuva.web.deps import page_user, parse_day, settings_of, uploaded_bytes, uploaded_file

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]


def progress_chart(view: targets.TargetView) -> dict[str, Any]:
    """Cumulative jobs against the trajectory, with the forecast and its interval."""
    monthly = view.progress.monthly
    chart: dict[str, Any] = {
        "months": [m.date().isoformat() for m in monthly["month"]],
        "cumulative": monthly["cumulative"].tolist(),
        "trajectory": monthly["trajectory"].tolist(),
        "labels": {
            "cumulative": i18n.gettext("New jobs so far"),
            "trajectory": i18n.gettext("Trajectory to the target"),
            "forecast": i18n.gettext("Forecast (90 %% interval)").replace("%%", "%"),
        },
    }
    forecast = view.progress.forecast
    if forecast is not None:
        path = forecast.path
        chart["forecast"] = {
            "months": [m.isoformat()[:10] for m in path["month"]],
            "expected": path["expected"].tolist(),
            "low": path["low"].tolist(),
            "high": path["high"].tolist(),
        }
    return chart


@router.get("/target")
def target_page(request: Request, user: User, jobs: str | None = None) -> Response:
    settings = settings_of(request)
    view = targets.target_view(user, settings=settings)
    what_if = None
    if jobs:
        try:
            count = float(jobs.replace(",", ".").replace(" ", ""))
        except ValueError as exc:
            raise UsageError(f"jobs: {jobs!r} is not a number") from exc
        if not 0 < count <= 1_000_000:
            raise UsageError("jobs: give a number between 0 and 1 000 000")
        what_if = targets.impact_of(count, settings=settings)
    context = {
        "view": view,
        "p": view.progress,
        "chart": progress_chart(view),
        "what_if": what_if,
        "jobs": jobs or "1000",
        "io_table": (settings.data_dir / targets.IO_FILE).exists(),
    }
    return render.page(request, "target.html", context)


@router.post("/target")
async def save_target(request: Request, user: User) -> Response:
    fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    first = parse_day(fields.get("start"), name="start")
    last = parse_day(fields.get("horizon"), name="horizon")
    if first is None or last is None:
        raise UsageError("the target needs a start and a horizon")
    subs = {
        key[4:].replace("_", " "): _number(key[4:], value)
        for key, value in fields.items()
        if key.startswith("sub_") and value.strip()
    }
    baseline = fields.get("baseline_jobs", "").strip()
    targets.save_target(
        user,
        jobs=_number("jobs", fields.get("jobs", "")),
        baseline_jobs=_number("baseline_jobs", baseline) if baseline else None,
        start=first,
        horizon=last,
        sub_targets=subs,
        euro_per_job=_number("euro_per_job", fields.get("euro_per_job", "")),
        multiplier=_number("multiplier", fields.get("multiplier", "")),
        settings=settings_of(request),
    )
    return RedirectResponse("/target", status_code=303)


def _number(name: str, text: str) -> float:
    try:
        return float(text.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except ValueError as exc:
        raise UsageError(f"{name}: {text!r} is not a number") from exc


@router.post("/target/jobs")
async def upload_jobs(request: Request, user: User) -> Response:
    async with uploaded_file(request, missing="choose a CSV file", default_name="jobs.csv") as path:
        targets.import_jobs(user, path, settings=settings_of(request))
    return RedirectResponse("/target", status_code=303)


@router.post("/target/io-table")
async def upload_io_table(request: Request, user: User) -> Response:
    _, content = await uploaded_bytes(request, missing="choose an input–output table (CSV)")
    targets.save_io_table(user, content, settings=settings_of(request))
    return RedirectResponse("/target", status_code=303)


@router.post("/target/io-table/delete")
def delete_io_table(request: Request, user: User) -> Response:
    targets.remove_io_table(user, settings=settings_of(request))
    return RedirectResponse("/target", status_code=303)
