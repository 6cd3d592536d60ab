"""Circles, the students' places in them, and group sessions (a circle's, or an open workshop's) with
their attendance, mood round and anonymous feedback.

Every table carries school_id; the people, circle, plan and session of a row belong to its school
(composite keys). The mood round and the feedback keep no student: answers are counts, comments keep
no time and a random key, and `FeedbackGiven` says only that a student has answered (so nobody
answers twice)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.accounts.models import Topic, User
from schoolpeers.circles.statuses import (
    CIRCLE_SIZE,
    FEEDBACK_ANSWERS,
    HOW_IT_WENT,
    CircleStatus,
    PlaceStatus,
    SessionStatus,
)
from schoolpeers.extensions import db, same_school, sql_in
from schoolpeers.resources.models import SessionPlan
from schoolpeers.timeutil import utcnow


class Circle(db.Model):
    """A peer-support circle: a topic (one of the school's topics), the grades it is open to, how
    many members it takes, one or two peer leaders and a supervising counselor."""

    __tablename__ = "circles"
    __table_args__ = (
        UniqueConstraint("school_id", "id", name="uq_circles_school_id_id"),
        UniqueConstraint("school_id", "name"),
        CheckConstraint(f"capacity BETWEEN {CIRCLE_SIZE[0]} AND {CIRCLE_SIZE[1]}", name="capacity_range"),
        CheckConstraint("grade_min <= grade_max", name="grade_range"),
        CheckConstraint("status IN " + sql_in(CircleStatus), name="status_known"),
        same_school("counselor_id", "fk_circles_counselor_same_school"),
        Index("ix_circles_school_status", "school_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    name: Mapped[str] = mapped_column(String(80))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    about: Mapped[str] = mapped_column(Text, default="")  # a few plain words for students
    grade_min: Mapped[int] = mapped_column(Integer)
    grade_max: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer, default=8)
    counselor_id: Mapped[int] = mapped_column(Integer)  # the supervising counselor
    status: Mapped[str] = mapped_column(String(20), default=CircleStatus.OPEN.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    topic: Mapped[Topic] = relationship()
    counselor: Mapped[User] = relationship(foreign_keys=[counselor_id],
                                           primaryjoin="Circle.counselor_id == User.id")
    leader_links: Mapped[list[CircleLeader]] = relationship(cascade="all, delete-orphan")

    def open_to(self, grade: int | None) -> bool:
        return grade is not None and self.grade_min <= grade <= self.grade_max


class CircleLeader(db.Model):
    """A peer leader of a circle: a certified mentor with the circle-leader module (the service checks)."""

    __tablename__ = "circle_leaders"
    __table_args__ = (
        same_school("circle_id", "fk_circle_leaders_circle_same_school", "circles", "CASCADE"),
        same_school("leader_id", "fk_circle_leaders_leader_same_school"),
        Index("ix_circle_leaders_school_leader", "school_id", "leader_id"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    circle_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leader_id: Mapped[int] = mapped_column(Integer, primary_key=True)

    leader: Mapped[User] = relationship(foreign_keys=[leader_id], primaryjoin="CircleLeader.leader_id == User.id")


class CircleMember(db.Model):
    """A student's place in a circle, from asking (or being invited) to leaving. `placed_at` orders
    the waiting list and says since when a member belongs; `agreed_at` is when they accepted the
    circle's confidentiality agreement, which they do before their first session."""

    __tablename__ = "circle_members"
    __table_args__ = (
        UniqueConstraint("school_id", "id", name="uq_circle_members_school_id_id"),
        UniqueConstraint("circle_id", "student_id"),
        CheckConstraint("status IN " + sql_in(PlaceStatus), name="status_known"),
        same_school("circle_id", "fk_circle_members_circle_same_school", "circles", "CASCADE"),
        same_school("student_id", "fk_circle_members_student_same_school"),
        Index("ix_circle_members_school_student", "school_id", "student_id"),
        Index("ix_circle_members_circle_status", "circle_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    circle_id: Mapped[int] = mapped_column(Integer)
    student_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)  # asked or invited
    placed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # on the list, or a member
    agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    circle: Mapped[Circle] = relationship(foreign_keys=[circle_id],
                                          primaryjoin="CircleMember.circle_id == Circle.id")
    student: Mapped[User] = relationship(foreign_keys=[student_id], primaryjoin="CircleMember.student_id == User.id")


class GroupSession(db.Model):
    """A session of a circle (from a plan in the library), or an open one-off workshop (`circle_id`
    None) any student of its grades can sign up for. Its leader logs it once held: attendance, how it
    went, notes (screened like check-in notes) and the mood round."""

    __tablename__ = "group_sessions"
    __table_args__ = (
        UniqueConstraint("school_id", "id", name="uq_group_sessions_school_id_id"),
        CheckConstraint("status IN " + sql_in(SessionStatus), name="status_known"),
        CheckConstraint("how_it_went IS NULL OR how_it_went IN " + sql_in(HOW_IT_WENT), name="how_it_went_known"),
        CheckConstraint("minutes BETWEEN 10 AND 240", name="minutes_range"),
        # A workshop says which grades may sign up and how many places it has; a circle's session
        # takes both from its circle.
        CheckConstraint("circle_id IS NOT NULL OR (grade_min IS NOT NULL AND grade_max IS NOT NULL "
                        "AND grade_min <= grade_max AND capacity BETWEEN 1 AND 500)", name="workshop_says_who"),
        same_school("circle_id", "fk_group_sessions_circle_same_school", "circles"),
        same_school("plan_id", "fk_group_sessions_plan_same_school", "session_plans"),
        Index("ix_group_sessions_school_starts", "school_id", "starts_at"),
        Index("ix_group_sessions_circle_starts", "circle_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    circle_id: Mapped[int | None] = mapped_column(Integer)
    plan_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    about: Mapped[str] = mapped_column(Text, default="")  # a workshop's few words for students
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    minutes: Mapped[int] = mapped_column(Integer, default=45)
    place: Mapped[str] = mapped_column(String(120), default="")
    grade_min: Mapped[int | None] = mapped_column(Integer)  # workshops
    grade_max: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED.value)
    how_it_went: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    logged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    circle: Mapped[Circle | None] = relationship(foreign_keys=[circle_id],
                                                 primaryjoin="GroupSession.circle_id == Circle.id")
    plan: Mapped[SessionPlan | None] = relationship(foreign_keys=[plan_id],
                                                    primaryjoin="GroupSession.plan_id == SessionPlan.id")

    @property
    def is_workshop(self) -> bool:
        return self.circle_id is None


class SessionAttendance(db.Model):
    """A student at a session: signed up (workshops), then present or absent once logged. A circle's
    members get a row when the session is logged."""

    __tablename__ = "session_attendance"
    __table_args__ = (
        same_school("session_id", "fk_session_attendance_session_same_school", "group_sessions", "CASCADE"),
        same_school("student_id", "fk_session_attendance_student_same_school"),
        Index("ix_session_attendance_school_student", "school_id", "student_id"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signed_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    present: Mapped[bool | None] = mapped_column(Boolean)  # None until the session is logged
    # A worry the leader ticked about this member when logging (it raised a concern about them).
    worried: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    student: Mapped[User] = relationship(foreign_keys=[student_id],
                                         primaryjoin="SessionAttendance.student_id == User.id")


class MoodCount(db.Model):
    """The anonymous mood round: how many members tapped each face. No names, ever."""

    __tablename__ = "mood_counts"
    __table_args__ = (
        CheckConstraint("mood BETWEEN 1 AND 5", name="mood_range"),
        CheckConstraint("taps >= 0", name="taps_positive"),
        same_school("session_id", "fk_mood_counts_session_same_school", "group_sessions", "CASCADE"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mood: Mapped[int] = mapped_column(Integer, primary_key=True)
    taps: Mapped[int] = mapped_column(Integer)


class FeedbackCount(db.Model):
    """Members' one-tap feedback after a session: how many gave each answer, counted in place like the
    mood round, so no row stands for one member's answer."""

    __tablename__ = "feedback_counts"
    __table_args__ = (
        CheckConstraint("answer IN " + sql_in(FEEDBACK_ANSWERS), name="answer_known"),
        CheckConstraint("answers >= 0", name="answers_positive"),
        same_school("session_id", "fk_feedback_counts_session_same_school", "group_sessions", "CASCADE"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer: Mapped[str] = mapped_column(String(20), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)


class SessionComment(db.Model):
    """A member's comment for the counselor after a session. It keeps no student and no time, and its
    key is random; on SQLite the table has no row number either, so rows are stored in the key's
    order and the order of writing says nothing."""

    __tablename__ = "session_comments"
    __table_args__ = (
        same_school("session_id", "fk_session_comments_session_same_school", "group_sessions", "CASCADE"),
        Index("ix_session_comments_school_session", "school_id", "session_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random (uuid4 hex)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    session_id: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text)


class FeedbackGiven(db.Model):
    """That a student has given feedback on a session (so they answer once); never what they said."""

    __tablename__ = "feedback_given"
    __table_args__ = (
        same_school("session_id", "fk_feedback_given_session_same_school", "group_sessions", "CASCADE"),
        same_school("student_id", "fk_feedback_given_student_same_school"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class CircleReportRelease(db.Model):
    """The circles report of a school year that has ended, as it was first published: the figures as
    shown (`content`, the presented strings) with the k they were made with. Made once and never
    again, so sessions logged late, erasures or a student's new grade cannot be compared with it."""

    __tablename__ = "circle_report_releases"
    __table_args__ = (
        UniqueConstraint("school_id", "year_start"),
        CheckConstraint("year_start <= year_end", name="year_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    year_start: Mapped[date] = mapped_column(Date)
    year_end: Mapped[date] = mapped_column(Date)
    k: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)  # the published tables' rows as strings
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
