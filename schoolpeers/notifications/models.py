"""Meetings a mentor proposes to their mentee, and a record of each reminder sent (so that sending
again the same day, or the next, does not repeat one)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.extensions import db
from schoolpeers.mentors.models import Mentorship
from schoolpeers.timeutil import utcnow


class Meeting(db.Model):
    """The pair's next meeting: when, how long, where. Moving it is a new time on the same meeting
    (its invitation's sequence goes up); cancelling keeps the row with `cancelled_at`."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 10 AND 120", name="minutes_range"),
        ForeignKeyConstraint(["school_id", "mentor_id"], ["users.school_id", "users.id"],
                             name="fk_meetings_mentor_same_school"),
        ForeignKeyConstraint(["school_id", "mentee_id"], ["users.school_id", "users.id"],
                             name="fk_meetings_mentee_same_school"),
        Index("ix_meetings_school_mentorship_starts", "school_id", "mentorship_id", "starts_at"),
        Index("ix_meetings_school_starts", "school_id", "starts_at"),  # tomorrow's meetings, for reminders
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentor_id: Mapped[int] = mapped_column(Integer)
    mentee_id: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    place: Mapped[str] = mapped_column(String(200), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    mentorship: Mapped[Mentorship] = relationship()


REMINDER_KINDS = ("checkin_due", "meeting_tomorrow", "self_checkin_due", "counselor_digest")


class ReminderSent(db.Model):
    """One reminder, once: `ref` names what it was about (a mentorship and the day its check-in fell
    due, a meeting, a day's digest), so a second run finds it and sends nothing."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("school_id", "user_id", "kind", "ref"),
        CheckConstraint("kind IN ('checkin_due', 'meeting_tomorrow', 'self_checkin_due', 'counselor_digest')",
                        name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(10))  # mail, or none (chosen by the person: shown at home only)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
