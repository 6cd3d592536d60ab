"""A student's request for a peer mentor, and what it asks for."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.accounts.models import Interest, Topic, User
from schoolpeers.extensions import db, sql_in
from schoolpeers.matching.statuses import RequestStatus
from schoolpeers.mentors.models import AVAILABILITY_SLOTS, Mentorship
from schoolpeers.timeutil import utcnow


class MentorRequest(db.Model):
    """Open while waiting for a mentor (proposal included); matched once a mentorship is active."""

    __tablename__ = "mentor_requests"
    __table_args__ = (
        CheckConstraint("status IN " + sql_in(RequestStatus), name="status_known"),
        ForeignKeyConstraint(["school_id", "student_id"], ["users.school_id", "users.id"],
                             name="fk_mentor_requests_student_same_school"),
        Index("uq_mentor_requests_one_open_per_student", "school_id", "student_id", unique=True,
              sqlite_where=text("status IN ('open', 'matched')"),
              postgresql_where=text("status IN ('open', 'matched')")),
        Index("ix_mentor_requests_school_status_created", "school_id", "status", "created_at"),
        # A student's timeline (every request, not only the open one); the request of a mentorship.
        Index("ix_mentor_requests_school_student", "school_id", "student_id"),
        Index("ix_mentor_requests_school_mentorship", "school_id", "mentorship_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    student_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN.value)
    language: Mapped[str | None] = mapped_column(String(40))
    same_gender: Mapped[bool] = mapped_column(Boolean, default=False)
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorships.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    student: Mapped[User] = relationship(foreign_keys=[student_id],
                                         primaryjoin="MentorRequest.student_id == User.id")
    mentorship: Mapped[Mentorship | None] = relationship()
    topic_links: Mapped[list[RequestTopic]] = relationship(cascade="all, delete-orphan")
    interest_links: Mapped[list[RequestInterest]] = relationship(cascade="all, delete-orphan")
    topics: Mapped[list[Topic]] = relationship(secondary="request_topics", order_by="Topic.name", viewonly=True)
    interests: Mapped[list[Interest]] = relationship(secondary="request_interests", order_by="Interest.name",
                                                     viewonly=True)

    @property
    def meeting_times(self) -> list[str]:
        """The times the student could meet, in words ("Mon lunchtime")."""
        return [AVAILABILITY_SLOTS.get(slot, slot) for slot in self.availability or []]


class RequestTopic(db.Model):
    __tablename__ = "request_topics"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("mentor_requests.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True)


class RequestInterest(db.Model):
    __tablename__ = "request_interests"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("mentor_requests.id", ondelete="CASCADE"), primary_key=True)
    interest_id: Mapped[int] = mapped_column(ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
