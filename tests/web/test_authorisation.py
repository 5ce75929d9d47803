"""The authorisation matrix: every route of the app × every role × own/other organisation.

Routes come from the app's route table, so a new route is covered without touching this file.
For every response we prove: no 5xx; no case identifier or customer pseudonym of a case the
user's organisation did not take part in (none at all for roles without case-level access);
every cross-organisation table published through the API keeps its person counts at 0 or at
least the threshold; every unsafe request without a CSRF token is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from sujuva.config import Settings
from sujuva.services import accounts
from sujuva.services.account_records import DemoLogin
from sujuva.store.store import Store

#: Case ids: the generator's (``ENT-000001``) and those formed from customer keys (``c_`` + hex).
CASE_ID = re.compile(r"\b(?:(?:ENT|GRD|JSE|WTW)-\d{6}|c_[0-9a-f]{20})\b")
PSEUDONYM = re.compile(r"\bp_[0-9a-f]{20}\b")
USERS = ("admin", "coordinator", "analyst", "viewer", "analyst2")
PERSON_COUNTS = (
    "cases",
    "ratings",
    "rework_cases",
    "starts",
    "ends",
    "met",
    "breaches",
    "handoffs",
    "frequency",
)
SKIP = {
    "/openapi.json",
    "/api/v1/openapi.json",
    "/api/docs",
    "/api/docs/oauth2-redirect",
    "/vendor/plotly.min.js",
}


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route, API and pages, from the route table
    (walking into included routers, which newer FastAPI keeps as nodes of their own)."""
    found: list[tuple[str, str]] = []
    _walk(app.routes, "", found)
    return found


def _walk(routes: Sequence[object], prefix: str, found: list[tuple[str, str]]) -> None:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            _walk(inner.routes, prefix + str(getattr(context, "prefix", "") or ""), found)
        elif isinstance(route, APIRoute | Route) and prefix + route.path not in SKIP:
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    found.append((method, prefix + route.path))


def _case_sets(data_dir: Path, organisation: str) -> tuple[str, str, set[str], set[str]]:
    """A case of the organisation, a case without it, and its cases' ids and customers."""
    with Store(data_dir).connect() as con:
        rows = con.execute(
            """
            SELECT c.case_id, c.customer_id,
                   bool_or(a.name = ?) AS own, any_value(p.name) = 'entrepreneur' AS ent
            FROM cases c JOIN events e USING (case_idx) JOIN actors a ON a.code = e.actor_code
            JOIN paths p ON p.code = c.path_code
            GROUP BY c.case_id, c.customer_id
            """,
            [organisation],
        ).fetchall()
    own_ids = {r[0] for r in rows if r[2]}
    own_customers = {r[1] for r in rows if r[2] and r[1]}
    own_case = sorted(r[0] for r in rows if r[2] and r[3])[0]
    other_case = sorted(r[0] for r in rows if not r[2] and r[3])[0]
    return own_case, other_case, own_ids, own_customers


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "1"), template)


def _check_no_foreign_cases(
    body: str, *, allowed_ids: set[str], allowed_customers: set[str], where: str
) -> None:
    foreign_ids = set(CASE_ID.findall(body)) - allowed_ids
    assert not foreign_ids, f"{where}: case ids of other organisations {sorted(foreign_ids)[:5]}"
    foreign = set(PSEUDONYM.findall(body)) - allowed_customers
    assert not foreign, f"{where}: pseudonyms outside the user's cases {sorted(foreign)[:5]}"


def _check_suppression(payload: object, threshold: int, where: str) -> None:
    """A cross-organisation table (judged by who asked, not by the response's own flag)."""
    if not isinstance(payload, dict) or "rows" not in payload:
        return
    assert payload.get("suppression") is True, f"{where}: cross-organisation, not suppressed"
    for row in payload.get("rows", []):
        for column in PERSON_COUNTS:
            value = row.get(column)
            assert value is None or value == 0 or value >= threshold, (
                f"{where}: {column}={value} published under the threshold in {row}"
            )
        if row.get("suppressed"):
            assert row.get("cases", row.get("ratings")) is None, f"{where}: {row}"


