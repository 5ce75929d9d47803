"""The web dashboard's app state in a relational database: models, engines and migrations.

Users, organisations, API tokens, saved views, import jobs, the audit log and failed logins
live in SQLite by default (``<data_dir>/app.sqlite``) and in PostgreSQL in production
(``SUJUVA_DATABASE_URL``). The schema is owned by the Alembic migrations beside this module;
:func:`upgrade_database` brings any database to the newest revision. Times are timezone-aware
UTC in Python and stored so that both backends give the same instant back.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Connection,
    Date,
    DateTime,
    Dialect,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from sujuva.config import Settings, get_settings
from sujuva.services.principal import LANGUAGES, ROLES

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
SQLITE_FILE = "app.sqlite"
BUSY_TIMEOUT_MS = 10_000
JOB_STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed")
COMPARISONS: tuple[str, ...] = ("concurrent", "earlier", "both")
_PG_UPGRADE_LOCK = 0x53756A75  # "Suju": serialises concurrent upgrades of one PostgreSQL database

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def utc_now() -> datetime:
    """The current instant, timezone-aware in UTC (what every time column holds)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no zones, so the UTC wall time is stored and
    marked UTC again when read. Naive datetimes are refused: they are always a bug here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: app-state times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the app-state models (constraint names follow :data:`NAMING`)."""

    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    """A member organisation; ``code`` is its actor name in the event data."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    sector_type: Mapped[str] = mapped_column(String(20), default="other")
    commitment: Mapped[str] = mapped_column(String(10), default="loose")
    contact: Mapped[str] = mapped_column(Text, default="")
    paths_served: Mapped[str] = mapped_column(Text, default="[]")


class User(Base):
    """A dashboard user; analysts and viewers belong to one organisation."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_one_of("role", ROLES), name="role"),
        CheckConstraint(_one_of("language", LANGUAGES), name="language"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="fi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class ApiToken(Base):
    """An API token; only the SHA-256 of the secret is kept, plus its first characters."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class SavedViewRow(Base):
    """A user's saved dashboard view: a page path and its query string."""

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(500))
    query: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class ImportJobRow(Base):
    """One import started from the dashboard: its files, progress and outcome."""

    __tablename__ = "import_jobs"
    __table_args__ = (CheckConstraint(_one_of("status", JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    files: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    progress_step: Mapped[str] = mapped_column(Text, default="")
    progress_rows: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    quarantine_file: Mapped[str | None] = mapped_column(Text)
    report: Mapped[str | None] = mapped_column(Text)
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class AuditRow(Base):
    """One audited action; the user name is copied so the entry outlives the account."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(100), default="")


class PilotRow(Base):
    """A registered pilot (kokeilu): what changes, for whom, compared with whom, measured how.

    ``pilot_group`` is JSON ``{"organisations": [...], "where": {attribute: [values]},
    "case_ids": [...]}``; list-valued fields are JSON arrays.
    """

    __tablename__ = "pilots"
    __table_args__ = (CheckConstraint(_one_of("comparison", COMPARISONS), name="comparison"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str] = mapped_column(String(200))
    change: Mapped[str] = mapped_column(Text, default="")
    steps_affected: Mapped[str] = mapped_column(Text, default="[]")
    organisations: Mapped[str] = mapped_column(Text, default="[]")
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    pilot_group: Mapped[str] = mapped_column(Text, default="{}")
    comparison: Mapped[str] = mapped_column(String(20), default="concurrent")
    outcome_from: Mapped[str] = mapped_column(String(200))
    outcome_to: Mapped[str] = mapped_column(String(200))
    competing: Mapped[str] = mapped_column(Text, default="[]")
    min_effect_days: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class LoginFailure(Base):
    """A failed login, counted per user name and per address for rate limiting."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


def database_url(*, settings: Settings | None = None) -> str:
    """The app-state database URL: ``settings.database_url``, else SQLite in the data directory.

    The data directory is created for the default so that a fresh checkout just works.
    """
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(settings.data_dir / SQLITE_FILE).resolve()}"


_engines: dict[str, Engine] = {}
_sessions: dict[str, sessionmaker[Session]] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _new_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _entry(settings: Settings | None) -> tuple[Engine, sessionmaker[Session]]:
    url = database_url(settings=settings)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _new_engine(url)
            _sessions[url] = sessionmaker(bind=engine, expire_on_commit=False)
        return engine, _sessions[url]


def engine_for(*, settings: Settings | None = None) -> Engine:
    """The engine of the app-state database, made once per URL and shared by the process.

    SQLite connections get WAL journaling (readers never wait for the writer), enforced
    foreign keys and a busy timeout, and may move between threads (the server's pool does).
    """
    return _entry(settings)[0]


def dispose_engine(*, settings: Settings | None = None) -> None:
    """Close the pooled connections of this database's engine and forget it.

    Needed before a database is dropped or its file removed (tests do both).
    """
    url = database_url(settings=settings)
    with _lock:
        engine = _engines.pop(url, None)
        _sessions.pop(url, None)
    if engine is not None:
        engine.dispose()


def alembic_config(*, connection: Connection | None = None) -> Config:
    """An Alembic configuration built in code (no alembic.ini) for the packaged migrations.

    With ``connection``, migrations run on it (inside the caller's transaction).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(*, settings: Settings | None = None) -> None:
    """Bring the app-state database to the newest schema (``alembic upgrade head``).

    Safe to call at every start; on PostgreSQL an advisory lock keeps concurrent workers from
    running the same migration twice.
    """
    engine = engine_for(settings=settings)
    with _file_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_UPGRADE_LOCK})")
        command.upgrade(alembic_config(connection=connection), "head")


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """For a SQLite file, an exclusive lock beside it while migrating (several workers may
    start at once); other databases lock in the database itself."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_suffix(".migrate.lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def session_scope(*, settings: Settings | None = None) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back when it raises.

    Objects stay readable after the commit (no expiry), so callers can copy them out.
    """
    with _entry(settings)[1]() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# The network models (members' challenges, job records, the target) and the source profiles
# register on Base too.
from sujuva.store import appdb_network, appdb_sources  # noqa: E402, F401
