"""Mail that must not be lost: written in the transaction that decides it, sent after the commit.

A feature adds an `OutboxMail` where it changes something (a consent request, a mentorship that
began or ended); the row commits or rolls back with that change. `deliver` sends what waits, right
after the commit for what a person is waiting to see, and every minute from the scheduler
(`flask --app schoolpeers outbox send`) for the rest and for retries. A mail without an address is
kept as such, so the people who look after it can see it and fix the address.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from schoolpeers.extensions import db, sql_in
from schoolpeers.mail import send_mail
from schoolpeers.timeutil import utcnow

MAX_ATTEMPTS = 3  # a mail the server refused this often stays "failed" for a person to look at


class MailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    NO_ADDRESS = "no_address"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "Waiting to be sent", "sent": "Sent", "no_address": "No email address",
                "failed": "Could not be sent"}[self.value]


class OutboxMail(db.Model):
    __tablename__ = "outbox_mails"
    __table_args__ = (
        CheckConstraint("status IN " + sql_in(MailStatus), name="status_known"),
        Index("ix_outbox_mails_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    to_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def status_label(self) -> str:
        return MailStatus(self.status).label


def queue(school_id: int, kind: str, to_address: str | None, subject: str, body: str) -> OutboxMail:
    """Add a mail to send once the caller commits (flushes, like every service)."""
    mail = OutboxMail(school_id=school_id, kind=kind, to_address=(to_address or "").strip() or None,
                      subject=subject, body=body, attempts=0, created_at=utcnow())
    mail.status = MailStatus.PENDING if mail.to_address else MailStatus.NO_ADDRESS
    db.session.add(mail)
    db.session.flush()
    return mail


def deliver(ids: list[int] | None = None, limit: int = 500) -> int:
    """Send the waiting mails (these ids only, or the oldest `limit`) and commit; the sent count.
    With mail not configured nothing is sent and everything keeps waiting."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    query = select(OutboxMail).where(OutboxMail.status.in_((MailStatus.PENDING, MailStatus.FAILED)),
                                     OutboxMail.attempts < MAX_ATTEMPTS).order_by(OutboxMail.id).limit(limit)
    if ids is not None:
        query = query.where(OutboxMail.id.in_(ids))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two senders never send one mail twice
    sent = 0
    for mail in db.session.scalars(query).all():
        mail.attempts += 1
        if send_mail(current_app.config, [mail.to_address], mail.subject, mail.body):
            mail.status, mail.sent_at = MailStatus.SENT, utcnow()
            sent += 1
        else:
            mail.status = MailStatus.FAILED
    db.session.commit()
    return sent


outbox_cli = AppGroup("outbox", help="Mail written by the app, sent after each change is saved.")


@outbox_cli.command("send")
def send_command() -> None:
    """Send every mail that waits (run every minute)."""
    click.echo(f"{deliver()} sent.")
