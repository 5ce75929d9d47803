"""Network pages: members with their commitment, the observed network, its exports."""

from __future__ import annotations

import io
import zipfile
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sujuva.services import members, network, overview
from sujuva.services.access import reach_for
from sujuva.services.members import Member
from sujuva.services.principal import Principal
from sujuva.services.records import frame_records
from sujuva.store.appdb_network import COMMITMENTS, SECTOR_TYPES
from sujuva.web import render
from sujuva.web.deps import page_user, parse_day, settings_of, uploaded_file

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]


def _view(request: Request, user: Principal, start: str | None, reach: str) -> network.NetworkView:
    return network.network_view(
        user,
        start=parse_day(start, name="start"),
        reach=reach_for(user, reach),
        settings=settings_of(request),
    )


@router.get("/network")
def network_page(
    request: Request, user: User, start: str | None = None, reach: str = "all"
) -> Response:
    view = _view(request, user, start, reach)
    settings = settings_of(request)
    context = {
        "view": view,
        "reach": view.grant.reach,
        "start": view.grant.selection.start_from,
        "end": view.grant.selection.start_to,
        "quarters": overview.quarters(settings=settings),
        "members": members.list_members(user, settings=settings),
        "sector_types": SECTOR_TYPES,
        "commitments": COMMITMENTS,
        "declared": {row["organisation"]: row for row in frame_records(view.declared)},
    }
    return render.page(request, "network.html", context)


@router.get("/network/network.graphml")
def graphml(request: Request, user: User, start: str | None = None, reach: str = "all") -> Response:
    body = network.export_graphml(_view(request, user, start, reach))
    return Response(
        body,
        media_type="application/graphml+xml",
        headers={"Content-Disposition": 'attachment; filename="network.graphml"'},
    )


@router.get("/network/network-csv.zip")
def csv_zip(request: Request, user: User, start: str | None = None, reach: str = "all") -> Response:
    files = network.export_csv(_view(request, user, start, reach))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="network-csv.zip"'},
    )


@router.get("/members.csv")
def members_csv(request: Request, user: User) -> Response:
    text = members.export_members(user, settings=settings_of(request))
    return Response(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="members.csv"'},
    )


@router.post("/members")
def save_member(
    request: Request,
    user: User,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
    sector_type: Annotated[str, Form()],
    commitment: Annotated[str, Form()],
    contact: Annotated[str, Form()] = "",
    paths_served: Annotated[str, Form()] = "",
) -> Response:
    member = Member(
        code=code.strip(),
        name=name.strip(),
        sector_type=sector_type,
        commitment=commitment,
        contact=contact.strip(),
        paths_served=tuple(p.strip() for p in paths_served.split(";") if p.strip()),
    )
    members.save_member(user, member, settings=settings_of(request))
    return RedirectResponse("/network#members", status_code=303)


@router.post("/members/import")
async def import_members(request: Request, user: User) -> Response:
    """Members from an uploaded CSV (code, name, sector_type, commitment, contact,
    paths_served with ';' between paths): all rows or none."""
    async with uploaded_file(
        request, missing="choose a CSV file of members", default_name="members.csv"
    ) as path:
        members.import_members(user, path, settings=settings_of(request))
    return RedirectResponse("/network#members", status_code=303)
