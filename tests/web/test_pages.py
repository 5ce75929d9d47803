"""Route tests of the dashboard pages on a real store and a real app-state database."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from sujuva.config import Settings
from sujuva.services import accounts
from sujuva.services.account_records import DemoLogin
from sujuva.store.store import Store
from tests.web.conftest import csrf_of, make_app, sign_in


def test_sign_in_and_out(app: FastAPI, logins: dict[str, DemoLogin]) -> None:
    client = TestClient(app)
    assert client.get("/overview", follow_redirects=False).headers["location"].startswith("/login")
    login = logins["coordinator"]
    sign_in(client, login.username, login.password)
    page = client.get("/overview")
    assert page.status_code == 200 and 'lang="fi"' in page.text
    client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert client.get("/overview", follow_redirects=False).status_code == 303


def test_wrong_password_and_rate_limit(
    app: FastAPI, web_settings: Settings, logins: dict[str, DemoLogin]
) -> None:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    statuses = []
    for _ in range(web_settings.login_attempts + 1):
        response = client.post(
            "/login",
            data={"username": "analyst", "password": "wrong-password", "csrf_token": token},
        )
        statuses.append(response.status_code)
    assert statuses[:-1] == [401] * web_settings.login_attempts
    assert statuses[-1] == 429
    right = client.post(
        "/login",
        data={"username": "analyst", "csrf_token": token, "password": logins["analyst"].password},
    )
    assert right.status_code == 429, "a locked account stays locked even with the right password"


def test_security_headers(client_for: Callable[[str], TestClient]) -> None:
    response = client_for("coordinator").get("/paths/entrepreneur")
    csp = response.headers["content-security-policy"]
    script = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script and "unsafe-eval" not in script
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # no inline scripts at all


def test_session_cookie_flags(app: FastAPI, logins: dict[str, DemoLogin]) -> None:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    login = logins["viewer"]
    response = client.post(
        "/login",
        data={"username": login.username, "password": login.password, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_language_switch_and_formats(client_for: Callable[[str], TestClient]) -> None:
    client = client_for("coordinator")
    finnish = client.get("/paths/entrepreneur?start=2017-04-01")
    assert 'lang="fi"' in finnish.text
    assert "1.4.2017" in client.get("/overview").text or "2017" in finnish.text
    client.post("/language", data={"language": "en", "csrf_token": csrf_of(finnish.text)})
    english = client.get("/paths/entrepreneur?start=2017-04-01")
    assert 'lang="en"' in english.text
    assert "Lead time" in english.text
    client.post("/language", data={"language": "fi", "csrf_token": csrf_of(english.text)})
    assert 'lang="fi"' in client.get("/overview").text


def test_path_page_and_map_slider(client_for: Callable[[str], TestClient]) -> None:
    client = client_for("analyst")
    page = client.get("/paths/entrepreneur?reach=own")
    assert page.status_code == 200
    assert 'id="process-map"' in page.text
    full = client.get("/paths/entrepreneur/map.svg?reach=own&activities=100&arcs=100")
    lean = client.get("/paths/entrepreneur/map.svg?reach=own&activities=30&arcs=30")
    assert full.headers["content-type"].startswith("image/svg+xml")
    assert lean.text.count("<path") < full.text.count("<path")
    assert client.get("/paths/entrepreneur/map.svg?activities=500").status_code == 400


def test_compare_page(client_for: Callable[[str], TestClient]) -> None:
    response = client_for("coordinator").get(
        "/paths/entrepreneur/compare?a_start=2016-04-01&b_start=2017-04-01"
    )
    assert response.status_code == 200
    assert 'id="compare-lead"' in response.text


def test_bad_dates_are_a_clear_error(client_for: Callable[[str], TestClient]) -> None:
    response = client_for("coordinator").get("/paths/entrepreneur?start=12.4.2017")
    assert response.status_code == 400
    assert "is not a date" in response.text


def _upload(client: TestClient, name: str, content: bytes, *, quarantine: bool) -> str:
    page = client.get("/data")
    token = csrf_of(page.text)
    response = client.post(
        "/data/upload",
        data={"csrf_token": token},
        files={"files": (name, content, "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:400]
    job_url = response.headers["location"]
    preview = client.get(job_url)
    assert "case_id" in preview.text
    data = {"csrf_token": token, "path_name": "entrepreneur"}
    if quarantine:
        data["quarantine"] = "true"
    client.post(job_url + "/start", data=data)
    for _ in range(200):
        state = client.get(job_url + "/progress").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    return job_url


def test_upload_bad_csv_shows_line_and_changes_nothing(
    writable_settings: Settings, logins: dict[str, DemoLogin]
) -> None:
    app, _ = make_app(writable_settings)
    client = sign_in(TestClient(app), "analyst", logins["analyst"].password)
    organisation = logins["analyst"].organisation
    before = Store(writable_settings.data_dir).info().events
    csv = (
        "case_id,activity,timestamp,actor\n"
        f"N-1,Business-idea counselling,2018-11-01 09:00,{organisation}\n"
        f"N-1,Business plan and calculations,yesterday,{organisation}\n"
        "N-1,Start-up grant decision,2018-11-20 09:00,Some Other Org\n"
    ).encode()
    job_url = _upload(client, "bad.csv", csv, quarantine=False)
    report = client.get(job_url).text
    assert "rivi 3" in report and "rivi 4" in report  # the demo analyst reads Finnish
    assert "the organisation is not yours" in report
    assert Store(writable_settings.data_dir).info().events == before


def test_upload_with_quarantine_imports_good_rows(
    writable_settings: Settings, logins: dict[str, DemoLogin]
) -> None:
    app, _ = make_app(writable_settings)
    client = sign_in(TestClient(app), "analyst", logins["analyst"].password)
    organisation = logins["analyst"].organisation
    before = Store(writable_settings.data_dir).info().events
    csv = (
        "case_id,activity,timestamp,actor\n"
        f"N-2,Business-idea counselling,2018-11-01 09:00,{organisation}\n"
        f"N-2,Business plan and calculations,nonsense,{organisation}\n"
    ).encode()
    job_url = _upload(client, "mixed.csv", csv, quarantine=True)
    assert Store(writable_settings.data_dir).info().events == before + 1
    rejected = client.get(job_url + "/rejected.csv")
    assert rejected.status_code == 200 and "nonsense" in rejected.text
    history = client.get("/data").text
    assert "mixed.csv" in history
    assert any(e.action == "import" for e in accounts.audit_entries(settings=writable_settings))


def test_admin_creates_user(client_for: Callable[[str], TestClient], tmp_path: Path) -> None:
    client = client_for("admin")
    page = client.get("/admin")
    token = csrf_of(page.text)
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "newcoach",
            "password": "long-enough-pw",
            "role": "viewer",
            "organisation": "PRH",
            "language": "en",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "newcoach" in client.get("/admin").text
    short = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "x2",
            "password": "short",
            "role": "viewer",
            "organisation": "PRH",
        },
    )
    assert short.status_code == 400
