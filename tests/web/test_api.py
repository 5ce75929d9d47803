"""REST API: tokens, the one JSON error shape, suppression as null with a flag, OpenAPI."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from sujuva.config import Settings
from sujuva.services import accounts
from sujuva.services.account_records import DemoLogin


def bearer(app: FastAPI, settings: Settings, username: str) -> TestClient:
    user = next(u for u in accounts.list_users(settings=settings) if u.username == username)
    token = accounts.create_token(user_id=user.id, name="test", settings=settings)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_token_authentication(
    app: FastAPI, web_settings: Settings, logins: dict[str, DemoLogin]
) -> None:
    client = bearer(app, web_settings, "analyst")
    me = client.get("/api/v1/me").json()
    assert me["role"] == "analyst" and me["organisation"] == logins["analyst"].organisation
    anonymous = TestClient(app).get("/api/v1/me")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "error": {
            "kind": "unauthenticated",
            "message": anonymous.json()["error"]["message"],
            "details": [],
        }
    }
    wrong = TestClient(app, headers={"Authorization": "Bearer sj_nope"}).get("/api/v1/me")
    assert wrong.status_code == 401


def test_every_error_has_one_shape(
    app: FastAPI, web_settings: Settings, logins: dict[str, DemoLogin]
) -> None:
    client = bearer(app, web_settings, "coordinator")
    cases = {
        "/api/v1/paths/nope/lead-time?start=2017-01-01": (404, "not_found"),
        "/api/v1/paths/entrepreneur/tables/bogus": (400, "usage"),
        "/api/v1/paths/entrepreneur/lead-time?start=tomorrow": (400, "usage"),
        "/api/v1/paths/entrepreneur/cases": (403, "forbidden"),
        "/api/v1/no-such-endpoint": (404, "not_found"),
    }
    for url, (status, kind) in cases.items():
        response = client.get(url)
        assert response.status_code == status, url
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"kind", "message", "details"}
        assert body["error"]["kind"] == kind, url
    assert client.post("/api/v1/me").status_code == 405


def test_suppressed_cells_are_null_with_a_flag(app: FastAPI, web_settings: Settings) -> None:
    client = bearer(app, web_settings, "coordinator")
    flagged = 0
    for quarter in ("2016-01-01", "2017-04-01", "2018-10-01"):
        body = client.get(f"/api/v1/paths/entrepreneur/tables/handoffs?start={quarter}").json()
        assert body["suppression"] is True and body["reach"] == "all"
        for row in body["rows"]:
            if row["suppressed"]:
                flagged += 1
                assert row["cases"] is None and row["handoffs"] is None
            else:
                assert row["cases"] >= web_settings.suppression_threshold
    assert flagged > 0


def test_analyst_own_reach_is_exact(app: FastAPI, web_settings: Settings) -> None:
    client = bearer(app, web_settings, "analyst")
    body = client.get("/api/v1/paths/entrepreneur/tables/variants?reach=own").json()
    assert body["suppression"] is False and body["reach"] == "own"
    assert any(row["cases"] and row["cases"] < 5 for row in body["rows"])


def test_openapi_documents_the_api(app: FastAPI) -> None:
    spec = TestClient(app).get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Sujuva API"
    assert "/api/v1/paths/{path}/tables/{table}" in spec["paths"]
    assert not any(path.startswith("/paths") for path in spec["paths"])
    assert TestClient(app).get("/api/docs").status_code == 200
