"""Use cases of the challenges board: post, join, comment, link pilots, move through statuses.

Challenges are visible to every member. A member organisation's users post and join; any
signed-in member comments; the posting organisation and coordinators change the status;
coordinators moderate (hide comments). Text is stored as written and always rendered escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sujuva.config import Settings, get_settings
from sujuva.errors import NotFoundError, PermissionDeniedError, UsageError
from sujuva.services.principal import Principal
from sujuva.store.appdb import Organisation, PilotRow, session_scope, utc_now
from sujuva.store.appdb_network import (
    CHALLENGE_STATUSES,
    ChallengeCommentRow,
    ChallengeMemberRow,
    ChallengePilotRow,
    ChallengeRow,
    ChallengeStatusRow,
)

MAX_TITLE, MAX_BODY = 200, 20_000


@dataclass(frozen=True, kw_only=True)
class Comment:
    id: int
    author: str
    body: str
    hidden: bool
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class StatusChange:
    status: str
    changed_by: str
    note: str
    changed_at: datetime


@dataclass(frozen=True, kw_only=True)
class Challenge:
    """A challenge with its members, comments, status history and linked pilots."""

    id: int
    title: str
    body: str
    organisation: str
    shared: bool
    status: str
    created_at: datetime
    members: tuple[str, ...]
    comments: tuple[Comment, ...]
    history: tuple[StatusChange, ...]
    pilots: tuple[tuple[int, str], ...]


def _need_member(principal: Principal) -> str:
    if principal.organisation is None:
        raise PermissionDeniedError("challenges are posted and joined by member organisations")
    return principal.organisation


def _not_admin(principal: Principal) -> None:
    if principal.role == "admin":
        raise PermissionDeniedError("administrators manage users and organisations only")


def _organisation(session: Session, code: str) -> Organisation:
    row = session.scalars(select(Organisation).where(Organisation.code == code)).first()
    if row is None:
        row = Organisation(code=code, name=code)
        session.add(row)
        session.flush()
    return row


def _text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or len(title) > MAX_TITLE:
        raise UsageError(f"a challenge needs a title of 1-{MAX_TITLE} characters")
    if len(body) > MAX_BODY:
        raise UsageError(f"the description is longer than {MAX_BODY} characters")
    return title, body


def post(
    principal: Principal,
    *,
    title: str,
    body: str,
    shared: bool,
    settings: Settings | None = None,
) -> int:
    """Post a challenge for the user's organisation; returns its id."""
    settings = settings or get_settings()
    organisation = _need_member(principal)
    title, body = _text(title, body)
    with session_scope(settings=settings) as session:
        owner = _organisation(session, organisation)
        row = ChallengeRow(
            title=title,
            body=body,
            organisation_id=owner.id,
            shared=shared,
            created_by=principal.user_id or None,
        )
        session.add(row)
        session.flush()
        session.add(ChallengeMemberRow(challenge_id=row.id, organisation_id=owner.id))
        session.add(
            ChallengeStatusRow(
                challenge_id=row.id, status="open", changed_by=principal.username, note="posted"
            )
        )
        return row.id


def _row(session: Session, challenge_id: int) -> ChallengeRow:
    row = session.get(ChallengeRow, challenge_id)
    if row is None:
        raise NotFoundError(f"no challenge {challenge_id}")
    return row


def join(principal: Principal, challenge_id: int, *, settings: Settings | None = None) -> None:
    """The user's organisation joins a challenge (joining twice changes nothing)."""
    settings = settings or get_settings()
    organisation = _need_member(principal)
    with session_scope(settings=settings) as session:
        _row(session, challenge_id)
        member = _organisation(session, organisation)
        if session.get(ChallengeMemberRow, (challenge_id, member.id)) is None:
            session.add(ChallengeMemberRow(challenge_id=challenge_id, organisation_id=member.id))


