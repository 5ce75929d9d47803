"""REST API of the data: how the exports linked, and removing a mistaken import.

``GET /linkage`` is scoped like the data page's linkage section: analysts see their own
organisation's sources (exact) and the region's figures, coordinators and administrators every
source; counts of fewer persons than the threshold that are not about the caller's own source
are ``null`` with ``"suppressed": true``. ``DELETE /imports/{job_id}`` removes a dashboard
import from the store as if it had never been made.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from sujuva.api.routes import ERRORS, Caller
from sujuva.services import import_removal, uploads
from sujuva.services.linkage_view import linkage_view
from sujuva.web.deps import RowId, settings_of

router = APIRouter(prefix="/api/v1", tags=["data"], responses=ERRORS)


class LinkageSource(BaseModel):
    """One source (export): its events and customers, how many of them other sources saw too,
    events outside any path, its cases, cases with conflicting attributes, identity codes
    refused at import. ``own``: a source of the caller's organisation (never suppressed)."""

    source: str
    own: bool
    suppressed: bool
    keyed: bool | None = None
    events: int | None = None
    customers: int | None = None
    shared_customers: int | None = None
    shared_share: float | None = None
    unassigned_events: int | None = None
    cases: int | None = None
    conflicting_cases: int | None = None
    rejected_keys: int | None = None


class LinkageRegion(BaseModel):
    """The region: cases, cases formed from keys, cases spanning two or more organisations
    (count and share), formed cases that do not begin with a start step of their path."""

    suppressed: bool = False
    cases: int | None = None
    formed_cases: int | None = None
    multi_organisation_cases: int | None = None
    multi_organisation_share: float | None = None
    cases_without_start: int | None = None


class LinkageConflict(BaseModel):
    """A case attribute and the cases whose sources give it different values."""

    attribute: str
    cases: int | None
    suppressed: bool


class LinkageResult(BaseModel):
    reach: str
    threshold: int
    sources: list[LinkageSource]
    region: LinkageRegion
    conflicts: list[LinkageConflict]


@router.get("/linkage", response_model=LinkageResult)
def linkage(request: Request, user: Caller) -> LinkageResult:
    """How the organisations' exports linked into whole paths (analysts, coordinators,
    administrators; viewers are refused)."""
    view = linkage_view(user, settings=settings_of(request))
    return LinkageResult(
        reach=view.reach,
        threshold=view.threshold,
        sources=[LinkageSource(**row) for row in view.sources],
        region=LinkageRegion(**view.region),
        conflicts=[LinkageConflict(**row) for row in view.conflicts],
    )


@router.delete("/imports/{job_id}")
def remove_import(request: Request, user: Caller, job_id: RowId) -> dict[str, Any]:
    """Remove a finished import job's events from the store, as if it had never been imported
    (analysts: their organisation's jobs; administrators: any; audited)."""
    job = import_removal.remove_job_import(
        user,
        job_id=job_id,
        address=request.client.host if request.client else "",
        settings=settings_of(request),
    )
    return uploads.job_json(job)
