"""Who is asking: the signed-in user of a page, or the token holder of an API call.

These dependencies are ``async`` on purpose: they set the request's language in a context
variable, which must happen in the request's own task to reach the page code.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Path as FastApiPath
from fastapi import Request

from sujuva.config import Settings
from sujuva.errors import AuthenticationError, UsageError
from sujuva.services import accounts, dashboard
from sujuva.services.access import may_see_events
from sujuva.services.principal import Principal
from sujuva.web import i18n
from sujuva.web.security import check_csrf

BEARER = "bearer "
#: A row id in a URL: a positive integer that fits the databases' 32-bit integer columns.
RowId = Annotated[int, FastApiPath(ge=1, le=2_147_483_647)]
#: Dates outside these years are refused as input errors rather than computed with.
YEARS = (1900, 2999)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def anonymous_language(request: Request) -> None:
    """Language of a page that needs no sign-in (the login page): the session's, else fi."""
    language = request.session.get("language")
    i18n.set_language(language if isinstance(language, str) else i18n.DEFAULT_LANGUAGE)


async def page_user(request: Request) -> Principal:
    """The signed-in user of a dashboard page; CSRF is checked on every unsafe request."""
    settings = settings_of(request)
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        await anonymous_language(request)
        raise AuthenticationError("please sign in")
    try:
        principal = accounts.get_principal(user_id=user_id, settings=settings)
    except Exception:
        request.session.clear()
        raise
    i18n.set_language(principal.language)
    request.state.principal = principal
    request.state.nav_paths = (
        dashboard.paths(settings=settings)
        if may_see_events(principal) and not dashboard.store_empty(settings=settings)
        else []
    )
    await check_csrf(request)
    return principal


async def api_user(request: Request) -> Principal:
    """The caller of an API endpoint: a bearer token, or the dashboard session (with CSRF)."""
    settings = settings_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith(BEARER):
        principal = accounts.principal_for_token(
            token=header[len(BEARER) :].strip(), settings=settings
        )
    elif isinstance(request.session.get("user_id"), int):
        principal = accounts.get_principal(user_id=request.session["user_id"], settings=settings)
        await check_csrf(request)
    else:
        raise AuthenticationError("send 'Authorization: Bearer <token>' (make one on /account)")
    i18n.set_language(principal.language)
    request.state.principal = principal
    return principal


def parse_day(value: str | None, *, name: str) -> date | None:
    """An ISO date from a query parameter; empty means none; anything else a UsageError."""
    if value is None or value == "":
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from exc
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise UsageError(f"{name}: {value} is outside the years {YEARS[0]}–{YEARS[1]}")
    return day


async def uploaded_bytes(request: Request, *, missing: str) -> tuple[str, bytes]:
    """The file of a form's ``file`` field: its name and content (``missing`` if none)."""
    upload = (await request.form()).get("file")
    if upload is None or isinstance(upload, str):
        raise UsageError(missing)
    return upload.filename or "", await upload.read()


@asynccontextmanager
async def uploaded_file(
    request: Request, *, missing: str, default_name: str
) -> AsyncIterator[Path]:
    """The form's uploaded ``file`` saved under its own base name in a temporary folder
    (removed afterwards), for readers that report errors by file name."""
    name, content = await uploaded_bytes(request, missing=missing)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(name or default_name).name or default_name)
        path.write_bytes(content)
        yield path
