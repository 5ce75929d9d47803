"""App-state model of source profiles: an organisation's saved way of reading one export.

A profile holds a :class:`~sujuva.eventlog.mapping.ColumnMapping` as JSON (its fields: columns,
constants, keys, attributes, source, sheet, delimiter, encoding), so that next month's export
of the same source is read the same way with one click. Names are unique per organisation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sujuva.store.appdb import Base, Organisation, UtcDateTime, utc_now


class SourceProfileRow(Base):
    """One organisation's saved column mapping of a source, under a name."""

    __tablename__ = "source_profiles"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    mapping: Mapped[str] = mapped_column(Text, default="{}")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    organisation: Mapped[Organisation] = relationship(lazy="joined")
