"""Differential-privacy releases of a school's reports (made once per closed period, never again), and
report files made in the background."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, Float, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow


class DpRelease(db.Model):
    """The noisy counts per grade of one closed term or school year, and the ε they spent."""

    __tablename__ = "dp_releases"
    __table_args__ = (
        UniqueConstraint("school_id", "level", "label"),
        CheckConstraint("level IN ('term', 'year')", name="level_known"),
        CheckConstraint("epsilon > 0", name="epsilon_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    level: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    school_year: Mapped[str] = mapped_column(String(10))
    epsilon: Mapped[float] = mapped_column(Float)
    counts: Mapped[dict] = mapped_column(JSON)  # grade (as text) -> count name -> noisy count
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExportFile(db.Model):
    """A report file made in the background (a large export), kept for its maker to download for a
    day; `flask retention purge` removes older ones. Only anonymized published cells, like any export."""

    __tablename__ = "report_export_files"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
