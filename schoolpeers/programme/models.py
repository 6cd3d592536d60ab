"""The programme cycle around a mentorship: the agreement and goals at its start, progress on the
goals at each check-in, the mentor's own well-being and supervision, the walk through its ending
(closing meeting, exit surveys, goodbye message), the well-being questionnaire before and after,
and the certificates that recognise a mentor's volunteering.

Every table carries school_id; the people in a row belong to its school (composite keys)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.extensions import db, same_school, sql_in
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.timeutil import utcnow

# The school's list of goal areas: a goal is one of these, in the pair's own words. Fixed areas keep
# the outcomes report comparable from year to year.
GOAL_AREAS = {
    "friendships": "Friendships and getting on with people",
    "school_work": "School work, exams and organisation",
    "confidence": "Confidence and speaking up",
    "feelings": "Managing worry, stress and feelings",
    "settling_in": "Settling in at school",
    "home": "Home and family",
    "health": "Sleep, health and looking after myself",
    "other": "Something else",
}
MAX_GOALS = 3
GOAL_PROGRESS = {1: "Not started yet", 2: "A little progress", 3: "Good progress", 4: "Reached it"}
MEETING_FREQUENCIES = {"weekly": "Every week", "fortnightly": "Every two weeks", "monthly": "Every month"}
# How a mentor felt after a check-in: "hard" reaches a counselor.
MENTOR_FEELINGS = {"fine": "I'm fine", "bit_hard": "It was a bit hard", "hard": "This was hard for me"}
SUPERVISION_KINDS = {"group": "Group", "one_to_one": "One-to-one"}
# What a supervision session was about: themes only, never anything about a mentee.
SUPERVISION_THEMES = {
    "listening": "Listening skills",
    "boundaries": "Boundaries",
    "confidentiality": "Confidentiality and telling an adult",
    "difficult_conversations": "Difficult conversations",
    "self_care": "Looking after yourself",
    "endings": "Ending a mentorship well",
    "planning": "Planning sessions and goals",
    "safeguarding": "Safeguarding refresher",
    "circle_sessions": "Leading circle sessions",
}
SIDES = {"mentor": "Mentor", "mentee": "Mentee"}
RECOMMEND = {"yes": "Yes", "not_sure": "Not sure", "no": "No"}
WHAT_HELPED = {
    "listening": "Having someone to listen",
    "talking": "Talking things through",
    "ideas": "Ideas to try",
    "school_work": "Help with school work",
    "friends": "Getting on with people",
    "confidence": "Feeling more confident",
}
OCCASIONS = {"start": "At the start", "end": "At the end"}


class Agreement(db.Model):
    """What a pair agree at their first meeting, acknowledged by both."""

    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("school_id", "mentorship_id"),
        CheckConstraint("how_often IN " + sql_in(MEETING_FREQUENCIES), name="how_often_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    how_often: Mapped[str] = mapped_column(String(20))
    where: Mapped[str] = mapped_column(String(200))
    ground_rules: Mapped[str] = mapped_column(Text, default="")
    agreed_on: Mapped[date] = mapped_column(Date)
    mentor_agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mentee_agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    mentorship: Mapped[Mentorship] = relationship()


class Goal(db.Model):
    """One of a pair's one to three goals: an area from the school's list, in their own words."""

    __tablename__ = "goals"
    __table_args__ = (
        UniqueConstraint("school_id", "mentorship_id", "position"),
        CheckConstraint(f"position BETWEEN 1 AND {MAX_GOALS}", name="position_range"),
        CheckConstraint("area IN " + sql_in(GOAL_AREAS), name="area_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    position: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(20))
    wording: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GoalProgress(db.Model):
    """How a goal moved, as recorded with a check-in."""

    __tablename__ = "goal_progress"
    __table_args__ = (CheckConstraint("progress BETWEEN 1 AND 4", name="progress_range"),)

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True, index=True)
    progress: Mapped[int] = mapped_column(Integer)


class MentorFeeling(db.Model):
    """A mentor's own short check after a check-in; "hard" or asking to talk reaches a counselor,
    who marks it seen. About the mentor only: never notes about the mentee."""

    __tablename__ = "mentor_feelings"
    __table_args__ = (
        CheckConstraint("feeling IN " + sql_in(MENTOR_FEELINGS), name="feeling_known"),
        UniqueConstraint("school_id", "checkin_id"),
        same_school("mentor_id", "fk_mentor_feelings_mentor_same_school"),
        Index("ix_mentor_feelings_school_seen_created", "school_id", "seen_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentor_id: Mapped[int] = mapped_column(Integer)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    feeling: Mapped[str] = mapped_column(String(20))
    wants_to_talk: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    mentor = relationship("User", foreign_keys=[mentor_id], primaryjoin="MentorFeeling.mentor_id == User.id")

    @property
    def needs_counselor(self) -> bool:
        return self.feeling == "hard" or self.wants_to_talk


class SupervisionSession(db.Model):
    """A supervision session a counselor held with mentors: when, how long, group or one-to-one,
    who came and its themes (from a list: nothing about any mentee is written here)."""

    __tablename__ = "supervision_sessions"
    __table_args__ = (
        UniqueConstraint("school_id", "id", name="uq_supervision_sessions_school_id_id"),
        CheckConstraint("kind IN " + sql_in(SUPERVISION_KINDS), name="kind_known"),
        CheckConstraint("minutes BETWEEN 10 AND 240", name="minutes_range"),
        Index("ix_supervision_sessions_school_held", "school_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(Integer)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A debrief with a peer-support circle's leaders: supervision like any other session.
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"), index=True)

    attendance: Mapped[list[SupervisionAttendance]] = relationship(cascade="all, delete-orphan")


class SupervisionAttendance(db.Model):
    __tablename__ = "supervision_attendance"
    __table_args__ = (
        ForeignKeyConstraint(["school_id", "session_id"], ["supervision_sessions.school_id", "supervision_sessions.id"],
                             name="fk_supervision_attendance_session_same_school", ondelete="CASCADE"),
        same_school("mentor_id", "fk_supervision_attendance_mentor_same_school"),
        Index("ix_supervision_attendance_school_mentor", "school_id", "mentor_id"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentor_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Closure(db.Model):
    """The walk through a mentorship's ending, begun by a counselor: the closing meeting (a check-in),
    the goodbye message the mentee keeps, and (in `ExitSurvey`) each side's answers."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("school_id", "mentorship_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    begun_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    begun_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closing_checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    goodbye_message: Mapped[str | None] = mapped_column(Text)
    goodbye_written_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    goodbye_read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # first read by the mentee
    # A counselor may withhold a goodbye message from the mentee (a safeguarding decision); it stays
    # for counselors to read, and the mentor's step still counts as done.
    goodbye_withheld_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    goodbye_withheld_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    mentorship: Mapped[Mentorship] = relationship()
    closing_checkin: Mapped[CheckIn | None] = relationship()

    @property
    def goodbye_for_mentee(self) -> str | None:
        """The goodbye message as the mentee may read it: written and not withheld."""
        return None if self.goodbye_withheld_at is not None else self.goodbye_message


