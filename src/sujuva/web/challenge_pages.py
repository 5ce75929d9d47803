"""Challenges board pages: list and post, one challenge with join, comments, status, pilots."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sujuva.services import challenges, pilots
from sujuva.services.principal import Principal
from sujuva.store.appdb_network import CHALLENGE_STATUSES
from sujuva.web import render
from sujuva.web.deps import RowId, page_user, settings_of

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]


@router.get("/challenges")
def board(request: Request, user: User) -> Response:
    items = challenges.list_challenges(user, settings=settings_of(request))
    return render.page(request, "challenges.html", {"challenges": items})


@router.post("/challenges")
def post_challenge(
    request: Request,
    user: User,
    title: Annotated[str, Form()],
    body: Annotated[str, Form()] = "",
    shared: Annotated[bool, Form()] = False,
) -> Response:
    challenge_id = challenges.post(
        user, title=title, body=body, shared=shared, settings=settings_of(request)
    )
    return RedirectResponse(f"/challenges/{challenge_id}", status_code=303)


@router.get("/challenges/{challenge_id}")
def challenge_page(request: Request, user: User, challenge_id: RowId) -> Response:
    settings = settings_of(request)
    item = challenges.get(user, challenge_id, settings=settings)
    linkable = (
        pilots.list_pilots(user, settings=settings)
        if user.role in ("coordinator", "analyst")
        else []
    )
    context = {"c": item, "statuses": CHALLENGE_STATUSES, "linkable": linkable}
    return render.page(request, "challenge.html", context)


@router.post("/challenges/{challenge_id}/join")
def join(request: Request, user: User, challenge_id: RowId) -> Response:
    challenges.join(user, challenge_id, settings=settings_of(request))
    return RedirectResponse(f"/challenges/{challenge_id}", status_code=303)


@router.post("/challenges/{challenge_id}/comments")
def comment(
    request: Request, user: User, challenge_id: RowId, body: Annotated[str, Form()]
) -> Response:
    challenges.comment(user, challenge_id, body=body, settings=settings_of(request))
    return RedirectResponse(f"/challenges/{challenge_id}#comments", status_code=303)


@router.post("/challenges/{challenge_id}/status")
def status(
    request: Request,
    user: User,
    challenge_id: RowId,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    challenges.set_status(
        user, challenge_id, status=status, note=note, settings=settings_of(request)
    )
    return RedirectResponse(f"/challenges/{challenge_id}", status_code=303)


@router.post("/challenges/{challenge_id}/pilots")
def link(
    request: Request, user: User, challenge_id: RowId, pilot_id: Annotated[int, Form()]
) -> Response:
    challenges.link_pilot(user, challenge_id, pilot_id, settings=settings_of(request))
    return RedirectResponse(f"/challenges/{challenge_id}", status_code=303)


@router.post("/challenges/comments/{comment_id}/hide")
def hide(
    request: Request,
    user: User,
    comment_id: RowId,
    challenge_id: Annotated[int, Form()],
    hidden: Annotated[bool, Form()] = True,
) -> Response:
    challenges.hide_comment(user, comment_id, hidden=hidden, settings=settings_of(request))
    return RedirectResponse(f"/challenges/{challenge_id}#comments", status_code=303)
