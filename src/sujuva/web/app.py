"""The web application: dashboard pages and the REST API in one FastAPI app.

Errors from the one hierarchy in :mod:`sujuva.errors` become JSON of one shape under
``/api`` and error pages elsewhere; an unauthenticated page request goes to the login page.
"""

from __future__ import annotations

import logging
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from sujuva.config import Settings, get_settings
from sujuva.errors import (
    AuthenticationError,
    NotFoundError,
    SujuvaError,
    UsageError,
)
from sujuva.store.appdb import upgrade_database
from sujuva.web import render
from sujuva.web.security import SecurityHeaders, session_key

STATIC = Path(__file__).resolve().parent / "static"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
STATUS = {
    "usage": 400,
    "config": 500,
    "not_found": 404,
    "input": 422,
    "store": 503,
    "unauthenticated": 401,
    "forbidden": 403,
    "rate_limited": 429,
    "conflict": 409,
}
log = logging.getLogger("sujuva.web")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for these settings (migrating the app-state database first)."""
    settings = settings or get_settings()
    upgrade_database(settings=settings)
    app = FastAPI(
        title="Sujuva API",
        version="1",
        description=(
            "Multi-organisation customer paths: lean measures, scoped to the caller's "
            "organisation; cross-organisation cells describing few persons are null with "
            "`suppressed: true`. Authenticate with `Authorization: Bearer <token>`."
        ),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key(settings),
        session_cookie="sujuva_session",
        same_site="strict",
        https_only=settings.secure_cookies,
        max_age=8 * 3600,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_bundle() -> Response:
        """Plotly's browser bundle from the pip-installed package: no CDN, works offline."""
        return FileResponse(
            PLOTLY_JS,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    from sujuva.api.data_routes import router as data_api_router
    from sujuva.api.network_routes import router as network_api_router
    from sujuva.api.pilot_routes import router as pilot_api_router
    from sujuva.api.routes import router as api_router
    from sujuva.web.admin_pages import router as admin_router
    from sujuva.web.challenge_pages import router as challenge_router
    from sujuva.web.data_pages import router as data_router
    from sujuva.web.network_pages import router as network_router
    from sujuva.web.pages import router as page_router
    from sujuva.web.pilot_pages import router as pilot_router
    from sujuva.web.target_pages import router as target_router

    app.include_router(api_router)
    app.include_router(pilot_api_router)
    app.include_router(network_api_router)
    app.include_router(data_api_router)
    app.include_router(page_router)
    app.include_router(data_router)
    app.include_router(admin_router)
    app.include_router(pilot_router)
    app.include_router(challenge_router)
    app.include_router(network_router)
    app.include_router(target_router)
    _error_handlers(app)
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, error: SujuvaError) -> Response:
    """The one JSON error shape for the API, an error page for the dashboard."""
    status = STATUS.get(error.kind, 400)
    if _is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error.to_dict(), status_code=status, headers=headers)
    if isinstance(error, AuthenticationError):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return render.page(request, "error.html", {"error": error}, status_code=status)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SujuvaError)
    async def known(request: Request, exc: SujuvaError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return error_response(request, UsageError(f"invalid request: {reasons}"))

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(request, NotFoundError(f"no such page: {request.url.path}"))
        error = UsageError(str(exc.detail))
        error.kind = {405: "method_not_allowed"}.get(exc.status_code, "usage")
        STATUS.setdefault(error.kind, exc.status_code)
        return error_response(request, error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        error = SujuvaError("an unexpected error occurred; it has been logged")
        error.kind = "internal"
        STATUS.setdefault("internal", 500)
        return error_response(request, error)
