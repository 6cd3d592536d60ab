"""Concerns about a student (or, raised from a circle's session, about the group) and their
append-only history.

A concern's facts (who, source, severity, summary, when) are written once. Its status fields
are a summary of its events and change only together with a new event; a correction is a new
event, never an edit. `schoolpeers.oversight.append_only` enforces this at the ORM level.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db, sql_in
from schoolpeers.mentors.models import CheckIn, SelfCheckIn
from schoolpeers.oversight.statuses import ConcernStatus
from schoolpeers.severity import WORRIES
from schoolpeers.timeutil import utcnow

SOURCES = {
    "risk_language": "Worrying words in check-in notes",
    "low_wellbeing": "Well-being rated 1",
    "wellbeing_drop": "Well-being dropped sharply",
    "mentor_worry": "The mentor is worried",
    "screening_failed": "The notes could not be screened automatically",
    "mentee_request": "The student asked to talk to a counselor",
    "overdue": "No check-in for too long",
    "manual": "Raised by a counselor",
    "low_questionnaire": "A very low score on the well-being questionnaire",
    "circle_notes": "Worrying words in a circle leader's session notes",
    "circle_worry": "A circle leader is worried",
    "circle_feedback": "Worrying words in a circle member's anonymous comment",
}
OUTCOMES = {
    "support_given": "Support given",
    "referred_to_counselor": "Referred to counselor",
    "referred_external": "Referred to external service",
    "safeguarding": "Safeguarding procedure started",
    "no_further_action": "No further action",
}


class Concern(db.Model):
    __tablename__ = "concerns"
    __table_args__ = (
        CheckConstraint("severity IN ('high', 'medium', 'low')", name="severity_known"),
        CheckConstraint("status IN " + sql_in(ConcernStatus), name="status_known"),
        # About a student, or (a worry about a whole circle) about the group of a circle's session.
        CheckConstraint("student_id IS NOT NULL OR group_session_id IS NOT NULL", name="about_someone"),
        Index("ix_concerns_school_status_severity", "school_id", "status", "severity"),
        Index("ix_concerns_school_student", "school_id", "student_id"),
        Index("ix_concerns_school_checkin", "school_id", "checkin_id"),  # screening a corrected check-in
        Index("ix_concerns_school_created", "school_id", "created_at"),  # reports over a date range
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorships.id"))
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id"))
    # Raised from the student's own check-in (its note is read on the concern's page).
    self_checkin_id: Mapped[int | None] = mapped_column(ForeignKey("self_checkins.id"))
    # Raised from a peer-support circle's session (its leader's notes, a member's comment): the
    # session's page holds the words. With no student, the worry is about the circle as a group.
    group_session_id: Mapped[int | None] = mapped_column(ForeignKey("group_sessions.id"), index=True)
    source: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # High concerns must be acknowledged by then (the school's deadline); None otherwise.
    ack_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # active_history: the old status is loaded on change, so it can only move forward (append_only).
    status: Mapped[str] = mapped_column(String(20), default=ConcernStatus.OPEN.value, active_history=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(30))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when retention or an erasure removed the free text (summary and event notes).
    redacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    student: Mapped[User | None] = relationship(foreign_keys=[student_id])
    checkin: Mapped[CheckIn | None] = relationship()
    self_checkin: Mapped[SelfCheckIn | None] = relationship()
    events: Mapped[list[ConcernEvent]] = relationship(order_by="ConcernEvent.id")
    @property
    def about_group(self) -> bool:
        return is_about_group(self.student_id)


def is_about_group(student_id: int | None) -> bool:
    """A worry about a circle (or a workshop) as a group: nobody's own concern."""
    return student_id is None


class ConcernEvent(db.Model):
    __tablename__ = "concern_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # raised, acknowledged, note, resolved, escalated, mailed
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship()


# How screening did on a concern's check-in notes, in a counselor's judgement.
VERDICTS = {
    "right": "Right",
    "not_a_concern": "Not a concern",
    "missed": "Missed",
}
MISSED_SEVERITIES = tuple(reversed(WORRIES))  # what a missed note should have been, most urgent first


class ScreeningMark(db.Model):
    """A counselor's mark on what screening said about a concern's check-in notes. Append-only: a
    later judgement is a new mark (`schoolpeers.oversight.append_only`); the latest one on a
    check-in's notes counts (two concerns of one check-in judge the same notes).

    `screened_severity` and `screened_categories` (space-separated category values, in the
    screener's order) are what screening said about the notes when the mark was made: the screener
    changes, and a mark keeps what it judged. No free text: the notes stay on the check-in.
    The category is not constrained here: the screener's categories may grow; the service checks it.
    """

    __tablename__ = "screening_marks"
    __table_args__ = (
        CheckConstraint("verdict IN ('right', 'not_a_concern', 'missed')", name="verdict_known"),
        CheckConstraint("severity IS NULL OR severity IN ('high', 'medium')", name="severity_known"),
        CheckConstraint("screened_severity IS NULL OR screened_severity IN ('high', 'medium', 'low')",
                        name="screened_severity_known"),
        CheckConstraint("(verdict = 'missed' AND severity IS NOT NULL AND category IS NOT NULL) OR "
                        "(verdict <> 'missed' AND severity IS NULL AND category IS NULL)",
                        name="missed_says_what"),
        Index("ix_screening_marks_school_checkin", "school_id", "checkin_id"),
        Index("ix_screening_marks_school_concern", "school_id", "concern_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"))
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id"))  # the concern's: the notes judged
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str | None] = mapped_column(String(10))  # missed: what it should have been
    category: Mapped[str | None] = mapped_column(String(40))  # missed: what it should have been
    screened_severity: Mapped[str | None] = mapped_column(String(10))
    screened_categories: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    counselor: Mapped[User] = relationship()
