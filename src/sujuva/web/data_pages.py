"""Data pages: upload an export, map its columns, import it, read the validation report;
source profiles, the linkage report, and removing a mistaken import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from sujuva.errors import NotFoundError
from sujuva.services import accounts, import_removal, mapping_step, source_profiles, uploads
from sujuva.services.access import may_import, may_remove_imports
from sujuva.services.linkage_view import linkage_view
from sujuva.services.principal import Principal
from sujuva.web import render
from sujuva.web.deps import RowId, page_user, settings_of

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]


@router.get("/data")
def data_page(request: Request, user: User) -> Response:
    settings = settings_of(request)
    jobs: list[accounts.ImportJob] = []
    if may_import(user) or user.role == "admin":
        organisation = None if user.role == "admin" else user.organisation
        jobs = accounts.list_import_jobs(organisation=organisation, settings=settings)
    context = {
        "jobs": jobs,
        "may_import": may_import(user),
        "may_remove": may_remove_imports(user),
        "removable": {job.id for job in jobs if import_removal.may_remove(job)},
        "profiles": source_profiles.list_profiles(user, settings=settings)
        if may_import(user)
        else [],
        "linkage": linkage_view(user, settings=settings) if user.role != "viewer" else None,
    }
    return render.page(request, "data.html", context)


@router.post("/data/upload")
async def upload(request: Request, user: User, files: list[UploadFile]) -> Response:
    contents = [(f.filename or "upload.csv", await f.read()) for f in files if f.filename]
    job_id = uploads.save_upload(user, files=contents, settings=settings_of(request))
    return RedirectResponse(f"/data/jobs/{job_id}", status_code=303)


@router.get("/data/jobs/{job_id}")
def job_page(request: Request, user: User, job_id: RowId) -> Response:
    settings = settings_of(request)
    job = uploads.job_for(user, job_id, settings=settings)
    steps: list[mapping_step.MappingStep] = []
    profiles: list[source_profiles.SourceProfile] = []
    if job.status == "queued":
        query = dict(request.query_params)
        steps, profiles = mapping_step.mapping_steps(
            user, job_id=job_id, form=query, settings=settings
        )
    return _job_page(request, job, steps=steps, profiles=profiles)


def _job_page(
    request: Request,
    job: accounts.ImportJob,
    *,
    steps: list[mapping_step.MappingStep],
    profiles: list[source_profiles.SourceProfile],
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "job": job,
        "steps": steps,
        "profiles": profiles,
        "profile_names": {profile.id: profile.name for profile in profiles},
        "fields": mapping_step.FIELDS,
        "key_fields": mapping_step.KEY_FIELDS,
        "problems": (job.report or {}).get("problems", []),
        "removable": import_removal.may_remove(job),
    }
    return render.page(request, "job.html", context, status_code=status_code)


async def _form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (the first value of each)."""
    form = await request.form()
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, value)
    return fields


@router.post("/data/jobs/{job_id}/start")
async def start(request: Request, user: User, job_id: RowId) -> Response:
    """Start the import with the mapping form's choices (the page again if they cannot work)."""
    settings = settings_of(request)
    form = await _form_fields(request)
    steps = mapping_step.start_from_form(user, job_id=job_id, form=form, settings=settings)
    if steps is None:
        return RedirectResponse(f"/data/jobs/{job_id}", status_code=303)
    job = uploads.job_for(user, job_id, settings=settings)
    profiles = source_profiles.list_profiles(user, settings=settings)
    return _job_page(request, job, steps=steps, profiles=profiles, status_code=422)


@router.get("/data/jobs/{job_id}/progress")
def progress(request: Request, user: User, job_id: RowId) -> Response:
    job = uploads.job_for(user, job_id, settings=settings_of(request))
    return JSONResponse(
        {
            "status": job.status,
            "progress_step": job.progress_step,
            "progress_rows": job.progress_rows,
        }
    )


@router.get("/data/jobs/{job_id}/rejected.csv")
def rejected(request: Request, user: User, job_id: RowId) -> Response:
    settings = settings_of(request)
    job = uploads.job_for(user, job_id, settings=settings)
    if not job.quarantine_file or not Path(job.quarantine_file).exists():
        raise NotFoundError(f"import job {job_id} has no quarantined rows")
    accounts.record_audit(
        principal=user, action="export_rejected", target=f"job {job_id}", settings=settings
    )
    return FileResponse(
        job.quarantine_file, media_type="text/csv", filename=f"rejected-job-{job_id}.csv"
    )


@router.get("/data/jobs/{job_id}/remove")
def confirm_remove(request: Request, user: User, job_id: RowId) -> Response:
    """The confirmation step before an import is removed."""
    job = import_removal.removable_job(user, job_id=job_id, settings=settings_of(request))
    context = {"job": job, "removable": import_removal.may_remove(job)}
    return render.page(request, "remove_import.html", context)


@router.post("/data/jobs/{job_id}/remove")
def remove(request: Request, user: User, job_id: RowId) -> Response:
    """Remove the import's events from the store (audited), then back to the data page."""
    import_removal.remove_job_import(
        user,
        job_id=job_id,
        address=request.client.host if request.client else "",
        settings=settings_of(request),
    )
    return RedirectResponse("/data", status_code=303)


@router.post("/data/profiles/{profile_id}/delete")
def delete_profile(request: Request, user: User, profile_id: RowId) -> Response:
    """Delete one of the organisation's source profiles."""
    settings = settings_of(request)
    deleted = source_profiles.delete_profile(user, profile_id=profile_id, settings=settings)
    accounts.record_audit(
        principal=user,
        action="delete_source_profile",
        target=f"profile {profile_id}",
        detail=deleted.name,
        settings=settings,
    )
    return RedirectResponse("/data", status_code=303)
