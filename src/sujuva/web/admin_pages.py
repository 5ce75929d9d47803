"""Admin pages (users, organisations, roles, audit log) and the user's own account page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sujuva.errors import PermissionDeniedError, UsageError
from sujuva.services import accounts
from sujuva.services.access import may_administer
from sujuva.services.principal import LANGUAGES, ROLES, Principal
from sujuva.web import render
from sujuva.web.deps import RowId, page_user, settings_of

router = APIRouter(include_in_schema=False)
User = Annotated[Principal, Depends(page_user)]


def _admin(user: Principal) -> None:
    if not may_administer(user):
        raise PermissionDeniedError("only administrators manage users and organisations")


@router.get("/admin")
def admin_page(request: Request, user: User) -> Response:
    _admin(user)
    settings = settings_of(request)
    context = {
        "users": accounts.list_users(settings=settings),
        "organisations": accounts.list_organisations(settings=settings),
        "audit": accounts.audit_entries(limit=100, settings=settings),
        "roles": ROLES,
        "languages": LANGUAGES,
    }
    return render.page(request, "admin.html", context)


@router.post("/admin/users")
def create_user(
    request: Request,
    user: User,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    organisation: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "fi",
) -> Response:
    _admin(user)
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}")
    settings = settings_of(request)
    accounts.create_user(
        username=username.strip(),
        password=password,
        role=role,
        organisation=organisation or None,
        language=language,
        settings=settings,
    )
    accounts.record_audit(principal=user, action="create_user", target=username, settings=settings)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{user_id}")
def update_user(
    request: Request,
    user: User,
    user_id: RowId,
    role: Annotated[str, Form()],
    organisation: Annotated[str, Form()] = "",
    active: Annotated[bool, Form()] = False,
) -> Response:
    _admin(user)
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}")
    settings = settings_of(request)
    accounts.update_user(
        user_id=user_id,
        role=role,
        organisation=organisation or None,
        active=active,
        settings=settings,
    )
    accounts.record_audit(
        principal=user,
        action="update_user",
        target=str(user_id),
        detail=f"role={role} organisation={organisation} active={active}",
        settings=settings,
    )
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/organisations")
def create_organisation(
    request: Request, user: User, code: Annotated[str, Form()], name: Annotated[str, Form()]
) -> Response:
    _admin(user)
    settings = settings_of(request)
    accounts.create_organisation(code=code.strip(), name=name.strip(), settings=settings)
    accounts.record_audit(
        principal=user, action="create_organisation", target=code, settings=settings
    )
    return RedirectResponse("/admin", status_code=303)


@router.get("/account")
def account_page(request: Request, user: User) -> Response:
    return _account(request, user, new_token=None)


def _account(request: Request, user: Principal, *, new_token: str | None) -> Response:
    settings = settings_of(request)
    context = {
        "tokens": accounts.list_tokens(user_id=user.user_id, settings=settings),
        "views": accounts.list_views(user_id=user.user_id, settings=settings),
        "new_token": new_token,
    }
    return render.page(request, "account.html", context)


@router.post("/views")
def save_view(
    request: Request, user: User, name: Annotated[str, Form()], url: Annotated[str, Form()]
) -> Response:
    """Save the page the user is on (a local path with its query) under a name."""
    path, _, query = url.partition("?")
    if not path.startswith("/") or path.startswith("//"):
        raise UsageError("a saved view must be a page of this dashboard")
    accounts.save_view(
        user_id=user.user_id, name=name, path=path, query=query, settings=settings_of(request)
    )
    return RedirectResponse(url, status_code=303)


@router.post("/views/{view_id}/delete")
def delete_view(request: Request, user: User, view_id: RowId) -> Response:
    accounts.delete_view(user_id=user.user_id, view_id=view_id, settings=settings_of(request))
    return RedirectResponse("/account", status_code=303)


@router.post("/account/tokens")
def create_token(request: Request, user: User, name: Annotated[str, Form()]) -> Response:
    settings = settings_of(request)
    token = accounts.create_token(
        user_id=user.user_id, name=name.strip() or "script", settings=settings
    )
    accounts.record_audit(principal=user, action="create_token", target=name, settings=settings)
    return _account(request, user, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, user: User, token_id: RowId) -> Response:
    accounts.revoke_token(user_id=user.user_id, token_id=token_id, settings=settings_of(request))
    return RedirectResponse("/account", status_code=303)