def test_matrix(
    app: FastAPI,
    web_settings: Settings,
    logins: dict[str, DemoLogin],
    client_for: Callable[[str], TestClient],
) -> None:
    data_dir = web_settings.data_dir
    organisation_a = logins["analyst"].organisation
    organisation_b = logins["analyst2"].organisation
    assert organisation_a and organisation_b
    own_case, other_case, own_ids, own_customers = _case_sets(data_dir, organisation_a)
    analyst = accounts.get_principal(
        user_id=_user_id("analyst", web_settings), settings=web_settings
    )
    analyst2 = accounts.get_principal(
        user_id=_user_id("analyst2", web_settings), settings=web_settings
    )
    own_job = accounts.create_import_job(principal=analyst, files=["a.csv"], settings=web_settings)
    other_job = accounts.create_import_job(
        principal=analyst2, files=["b.csv"], settings=web_settings
    )
    variants = {
        "own": {
            "path": "entrepreneur",
            "case_id": own_case,
            "job_id": str(own_job),
            "table": "handoffs",
        },
        "other": {
            "path": "entrepreneur",
            "case_id": other_case,
            "job_id": str(other_job),
            "table": "variants",
        },
    }
    routes = app_routes(app)
    assert len(routes) > 30, routes
    checked = 0
    for username in USERS:
        client = client_for(username)
        allowed_ids: set[str] = set()
        allowed_customers: set[str] = set()
        if username == "analyst":
            allowed_ids, allowed_customers = own_ids, own_customers
        elif username == "analyst2":
            _, _, allowed_ids, allowed_customers = _case_sets(data_dir, organisation_b)
        for method, template in routes:
            for variant, values in variants.items():
                url = _fill(template, values)
                where = f"{username} {method} {url} ({variant})"
                if method == "GET":
                    for query in ("", "?start=2017-04-01", "?reach=own"):
                        response = client.get(url + query)
                        assert response.status_code < 500, where + response.text[:300]
                        # the id the user typed may be echoed back in an error message
                        asked = set(CASE_ID.findall(url))
                        _check_no_foreign_cases(
                            response.text,
                            allowed_ids=allowed_ids | asked,
                            allowed_customers=allowed_customers,
                            where=where,
                        )
                        cross = username == "coordinator" or (
                            username.startswith("analyst") and "reach=own" not in query
                        )
                        is_json = response.headers.get("content-type", "").startswith(
                            "application/json"
                        )
                        if cross and is_json:
                            _check_suppression(
                                response.json(), web_settings.suppression_threshold, where
                            )
                        checked += 1
                else:
                    response = client.request(method, url)
                    assert response.status_code in (401, 403, 422), where
                    checked += 1
    assert checked > 500


def _user_id(username: str, settings: Settings) -> int:
    return next(u.id for u in accounts.list_users(settings=settings) if u.username == username)


@pytest.mark.parametrize("username", ["coordinator", "viewer", "admin"])
def test_roles_without_case_access_get_no_case_pages(
    username: str, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for(username)
    for url in ("/paths/entrepreneur/cases", "/api/v1/paths/entrepreneur/cases"):
        assert client.get(url).status_code == 403


def test_analyst_sees_own_case_but_not_another_organisations(
    web_settings: Settings, logins: dict[str, DemoLogin], client_for: Callable[[str], TestClient]
) -> None:
    organisation = logins["analyst"].organisation
    assert organisation
    own_case, other_case, _, _ = _case_sets(web_settings.data_dir, organisation)
    client = client_for("analyst")
    own = client.get(f"/api/v1/paths/entrepreneur/cases/{own_case}")
    assert own.status_code == 200
    assert any(event["actor"] == organisation for event in own.json())
    other = client.get(f"/api/v1/paths/entrepreneur/cases/{other_case}")
    assert other.status_code == 404
    assert other.json()["error"]["kind"] == "not_found"
    listed = {row["case_id"] for row in client.get("/api/v1/paths/entrepreneur/cases").json()}
    assert own_case in listed or len(listed) == 500
    assert other_case not in listed
    audit = accounts.audit_entries(settings=web_settings)
    assert any(e.action == "view_case" and own_case in e.target for e in audit)


def test_unsafe_requests_without_csrf_are_refused(
    app: FastAPI, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("admin")
    for method, template in app_routes(app):
        if method == "POST" and not template.startswith("/api/"):
            url = _fill(template, {"user_id": "1", "token_id": "1", "job_id": "1"})
            response = client.post(url, data={"language": "en", "name": "x"})
            assert response.status_code == 403, f"{url}: {response.status_code}"
