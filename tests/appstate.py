"""Fixtures for the app-state database: tests using ``app_settings`` run on SQLite and PostgreSQL.

PostgreSQL needs ``SUJUVA_TEST_POSTGRES_URL`` (a database on the server that the user may
connect to, the user having CREATEDB), e.g.
``postgresql+psycopg://sujuva:sujuva@127.0.0.1:5432/sujuva_test``; ``.ci/run --setup-only``
prepares exactly that. Each test gets a database of its own, dropped afterwards. Without the
variable the PostgreSQL half is skipped, except in CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

from sujuva.config import Settings, override_settings
from sujuva.store.appdb import dispose_engine, upgrade_database

POSTGRES_ENV = "SUJUVA_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The URL of the PostgreSQL test database (``SUJUVA_TEST_POSTGRES_URL``), or a skip."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        if os.environ.get("CI"):
            pytest.fail(
                f"{POSTGRES_ENV} is not set: CI must test the app state on PostgreSQL "
                "(.ci/run starts a server and sets it)"
            )
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (see tests/appstate.py)")
    return url


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """Create a database with a unique name on the server of ``server_url``; drop it after."""
    url = make_url(server_url)
    name = f"sujuva_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def app_backend(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    """Settings pointing at an empty app-state database on SQLite or PostgreSQL (no schema)."""
    if request.param == "postgresql":
        server_url = request.getfixturevalue("postgres_server_url")
        with fresh_postgres_database(server_url) as url:
            chosen = override_settings(database_url=url)
            try:
                yield chosen
            finally:
                dispose_engine(settings=chosen)
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    chosen = override_settings(database_url=f"sqlite:///{settings.data_dir / 'app.sqlite'}")
    try:
        yield chosen
    finally:
        dispose_engine(settings=chosen)


@pytest.fixture
def app_settings(app_backend: Settings) -> Settings:
    """Settings whose app-state database (SQLite or PostgreSQL) is upgraded to the newest schema."""
    upgrade_database(settings=app_backend)
    return app_backend
