"""The regional network: members' details, challenges, job records and the jobs target.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "status IN ('open', 'being_solved', 'solved', 'dropped')"
JOB_TYPES = "type IN ('new_enterprise', 'growth_hire', 'placement')"


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _challenge_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["challenge_id"],
        ["challenges.id"],
        name=f"fk_{table}_challenge_id_challenges",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column("sector_type", sa.String(20), nullable=False, server_default="other")
        )
        batch.add_column(
            sa.Column("commitment", sa.String(10), nullable=False, server_default="loose")
        )
        batch.add_column(sa.Column("contact", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("paths_served", sa.Text(), nullable=False, server_default="[]"))
    _challenges()
    _jobs_and_targets()


def _challenges() -> None:
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.CheckConstraint(STATUSES, name="ck_challenges_status"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_challenges_organisation_id_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_challenges_created_by_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_challenges"),
    )
    op.create_index("ix_challenges_organisation_id", "challenges", ["organisation_id"])
    op.create_table(
        "challenge_members",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        _time("joined_at"),
        _challenge_fk("challenge_members"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_challenge_members_organisation_id_organisations",
        ),
        sa.PrimaryKeyConstraint("challenge_id", "organisation_id", name="pk_challenge_members"),
    )
    op.create_table(
        "challenge_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        _time("created_at"),
        _challenge_fk("challenge_comments"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_challenge_comments_user_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_challenge_comments"),
    )
    op.create_index("ix_challenge_comments_challenge_id", "challenge_comments", ["challenge_id"])
    op.create_table(
        "challenge_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _time("changed_at"),
        _challenge_fk("challenge_status_history"),
        sa.PrimaryKeyConstraint("id", name="pk_challenge_status_history"),
    )
    op.create_index(
        "ix_challenge_status_history_challenge_id", "challenge_status_history", ["challenge_id"]
    )
    op.create_table(
        "challenge_pilots",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        _challenge_fk("challenge_pilots"),
        sa.ForeignKeyConstraint(
            ["pilot_id"],
            ["pilots.id"],
            name="fk_challenge_pilots_pilot_id_pilots",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("challenge_id", "pilot_id", name="pk_challenge_pilots"),
    )


def _jobs_and_targets() -> None:
    op.create_table(
        "job_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_key", sa.String(100), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("sector", sa.String(40), nullable=False),
        sa.Column("tol_code", sa.String(10), nullable=False),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("organisation", sa.String(100), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("case_id", sa.String(200), nullable=False),
        sa.Column("pilot", sa.String(200), nullable=False),
        sa.Column("batch", sa.String(200), nullable=False),
        _time("created_at"),
        sa.CheckConstraint(JOB_TYPES, name="ck_job_records_type"),
        sa.PrimaryKeyConstraint("id", name="pk_job_records"),
        sa.UniqueConstraint("job_key", name="uq_job_records_job_key"),
    )
    op.create_index("ix_job_records_date", "job_records", ["date"])
    op.create_index("ix_job_records_case_id", "job_records", ["case_id"])
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("jobs", sa.Float(), nullable=False),
        sa.Column("baseline_jobs", sa.Float(), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("horizon", sa.Date(), nullable=False),
        sa.Column("sub_targets", sa.Text(), nullable=False),
        sa.Column("euro_per_job", sa.Float(), nullable=False),
        sa.Column("multiplier", sa.Float(), nullable=False),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_targets"),
        sa.UniqueConstraint("name", name="uq_targets_name"),
    )


def downgrade() -> None:
    for table in (
        "targets",
        "job_records",
        "challenge_pilots",
        "challenge_status_history",
        "challenge_comments",
        "challenge_members",
        "challenges",
    ):
        op.drop_table(table)
    with op.batch_alter_table("organisations") as batch:
        for column in ("paths_served", "contact", "commitment", "sector_type"):
            batch.drop_column(column)
