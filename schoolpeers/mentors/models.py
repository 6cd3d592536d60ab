"""Mentor profiles and training, mentorships and their history, blocked pairs.

The invariants of a mentorship live in the database where they can:
- a mentee has at most one open (proposed or active) mentorship: a partial unique index;
- mentor and mentee are different people of the same school: a check and composite keys;
- a mentor's open mentorships never exceed capacity: checked under a row lock on the mentor's
  profile (see services.lock_profile), because no portable constraint can count rows.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.accounts.models import Topic, User
from schoolpeers.extensions import db, sql_in
from schoolpeers.mentors.statuses import OPEN, MentorshipStatus, ProfileStatus
from schoolpeers.timeutil import utcnow

END_REASONS = {
    "completed": "Completed",
    "not_a_good_fit": "Not a good fit",
    "mentor_stepped_down": "Mentor stepped down",
    "mentee_left": "Mentee left the school",
    "mentor_left": "Mentor left the school",
    "safeguarding": "Safeguarding",
    "consent_withdrawn": "Consent withdrawn",
}
BLOCK_REASONS = ("blocked", "not_a_good_fit", "rejected")
# When students can meet: weekday × part of the school day.
AVAILABILITY_SLOTS = {
    f"{day}-{part}": f"{day.capitalize()} {label}"
    for day in ("mon", "tue", "wed", "thu", "fri")
    for part, label in (("before", "before school"), ("lunch", "lunchtime"), ("after", "after school"))
}


class MentorProfile(db.Model):
    __tablename__ = "mentor_profiles"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 1 AND 5", name="capacity_range"),
        CheckConstraint("status IN " + sql_in(ProfileStatus), name="status_known"),
        ForeignKeyConstraint(["school_id", "user_id"], ["users.school_id", "users.id"],
                             name="fk_mentor_profiles_user_same_school"),
        UniqueConstraint("school_id", "user_id"),
        Index("ix_mentor_profiles_school_status", "school_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    user_id: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    bio: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ProfileStatus.APPLIED.value)
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    motivation: Mapped[str] = mapped_column(Text, default="")
    certified_until: Mapped[date | None] = mapped_column(Date)
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The day (at the school) a counselor accepted the application; None for profiles accepted before
    # it was kept, which count from `created_at` (the day they applied) instead.
    accepted_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)  # when they applied

    user: Mapped[User] = relationship(foreign_keys=[user_id], primaryjoin="MentorProfile.user_id == User.id")
    topic_links: Mapped[list[MentorTopic]] = relationship(cascade="all, delete-orphan")
    topics: Mapped[list[Topic]] = relationship(secondary="mentor_topics", order_by="Topic.name", viewonly=True)
    completions: Mapped[list[TrainingCompletion]] = relationship(cascade="all, delete-orphan")

    def is_certified_on(self, day: date) -> bool:
        return self.certified_until is not None and self.certified_until >= day


class MentorTopic(db.Model):
    __tablename__ = "mentor_topics"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True)


class TrainingModule(db.Model):
    __tablename__ = "training_modules"
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("purpose IN ('mentoring', 'circle_leader')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # How long the module takes: a mentor's volunteering hours count it once completed.
    minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    # What it trains for: "mentoring" modules are all needed for certification; a "circle_leader"
    # module is extra, for certified mentors who lead peer-support circles.
    purpose: Mapped[str] = mapped_column(String(20), default="mentoring", server_default="mentoring")


class TrainingCompletion(db.Model):
    __tablename__ = "training_completions"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id", ondelete="CASCADE"), primary_key=True)
    completed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Mentorship(db.Model):
    __tablename__ = "mentorships"
    __table_args__ = (
        CheckConstraint("mentor_id <> mentee_id", name="different_people"),
        CheckConstraint("status IN " + sql_in(MentorshipStatus), name="status_known"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
        ForeignKeyConstraint(["school_id", "mentor_id"], ["users.school_id", "users.id"],
                             name="fk_mentorships_mentor_same_school"),
        ForeignKeyConstraint(["school_id", "mentee_id"], ["users.school_id", "users.id"],
                             name="fk_mentorships_mentee_same_school"),
        # Unique keys lead with school_id so that the tables can be sharded by school.
        Index("uq_mentorships_one_open_per_mentee", "school_id", "mentee_id", unique=True,
              sqlite_where=text("status IN " + sql_in(OPEN)),
              postgresql_where=text("status IN " + sql_in(OPEN))),
        Index("ix_mentorships_school_status", "school_id", "status"),
        # A mentor's mentees; a student's timeline (as mentee or as mentor).
        Index("ix_mentorships_school_mentor_status", "school_id", "mentor_id", "status"),
        Index("ix_mentorships_school_mentee", "school_id", "mentee_id"),
        Index("ix_mentorships_school_profile_status", "school_id", "profile_id", "status"),
        # The dashboard's mentorships ended lately for a reason ("mentor left"): without it, every
        # closed mentorship of the school, which only grow in number, was read on each visit.
        Index("ix_mentorships_school_end_reason_ended", "school_id", "end_reason", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    profile_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id"))
    mentor_id: Mapped[int] = mapped_column(Integer)
    mentee_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=MentorshipStatus.PROPOSED.value)
    score: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text)
    score_parts: Mapped[list] = mapped_column(JSON, default=list)
    began_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    profile: Mapped[MentorProfile] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id], primaryjoin="Mentorship.mentor_id == User.id")
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id], primaryjoin="Mentorship.mentee_id == User.id")
    events: Mapped[list[MentorshipEvent]] = relationship(order_by="MentorshipEvent.id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class MentorshipEvent(db.Model):
    """Append-only history of a mentorship: proposed, approved, rejected, closed, change asked."""

    __tablename__ = "mentorship_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BlockedPair(db.Model):
    """A mentor and mentee who must never be proposed together again."""

    __tablename__ = "blocked_pairs"
    __table_args__ = (
        UniqueConstraint("school_id", "mentee_id", "mentor_id"),
        ForeignKeyConstraint(["school_id", "mentor_id"], ["users.school_id", "users.id"],
                             name="fk_blocked_pairs_mentor_same_school"),
        ForeignKeyConstraint(["school_id", "mentee_id"], ["users.school_id", "users.id"],
                             name="fk_blocked_pairs_mentee_same_school"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentor_id: Mapped[int] = mapped_column(Integer)
    mentee_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(30), default="blocked")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


DEFAULT_TRAINING_MODULES = (
    ("Listening skills", "Open questions, reflecting back, letting silence do its work."),
    ("Confidentiality and its limits", "What stays between you, and what you must always pass to an adult."),
    ("Recognising risk and telling an adult", "Warning signs, and how to tell a counselor the same day."),
    ("Boundaries", "You are a peer, not a counselor: what you do and do not take on."),
)
TRAINING_PURPOSES = {"mentoring": "Mentoring", "circle_leader": "Leading a circle"}
CIRCLE_LEADER_MODULE = (
    "Leading a peer-support circle",
    "Running a session from its plan, keeping the group safe and kind, the circle's confidentiality "
    "agreement, and passing any worry to the supervising counselor the same day.")


CHECKIN_MODES = {"in_person": "In person", "online": "Online"}
DOMAINS = {"school_work": "School work", "friendships": "Friendships", "home": "Home",
           "sleep_energy": "Sleep and energy"}
FEEDBACK_CHOICES = {"going_well": "Going well", "okay": "Okay", "not_a_good_fit": "Not a good fit"}


class CheckIn(db.Model):
    """A mentor's record of one meeting. Notes are private to the mentor who wrote them and counselors."""

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint("wellbeing BETWEEN 1 AND 5", name="wellbeing_range"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 180", name="duration_range"),
        CheckConstraint("mode IN ('in_person', 'online')", name="mode_known"),
        *(CheckConstraint(f"{d} IS NULL OR {d} BETWEEN 1 AND 5", name=f"{d}_range") for d in DOMAINS),
        Index("ix_checkins_school_mentorship_occurred", "school_id", "mentorship_id", "occurred_on"),
        Index("ix_checkins_school_mentee_occurred", "school_id", "mentee_id", "occurred_on"),
        Index("ix_checkins_school_occurred", "school_id", "occurred_on"),  # reports over a date range
        Index("ix_checkins_school_id", "school_id", "id"),  # a school's latest check-in, for the reports' cache key
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20))
    wellbeing: Mapped[int] = mapped_column(Integer)
    school_work: Mapped[int | None] = mapped_column(Integer)
    friendships: Mapped[int | None] = mapped_column(Integer)
    home: Mapped[int | None] = mapped_column(Integer)
    sleep_energy: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    worried: Mapped[bool] = mapped_column(default=False)
    worry_reason: Mapped[str | None] = mapped_column(Text)
    worry_severity: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    mentorship: Mapped[Mentorship] = relationship()
    topic_links: Mapped[list[CheckInTopic]] = relationship(cascade="all, delete-orphan")
    topics: Mapped[list[Topic]] = relationship(secondary="checkin_topics", order_by="Topic.name", viewonly=True)
    revisions: Mapped[list[CheckInRevision]] = relationship(order_by="CheckInRevision.id")


