"""Account services over the app state: organisations, users, logins, API tokens, demo accounts.

Every function opens its own transaction on the app-state database of ``settings`` (default:
:func:`~sujuva.config.get_settings`) and returns plain frozen dataclasses, never ORM objects.
The dashboard's audit log, saved views and import jobs live in
:mod:`sujuva.services.dashboard_state` and are re-exported here, so that this module is the
one entry point of the account services.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from contextlib import suppress
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sujuva.config import Settings, get_settings
from sujuva.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    UsageError,
)
from sujuva.services.account_records import (
    AuditEntry,
    DemoLogin,
    ImportJob,
    OrganisationRecord,
    SavedView,
    TokenRecord,
    UserRecord,
    code_of,
    find_organisation,
    organisation_record,
    principal_of,
    token_record,
    user_record,
)
from sujuva.services.dashboard_state import (
    audit_entries,
    create_import_job,
    delete_view,
    finish_import_job,
    get_import_job,
    list_import_jobs,
    list_views,
    record_audit,
    save_view,
    update_import_job,
)
from sujuva.services.principal import LANGUAGES, ROLES, Language, Principal, Role
from sujuva.store.appdb import ApiToken, LoginFailure, Organisation, User, session_scope, utc_now

__all__ = [
    "AuditEntry",
    "DemoLogin",
    "ImportJob",
    "OrganisationRecord",
    "SavedView",
    "TokenRecord",
    "UserRecord",
    "audit_entries",
    "authenticate",
    "create_import_job",
    "create_organisation",
    "create_token",
    "create_user",
    "delete_view",
    "ensure_demo_accounts",
    "ensure_organisations",
    "finish_import_job",
    "get_import_job",
    "get_principal",
    "list_import_jobs",
    "list_organisations",
    "list_tokens",
    "list_users",
    "list_views",
    "principal_for_token",
    "record_audit",
    "revoke_token",
    "save_view",
    "update_import_job",
    "update_user",
]

MIN_PASSWORD = 10
LOGIN_WINDOW = timedelta(minutes=15)
TOKEN_PREFIX = "sj_"
ORGANISATION_ROLES: frozenset[str] = frozenset({"analyst", "viewer"})
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_BAD_LOGIN = "wrong username or password"
_HASHER = PasswordHasher()


# --- organisations -------------------------------------------------------------------------


def create_organisation(
    *, code: str, name: str, settings: Settings | None = None
) -> OrganisationRecord:
    """Add a member organisation; its code must equal its actor name in the event data."""
    code, name = code.strip(), name.strip()
    if not code or len(code) > 100 or not name or len(name) > 200:
        raise UsageError("organisation code (1-100 characters) and name (1-200) are needed")
    with session_scope(settings=settings) as session:
        if session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None:
            raise ConflictError(f"organisation {code!r} exists already")
        row = Organisation(code=code, name=name, created_at=utc_now())
        session.add(row)
        _flush_or_conflict(session, f"organisation {code!r} exists already")
        return organisation_record(row)


def list_organisations(*, settings: Settings | None = None) -> list[OrganisationRecord]:
    """Every organisation, by code."""
    with session_scope(settings=settings) as session:
        rows = session.scalars(select(Organisation).order_by(Organisation.code))
        return [organisation_record(row) for row in rows]


def ensure_organisations(
    *, codes: list[str], settings: Settings | None = None
) -> list[OrganisationRecord]:
    """Create the organisations missing among ``codes`` (named by their code); return all of them.

    Used when data arrives for actors nobody has registered yet; safe to run concurrently.
    """
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    existing = {org.code for org in list_organisations(settings=settings)}
    for code in wanted:
        if code not in existing:
            with suppress(ConflictError):  # created meanwhile by another process
                create_organisation(code=code, name=code, settings=settings)
    by_code = {org.code: org for org in list_organisations(settings=settings)}
    return [by_code[code] for code in wanted]


def _flush_or_conflict(session: Session, message: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(message) from exc


# --- users ---------------------------------------------------------------------------------


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"a password needs at least {MIN_PASSWORD} characters")


def _check_membership(role: str, organisation: str | None) -> None:
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role in ORGANISATION_ROLES and organisation is None:
        raise UsageError(f"an {role} must belong to an organisation")
    if role not in ORGANISATION_ROLES and organisation is not None:
        raise UsageError(f"a {role} belongs to no organisation")


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise UsageError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")


def create_user(
    *,
    username: str,
    password: str,
    role: str,
    organisation: str | None,
    language: str = "fi",
    settings: Settings | None = None,
) -> UserRecord:
    """Add an account with an argon2-hashed password.

    Analysts and viewers see one organisation's data, so they need one; coordinators and admins
    work across organisations and must have none.
    """
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise UsageError("a username has 1-64 letters, digits or . _ @ - (starting alphanumeric)")
    _check_password(password)
    _check_membership(role, organisation)
    _check_language(language)
    conflict = f"user {username!r} exists already"
    with session_scope(settings=settings) as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise ConflictError(conflict)
        row = User(
            username=username,
            password_hash=_HASHER.hash(password),
            role=role,
            organisation=find_organisation(session, code=organisation),
            language=language,
            active=True,
            created_at=utc_now(),
        )
        session.add(row)
        _flush_or_conflict(session, conflict)
        return user_record(row)


def list_users(*, settings: Settings | None = None) -> list[UserRecord]:
    """Every account, by username."""
    with session_scope(settings=settings) as session:
        return [user_record(row) for row in session.scalars(select(User).order_by(User.username))]


def _active_admins(session: Session) -> int:
    query = select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    return session.scalar(query) or 0


def update_user(
    *,
    user_id: int,
    role: str | None = None,
    organisation: str | None = None,
    language: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    settings: Settings | None = None,
) -> UserRecord:
    """Change an account; ``None`` leaves a field as it is.

    Moving a user to coordinator or admin drops their organisation; moving them to analyst or
    viewer needs one (given now or held already). The last active admin cannot be demoted or
    deactivated, so that somebody can always manage the accounts.
    """
    with session_scope(settings=settings) as session:
        row = session.get(User, user_id)
        if row is None:
            raise NotFoundError(f"no user {user_id}")
        was_admin = row.role == "admin" and row.active
        new_role = role or row.role
        keep = code_of(row.organisation) if new_role in ORGANISATION_ROLES else None
        code = organisation or keep
        _check_membership(new_role, code)
        row.role, row.organisation = new_role, find_organisation(session, code=code)
        if language is not None:
            _check_language(language)
            row.language = language
        if active is not None:
            row.active = active
        if password is not None:
            _check_password(password)
            row.password_hash = _HASHER.hash(password)
        session.flush()
        if was_admin and _active_admins(session) == 0:
            raise UsageError("the last active admin cannot be demoted or deactivated")
        return user_record(row)


def get_principal(*, user_id: int, settings: Settings | None = None) -> Principal:
    """The principal of an account (e.g. from a session cookie); refused if deactivated."""
    with session_scope(settings=settings) as session:
        row = session.get(User, user_id)
        if row is None:
            raise NotFoundError(f"no user {user_id}")
        if not row.active:
            raise AuthenticationError("this account is deactivated")
        return principal_of(row)


# --- logins --------------------------------------------------------------------------------


@cache
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def _password_matches(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_rate(session: Session, *, username: str, address: str, limit: int) -> None:
    since = utc_now() - LOGIN_WINDOW
    recent = select(func.count(LoginFailure.id)).where(LoginFailure.at >= since)
    by_user = session.scalar(recent.where(LoginFailure.username == username)) or 0
    by_address = session.scalar(recent.where(LoginFailure.address == address)) if address else 0
    if by_user >= limit or (by_address or 0) >= limit:
        raise RateLimitedError("too many failed logins; try again in 15 minutes")


def authenticate(
    *, username: str, password: str, address: str, settings: Settings | None = None
) -> Principal:
    """Check a username and password and return the principal of the account.

    After ``settings.login_attempts`` failures within 15 minutes for the username or for the
    address (when known), logins are refused without looking at the password. Unknown users,
    wrong passwords and deactivated accounts get one message so nobody learns which it was.
    """
    settings = settings or get_settings()
    username, address = username.strip()[:255], address[:100]
    with session_scope(settings=settings) as session:
        _check_rate(session, username=username, address=address, limit=settings.login_attempts)
        row = session.scalar(select(User).where(User.username == username))
        if row is None:
            _password_matches(_dummy_hash(), password)  # same work as for a known user
        principal = None
        if row is not None and _password_matches(row.password_hash, password) and row.active:
            if _HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = _HASHER.hash(password)
            row.last_login_at = utc_now()
            session.execute(delete(LoginFailure).where(LoginFailure.username == username))
            principal = principal_of(row)
        else:
            session.add(LoginFailure(username=username, address=address, at=utc_now()))
    if principal is None:  # raised after the commit, so that the failure is counted
        raise AuthenticationError(_BAD_LOGIN)
    return principal


# --- API tokens ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, user_id: int, name: str, settings: Settings | None = None) -> str:
    """Make an API token for a user and return its secret, which is shown this once only.

    Only the SHA-256 of the secret is stored (tokens are random, so no slow hash is needed).
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise UsageError("a token needs a name of 1-100 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_scope(settings=settings) as session:
        if session.get(User, user_id) is None:
            raise NotFoundError(f"no user {user_id}")
        session.add(
            ApiToken(
                user_id=user_id,
                name=name,
                token_hash=_token_hash(token),
                prefix=token[:8],
                created_at=utc_now(),
                revoked=False,
            )
        )
    return token


def principal_for_token(*, token: str, settings: Settings | None = None) -> Principal:
    """The principal an API token stands for; unknown, revoked or deactivated ones are refused."""
    with session_scope(settings=settings) as session:
        found = session.execute(
            select(ApiToken, User)
            .join(User, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == _token_hash(token))
        ).first()
        if found is None or found[0].revoked or not found[1].active:
            raise AuthenticationError("unknown, revoked or disabled API token")
        found[0].last_used_at = utc_now()
        return principal_of(found[1])


def list_tokens(*, user_id: int, settings: Settings | None = None) -> list[TokenRecord]:
    """A user's tokens, newest first, revoked ones included (marked)."""
    with session_scope(settings=settings) as session:
        rows = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
        return [token_record(row) for row in rows]


def revoke_token(*, user_id: int, token_id: int, settings: Settings | None = None) -> None:
    """Revoke one of the user's tokens for good (other users' tokens are not found)."""
    with session_scope(settings=settings) as session:
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != user_id:
            raise NotFoundError(f"no token {token_id} of user {user_id}")
        row.revoked = True


# --- demo ----------------------------------------------------------------------------------


def ensure_demo_accounts(
    *, organisations: list[str], settings: Settings | None = None
) -> list[DemoLogin]:
    """Create the demo organisations and accounts unless they exist; return their logins.

    ``admin``, ``coordinator``, ``analyst`` and ``viewer`` (of the first organisation) and
    ``analyst2`` (of the second), each with the password ``demo-<username>-2026``. These
    passwords are public, which is fine for a demo on one machine and nothing else. Existing
    accounts are left exactly as they are.
    """
    if len(organisations) < 2:
        raise UsageError("the demo accounts need at least two organisations")
    ensure_organisations(codes=organisations, settings=settings)
    first, second = organisations[0].strip(), organisations[1].strip()
    plan: list[tuple[str, Role, str | None, Language]] = [
        ("admin", "admin", None, "fi"),
        ("coordinator", "coordinator", None, "fi"),
        ("analyst", "analyst", first, "fi"),
        ("viewer", "viewer", first, "fi"),
        ("analyst2", "analyst", second, "en"),
    ]
    existing = {user.username for user in list_users(settings=settings)}
    logins = []
    for username, role, organisation, language in plan:
        password = f"demo-{username}-2026"
        if username not in existing:
            with suppress(ConflictError):  # created meanwhile by another worker
                create_user(
                    username=username,
                    password=password,
                    role=role,
                    organisation=organisation,
                    language=language,
                    settings=settings,
                )
        logins.append(
            DemoLogin(username=username, password=password, role=role, organisation=organisation)
        )
    return logins
