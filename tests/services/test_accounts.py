"""Account services on SQLite and PostgreSQL alike: users, logins, tokens, audit, views, jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from sujuva.config import Settings, override_settings
from sujuva.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    UsageError,
)
from sujuva.services import accounts
from sujuva.services.principal import Principal
from sujuva.store.appdb import ApiToken, LoginFailure, User, session_scope, utc_now

PASSWORD = "correct horse battery"


@pytest.fixture
def orgs(app_settings: Settings) -> Settings:
    """App settings with organisations TE and KELA."""
    accounts.create_organisation(code="TE", name="TE-palvelut", settings=app_settings)
    accounts.create_organisation(code="KELA", name="Kela", settings=app_settings)
    return app_settings


def _analyst(settings: Settings, username: str = "anna", organisation: str = "TE") -> int:
    user = accounts.create_user(
        username=username,
        password=PASSWORD,
        role="analyst",
        organisation=organisation,
        settings=settings,
    )
    return user.id


def _login(
    settings: Settings, username: str, password: str, address: str = "10.0.0.1"
) -> Principal:
    return accounts.authenticate(
        username=username, password=password, address=address, settings=settings
    )


def _stored_hash(settings: Settings, username: str) -> str:
    with session_scope(settings=settings) as session:
        return session.scalars(select(User.password_hash).where(User.username == username)).one()


# --- organisations and users ------------------------------------------------------------------


def test_organisations_are_unique_and_ensured(orgs: Settings) -> None:
    with pytest.raises(ConflictError):
        accounts.create_organisation(code="TE", name="again", settings=orgs)
    ensured = accounts.ensure_organisations(codes=["KELA", "Kunta", "Kunta"], settings=orgs)
    assert [(o.code, o.name) for o in ensured] == [("KELA", "Kela"), ("Kunta", "Kunta")]
    accounts.ensure_organisations(codes=["Kunta"], settings=orgs)
    assert [o.code for o in accounts.list_organisations(settings=orgs)] == ["KELA", "Kunta", "TE"]


def test_create_user_hashes_the_password(orgs: Settings) -> None:
    user = accounts.create_user(
        username="anna",
        password=PASSWORD,
        role="analyst",
        organisation="TE",
        language="sv",
        settings=orgs,
    )
    assert (user.username, user.role, user.organisation, user.language) == (
        "anna",
        "analyst",
        "TE",
        "sv",
    )
    assert user.active and user.last_login_at is None and user.created_at.tzinfo is not None
    stored = _stored_hash(orgs, "anna")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.list_users(settings=orgs) == [user]


def test_duplicate_username_is_a_conflict(orgs: Settings) -> None:
    _analyst(orgs)
    with pytest.raises(ConflictError, match="anna"):
        _analyst(orgs, organisation="KELA")
    assert len(accounts.list_users(settings=orgs)) == 1


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_passwords_need_ten_characters(orgs: Settings, password: str) -> None:
    with pytest.raises(UsageError, match="10 characters"):
        accounts.create_user(
            username="anna", password=password, role="admin", organisation=None, settings=orgs
        )
    accounts.create_user(
        username="anna", password="1234567890", role="admin", organisation=None, settings=orgs
    )


@pytest.mark.parametrize(
    ("role", "organisation", "error"),
    [
        ("analyst", None, UsageError),
        ("viewer", None, UsageError),
        ("coordinator", "TE", UsageError),
        ("admin", "TE", UsageError),
        ("root", None, UsageError),
        ("analyst", "Nobody", NotFoundError),
    ],
)
def test_roles_and_organisations_must_fit(
    orgs: Settings, role: str, organisation: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        accounts.create_user(
            username="u1", password=PASSWORD, role=role, organisation=organisation, settings=orgs
        )
    assert accounts.list_users(settings=orgs) == []


def test_update_user(orgs: Settings) -> None:
    user_id = _analyst(orgs)
    moved = accounts.update_user(user_id=user_id, organisation="KELA", language="en", settings=orgs)
    assert (moved.role, moved.organisation, moved.language) == ("analyst", "KELA", "en")
    promoted = accounts.update_user(user_id=user_id, role="coordinator", settings=orgs)
    assert (promoted.role, promoted.organisation) == ("coordinator", None)
    with pytest.raises(UsageError):
        accounts.update_user(user_id=user_id, role="viewer", settings=orgs)
    accounts.update_user(user_id=user_id, password="a new long password", settings=orgs)
    assert _login(orgs, "anna", "a new long password").role == "coordinator"
    with pytest.raises(NotFoundError):
        accounts.update_user(user_id=9999, active=False, settings=orgs)


def test_the_last_active_admin_stays(orgs: Settings) -> None:
    admin = accounts.create_user(
        username="root", password=PASSWORD, role="admin", organisation=None, settings=orgs
    )
    with pytest.raises(UsageError, match="last active admin"):
        accounts.update_user(user_id=admin.id, active=False, settings=orgs)
    with pytest.raises(UsageError, match="last active admin"):
        accounts.update_user(user_id=admin.id, role="coordinator", settings=orgs)
    assert accounts.get_principal(user_id=admin.id, settings=orgs).role == "admin"


def test_get_principal(orgs: Settings) -> None:
    user_id = _analyst(orgs)
    principal = accounts.get_principal(user_id=user_id, settings=orgs)
    assert principal == Principal(
        user_id=user_id, username="anna", role="analyst", organisation="TE", language="fi"
    )
    accounts.update_user(user_id=user_id, active=False, settings=orgs)
    with pytest.raises(AuthenticationError):
        accounts.get_principal(user_id=user_id, settings=orgs)
    with pytest.raises(NotFoundError):
        accounts.get_principal(user_id=user_id + 100, settings=orgs)


# --- logins -----------------------------------------------------------------------------------


def test_authenticate_success_and_failure(orgs: Settings) -> None:
    user_id = _analyst(orgs)
    principal = _login(orgs, "anna", PASSWORD)
    assert (principal.user_id, principal.organisation) == (user_id, "TE")
    assert accounts.list_users(settings=orgs)[0].last_login_at is not None
    with pytest.raises(AuthenticationError) as wrong_password:
        _login(orgs, "anna", "not the password")
    with pytest.raises(AuthenticationError) as unknown_user:
        _login(orgs, "nobody", PASSWORD)
    assert wrong_password.value.message == unknown_user.value.message
    accounts.update_user(user_id=user_id, active=False, settings=orgs)
    with pytest.raises(AuthenticationError):
        _login(orgs, "anna", PASSWORD)
    with session_scope(settings=orgs) as session:
        assert len(session.scalars(select(LoginFailure)).all()) == 3


def test_rate_limit_locks_the_username(orgs: Settings) -> None:
    settings = override_settings(login_attempts=3)
    _analyst(settings)
    for attempt in range(3):
        with pytest.raises(AuthenticationError):
            _login(settings, "anna", "wrong password", address=f"10.0.0.{attempt}")
    with pytest.raises(RateLimitedError):
        _login(settings, "anna", PASSWORD, address="10.9.9.9")  # right password, still locked
    _analyst(settings, "bert")
    assert _login(settings, "bert", PASSWORD, address="10.0.0.1").username == "bert"


def test_rate_limit_by_address_spans_usernames(orgs: Settings) -> None:
    settings = override_settings(login_attempts=3)
    _analyst(settings)
    for name in ("a1", "a2", "a3"):
        with pytest.raises(AuthenticationError):
            _login(settings, name, "wrong password", address="192.0.2.7")
    with pytest.raises(RateLimitedError):
        _login(settings, "anna", PASSWORD, address="192.0.2.7")
    assert _login(settings, "anna", PASSWORD, address="192.0.2.8").username == "anna"


def test_success_clears_failures_and_old_failures_expire(orgs: Settings) -> None:
    settings = override_settings(login_attempts=3)
    _analyst(settings)
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            _login(settings, "anna", "wrong password", address="10.0.0.5")
    _login(settings, "anna", PASSWORD, address="10.0.0.6")
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            _login(settings, "anna", "wrong password", address="10.0.0.7")
    _login(settings, "anna", PASSWORD, address="10.0.0.8")  # 2 < 3 since the success
    with session_scope(settings=settings) as session:
        old = utc_now() - timedelta(minutes=16)
        session.add_all(LoginFailure(username="anna", address="x", at=old) for _ in range(5))
    _login(settings, "anna", PASSWORD, address="10.0.0.9")


def test_outdated_hashes_are_rehashed_on_login(orgs: Settings) -> None:
    _analyst(orgs)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with session_scope(settings=orgs) as session:
        session.execute(update(User).where(User.username == "anna").values(password_hash=weak))
    _login(orgs, "anna", PASSWORD)
    renewed = _stored_hash(orgs, "anna")
    assert renewed != weak and not PasswordHasher().check_needs_rehash(renewed)
    assert _login(orgs, "anna", PASSWORD).username == "anna"


# --- tokens -----------------------------------------------------------------------------------


def test_tokens_round_trip_and_revoke(orgs: Settings) -> None:
    user_id = _analyst(orgs)
    token = accounts.create_token(user_id=user_id, name="laptop", settings=orgs)
    assert token.startswith("sj_") and len(token) > 40
    principal = accounts.principal_for_token(token=token, settings=orgs)
    assert (principal.user_id, principal.organisation) == (user_id, "TE")
    [listed] = accounts.list_tokens(user_id=user_id, settings=orgs)
    assert (listed.name, listed.prefix, listed.revoked) == ("laptop", token[:8], False)
    assert listed.last_used_at is not None
    with session_scope(settings=orgs) as session:
        assert token not in session.scalars(select(ApiToken.token_hash)).one()
    other = _analyst(orgs, "bert")
    with pytest.raises(NotFoundError):
        accounts.revoke_token(user_id=other, token_id=listed.id, settings=orgs)
    accounts.revoke_token(user_id=user_id, token_id=listed.id, settings=orgs)
    assert accounts.list_tokens(user_id=user_id, settings=orgs)[0].revoked
    with pytest.raises(AuthenticationError):
        accounts.principal_for_token(token=token, settings=orgs)
    with pytest.raises(AuthenticationError):
        accounts.principal_for_token(token="sj_unknown", settings=orgs)


def test_tokens_of_deactivated_users_are_refused(orgs: Settings) -> None:
    user_id = _analyst(orgs)
    token = accounts.create_token(user_id=user_id, name="ci", settings=orgs)
    accounts.update_user(user_id=user_id, active=False, settings=orgs)
    with pytest.raises(AuthenticationError):
        accounts.principal_for_token(token=token, settings=orgs)


# --- audit, saved views -----------------------------------------------------------------------


def test_audit_entries_newest_first(orgs: Settings) -> None:
    user_id = _analyst(orgs)
    principal = accounts.get_principal(user_id=user_id, settings=orgs)
    accounts.record_audit(principal=None, action="login.failed", address="10.0.0.1", settings=orgs)
    for number in range(3):
        accounts.record_audit(principal=principal, action=f"a{number}", target="t", settings=orgs)
    entries = accounts.audit_entries(settings=orgs)
    assert [e.action for e in entries] == ["a2", "a1", "a0", "login.failed"]
    assert (entries[-1].user_id, entries[-1].username, entries[-1].address) == (
        None,
        "",
        "10.0.0.1",
    )
    assert (entries[0].user_id, entries[0].username) == (user_id, "anna")
    assert [e.action for e in accounts.audit_entries(limit=2, settings=orgs)] == ["a2", "a1"]


def test_saved_views(orgs: Settings) -> None:
    anna, bert = _analyst(orgs), _analyst(orgs, "bert")
    view = accounts.save_view(
        user_id=anna, name="Queues", path="/queues", query="path=A&from=2026-01", settings=orgs
    )
    accounts.save_view(user_id=anna, name="Flow", path="/flow", query="", settings=orgs)
    assert [v.name for v in accounts.list_views(user_id=anna, settings=orgs)] == ["Flow", "Queues"]
    assert accounts.list_views(user_id=bert, settings=orgs) == []
    with pytest.raises(NotFoundError):
        accounts.delete_view(user_id=bert, view_id=view.id, settings=orgs)
    accounts.delete_view(user_id=anna, view_id=view.id, settings=orgs)
    assert [v.name for v in accounts.list_views(user_id=anna, settings=orgs)] == ["Flow"]
    with pytest.raises(UsageError):
        accounts.save_view(user_id=anna, name="", path="/flow", query="", settings=orgs)


# --- import jobs ------------------------------------------------------------------------------


def test_import_job_lifecycle(orgs: Settings) -> None:
    anna = accounts.get_principal(user_id=_analyst(orgs), settings=orgs)
    job_id = accounts.create_import_job(principal=anna, files=["a.csv", "b.xes"], settings=orgs)
    queued = accounts.get_import_job(job_id=job_id, settings=orgs)
    assert (queued.status, queued.files, queued.organisation) == (
        "queued",
        ("a.csv", "b.xes"),
        "TE",
    )
    assert queued.started_at is None and queued.report is None
    accounts.update_import_job(job_id=job_id, step="reading a.csv", rows=500, settings=orgs)
    running = accounts.get_import_job(job_id=job_id, settings=orgs)
    assert (running.status, running.progress_step, running.progress_rows) == (
        "running",
        "reading a.csv",
        500,
    )
    assert running.started_at is not None
    report = {"files": [{"file": "a.csv", "rejected": 2}], "committed": True}
    accounts.finish_import_job(
        job_id=job_id,
        ok=True,
        rows_read=1000,
        imported=990,
        rejected=2,
        duplicate=8,
        message="imported",
        quarantine_file="quarantine/a.csv",
        report=report,
        settings=orgs,
    )
    done = accounts.get_import_job(job_id=job_id, settings=orgs)
    assert (done.status, done.rows_read, done.imported, done.rejected, done.duplicate) == (
        "done",
        1000,
        990,
        2,
        8,
    )
    assert (done.quarantine_file, done.report, done.message) == (
        "quarantine/a.csv",
        report,
        "imported",
    )
    assert done.started_at is not None and done.finished_at is not None
    assert done.finished_at >= done.started_at
    with pytest.raises(NotFoundError):
        accounts.get_import_job(job_id=job_id + 1, settings=orgs)


def test_import_jobs_listed_per_organisation_newest_first(orgs: Settings) -> None:
    anna = accounts.get_principal(user_id=_analyst(orgs), settings=orgs)
    kela = accounts.get_principal(user_id=_analyst(orgs, "bert", "KELA"), settings=orgs)
    coordinator = accounts.create_user(
        username="cora", password=PASSWORD, role="coordinator", organisation=None, settings=orgs
    )
    cora = accounts.get_principal(user_id=coordinator.id, settings=orgs)
    first = accounts.create_import_job(principal=anna, files=["1.csv"], settings=orgs)
    second = accounts.create_import_job(principal=kela, files=["2.csv"], settings=orgs)
    third = accounts.create_import_job(principal=anna, files=["3.csv"], settings=orgs)
    fourth = accounts.create_import_job(principal=cora, files=["4.csv"], settings=orgs)
    accounts.finish_import_job(
        job_id=first,
        ok=False,
        rows_read=0,
        imported=0,
        rejected=0,
        duplicate=0,
        message="unreadable",
        quarantine_file=None,
        report={},
        settings=orgs,
    )
    te_jobs = accounts.list_import_jobs(organisation="TE", settings=orgs)
    assert [(j.id, j.status) for j in te_jobs] == [(third, "queued"), (first, "failed")]
    all_jobs = accounts.list_import_jobs(organisation=None, settings=orgs)
    assert [j.id for j in all_jobs] == [fourth, third, second, first]
    assert all_jobs[0].organisation is None
    assert accounts.list_import_jobs(organisation="Nobody", settings=orgs) == []


# --- demo -------------------------------------------------------------------------------------


def test_demo_accounts_are_idempotent(app_settings: Settings) -> None:
    logins = accounts.ensure_demo_accounts(
        organisations=["TE", "KELA", "Kunta"], settings=app_settings
    )
    assert [(d.username, d.role, d.organisation) for d in logins] == [
        ("admin", "admin", None),
        ("coordinator", "coordinator", None),
        ("analyst", "analyst", "TE"),
        ("viewer", "viewer", "TE"),
        ("analyst2", "analyst", "KELA"),
    ]
    users = accounts.list_users(settings=app_settings)
    hashes = {u.username: _stored_hash(app_settings, u.username) for u in users}
    assert {u.username: u.language for u in users}["analyst2"] == "en"
    again = accounts.ensure_demo_accounts(
        organisations=["TE", "KELA", "Kunta"], settings=app_settings
    )
    assert again == logins
    assert accounts.list_users(settings=app_settings) == users
    assert {u.username: _stored_hash(app_settings, u.username) for u in users} == hashes
    codes = [o.code for o in accounts.list_organisations(settings=app_settings)]
    assert codes == ["KELA", "Kunta", "TE"]
    for login in logins:
        principal = _login(app_settings, login.username, login.password)
        assert (principal.role, principal.organisation) == (login.role, login.organisation)
    assert logins[0].password == "demo-admin-2026"
    with pytest.raises(UsageError):
        accounts.ensure_demo_accounts(organisations=["TE"], settings=app_settings)
