"""Fixtures of the web tests: one demo region built per session, an app per test on SQLite
and on PostgreSQL, and signed-in clients for each demo role."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sujuva.config import Settings, override_settings, reset_settings
from sujuva.services import (
    accounts,
    cache,
    challenges,
    dashboard,
    members,
    pilots,
    targets,
)
from sujuva.services.account_records import DemoLogin
from sujuva.store.appdb import dispose_engine
from sujuva.web.app import create_app
from tests.appstate import BACKENDS, fresh_postgres_database

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _web_settings(data_dir: Path, database_url: str) -> Settings:
    reset_settings()
    cache.clear()
    return override_settings(
        data_dir=data_dir, database_url=database_url, demo_dir=data_dir.parent / "files"
    )


@pytest.fixture(params=BACKENDS)
def web_settings(
    request: pytest.FixtureRequest,
    demo_region: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Settings]:
    """Settings over the shared demo store with a fresh app-state database of either kind."""
    for name in ("SUJUVA_DATA_DIR", "SUJUVA_DATABASE_URL", "SUJUVA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server_url")
        with fresh_postgres_database(server) as url:
            settings = _web_settings(demo_region, url)
            yield settings
            dispose_engine(settings=settings)
    else:
        settings = _web_settings(demo_region, f"sqlite:///{tmp_path / 'app.sqlite'}")
        yield settings
        dispose_engine(settings=settings)
    reset_settings()


@pytest.fixture
def writable_settings(web_settings: Settings, tmp_path: Path) -> Settings:
    """Like ``web_settings`` but over a private copy of the demo store (for imports)."""
    copy = tmp_path / "data-copy"
    shutil.copytree(web_settings.data_dir, copy, ignore=shutil.ignore_patterns("uploads"))
    cache.clear()
    return override_settings(data_dir=copy)


def make_app(settings: Settings) -> tuple[FastAPI, list[DemoLogin]]:
    app = create_app(settings)
    organisations = dashboard.organisations_by_activity(settings=settings)
    logins = accounts.ensure_demo_accounts(organisations=organisations, settings=settings)
    pilots.ensure_demo_pilots(settings=settings)
    members.ensure_demo_members(settings=settings)
    challenges.ensure_demo_challenges(settings=settings)
    targets.ensure_demo_jobs(settings=settings)
    return app, logins


@pytest.fixture
def app(web_settings: Settings) -> FastAPI:
    return make_app(web_settings)[0]


@pytest.fixture
def logins(web_settings: Settings, app: FastAPI) -> dict[str, DemoLogin]:
    organisations = dashboard.organisations_by_activity(settings=web_settings)
    found = accounts.ensure_demo_accounts(organisations=organisations, settings=web_settings)
    return {login.username: login for login in found}


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str) -> TestClient:
    """Sign ``client`` in through the login form (with its CSRF token)."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return client


@pytest.fixture
def client_for(app: FastAPI, logins: dict[str, DemoLogin]) -> Callable[[str], TestClient]:
    """A signed-in client for a demo user name (admin, coordinator, analyst, viewer, analyst2)."""

    def make(username: str) -> TestClient:
        login = logins[username]
        return sign_in(TestClient(app), login.username, login.password)

    return make
