"""The data page's mapping step, source profiles, the linkage report and removing an import.

Real app-state database (SQLite, and PostgreSQL with ``SUJUVA_TEST_POSTGRES_URL``) and a real
store: a private copy of the demo region per test.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sujuva.config import Settings
from sujuva.errors import NotFoundError, PermissionDeniedError
from sujuva.services import accounts, source_profiles
from sujuva.services.account_records import DemoLogin
from sujuva.store.store import Store
from tests.web.conftest import csrf_of, make_app, sign_in

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
HEADER = "Asiakkuus;Vaihe;Aika;Organisaatio;Kanava;Henkilötunnus;Lisätieto\n"


def hetu(day: int, month: int, year: int, individual: int) -> str:
    """A valid personal identity code of the 1900s in the temporary range (900-999)."""
    digits = f"{day:02d}{month:02d}{year % 100:02d}{individual:03d}"
    return f"{digits[:6]}-{digits[6:]}{CHECK_CHARACTERS[int(digits) % 31]}"


def finnish_csv(organisation: str, rows: list[tuple[str, str, str, str, str, str]]) -> bytes:
    """A semicolon CSV with Finnish headers; rows: case, step, time, channel, code, extra."""
    lines = [
        f"{case};{step};{at};{organisation};{channel};{code};{extra}\n"
        for case, step, at, channel, code, extra in rows
    ]
    return (HEADER + "".join(lines)).encode("utf-8")


FIRST_MONTH = [
    ("T-1", "Business-idea counselling", "2.4.2019 8.56", "puhelin", hetu(1, 2, 80, 901), "a"),
    ("T-1", "Business plan and calculations", "9.4.2019 9.00", "verkko", hetu(1, 2, 80, 901), "b"),
    ("T-2", "Business-idea counselling", "3.4.2019 10.00", "käynti", hetu(3, 4, 75, 902), "c"),
]
NEXT_MONTH = [
    ("T-3", "Business-idea counselling", "6.5.2019 12.00", "puhelin", hetu(5, 6, 70, 903), "d"),
]


class FormValues(HTMLParser):
    """What a browser would post from one form: inputs, checked boxes, selected options."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self.select: str | None = None
        self.first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or a.get("form"):
            return
        if tag == "input" and "name" in a:
            if a.get("type") != "checkbox" or "checked" in a:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select, self.first = a["name"], None
        elif tag == "option" and self.select is not None:
            self.first = a.get("value", "") if self.first is None else self.first
            if "selected" in a:
                self.values[self.select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select is not None:
            self.values.setdefault(self.select, self.first or "")
            self.select = None
        elif tag == "form":
            self.inside = False


def form_values(html: str, form_id: str = "start-form") -> dict[str, str]:
    parser = FormValues(form_id)
    parser.feed(html)
    return dict(parser.values)


def selected(html: str, name: str) -> str | None:
    """The selected option of the select named ``name`` (None: none selected)."""
    match = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)" selected>', match.group(1))
    return chosen.group(1) if chosen else None


def _app(settings: Settings) -> tuple[FastAPI, dict[str, DemoLogin]]:
    app, found = make_app(settings)
    return app, {login.username: login for login in found}


def _client(app: FastAPI, logins: dict[str, DemoLogin], username: str) -> TestClient:
    return sign_in(TestClient(app), username, logins[username].password)