class CheckInTopic(db.Model):
    __tablename__ = "checkin_topics"
    __table_args__ = (
        # Reports read a school's topic links in check-in order from this index alone (no sort, no heap).
        Index("ix_checkin_topics_school_checkin", "school_id", "checkin_id", postgresql_include=["topic_id"]),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True)


class CheckInRevision(db.Model):
    """The values a check-in had before a correction: corrections keep their history."""

    __tablename__ = "checkin_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id"), index=True)
    previous: Mapped[dict] = mapped_column(JSON)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MenteeFeedback(db.Model):
    """How the mentee says it is going; "not a good fit" reaches the counselor's dashboard."""

    __tablename__ = "mentee_feedback"
    __table_args__ = (
        CheckConstraint("rating IN ('going_well', 'okay', 'not_a_good_fit')", name="rating_known"),
        Index("ix_mentee_feedback_school_rating_created", "school_id", "rating", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    mentorship: Mapped[Mentorship] = relationship()


class SelfCheckIn(db.Model):
    """A mentee's own short pulse: the same faces and domains as a mentor's check-in, an optional
    note that only counselors read, and whether they want to talk to a counselor. Screened in the
    same transaction as a mentor's notes (`self_checkin_saved`)."""

    __tablename__ = "self_checkins"
    __table_args__ = (
        CheckConstraint("wellbeing BETWEEN 1 AND 5", name="wellbeing_range"),
        *(CheckConstraint(f"{d} IS NULL OR {d} BETWEEN 1 AND 5", name=f"{d}_range") for d in DOMAINS),
        ForeignKeyConstraint(["school_id", "mentee_id"], ["users.school_id", "users.id"],
                             name="fk_self_checkins_mentee_same_school"),
        Index("ix_self_checkins_school_mentee_created", "school_id", "mentee_id", "created_at"),
        Index("ix_self_checkins_school_occurred", "school_id", "occurred_on"),  # reports over a date range
        Index("ix_self_checkins_school_id", "school_id", "id"),  # a school's latest, for the reports' cache key
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    mentee_id: Mapped[int] = mapped_column(Integer)
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorships.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    wellbeing: Mapped[int] = mapped_column(Integer)
    school_work: Mapped[int | None] = mapped_column(Integer)
    friendships: Mapped[int | None] = mapped_column(Integer)
    home: Mapped[int | None] = mapped_column(Integer)
    sleep_energy: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    wants_counselor: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id], primaryjoin="SelfCheckIn.mentee_id == User.id")
