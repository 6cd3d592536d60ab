"""A school's consent policy and every consent answer a family gave (append-only)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.accounts.models import Guardian, User
from schoolpeers.audit import refuse_bulk_changes
from schoolpeers.extensions import db, sql_in
from schoolpeers.families.consent import Decision, Rule
from schoolpeers.outbox import OutboxMail
from schoolpeers.timeutil import utcnow

CHANNELS = {"paper": "On paper", "phone": "By phone", "in_person": "In person", "link": "Through the consent link"}


class ConsentPolicy(db.Model):
    """What the school asks of families, and the programme description they read. A school without a
    row follows the defaults (opt-out for teenagers, opt-in for younger students)."""

    __tablename__ = "consent_policies"
    __table_args__ = tuple(
        CheckConstraint(f"{column} IN {sql_in(Rule)}", name=f"{column}_known")
        for column in ("mentee_rule", "mentor_rule", "younger_rule"))

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    mentee_rule: Mapped[str] = mapped_column(String(20), default=Rule.OPT_OUT)
    mentor_rule: Mapped[str] = mapped_column(String(20), default=Rule.OPT_OUT)
    younger_rule: Mapped[str] = mapped_column(String(20), default=Rule.OPT_IN)
    programme_text: Mapped[str] = mapped_column(Text, default="")
    family_contact: Mapped[str] = mapped_column(String(300), default="")  # how families reach the school
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsentEvent(db.Model):
    """One answer of a family about one student, as recorded: never changed afterwards (a later
    answer supersedes it). The guardian's name is kept as it was, should the contact go."""

    __tablename__ = "consent_events"
    __table_args__ = (
        CheckConstraint(f"decision IN {sql_in(Decision)}", name="decision_known"),
        CheckConstraint(f"channel IN {sql_in(CHANNELS)}", name="channel_known"),
        ForeignKeyConstraint(["school_id", "student_id"], ["users.school_id", "users.id"], ondelete="CASCADE",
                             name="fk_consent_events_student_same_school"),
        Index("ix_consent_events_school_student", "school_id", "student_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    student_id: Mapped[int]
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id", ondelete="SET NULL"))
    guardian_name: Mapped[str] = mapped_column(String(201))
    decision: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id], viewonly=True)
    guardian: Mapped[Guardian | None] = relationship(viewonly=True)


class ConsentRequest(db.Model):
    """A guardian asked about one student, by mail with a signed link that works until `expires_at`:
    to give, decline, or withdraw later. Asking again renews the same request (and its link)."""

    __tablename__ = "consent_requests"
    __table_args__ = (
        ForeignKeyConstraint(["school_id", "student_id"], ["users.school_id", "users.id"], ondelete="CASCADE",
                             name="fk_consent_requests_student_same_school"),
        ForeignKeyConstraint(["school_id", "guardian_id"], ["guardians.school_id", "guardians.id"],
                             ondelete="CASCADE", name="fk_consent_requests_guardian_same_school"),
        UniqueConstraint("guardian_id", "student_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    student_id: Mapped[int] = mapped_column(index=True)
    guardian_id: Mapped[int]
    nonce: Mapped[str] = mapped_column(String(32))  # in the link: a new one makes older links stop
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_mails.id", ondelete="SET NULL"))

    guardian: Mapped[Guardian] = relationship(viewonly=True)
    student: Mapped[User] = relationship(foreign_keys=[student_id], primaryjoin="ConsentRequest.student_id == User.id",
                                         viewonly=True)
    mail: Mapped[OutboxMail | None] = relationship(viewonly=True)


class ConsentRecordImmutable(RuntimeError):
    """A recorded consent answer was about to be changed."""


@event.listens_for(ConsentEvent, "before_update")
def _refuse_changed_answer(_mapper, _connection, answer: ConsentEvent) -> None:
    """Answers are appended, never edited. (Erasing a student deletes theirs, on purpose.)"""
    if any(attr.history.has_changes() for attr in inspect(answer).attrs):
        raise ConsentRecordImmutable("A recorded consent answer cannot be changed; record a new one.")


refuse_bulk_changes(ConsentEvent, error=ConsentRecordImmutable,
                    message="A recorded consent answer cannot be changed; record a new one.")
