"""App-state models of the regional network: challenges, job records and the jobs target.

Members are the ``organisations`` of :mod:`sujuva.store.appdb` (with sector type, commitment,
contact and paths served). A challenge is posted by a member, joined by others, discussed, linked
to pilots, and moves through statuses whose history is kept.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sujuva.store.appdb import Base, UtcDateTime, _one_of, utc_now

SECTOR_TYPES: tuple[str, ...] = (
    "state",
    "municipality",
    "education",
    "third_sector",
    "company",
    "other",
)
COMMITMENTS: tuple[str, ...] = ("core", "active", "loose")
CHALLENGE_STATUSES: tuple[str, ...] = ("open", "being_solved", "solved", "dropped")
JOB_TYPES: tuple[str, ...] = ("new_enterprise", "growth_hire", "placement")


class ChallengeRow(Base):
    """A working-life challenge a member faces, alone or shared with others."""

    __tablename__ = "challenges"
    __table_args__ = (CheckConstraint(_one_of("status", CHALLENGE_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class ChallengeMemberRow(Base):
    """A member organisation that joined a challenge."""

    __tablename__ = "challenge_members"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class ChallengeCommentRow(Base):
    """A comment on a challenge; coordinators may hide it (moderation)."""

    __tablename__ = "challenge_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class ChallengeStatusRow(Base):
    """One status change of a challenge (its history)."""

    __tablename__ = "challenge_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    changed_by: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class ChallengePilotRow(Base):
    """A pilot that addresses a challenge."""

    __tablename__ = "challenge_pilots"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    pilot_id: Mapped[int] = mapped_column(
        ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True
    )


class JobRecordRow(Base):
    """An imported job record (derived records are computed from the event data on demand)."""

    __tablename__ = "job_records"
    __table_args__ = (CheckConstraint(_one_of("type", JOB_TYPES), name="type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    sector: Mapped[str] = mapped_column(String(40))
    tol_code: Mapped[str] = mapped_column(String(10))
    fte: Mapped[float] = mapped_column(Float)
    type: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str] = mapped_column(String(100), default="")
    path: Mapped[str] = mapped_column(String(200), default="")
    case_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    pilot: Mapped[str] = mapped_column(String(200), default="")
    batch: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class TargetRow(Base):
    """The region's jobs target and the effect configuration (one row per named target)."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    jobs: Mapped[float] = mapped_column(Float)
    baseline_jobs: Mapped[float | None] = mapped_column(Float)
    start: Mapped[date] = mapped_column(Date)
    horizon: Mapped[date] = mapped_column(Date)
    sub_targets: Mapped[str] = mapped_column(Text, default="{}")
    euro_per_job: Mapped[float] = mapped_column(Float, default=150_000.0)
    multiplier: Mapped[float] = mapped_column(Float, default=1.47)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
