"""Pilots (kokeilut): the registered pilot records.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPARISONS = "comparison IN ('concurrent', 'earlier', 'both')"


def upgrade() -> None:
    op.create_table(
        "pilots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("steps_affected", sa.Text(), nullable=False),
        sa.Column("organisations", sa.Text(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("pilot_group", sa.Text(), nullable=False),
        sa.Column("comparison", sa.String(20), nullable=False),
        sa.Column("outcome_from", sa.String(200), nullable=False),
        sa.Column("outcome_to", sa.String(200), nullable=False),
        sa.Column("competing", sa.Text(), nullable=False),
        sa.Column("min_effect_days", sa.Float(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(COMPARISONS, name="ck_pilots_comparison"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_pilots_created_by_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pilots"),
        sa.UniqueConstraint("name", name="uq_pilots_name"),
    )


def downgrade() -> None:
    op.drop_table("pilots")
