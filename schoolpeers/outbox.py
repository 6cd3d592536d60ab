"""Mail that must not be lost: written in the transaction that decides it, sent after the commit.

A feature adds an `OutboxMail` where it changes something (a consent request, a mentorship that
began or ended); the row commits or rolls back with that change. `deliver` sends what waits, right
after the commit for what a person is waiting to see, and every minute from the scheduler
(`flask --app schoolpeers outbox send`) for the rest and for retries. A mail without an address is
kept as such, so the people who look after it can see it and fix the address.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from schoolpeers.extensions import db, sql_in
from schoolpeers.mail import send_mail
from schoolpeers.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a mail the server refused this often stays "failed" for a person to look at
RETRY_AFTER = timedelta(minutes=10)  # times the attempts made: 10, then 20 minutes
STALE_SENDING = timedelta(minutes=15)  # a sender that died while sending: the mail is tried again
INLINE_MAILS = 20  # a request sends this many at once; more go with the every-minute run


class MailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    NO_ADDRESS = "no_address"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "Waiting to be sent", "sending": "Being sent", "sent": "Sent",
                "no_address": "No email address", "failed": "Could not be sent"}[self.value]


class OutboxMail(db.Model):
    __tablename__ = "outbox_mails"
    __table_args__ = (
        CheckConstraint("status IN " + sql_in(MailStatus), name="status_known"),
        Index("ix_outbox_mails_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    # The student the mail is about, if any: erasing them deletes it.
    student_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    to_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # An invitation (iCalendar text) sent with the mail, for a meeting.
    calendar: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def status_label(self) -> str:
        return MailStatus(self.status).label


def queue(school_id: int, kind: str, to_address: str | None, subject: str, body: str, *,
          about: int | None = None, calendar: str | None = None) -> OutboxMail:
    """Add a mail to send once the caller commits (flushes, like every service). `about`: the id of
    the student it concerns. Line breaks in the subject (from a name) become spaces: a header must
    not be split."""
    mail = OutboxMail(school_id=school_id, student_id=about, kind=kind, to_address=(to_address or "").strip() or None,
                      subject=" ".join(subject.split())[:200], body=body, calendar=calendar, attempts=0,
                      created_at=utcnow())
    mail.status = MailStatus.PENDING if mail.to_address else MailStatus.NO_ADDRESS
    db.session.add(mail)
    db.session.flush()
    return mail


def _due(now: datetime):
    """Mails to send now: waiting, failed and due again, or left half-sent by a sender that stopped."""
    retry = and_(OutboxMail.status == MailStatus.FAILED, OutboxMail.attempts < MAX_ATTEMPTS,
                 or_(*(and_(OutboxMail.attempts == n, OutboxMail.last_attempt_at <= now - RETRY_AFTER * n)
                       for n in range(1, MAX_ATTEMPTS))))
    stale = and_(OutboxMail.status == MailStatus.SENDING, OutboxMail.last_attempt_at <= now - STALE_SENDING)
    return or_(OutboxMail.status == MailStatus.PENDING, retry, stale)


def deliver(ids: list[int] | None = None, limit: int = 500) -> int:
    """Send the mails that are due (of these ids only, or the oldest `limit`); the sent count.

    Each mail is first claimed by a conditional update committed on its own, so two senders (a
    request and the every-minute run) never send one mail twice; then sent and marked, and
    committed again, so a mail that breaks the sender changes nothing for the others. With mail not
    configured nothing is sent and everything keeps waiting."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    # Every school's mail, on purpose: one sender serves the installation, as the escalation run does.
    now = utcnow()
    query = select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(limit)
    if ids is not None:
        query = query.where(OutboxMail.id.in_(ids))
    db.session.commit()  # the caller's change is saved before anything is announced
    sent = 0
    for mail_id in db.session.scalars(query).all():
        claimed = db.session.execute(
            update(OutboxMail).where(OutboxMail.id == mail_id, _due(now))
            .values(status=MailStatus.SENDING, attempts=OutboxMail.attempts + 1, last_attempt_at=now)
            .execution_options(synchronize_session=False))
        db.session.commit()
        if claimed.rowcount != 1:
            continue  # another sender has it
        mail = db.session.get(OutboxMail, mail_id)
        try:
            ok = send_mail(current_app.config, [mail.to_address], mail.subject, mail.body, calendar=mail.calendar)
        except Exception:  # noqa: BLE001 - one bad mail must not stop the others
            log.exception("Could not send mail %s", mail_id)
            ok = False
        mail.status, mail.sent_at = (MailStatus.SENT, utcnow()) if ok else (MailStatus.FAILED, None)
        sent += ok
        db.session.commit()
    return sent


def deliver_soon(ids: list[int]) -> int:
    """From a request: send a few at once; a larger batch goes with the every-minute run."""
    return deliver(ids) if len(ids) <= INLINE_MAILS else 0


outbox_cli = AppGroup("outbox", help="Mail written by the app, sent after each change is saved.")


@outbox_cli.command("send")
def send_command() -> None:
    """Send every mail that waits (run every minute)."""
    click.echo(f"{deliver()} sent.")
