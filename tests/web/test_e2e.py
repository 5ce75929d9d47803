"""End to end: Debian's Chromium, driven by Playwright, against a real uvicorn server.

The server runs in a background thread over a private copy of the demo store with its own
SQLite app database. Every page visited is screenshotted into ``test-artifacts/e2e/`` (at the
repository root, gitignored) so that a person can look at what the browser saw. Console errors
fail a test: a Content Security Policy violation or a missing resource shows up as one.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sujuva.config import Settings, override_settings, reset_settings
from sujuva.services import accounts, cache
from sujuva.services.account_records import DemoLogin
from sujuva.store.appdb import dispose_engine
from sujuva.store.store import Store
from tests.web.conftest import make_app

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests", pytrace=False)
    pytest.skip(
        f"end-to-end tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

import uvicorn  # noqa: E402
from playwright.sync_api import (  # noqa: E402
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 30_000
PATH = "entrepreneur"
# The app serves no favicon, so Chromium's own request for one logs a 404: browser noise, not
# a page's fault. Every other failed resource, script error or CSP violation fails the test.
FAVICON = "/favicon.ico"


@dataclass
class Server:
    base_url: str
    settings: Settings
    logins: dict[str, DemoLogin]


@dataclass
class Visit:
    """A browser page of one test: screenshots per step, console errors collected."""

    page: Page
    name: str
    errors: list[str] = field(default_factory=list)

    def shot(self, step: str) -> None:
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=ARTIFACTS / f"{self.name}-{step}.png", full_page=True)

    def assert_clean(self) -> None:
        assert not self.errors, "console errors in the browser:\n" + "\n".join(self.errors)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(demo_region: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn in a thread over a private copy of the demo store and a fresh SQLite app DB."""
    folder = tmp_path_factory.mktemp("e2e")
    data_dir = folder / "data"
    shutil.copytree(demo_region, data_dir, ignore=shutil.ignore_patterns("uploads"))
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SUJUVA_DATA_DIR", "SUJUVA_DATABASE_URL", "SUJUVA_SECRET_KEY"):
            patch.delenv(name, raising=False)
        patch.chdir(folder)
        reset_settings()
        cache.clear()
        settings = override_settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{folder / 'app.sqlite'}",
            demo_dir=demo_region.parent / "files",
        )
        app, found = make_app(settings)
        config = uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning")
        runner = uvicorn.Server(config)
        thread = threading.Thread(target=runner.run, name="e2e-uvicorn", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not runner.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
            time.sleep(0.05)
        try:
            yield Server(
                f"http://127.0.0.1:{config.port}",
                settings,
                {login.username: login for login in found},
            )
        finally:
            runner.should_exit = True
            thread.join(timeout=15)
            dispose_engine(settings=settings)
            reset_settings()
            cache.clear()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture
def visit(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Visit]:
    """A fresh browser context (no cookies) for one test, its console watched."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    name = re.sub(r"\W+", "_", request.node.name).strip("_")
    found = Visit(page, name)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url", "")
            if source.endswith(FAVICON):
                return
            found.errors.append(f"{page.url}: {message.text} ({source})")

    page.on("console", console)
    page.on("pageerror", lambda error: found.errors.append(f"{page.url}: {error}"))

    def response(answer: Response) -> None:
        if answer.status >= 400:
            found.errors.append(f"HTTP {answer.status} for {answer.url}")

    page.on("response", response)
    yield found
    context.close()


def _sign_in(visit: Visit, server: Server, username: str) -> None:
    page = visit.page
    login = server.logins[username]
    page.goto("/login")
    visit.shot("login")
    page.fill("input[name=username]", login.username)
    page.fill("input[name=password]", login.password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/overview$"))


def _wait_for_charts(page: Page) -> None:
    page.wait_for_selector(".chart .plot-container svg", state="attached")


def test_sign_in_shows_overview_with_charts(visit: Visit, server: Server) -> None:
    page = visit.page
    _sign_in(visit, server, "analyst")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.locator("h1")).to_have_text("Alueen yleiskuva")
    _wait_for_charts(page)
    charts = page.locator(".chart")
    assert charts.count() == 4, "one trend chart per path"
    for index in range(charts.count()):
        expect(charts.nth(index).locator(".plot-container svg.main-svg").first).to_be_visible()
        expect(charts.nth(index).locator(".scatterlayer .trace").first).to_be_attached()
    visit.shot("overview")
    visit.assert_clean()


def test_language_switch(visit: Visit, server: Server) -> None:
    page = visit.page
    _sign_in(visit, server, "analyst")
    expect(page.locator("h1")).to_have_text("Alueen yleiskuva")
    try:
        with page.expect_navigation():
            page.select_option("#language-select", "en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text("Region overview")
        expect(page.locator("#logout")).to_have_text("Sign out")
        assert page.url.endswith("/overview")
        _wait_for_charts(page)
        visit.shot("english")
        with page.expect_navigation():
            page.select_option("#language-select", "fi")
        expect(page.locator("html")).to_have_attribute("lang", "fi")
        expect(page.locator("h1")).to_have_text("Alueen yleiskuva")
        _wait_for_charts(page)
        visit.shot("finnish")
    finally:  # the choice is saved with the user: leave the other tests a Finnish analyst
        analyst = next(
            u for u in accounts.list_users(settings=server.settings) if u.username == "analyst"
        )
        accounts.update_user(user_id=analyst.id, language="fi", settings=server.settings)
    visit.assert_clean()


def test_map_slider_redraws_map(visit: Visit, server: Server) -> None:
    page = visit.page
    _sign_in(visit, server, "analyst")
    page.goto(f"/paths/{PATH}?start=2017-04-01")
    image = page.locator("img#process-map")
    page.wait_for_function(
        "() => { const i = document.getElementById('process-map');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    _wait_for_charts(page)
    visit.shot("path")
    before = image.evaluate("i => i.src")
    assert "activities=100" in before
    slider = page.locator("#activities-slider")
    slider.fill("40")
    slider.dispatch_event("change")
    page.wait_for_function(
        "old => { const i = document.getElementById('process-map');"
        " return i.src !== old && i.src.includes('activities=40')"
        " && i.complete && i.naturalWidth > 0; }",
        arg=before,
    )
    expect(page.locator("#activities-slider + output")).to_have_text("40 %")
    visit.shot("slider")
    visit.assert_clean()


def test_compare_periods(visit: Visit, server: Server) -> None:
    page = visit.page
    _sign_in(visit, server, "analyst")
    page.goto(f"/paths/{PATH}/compare")
    expect(page.locator("#compare-lead")).to_be_visible()
    visit.shot("compare-default")
    page.select_option("#a-start", "2017-04-01")
    page.select_option("#b-start", "2018-04-01")
    with page.expect_navigation():
        page.click("#compare-submit")
    assert "a_start=2017-04-01" in page.url and "b_start=2018-04-01" in page.url
    lead = page.locator("#compare-lead")
    expect(lead).to_be_visible()
    expect(lead.locator("thead")).to_contain_text("1.4.2017")
    expect(lead.locator("thead")).to_contain_text("1.4.2018")
    assert lead.locator("tbody tr").count() == 4
    expect(page.locator("#a-start")).to_have_value("2017-04-01")
    expect(page.locator("#b-start")).to_have_value("2018-04-01")
    visit.shot("compare-chosen")
    visit.assert_clean()


def test_upload_bad_csv_reports_its_line(visit: Visit, server: Server, tmp_path: Path) -> None:
    page = visit.page
    organisation = server.logins["analyst"].organisation
    bad = tmp_path / "bad-times.csv"
    bad.write_text(
        "case_id,activity,timestamp,actor\n"
        f"E2E-1,Registration,2018-03-01T09:00:00,{organisation}\n"
        f"E2E-1,First interview,not a time,{organisation}\n",
        encoding="utf-8",
    )
    _sign_in(visit, server, "analyst")
    page.goto("/data")
    visit.shot("data")
    page.set_input_files("#upload-files", bad)
    with page.expect_navigation():
        page.click("#upload-submit")
    assert re.search(r"/data/jobs/\d+$", page.url), page.url
    expect(page.locator("#start-import")).to_be_visible()
    expect(page.locator("table.preview")).to_contain_text("not a time")
    visit.shot("preview")
    page.fill("input[name=f0_const_path]", "job_search")
    page.click("#start-import")
    problems = page.locator("#problems")
    expect(problems).to_be_visible(timeout=60_000)
    row = problems.locator("tbody tr", has_text="rivi 3")  # the analyst reads Finnish
    expect(row).to_have_count(1)
    expect(row).to_contain_text("bad-times.csv")
    expect(row).to_contain_text("timestamp")
    expect(row).to_contain_text("not a time")
    visit.shot("report")
    visit.assert_clean()


def test_sign_out(visit: Visit, server: Server) -> None:
    page = visit.page
    _sign_in(visit, server, "coordinator")
    _wait_for_charts(page)
    visit.shot("overview")
    with page.expect_navigation():
        page.click("#logout")
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.locator("input[name=password]")).to_be_visible()
    visit.shot("signed-out")
    page.goto("/overview")
    page.wait_for_url(re.compile(r"/login\?next=/overview$"))
    visit.assert_clean()


def _joensuu_entrepreneurs_since(data_dir: Path, day: str) -> int:
    """The pilot group's size, counted from the store independently of the pilot service:
    Joensuu's entrepreneur cases whose first counselling is on or after ``day``."""
    with Store(data_dir).connect() as con:
        con.execute("SET TimeZone = 'Europe/Helsinki'")
        return int(
            con.execute(
                """
                SELECT count(*) FROM cases c JOIN paths p ON p.code = c.path_code
                WHERE p.name = 'entrepreneur' AND c."case:municipality" = 'Joensuu'
                  AND c.case_idx IN (
                      SELECT e.case_idx FROM events e JOIN activities a
                        ON a.code = e.activity_code
                      WHERE a.name = 'Business-idea counselling' GROUP BY e.case_idx
                      HAVING min(e.ts)::DATE >= ?::DATE)
                """,
                [day],
            ).fetchall()[0][0]
        )


def test_pilot_result_and_registration(visit: Visit, server: Server) -> None:
    page = visit.page
    _sign_in(visit, server, "analyst")
    page.goto("/pilots")
    visit.shot("pilot-list")
    with page.expect_navigation():
        page.click("#pilot-list a >> text=One-stop shop")
    expect(page.locator("#verdict")).to_contain_text("lyheni")
    _wait_for_charts(page)
    visit.shot("pilot-result")
    page.goto("/pilots/new?path=entrepreneur")
    page.fill("input[name=name]", "Joensuu again, from the browser")
    page.fill("input[name=start]", "2017-06-01")
    page.fill("textarea[name=group_where]", "municipality=Joensuu")
    page.select_option("select[name=outcome_from]", "Business-idea counselling")
    page.select_option("select[name=outcome_to]", "Start-up grant decision")
    expected = _joensuu_entrepreneurs_since(server.settings.data_dir, "2017-06-01")
    expect(page.locator("#live-count")).to_contain_text(f"Kokeiluryhmä: {expected}", timeout=15_000)
    visit.shot("pilot-form")
    with page.expect_navigation():
        page.click("#save-pilot")
    expect(page.locator("#verdict")).to_be_visible()
    assert re.search(r"/pilots/\d+$", page.url)
    visit.shot("pilot-registered")
    visit.assert_clean()


def test_network_challenges_and_target(visit: Visit, server: Server) -> None:
    page = visit.page
    _sign_in(visit, server, "analyst")
    page.goto("/network")
    expect(page.locator("#network-drawing svg")).to_be_visible()
    expect(page.locator("#network-edges tbody tr").first).to_be_visible()
    visit.shot("network")
    page.goto("/challenges")
    page.fill("#post-challenge input[name=title]", "<b>Queue</b> at the TE Office")
    page.fill("#post-challenge textarea[name=body]", "<script>window.hacked = 1</script>")
    with page.expect_navigation():
        page.click("#post-challenge button[type=submit]")
    expect(page.locator("h1")).to_contain_text("<b>Queue</b>")
    expect(page.locator("#challenge-body")).to_contain_text("<script>")
    assert page.evaluate("window.hacked === undefined")
    visit.shot("challenge")
    page.goto("/target")
    _wait_for_charts(page)
    expect(page.locator("#total-effect")).to_contain_text("M€")
    page.fill("#what-if input[name=jobs]", "1000")
    with page.expect_navigation():
        page.click("#what-if button[type=submit]")
    expect(page.locator("#what-if-result")).to_contain_text("220,5")
    visit.shot("target")
    visit.assert_clean()


def _finnish_export(path: Path, organisation: str) -> Path:
    """A semicolon CSV with Finnish headers and a column of (temporary-range) identity codes."""
    check = "0123456789ABCDEFHJKLMNPRSTUVWXY"
    codes = []
    for day, individual in ((11, 901), (12, 902)):
        digits = f"{day:02d}0380{individual:03d}"
        codes.append(f"{digits[:6]}-{digits[6:]}{check[int(digits) % 31]}")
    path.write_text(
        "Asiakkuus;Vaihe;Aika;Organisaatio;Henkilötunnus\n"
        f"K-1;Business-idea counselling;2.4.2019 8.56;{organisation};{codes[0]}\n"
        f"K-1;Business plan and calculations;9.4.2019 9.00;{organisation};{codes[0]}\n"
        f"K-2;Business-idea counselling;3.4.2019 10.00;{organisation};{codes[1]}\n",
        encoding="utf-8",
    )
    return path


def _upload_file(page: Page, path: Path) -> None:
    page.goto("/data")
    page.set_input_files("#upload-files", path)
    with page.expect_navigation():
        page.click("#upload-submit")
    assert re.search(r"/data/jobs/\d+$", page.url), page.url


def test_mapping_step_linkage_and_removal(visit: Visit, server: Server, tmp_path: Path) -> None:
    page = visit.page
    organisation = server.logins["analyst"].organisation or ""
    export = _finnish_export(tmp_path / "kuntakokeilu.csv", organisation)
    _sign_in(visit, server, "analyst")
    _upload_file(page, export)
    expect(page.locator("select[name=f0_key_person]")).to_have_value("Henkilötunnus")
    expect(page.locator("select[name=f0_case_id]")).to_have_value("Asiakkuus")
    expect(page.locator("select[name=f0_timestamp]")).to_have_value("Aika")
    expect(page.locator("#file-0")).to_contain_text("Linkitysavaimet")
    expect(page.locator("label[for=f0_key_person]")).to_have_text("Henkilötunnus")
    expect(page.locator("#start-import")).to_have_text("Aloita tuonti")
    visit.shot("mapping-fi")
    page.check("input[name=f0_save]")
    page.fill("input[name=f0_profile_name]", "Kuntakokeilu")
    page.click("#start-import")
    expect(page.locator("dl.figures")).to_be_visible(timeout=60_000)
    expect(page.locator("h2")).to_contain_text("Tarkistusraportti")
    visit.shot("imported-fi")
    page.goto("/data")
    linkage = page.locator("#linkage")
    expect(linkage).to_contain_text("Linkitys")
    expect(linkage.locator("#linkage-sources tbody tr")).to_have_count(1)
    expect(linkage.locator("#linkage-sources")).to_contain_text("kuntakokeilu")
    expect(page.locator("#source-profiles")).to_contain_text("Kuntakokeilu")
    cases = linkage.locator("#linkage-region dd").first.inner_text()
    assert re.fullmatch(r"\d{1,3}(?:[\u00a0\u202f ]\d{3})+", cases), cases  # 20 458
    visit.shot("linkage-fi")
    try:
        with page.expect_navigation():
            page.select_option("#language-select", "sv")
        expect(page.locator("html")).to_have_attribute("lang", "sv")
        expect(page.locator("#linkage h2")).to_have_text("Länkning")
        visit.shot("linkage-sv")
        _upload_file(page, export)
        expect(page.locator("select[name=f0_key_person]")).to_have_value("Henkilötunnus")
        expect(page.locator("select[name=f0_profile]")).to_have_value(re.compile(r"\d+"))
        expect(page.locator("#file-0")).to_contain_text("Länkningsnycklar")
        visit.shot("mapping-sv")
        page.goto("/data")
        with page.expect_navigation():
            page.click("#import-history a.button >> nth=0")
        expect(page.locator("#confirm-remove")).to_have_text("Ta bort importen")
        visit.shot("remove-sv")
        with page.expect_navigation():
            page.click("#confirm-remove")
        expect(page.locator("#import-history")).to_contain_text("Borttagen")
        expect(page.locator("#linkage-sources tbody tr")).to_have_count(1)
        visit.shot("removed-sv")
    finally:
        analyst = next(
            u for u in accounts.list_users(settings=server.settings) if u.username == "analyst"
        )
        accounts.update_user(user_id=analyst.id, language="fi", settings=server.settings)
    visit.assert_clean()