def _bearer(app: FastAPI, settings: Settings, username: str) -> TestClient:
    user = next(u for u in accounts.list_users(settings=settings) if u.username == username)
    token = accounts.create_token(user_id=user.id, name="test", settings=settings)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def upload(client: TestClient, name: str, content: bytes) -> str:
    token = csrf_of(client.get("/data").text)
    response = client.post(
        "/data/upload",
        data={"csrf_token": token},
        files={"files": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:400]
    return str(response.headers["location"])


def wait(client: TestClient, job_url: str) -> dict[str, Any]:
    for _ in range(600):
        state: dict[str, Any] = client.get(job_url + "/progress").json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def start(client: TestClient, job_url: str, data: dict[str, str]) -> dict[str, Any]:
    response = client.post(job_url + "/start", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:2000]
    state = wait(client, job_url)
    assert state["status"] == "done", client.get(job_url).text[-3000:]
    return state


def stored(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with Store(settings.data_dir).connect() as con:
        return [tuple(row) for row in con.execute(sql).fetchall()]


def test_mapping_form_preselects_the_guess_in_finnish(
    writable_settings: Settings,
) -> None:
    app, logins = _app(writable_settings)
    client = _client(app, logins, "analyst")
    organisation = logins["analyst"].organisation or ""
    page = client.get(upload(client, "asiakkaat.csv", finnish_csv(organisation, FIRST_MONTH)))
    assert page.status_code == 200
    html = page.text
    assert 'lang="fi"' in html and "Henkilötunnus" in html
    assert selected(html, "f0_case_id") == "Asiakkuus"
    assert selected(html, "f0_activity") == "Vaihe"
    assert selected(html, "f0_timestamp") == "Aika"
    assert selected(html, "f0_actor") == "Organisaatio"
    assert selected(html, "f0_channel") == "Kanava"
    assert selected(html, "f0_key_person") == "Henkilötunnus"
    assert selected(html, "f0_start_timestamp") is None
    assert selected(html, "f0_key_firm") is None
    assert 'name="f0_source" value="asiakkaat"' in html
    finnish = ("Asiakkuusnumero", "Y-tunnus", "Linkitysavaimet", "Aloita tuonti", "— ei mitään —")
    for text in finnish:
        assert text in html, text
    for text in ("Case number", "Completion time", "Personal identity code", "none —", "→ case_id"):
        assert text not in html, text
    assert "→ Asiakkuusnumero" in html and "→ Henkilötunnus" in html
    assert not {row[4] for row in FIRST_MONTH} & set(re.findall(r"\d{6}-\d{3}\w", html))
    assert "••••••-••••" in html, "identity codes are masked in the preview"


def test_missing_column_is_the_state_to_fix(writable_settings: Settings) -> None:
    app, logins = _app(writable_settings)
    client = _client(app, logins, "analyst")
    csv = b"Tunnus;Vaihe;Aika\nA-1;Business-idea counselling;2.4.2019 8.56\n"
    job_url = upload(client, "puuttuu.csv", csv)
    html = client.get(job_url).text
    assert selected(html, "f0_case_id") is None and selected(html, "f0_activity") == "Vaihe"
    assert "Valitse asiakkuusnumeron sarake" in html
    values = form_values(html)
    refused = client.post(job_url + "/start", data=values)
    assert refused.status_code == 422 and "Valitse asiakkuusnumeron sarake" in refused.text
    values["f0_case_id"] = "Tunnus"
    values["f0_const_path"] = "entrepreneur"
    start(client, job_url, values)
    assert (
        stored(writable_settings, "SELECT count(*) FROM event_log WHERE source = 'puuttuu'")[0][0]
        == 1
    )


def test_changed_mapping_is_what_is_imported(writable_settings: Settings) -> None:
    app, logins = _app(writable_settings)
    client = _client(app, logins, "analyst")
    organisation = logins["analyst"].organisation or ""
    job_url = upload(client, "asiakkaat.csv", finnish_csv(organisation, FIRST_MONTH))
    values = form_values(client.get(job_url).text)
    assert values["f0_mapped"] == "1" and values["f0_channel"] == "Kanava"
    values.update(f0_channel="Lisätieto", f0_source="te-asiakkaat")
    twice = dict(values, f0_outcome="Vaihe")
    refused = client.post(job_url + "/start", data=twice)
    assert refused.status_code == 422 and "valittu sekä" in refused.text
    start(client, job_url, values)
    rows = stored(
        writable_settings,
        "SELECT channel, \"Kanava\" FROM event_log WHERE source = 'te-asiakkaat' ORDER BY 1",
    )
    assert rows == [("a", "puhelin"), ("b", "verkko"), ("c", "käynti")]
    keys = stored(
        writable_settings, "SELECT customer_key FROM events WHERE source = 'te-asiakkaat'"
    )
    assert len(keys) == 3 and all(key for (key,) in keys), "every event has a person key"
    codes = {row[4] for row in FIRST_MONTH}
    assert not codes & {key for (key,) in keys}, "the identity codes are pseudonymised"


def test_profile_is_saved_and_used_next_month(writable_settings: Settings) -> None:
    app, logins = _app(writable_settings)
    client = _client(app, logins, "analyst")
    organisation = logins["analyst"].organisation or ""
    job_url = upload(client, "huhtikuu.csv", finnish_csv(organisation, FIRST_MONTH))
    values = form_values(client.get(job_url).text)
    values.update(
        f0_channel="Lisätieto",
        f0_source="te-asiakkaat",
        f0_save="1",
        f0_profile_name="TE asiakkaat",
    )
    start(client, job_url, values)
    data_page = client.get("/data").text
    assert "TE asiakkaat" in data_page and 'id="source-profiles"' in data_page
    analyst = accounts.get_principal(
        user_id=_user_id("analyst", writable_settings), settings=writable_settings
    )
    (profile,) = source_profiles.list_profiles(analyst, settings=writable_settings)
    assert profile.mapping.columns["channel"] == "Lisätieto"
    assert profile.mapping.keys == {"person": "Henkilötunnus"}
    assert profile.mapping.source == "te-asiakkaat"

    second = upload(client, "te-asiakkaat.csv", finnish_csv(organisation, NEXT_MONTH))
    html = client.get(second).text
    assert selected(html, "f0_profile") == str(profile.id)
    assert selected(html, "f0_channel") == "Lisätieto"
    token = csrf_of(html)
    start(client, second, {"csrf_token": token})  # one click: the preselected profile
    rows = stored(
        writable_settings,
        "SELECT channel, source, \"Kanava\" FROM event_log WHERE channel = 'd'",
    )
    assert rows == [("d", "te-asiakkaat", "puhelin")]

    other_job = upload(client, "muu.csv", finnish_csv(organisation, NEXT_MONTH))
    chosen = client.get(f"{other_job}?f0_profile={profile.id}").text
    assert selected(chosen, "f0_channel") == "Lisätieto"
    unchosen = client.get(f"{other_job}?f0_profile=").text
    assert selected(unchosen, "f0_channel") == "Kanava"


def test_another_organisation_cannot_see_or_use_a_profile(writable_settings: Settings) -> None:
    app, logins = _app(writable_settings)
    settings = writable_settings
    analyst = accounts.get_principal(user_id=_user_id("analyst", settings), settings=settings)
    other = accounts.get_principal(user_id=_user_id("analyst2", settings), settings=settings)
    coordinator = accounts.get_principal(
        user_id=_user_id("coordinator", settings), settings=settings
    )
    mapping = source_profiles.mapping_from_json(
        {"columns": {"channel": "Lisätieto"}, "source": "te-asiakkaat"}
    )
    profile = source_profiles.save_profile(
        analyst, name="TE asiakkaat", mapping=mapping, settings=settings
    )
    assert source_profiles.list_profiles(other, settings=settings) == []
    with pytest.raises(NotFoundError):
        source_profiles.get_profile(other, profile_id=profile.id, settings=settings)
    with pytest.raises(PermissionDeniedError):
        source_profiles.list_profiles(coordinator, settings=settings)

    client = _client(app, logins, "analyst2")
    assert "TE asiakkaat" not in client.get("/data").text
    organisation = logins["analyst2"].organisation or ""
    job_url = upload(client, "te-asiakkaat.csv", finnish_csv(organisation, NEXT_MONTH))
    html = client.get(f"{job_url}?f0_profile={profile.id}").text
    assert "TE asiakkaat" not in html and selected(html, "f0_channel") == "Kanava"
    token = csrf_of(html)
    refused = client.post(f"/data/profiles/{profile.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 404
    viewer = _client(app, logins, "viewer")
    token = csrf_of(viewer.get("/data").text)
    denied = viewer.post(f"/data/profiles/{profile.id}/delete", data={"csrf_token": token})
    assert denied.status_code == 403
    assert source_profiles.get_profile(analyst, profile_id=profile.id, settings=settings)

    own = _client(app, logins, "analyst")
    token = csrf_of(own.get("/data").text)
    deleted = own.post(
        f"/data/profiles/{profile.id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert deleted.status_code == 303
    assert source_profiles.list_profiles(analyst, settings=settings) == []


def test_linkage_api_scopes_and_suppresses(writable_settings: Settings) -> None:
    app, logins = _app(writable_settings)
    settings = writable_settings
    client = _client(app, logins, "analyst")
    organisation = logins["analyst"].organisation or ""
    job_url = upload(client, "te-asiakkaat.csv", finnish_csv(organisation, FIRST_MONTH))
    start(client, job_url, {"csrf_token": csrf_of(client.get(job_url).text)})
    threshold = settings.suppression_threshold

    mine = _bearer(app, settings, "analyst").get("/api/v1/linkage")
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["reach"] == "own" and body["threshold"] == threshold
    assert [row["source"] for row in body["sources"]] == ["te-asiakkaat"]
    (row,) = body["sources"]
    assert row["own"] is True and row["suppressed"] is False
    assert row["customers"] == 2 and row["events"] == 3 and row["keyed"] is True
    assert body["region"]["cases"] >= threshold

    overall = _bearer(app, settings, "coordinator").get("/api/v1/linkage").json()
    assert overall["reach"] == "all"
    by_source = {row["source"]: row for row in overall["sources"]}
    assert "te-asiakkaat" in by_source and len(by_source) > 1, "the demo's sources too"
    ours = by_source["te-asiakkaat"]
    assert ours["suppressed"] is True and ours["customers"] is None and ours["cases"] is None
    assert ours["events"] == 3
    for source_row in overall["sources"]:
        for column in ("customers", "shared_customers", "cases", "conflicting_cases"):
            value = source_row[column]
            assert value is None or value == 0 or value >= threshold, (column, source_row)

    borrowed = next(name for name in by_source if name != "te-asiakkaat")
    job_url = upload(client, "lainattu.csv", finnish_csv(organisation, NEXT_MONTH))
    values = dict(form_values(client.get(job_url).text), f0_source=borrowed)
    start(client, job_url, values)
    rows = _bearer(app, settings, "analyst").get("/api/v1/linkage").json()["sources"]
    flags = {row["source"]: row["own"] for row in rows}
    assert flags == {"te-asiakkaat": True, borrowed: False}, "a shared name is not one's own"

    others = _bearer(app, settings, "analyst2").get("/api/v1/linkage").json()
    assert "te-asiakkaat" not in {row["source"] for row in others["sources"]}
    assert _bearer(app, settings, "viewer").get("/api/v1/linkage").status_code == 403

    page = client.get("/data").text
    assert 'id="linkage"' in page and "te-asiakkaat" in page
    coordinator_page = _client(app, logins, "coordinator").get("/data").text
    assert 'id="linkage"' in coordinator_page
    assert '<span class="suppressed"' in coordinator_page
    assert f"&lt;{threshold}" in coordinator_page


def test_remove_import_through_the_api(writable_settings: Settings) -> None:
    app, logins = _app(writable_settings)
    settings = writable_settings
    before = Store(settings.data_dir).info().events
    client = _client(app, logins, "analyst")
    organisation = logins["analyst"].organisation or ""
    job_url = upload(client, "virhe.csv", finnish_csv(organisation, FIRST_MONTH))
    start(client, job_url, {"csrf_token": csrf_of(client.get(job_url).text)})
    assert Store(settings.data_dir).info().events == before + 3
    job_id = int(job_url.rsplit("/", 1)[1])
    job = accounts.get_import_job(job_id=job_id, settings=settings)
    assert job.report and len(job.report["store_imports"]) == 1

    assert _bearer(app, settings, "analyst2").delete(f"/api/v1/imports/{job_id}").status_code == 404
    assert _bearer(app, settings, "viewer").delete(f"/api/v1/imports/{job_id}").status_code == 403
    assert Store(settings.data_dir).info().events == before + 3
    removed = _bearer(app, settings, "analyst").delete(f"/api/v1/imports/{job_id}")
    assert removed.status_code == 200, removed.text
    assert removed.json()["removed"]["by"] == "analyst"
    assert Store(settings.data_dir).info().events == before
    assert _bearer(app, settings, "analyst").delete(f"/api/v1/imports/{job_id}").status_code == 409
    audit = [e for e in accounts.audit_entries(settings=settings) if e.action == "remove_import"]
    assert len(audit) == 1 and audit[0].target == f"job {job_id}" and audit[0].username == "analyst"
    assert "virhe.csv" in audit[0].detail


def test_remove_import_on_the_data_page(writable_settings: Settings) -> None:
    app, logins = _app(writable_settings)
    settings = writable_settings
    before = Store(settings.data_dir).info().events
    client = _client(app, logins, "analyst")
    organisation = logins["analyst"].organisation or ""
    job_url = upload(client, "virhe.csv", finnish_csv(organisation, FIRST_MONTH))
    start(client, job_url, {"csrf_token": csrf_of(client.get(job_url).text)})
    job_id = int(job_url.rsplit("/", 1)[1])
    history = client.get("/data").text
    assert f'href="/data/jobs/{job_id}/remove"' in history
    confirm = client.get(f"/data/jobs/{job_id}/remove")
    assert confirm.status_code == 200 and 'id="confirm-remove"' in confirm.text
    assert Store(settings.data_dir).info().events == before + 3
    without_token = client.post(f"/data/jobs/{job_id}/remove")
    assert without_token.status_code == 403
    done = client.post(
        f"/data/jobs/{job_id}/remove",
        data={"csrf_token": csrf_of(confirm.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert Store(settings.data_dir).info().events == before
    history = client.get("/data").text
    assert f'href="/data/jobs/{job_id}/remove"' not in history and "Poistettu" in history
    admin_page = _client(app, logins, "admin").get("/data").text
    assert f'id="job-{job_id}"' in admin_page
    assert _client(app, logins, "analyst2").get(f"/data/jobs/{job_id}/remove").status_code == 404


def test_excel_upload_offers_its_sheets(writable_settings: Settings, tmp_path: Path) -> None:
    app, logins = _app(writable_settings)
    client = _client(app, logins, "analyst")
    organisation = logins["analyst"].organisation or ""
    workbook_path = tmp_path / "tapahtumat.xlsx"
    with xlsxwriter.Workbook(workbook_path) as workbook:
        notes = workbook.add_worksheet("Ohje")
        notes.write_row(0, 0, ["Tämä välilehti on ohje"])
        events = workbook.add_worksheet("Tapahtumat")
        events.write_row(0, 0, ["Asiakkuus", "Toimenpide", "Pvm", "Organisaatio"])
        events.write_row(1, 0, ["X-1", "Business-idea counselling", "2019-04-02", organisation])
    job_url = upload(client, "tapahtumat.xlsx", workbook_path.read_bytes())
    first = client.get(job_url).text
    assert selected(first, "f0_sheet") == "Ohje"
    chosen = client.get(f"{job_url}?f0_sheet=Tapahtumat").text
    assert selected(chosen, "f0_sheet") == "Tapahtumat"
    assert selected(chosen, "f0_case_id") == "Asiakkuus"
    assert selected(chosen, "f0_activity") == "Toimenpide"
    assert "Business-idea counselling" in chosen
    values = form_values(chosen)
    assert values["f0_sheet"] == "Tapahtumat"
    values["f0_const_path"] = "entrepreneur"
    start(client, job_url, values)
    assert stored(
        writable_settings, "SELECT activity FROM event_log WHERE source = 'tapahtumat'"
    ) == [("Business-idea counselling",)]


def _user_id(username: str, settings: Settings) -> int:
    return next(u.id for u in accounts.list_users(settings=settings) if u.username == username)