def comment(
    principal: Principal, challenge_id: int, *, body: str, settings: Settings | None = None
) -> None:
    settings = settings or get_settings()
    _not_admin(principal)
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise UsageError(f"a comment needs 1-{MAX_BODY} characters")
    author = principal.username + (f" ({principal.organisation})" if principal.organisation else "")
    with session_scope(settings=settings) as session:
        _row(session, challenge_id)
        session.add(
            ChallengeCommentRow(
                challenge_id=challenge_id,
                body=body,
                author=author,
                user_id=principal.user_id or None,
            )
        )


def set_status(
    principal: Principal,
    challenge_id: int,
    *,
    status: str,
    note: str = "",
    settings: Settings | None = None,
) -> None:
    """Move a challenge to another status (the posting organisation or a coordinator)."""
    settings = settings or get_settings()
    if status not in CHALLENGE_STATUSES:
        raise UsageError(f"status {status!r}: choose one of {', '.join(CHALLENGE_STATUSES)}")
    with session_scope(settings=settings) as session:
        row = _row(session, challenge_id)
        owner = session.get(Organisation, row.organisation_id)
        mine = owner is not None and owner.code == principal.organisation
        if not (mine or principal.role == "coordinator"):
            raise PermissionDeniedError("the posting organisation or a coordinator sets the status")
        row.status = status
        row.updated_at = utc_now()
        session.add(
            ChallengeStatusRow(
                challenge_id=challenge_id,
                status=status,
                changed_by=principal.username,
                note=note.strip(),
            )
        )


def hide_comment(
    principal: Principal,
    comment_id: int,
    *,
    hidden: bool = True,
    settings: Settings | None = None,
) -> None:
    """Coordinators moderate: hide (or show again) a comment."""
    settings = settings or get_settings()
    if principal.role != "coordinator":
        raise PermissionDeniedError("coordinators moderate the board")
    with session_scope(settings=settings) as session:
        row = session.get(ChallengeCommentRow, comment_id)
        if row is None:
            raise NotFoundError(f"no comment {comment_id}")
        row.hidden = hidden


def link_pilot(
    principal: Principal, challenge_id: int, pilot_id: int, *, settings: Settings | None = None
) -> None:
    """Link a pilot that addresses the challenge."""
    settings = settings or get_settings()
    if principal.role not in ("coordinator", "analyst"):
        raise PermissionDeniedError("coordinators and analysts link pilots")
    with session_scope(settings=settings) as session:
        _row(session, challenge_id)
        if session.get(PilotRow, pilot_id) is None:
            raise NotFoundError(f"no pilot {pilot_id}")
        if session.get(ChallengePilotRow, (challenge_id, pilot_id)) is None:
            session.add(ChallengePilotRow(challenge_id=challenge_id, pilot_id=pilot_id))


def list_challenges(principal: Principal, *, settings: Settings | None = None) -> list[Challenge]:
    """Every challenge, newest first (comments hidden by moderation are left out unless the
    user is a coordinator)."""
    settings = settings or get_settings()
    _not_admin(principal)
    with session_scope(settings=settings) as session:
        ids = session.scalars(select(ChallengeRow.id).order_by(ChallengeRow.id.desc())).all()
        return [_challenge(session, i, principal) for i in ids]


def get(principal: Principal, challenge_id: int, *, settings: Settings | None = None) -> Challenge:
    settings = settings or get_settings()
    _not_admin(principal)
    with session_scope(settings=settings) as session:
        return _challenge(session, challenge_id, principal)


