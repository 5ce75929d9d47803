"""App state: organisations, users, API tokens, saved views, import jobs, audit log, logins.

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the values allowed when this revision was written (not imported from code).
ROLES = "role IN ('coordinator', 'analyst', 'viewer', 'admin')"
LANGUAGES = "language IN ('fi', 'en', 'sv')"
STATUSES = "status IN ('queued', 'running', 'done', 'failed')"
_COUNTS = ("rows_read", "imported", "rejected", "duplicate")


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _user_fk(table: str, *, cascade: bool) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"],
        ["users.id"],
        name=f"fk_{table}_user_id_users",
        ondelete="CASCADE" if cascade else None,
    )


def _organisations_and_users() -> None:
    op.create_table(
        "organisations",
        _id(),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
        sa.UniqueConstraint("code", name="uq_organisations_code"),
    )
    op.create_table(
        "users",
        _id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("last_login_at", nullable=True),
        sa.CheckConstraint(ROLES, name="ck_users_role"),
        sa.CheckConstraint(LANGUAGES, name="ck_users_language"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name="fk_users_organisation_id_organisations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_index("ix_users_organisation_id", "users", ["organisation_id"])


def _tokens_and_views() -> None:
    op.create_table(
        "api_tokens",
        _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(8), nullable=False),
        _time("created_at"),
        _time("last_used_at", nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        _user_fk("api_tokens", cascade=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "saved_views",
        _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        _time("created_at"),
        _user_fk("saved_views", cascade=True),
        sa.PrimaryKeyConstraint("id", name="pk_saved_views"),
    )
    op.create_index("ix_saved_views_user_id", "saved_views", ["user_id"])


def _import_jobs() -> None:
    op.create_table(
        "import_jobs",
        _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        _time("created_at"),
        _time("started_at", nullable=True),
        _time("finished_at", nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.Column("progress_step", sa.Text(), nullable=False),
        sa.Column("progress_rows", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("quarantine_file", sa.Text(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.CheckConstraint(STATUSES, name="ck_import_jobs_status"),
        _user_fk("import_jobs", cascade=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_import_jobs_organisation_id_organisations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_jobs"),
    )
    op.create_index("ix_import_jobs_user_id", "import_jobs", ["user_id"])
    op.create_index("ix_import_jobs_organisation_id", "import_jobs", ["organisation_id"])


def _audit_and_logins() -> None:
    op.create_table(
        "audit_log",
        _id(),
        _time("at"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "login_failures",
        _id(),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
        _time("at"),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_username_at", "login_failures", ["username", "at"])
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"])


def upgrade() -> None:
    """Create the app-state tables."""
    _organisations_and_users()
    _tokens_and_views()
    _import_jobs()
    _audit_and_logins()


def downgrade() -> None:
    """Drop the app-state tables, dependants first."""
    for table in ("login_failures", "audit_log", "import_jobs", "saved_views", "api_tokens"):
        op.drop_table(table)
    op.drop_table("users")
    op.drop_table("organisations")
