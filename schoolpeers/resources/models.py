"""The coping-strategies library: short, plain resources that counselors curate for their school."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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
    and_,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.accounts.models import Topic
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow


class Resource(db.Model):
    """A coping strategy or a place to get help: what it is in a few sentences, who it suits (topics,
    grades), where to find more (a link, or a local service and its contact), where it comes from,
    and when a counselor should read it again. Never a substitute for telling a counselor."""

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("school_id", "id", name="uq_resources_school_id_id"),
        UniqueConstraint("school_id", "title"),
        CheckConstraint("grade_min IS NULL OR grade_max IS NULL OR grade_min <= grade_max", name="grade_range"),
        Index("ix_resources_school_active", "school_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    grade_min: Mapped[int | None] = mapped_column(Integer)  # None: from the youngest
    grade_max: Mapped[int | None] = mapped_column(Integer)  # None: to the oldest
    link: Mapped[str | None] = mapped_column(String(500))
    service_name: Mapped[str | None] = mapped_column(String(200))
    service_contact: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(300), default="")
    review_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    topic_links: Mapped[list[ResourceTopic]] = relationship(cascade="all, delete-orphan")
    topics: Mapped[list[Topic]] = relationship(secondary="resource_topics", order_by="Topic.name", viewonly=True)

    @hybrid_method
    def suits_grade(self, grade: int | None) -> bool:
        return grade is None or ((self.grade_min is None or self.grade_min <= grade)
                                 and (self.grade_max is None or grade <= self.grade_max))

    @suits_grade.expression
    def suits_grade(cls, grade):  # the same rule in SQL; `grade` a bound parameter (None: every grade)
        return or_(grade.is_(None), and_(or_(cls.grade_min.is_(None), cls.grade_min <= grade),
                                         or_(cls.grade_max.is_(None), grade <= cls.grade_max)))


class ResourceTopic(db.Model):
    __tablename__ = "resource_topics"
    __table_args__ = (
        ForeignKeyConstraint(["school_id", "resource_id"], ["resources.school_id", "resources.id"],
                             ondelete="CASCADE", name="fk_resource_topics_resource_same_school"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True)


# How long a circle session's plan runs, in minutes.
PLAN_MINUTES = (20, 120)


class SessionPlan(db.Model):
    """A plan for a peer-support circle's session: an opening check-in round, an activity on the
    topic, a coping skill to practise and a closing round, in plain words a peer leader can follow.
    The project's starter plans are loaded once; counselors edit or retire them like their own."""

    __tablename__ = "session_plans"
    __table_args__ = (
        UniqueConstraint("school_id", "id", name="uq_session_plans_school_id_id"),
        UniqueConstraint("school_id", "title"),
        CheckConstraint(f"minutes BETWEEN {PLAN_MINUTES[0]} AND {PLAN_MINUTES[1]}", name="minutes_range"),
        Index("ix_session_plans_school_active", "school_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    title: Mapped[str] = mapped_column(String(120))
    # The circle topic it suits (one of the school's topics); None: any circle.
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    opening_round: Mapped[str] = mapped_column(Text)
    activity: Mapped[str] = mapped_column(Text)
    coping_skill: Mapped[str] = mapped_column(Text)
    closing_round: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int] = mapped_column(Integer, default=45)
    source: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    topic: Mapped[Topic | None] = relationship()
