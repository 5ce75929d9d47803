"""Data pages: upload an export, preview its columns, import it, read the validation report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from sujuva.errors import NotFoundError
from sujuva.services import accounts, uploads
from sujuva.services.access import may_import
from sujuva.services.principal import Principal
from sujuva.web import render
from sujuva.web.deps import RowId, page_user, settings_of

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]


@router.get("/data")
def data_page(request: Request, user: User) -> Response:
    settings = settings_of(request)
    jobs = (
        accounts.list_import_jobs(organisation=user.organisation, settings=settings)
        if may_import(user)
        else []
    )
    return render.page(request, "data.html", {"jobs": jobs, "may_import": may_import(user)})


@router.post("/data/upload")
async def upload(request: Request, user: User, files: list[UploadFile]) -> Response:
    contents = [(f.filename or "upload.csv", await f.read()) for f in files if f.filename]
    job_id = uploads.save_upload(user, files=contents, settings=settings_of(request))
    return RedirectResponse(f"/data/jobs/{job_id}", status_code=303)


@router.get("/data/jobs/{job_id}")
def job_page(request: Request, user: User, job_id: RowId) -> Response:
    settings = settings_of(request)
    job = uploads.job_for(user, job_id, settings=settings)
    previews = (
        uploads.preview(user, job_id=job_id, settings=settings) if job.status == "queued" else []
    )
    problems = (job.report or {}).get("problems", [])
    context = {"job": job, "previews": previews, "problems": problems}
    return render.page(request, "job.html", context)


@router.post("/data/jobs/{job_id}/start")
def start(
    request: Request,
    user: User,
    job_id: RowId,
    quarantine: Annotated[bool, Form()] = False,
    path_name: Annotated[str, Form()] = "",
) -> Response:
    uploads.start_import(
        user,
        job_id=job_id,
        quarantine=quarantine,
        path_name=path_name.strip() or None,
        settings=settings_of(request),
    )
    return RedirectResponse(f"/data/jobs/{job_id}", status_code=303)


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