class ExitSurvey(db.Model):
    """One side's answers when a mentorship ends: how they got on, how much it helped, whether they
    would recommend it (mentee) or mentor again (mentor), what helped, and an optional comment."""

    __tablename__ = "exit_surveys"
    __table_args__ = (
        UniqueConstraint("school_id", "mentorship_id", "side"),
        CheckConstraint("side IN " + sql_in(SIDES), name="side_known"),
        CheckConstraint("got_on BETWEEN 1 AND 5", name="got_on_range"),
        CheckConstraint("helped BETWEEN 1 AND 5", name="helped_range"),
        CheckConstraint("recommend IN " + sql_in(RECOMMEND), name="recommend_known"),
        same_school("respondent_id", "fk_exit_surveys_respondent_same_school"),
        Index("ix_exit_surveys_school_created", "school_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    side: Mapped[str] = mapped_column(String(10))
    respondent_id: Mapped[int] = mapped_column(Integer)
    got_on: Mapped[int] = mapped_column(Integer)
    helped: Mapped[int] = mapped_column(Integer)
    recommend: Mapped[str] = mapped_column(String(10))
    what_helped: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutcomeMeasure(db.Model):
    """A mentee's answers to the well-being questionnaire (`scales`) at the start or the end of a
    mentorship, with its score and their grade that day (the report groups by grade band)."""

    __tablename__ = "outcome_measures"
    __table_args__ = (
        UniqueConstraint("school_id", "mentorship_id", "occasion"),
        CheckConstraint("occasion IN " + sql_in(OCCASIONS), name="occasion_known"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
        same_school("mentee_id", "fk_outcome_measures_mentee_same_school"),
        Index("ix_outcome_measures_school_answered", "school_id", "answered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentee_id: Mapped[int | None] = mapped_column(Integer)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    occasion: Mapped[str] = mapped_column(String(10))
    scale: Mapped[str] = mapped_column(String(20))
    answers: Mapped[list[int]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[int | None] = mapped_column(Integer)
    answered_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Certificate(db.Model):
    """A counselor's certificate of a mentor's volunteering over a period, with the hours as they
    stood when it was issued (check-ins, training, supervision), kept so it reads the same later.
    A mentor has at most one certificate for a period."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("period_from <= period_to", name="period_order"),
        same_school("mentor_id", "fk_certificates_mentor_same_school"),
        # One certificate per mentor and period (a second click issues nothing); its index serves
        # the lookups of a mentor's certificates too.
        UniqueConstraint("school_id", "mentor_id", "period_from", "period_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentor_id: Mapped[int] = mapped_column(Integer)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_on: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    checkin_minutes: Mapped[int] = mapped_column(Integer)
    training_minutes: Mapped[int] = mapped_column(Integer)
    supervision_minutes: Mapped[int] = mapped_column(Integer)
    citation: Mapped[str] = mapped_column(String(300), default="")

    mentor = relationship("User", foreign_keys=[mentor_id], primaryjoin="Certificate.mentor_id == User.id")
    issued_by = relationship("User", foreign_keys=[issued_by_id])


class OutcomeRelease(db.Model):
    """The outcomes report of a school year that has ended, as it was first published: the figures as
    shown (`content`, the presented strings) with the k and scale they were made with. It is made once
    and never again, so later answers or erasures cannot be compared with it to single out a student."""

    __tablename__ = "outcome_releases"
    __table_args__ = (
        UniqueConstraint("school_id", "year_start"),
        CheckConstraint("year_start <= year_end", name="year_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    year_start: Mapped[date] = mapped_column(Date)
    year_end: Mapped[date] = mapped_column(Date)
    k: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)  # the published rows and strings, and the scale's key
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
