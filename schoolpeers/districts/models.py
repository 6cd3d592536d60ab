"""The district's own stored records (districts, offices and providers live with the accounts)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow


class StoredRollup(db.Model):
    """A district's newest roll-up report, built in the background: a cold build over many schools takes
    longer than a page may. Only what the roll-up publishes (the figures as shown, hidden ones as their
    marks), like an export of it; one per district, replaced by the next build."""

    __tablename__ = "district_rollups"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)  # the district's office
    key_digest: Mapped[str] = mapped_column(String(64))  # what the figures were built from
    built_on: Mapped[date] = mapped_column(Date)  # the district's day they were built for
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    figures: Mapped[bytes] = mapped_column(LargeBinary)  # `rollup_store.encode`