def _challenge(session: Session, challenge_id: int, principal: Principal) -> Challenge:
    row = _row(session, challenge_id)
    owner = session.get(Organisation, row.organisation_id)
    members = session.scalars(
        select(Organisation.code)
        .join(ChallengeMemberRow, ChallengeMemberRow.organisation_id == Organisation.id)
        .where(ChallengeMemberRow.challenge_id == challenge_id)
        .order_by(Organisation.code)
    )
    comments = session.scalars(
        select(ChallengeCommentRow)
        .where(ChallengeCommentRow.challenge_id == challenge_id)
        .order_by(ChallengeCommentRow.id)
    )
    history = session.scalars(
        select(ChallengeStatusRow)
        .where(ChallengeStatusRow.challenge_id == challenge_id)
        .order_by(ChallengeStatusRow.id)
    )
    pilots = session.execute(
        select(PilotRow.id, PilotRow.name)
        .join(ChallengePilotRow, ChallengePilotRow.pilot_id == PilotRow.id)
        .where(ChallengePilotRow.challenge_id == challenge_id)
        .order_by(PilotRow.id)
    )
    moderator = principal.role == "coordinator"
    return Challenge(
        id=row.id,
        title=row.title,
        body=row.body,
        organisation=owner.code if owner else "",
        shared=row.shared,
        status=row.status,
        created_at=row.created_at,
        members=tuple(members),
        comments=tuple(
            Comment(id=c.id, author=c.author, body=c.body, hidden=c.hidden, created_at=c.created_at)
            for c in comments
            if moderator or not c.hidden
        ),
        history=tuple(
            StatusChange(
                status=h.status, changed_by=h.changed_by, note=h.note, changed_at=h.changed_at
            )
            for h in history
        ),
        pilots=tuple((int(p[0]), str(p[1])) for p in pilots),
    )


@dataclass(frozen=True, kw_only=True)
class DemoChallenge:
    title: str
    body: str
    owner: str
    joined: tuple[str, ...]
    status: str
    pilot: str | None
    comment: tuple[str, str]


DEMO_CHALLENGES = (
    DemoChallenge(
        title="Starting entrepreneurs wait weeks for the start-up-grant statement",
        body="Customers are sent back and forth between business-idea counselling and the "
        "statement. Could both happen in one visit?",
        owner="Enterprise Agency",
        joined=("TE Office", "Josek", "Joensuu"),
        status="being_solved",
        pilot="One-stop shop for starting entrepreneurs in Joensuu",
        comment=("TE Office", "We can bring the statement forms to the counselling visit."),
    ),
    DemoChallenge(
        title="Graduates drift for months before their first offer",
        body="Bachelor graduates register and then wait; group guidance has been suggested.",
        owner="Karelia UAS",
        joined=("TE Office", "UEF", "Riveria"),
        status="being_solved",
        pilot="Group career guidance at Karelia UAS",
        comment=("UEF", "We see the same among our master's graduates."),
    ),
    DemoChallenge(
        title="Employers cannot find welders and nurses in Lieksa",
        body="Shared recruitment events and training tailored with employers?",
        owner="Lieksa",
        joined=("Staffing firm", "Riveria"),
        status="open",
        pilot=None,
        comment=("Riveria", "A short welding course could start in spring."),
    ),
)


def _demo_member(organisation: str | None, role: str = "analyst") -> Principal:
    return Principal(
        user_id=0,
        username="demo",
        role=role,  # type: ignore[arg-type]
        organisation=organisation,
    )


def ensure_demo_challenges(*, settings: Settings | None = None) -> int:
    """Post the demo region's challenges once (by title), with members, a comment, a status
    and linked pilots; returns how many demo challenges there are."""
    settings = settings or get_settings()
    with session_scope(settings=settings) as session:
        existing = set(session.scalars(select(ChallengeRow.title)))
    for item in DEMO_CHALLENGES:
        if item.title not in existing:
            _demo_challenge(item, settings)
    return len(DEMO_CHALLENGES)


def _demo_challenge(item: DemoChallenge, settings: Settings) -> None:
    poster = _demo_member(item.owner)
    challenge_id = post(poster, title=item.title, body=item.body, shared=True, settings=settings)
    for other in item.joined:
        join(_demo_member(other), challenge_id, settings=settings)
    author, text = item.comment
    comment(_demo_member(author), challenge_id, body=text, settings=settings)
    if item.status != "open":
        set_status(
            poster, challenge_id, status=item.status, note="a pilot started", settings=settings
        )
    if item.pilot is None:
        return
    with session_scope(settings=settings) as session:
        found = session.scalars(select(PilotRow.id).where(PilotRow.name == item.pilot)).first()
    if found is not None:
        link_pilot(_demo_member(None, "coordinator"), challenge_id, found, settings=settings)
