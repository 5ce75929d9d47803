"""Names users give (a path in an upload, a source name) are data, never markup: every page
that shows them escapes them, whatever language the reader uses.

A path named ``<meta http-equiv=refresh …>`` rendered through gettext used to send every
reader of the overview off-site (the CSP stops scripts, not a meta refresh).
"""

from __future__ import annotations

import time
from urllib.parse import quote

from fastapi.testclient import TestClient

from sujuva.config import Settings
from sujuva.services.account_records import DemoLogin
from tests.web.conftest import csrf_of, make_app, sign_in

HOSTILE = "<meta http-equiv=refresh content='0;url=//example.invalid/'>"


def _import_hostile_path(client: TestClient, organisation: str) -> None:
    page = client.get("/data")
    token = csrf_of(page.text)
    content = (
        "case_id,path,activity,timestamp,actor\n"
        f'H-1,"{HOSTILE}",Business-idea counselling,2018-11-01 09:00,{organisation}\n'
        f'H-1,"{HOSTILE}",Business plan and calculations,2018-11-05 09:00,{organisation}\n'
    ).encode()
    response = client.post(
        "/data/upload",
        data={"csrf_token": token},
        files={"files": ("hostile.csv", content, "text/csv")},
        follow_redirects=False,
    )
    job_url = response.headers["location"]
    client.post(job_url + "/start", data={"csrf_token": token})
    for _ in range(400):
        state = client.get(job_url + "/progress").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert state["status"] == "done", state


def test_a_hostile_path_name_is_shown_as_text(
    writable_settings: Settings, logins: dict[str, DemoLogin]
) -> None:
    app, _ = make_app(writable_settings)
    analyst = sign_in(TestClient(app), "analyst", logins["analyst"].password)
    _import_hostile_path(analyst, logins["analyst"].organisation or "")
    coordinator = sign_in(TestClient(app), "coordinator", logins["coordinator"].password)
    pages = ["/overview", f"/paths/{quote(HOSTILE, safe='')}", "/data", "/pilots/new", "/target"]
    shown = 0
    for client in (analyst, coordinator):
        for url in pages:
            html = client.get(url).text
            assert "<meta http-equiv=refresh" not in html, url
            shown += "&lt;meta http-equiv=refresh" in html
    assert shown >= 3  # the name is there, escaped (overview, the path's own page, the form)
