"""Server-side rendering: one Jinja2 environment with gettext and locale-aware filters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sujuva.services.records import frame_records
from sujuva.web import i18n
from sujuva.web.security import csrf_token

TEMPLATES = Path(__file__).resolve().parent / "templates"


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
ENV.filters["num"] = i18n.number
ENV.filters["pct"] = i18n.percent
ENV.filters["day"] = i18n.day
ENV.filters["days"] = lambda seconds: i18n.number(
    None if seconds is None else float(seconds) / 86400, 1
)
ENV.filters["tojson_data"] = lambda value: json.dumps(value, default=str).replace("</", "<\\/")
ENV.filters["quarter"] = i18n.quarter
ENV.filters["reason"] = i18n.reason
ENV.filters["location"] = i18n.location
ENV.filters["meur"] = lambda euros: i18n.number(None if euros is None else euros / 1e6, 1) + " M€"
ENV.filters["pvalue"] = lambda p: (
    "< " + i18n.number(0.0001, 4) if p is not None and p < 1e-4 else i18n.number(p, 4)
)
ENV.filters["records"] = frame_records
ENV.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
ENV.globals["name_of"] = i18n.name_of


def page(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the common context (user, CSRF token, language, navigation)."""
    principal = getattr(request.state, "principal", None)
    full = {
        "request": request,
        "principal": principal,
        "csrf_token": csrf_token(request),
        "language": i18n.current_language(),
        "nav_paths": getattr(request.state, "nav_paths", []),
        "threshold": request.app.state.settings.suppression_threshold,
        **context,
    }
    html = ENV.get_template(template).render(full)
    return HTMLResponse(html, status_code=status_code)
