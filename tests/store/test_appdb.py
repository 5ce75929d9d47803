"""The app-state database: migrations, schema, engines and sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from sujuva.config import Settings, override_settings, reset_settings
from sujuva.store import appdb
from sujuva.store.appdb import (
    AuditRow,
    Base,
    Organisation,
    User,
    alembic_config,
    database_url,
    engine_for,
    session_scope,
    upgrade_database,
)

TABLES = {
    "organisations",
    "users",
    "api_tokens",
    "saved_views",
    "import_jobs",
    "audit_log",
    "login_failures",
    "pilots",
    "challenges",
    "challenge_members",
    "challenge_comments",
    "challenge_status_history",
    "challenge_pilots",
    "job_records",
    "targets",
    "source_profiles",
}


def _tables(settings: Settings) -> set[str]:
    return set(inspect(engine_for(settings=settings)).get_table_names()) - {"alembic_version"}


def _revision(settings: Settings) -> str | None:
    with engine_for(settings=settings).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_upgrade_creates_every_table(app_backend: Settings) -> None:
    assert _tables(app_backend) == set()
    upgrade_database(settings=app_backend)
    assert _tables(app_backend) == TABLES
    assert _revision(app_backend) == ScriptDirectory(str(appdb.MIGRATIONS)).get_current_head()


def test_upgrade_twice_changes_nothing(app_settings: Settings) -> None:
    upgrade_database(settings=app_settings)
    assert _tables(app_settings) == TABLES


def test_downgrade_to_base_and_up_again(app_settings: Settings) -> None:
    with session_scope(settings=app_settings) as session:
        session.add(Organisation(code="A", name="A", created_at=appdb.utc_now()))
    with engine_for(settings=app_settings).begin() as connection:
        command.downgrade(alembic_config(connection=connection), "base")
    assert _tables(app_settings) == set()
    assert _revision(app_settings) is None
    upgrade_database(settings=app_settings)
    assert _tables(app_settings) == TABLES
    with session_scope(settings=app_settings) as session:
        assert session.scalars(select(Organisation)).all() == []


def test_migrations_match_the_models(app_settings: Settings) -> None:
    with engine_for(settings=app_settings).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_are_packaged_with_one_head() -> None:
    folder = appdb.MIGRATIONS
    assert (folder / "env.py").is_file()
    assert (folder / "script.py.mako").is_file()
    assert ScriptDirectory(str(folder)).get_heads() == ["0004"]
    assert Path(appdb.__file__).resolve().parent / "migrations" == folder


def test_migrations_run_from_the_installed_package(tmp_path: Path) -> None:
    """A fresh interpreter finds the migrations through the installed package alone."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    script = (
        "from sujuva.config import override_settings\n"
        "from sujuva.store.appdb import upgrade_database\n"
        f"upgrade_database(settings=override_settings(database_url={url!r}))\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True)
    assert (tmp_path / "fresh.sqlite").stat().st_size > 0


def test_default_url_is_sqlite_in_the_data_dir(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUJUVA_DATABASE_URL", raising=False)
    reset_settings()
    chosen = override_settings(data_dir=settings.data_dir)
    assert not chosen.data_dir.exists()
    url = database_url(settings=chosen)
    assert url == f"sqlite:///{(settings.data_dir / 'app.sqlite').resolve()}"
    assert chosen.data_dir.is_dir()
    explicit = override_settings(database_url="postgresql+psycopg://u:p@h/db")
    assert database_url(settings=explicit) == "postgresql+psycopg://u:p@h/db"


def test_engine_is_cached_per_url(app_settings: Settings, tmp_path: Path) -> None:
    assert engine_for(settings=app_settings) is engine_for(settings=app_settings)
    other = app_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'o.sqlite'}"})
    try:
        assert engine_for(settings=other) is not engine_for(settings=app_settings)
    finally:
        appdb.dispose_engine(settings=other)


def test_sqlite_connections_use_wal_and_foreign_keys(app_settings: Settings) -> None:
    engine = engine_for(settings=app_settings)
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == appdb.BUSY_TIMEOUT_MS


def test_foreign_keys_are_enforced(app_settings: Settings) -> None:
    with (
        pytest.raises(IntegrityError),
        session_scope(settings=app_settings) as session,
    ):
        session.add(_user("x", organisation_id=999))


def _user(username: str, *, role: str = "analyst", organisation_id: int | None = None) -> User:
    return User(
        username=username,
        password_hash="x",
        role=role,
        organisation_id=organisation_id,
        language="fi",
        active=True,
        created_at=appdb.utc_now(),
    )


def test_role_is_check_constrained(app_settings: Settings) -> None:
    with (
        pytest.raises(IntegrityError),
        session_scope(settings=app_settings) as session,
    ):
        session.add(_user("x", role="superuser"))


def test_username_is_unique(app_settings: Settings) -> None:
    with session_scope(settings=app_settings) as session:
        session.add(_user("same", role="admin"))
    with (
        pytest.raises(IntegrityError),
        session_scope(settings=app_settings) as session,
    ):
        session.add(_user("same", role="admin"))


def test_session_scope_commits_or_rolls_back(app_settings: Settings) -> None:
    with session_scope(settings=app_settings) as session:
        session.add(AuditRow(at=appdb.utc_now(), action="kept"))
    with pytest.raises(RuntimeError), session_scope(settings=app_settings) as session:
        session.add(AuditRow(at=appdb.utc_now(), action="dropped"))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(settings=app_settings) as session:
        assert session.scalars(select(AuditRow.action)).all() == ["kept"]


def test_times_come_back_as_the_same_utc_instant(app_settings: Settings) -> None:
    helsinki_summer = datetime(2026, 7, 1, 15, 30, 5, 123456, tzinfo=timezone(timedelta(hours=3)))
    with session_scope(settings=app_settings) as session:
        session.add(AuditRow(at=helsinki_summer, action="t"))
    with session_scope(settings=app_settings) as session:
        stored = session.scalars(select(AuditRow.at)).one()
        raw = session.execute(text("SELECT at FROM audit_log")).scalar_one()
    assert stored == helsinki_summer
    assert stored.tzinfo is UTC
    assert stored.hour == 12
    if isinstance(raw, str):  # SQLite: the UTC wall time as text
        assert raw.startswith("2026-07-01 12:30:05.123456")
    else:  # PostgreSQL: timestamptz, shown in the session's zone but the same instant
        assert raw == helsinki_summer


def test_naive_times_are_refused(app_settings: Settings) -> None:
    with (
        pytest.raises(Exception, match="naive datetime"),
        session_scope(settings=app_settings) as session,
    ):
        session.add(AuditRow(at=datetime(2026, 1, 1), action="t"))
