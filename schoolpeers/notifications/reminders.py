"""Reminders, sent by `flask reminders send` once a day (cron), idempotent: each reminder is
recorded with what it was about, so a second run (the same day or later) never repeats it.

- a mentor: a check-in is due (once per due period), a meeting is tomorrow;
- a mentee: their own check-in is due (once per cadence period);
- a counselor: a daily digest of new concerns, overdue check-ins and students waiting (only counts).

Each person chooses mail or none; with none the reminder shows on their home page only. Messages
never carry notes, ratings or concerns: a first name, a date, counts and a link to sign in.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from schoolpeers import outbox
from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors import self_checkins
from schoolpeers.mentors.checkins import last_checkin_dates, waiting_since
from schoolpeers.mentors.models import Mentorship, SelfCheckIn
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.notifications.models import Meeting, ReminderSent
from schoolpeers.oversight import services as oversight
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import in_zone, start_of_day, today_in, utcnow


@dataclass(frozen=True)
class Reminder:
    user: User
    kind: str
    ref: str
    subject: str
    body: str


def _link(path: str = "/") -> str:
    """An address to sign in at (the run has no request to build one from)."""
    return (current_app.config.get("BASE_URL") or "").rstrip("/") + path


def _active(school: School) -> list[Mentorship]:
    return list(db.session.scalars(
        select(Mentorship).options(joinedload(Mentorship.mentor), joinedload(Mentorship.mentee))
        .where(Mentorship.school_id == school.id, Mentorship.status == MentorshipStatus.ACTIVE,
               Mentorship.began_on.is_not(None)).order_by(Mentorship.id)))


def checkins_due(school: School, pairs: list[Mentorship], today) -> list[Reminder]:
    last = last_checkin_dates(school.id, [m.id for m in pairs])
    reminders = []
    for m in pairs:
        since = waiting_since(m, last.get(m.id))
        if (today - since).days >= school.checkin_cadence_days:
            reminders.append(Reminder(
                m.mentor, "checkin_due", f"mentorship-{m.id}-since-{since.isoformat()}",
                f"A check-in with {m.mentee.given_name} is due",
                f"Hi {m.mentor.given_name},\n\nIt is time to meet {m.mentee.given_name} and log a check-in.\n\n"
                f"My mentees: {_link('/mentor/mentees')}\n"))
    return reminders


def meetings_tomorrow(school: School, today) -> list[Reminder]:
    tomorrow = today + timedelta(days=1)
    meetings = db.session.scalars(
        select(Meeting).options(joinedload(Meeting.mentorship).joinedload(Mentorship.mentor),
                                joinedload(Meeting.mentorship).joinedload(Mentorship.mentee))
        .join(Mentorship, Mentorship.id == Meeting.mentorship_id)
        .where(Meeting.school_id == school.id, Meeting.cancelled_at.is_(None),
               Meeting.starts_at >= start_of_day(tomorrow, school.timezone),
               Meeting.starts_at < start_of_day(tomorrow + timedelta(days=1), school.timezone),
               Mentorship.school_id == school.id, Mentorship.status == MentorshipStatus.ACTIVE))
    reminders = []
    for meeting in meetings:
        mentor, mentee = meeting.mentorship.mentor, meeting.mentorship.mentee
        at = in_zone(meeting.starts_at, school.timezone).strftime("%H:%M")
        reminders.append(Reminder(
            mentor, "meeting_tomorrow", f"meeting-{meeting.id}-on-{tomorrow.isoformat()}",
            f"Tomorrow at {at}: meeting {mentee.given_name}",
            f"Hi {mentor.given_name},\n\nYou meet {mentee.given_name} tomorrow at {at}"
            + (f", at {meeting.place}" if meeting.place else "") + ".\n"))
    return reminders


def self_checkins_due(school: School, pairs: list[Mentorship], today) -> list[Reminder]:
    mentees = [m.mentee for m in pairs]
    latest = self_checkins.latest_self_ratings(school.id, [u.id for u in mentees])
    reminders = []
    for mentee in mentees:
        last: SelfCheckIn | None = latest.get(mentee.id)
        if self_checkins.is_due(last, today, school.checkin_cadence_days):
            reminders.append(Reminder(
                mentee, "self_checkin_due", f"after-{last.id if last else 0}",
                "How are you doing?",
                f"Hi {mentee.given_name},\n\nTake a minute to say how you are: it helps your school look "
                f"out for you.\n\n{_link('/me/checkin')}\n"))
    return reminders


def counselor_digest(school: School, today, now: datetime) -> list[Reminder]:
    new_concerns = db.session.scalar(select(func.count()).select_from(Concern).where(
        Concern.school_id == school.id, Concern.created_at >= now - timedelta(days=1))) or 0
    overdue = db.session.scalar(select(func.count()).select_from(
        oversight.overdue_mentorships_query(school.id, today, school.checkin_cadence_days).subquery())) or 0
    waiting = db.session.scalar(matching.needing_mentor_count_query(school.id)) or 0
    if not (new_concerns or overdue or waiting):
        return []
    body = (f"Today at {school.name}:\n- new concerns in the last day: {new_concerns}\n"
            f"- mentorships with an overdue check-in: {overdue}\n- students waiting for a mentor: {waiting}\n\n"
            f"Sign in to see them: {_link('/oversight')}\n")
    return [Reminder(counselor, "counselor_digest", f"day-{today.isoformat()}",
                     f"Peer mentoring today: {new_concerns} new concerns", f"Hi {counselor.given_name},\n\n{body}")
            for counselor in oversight.counselors_of(school.id)]


def reminders_for(school: School, now: datetime) -> list[Reminder]:
    today = today_in(school.timezone)
    pairs = _active(school)
    return [*checkins_due(school, pairs, today), *meetings_tomorrow(school, today),
            *self_checkins_due(school, pairs, today), *counselor_digest(school, today, now)]


def send_reminders(now: datetime) -> Counter:
    """Record and queue every reminder not sent before, school by school (each committed on its
    own); the count by kind and channel. Mail goes through the outbox."""
    counts: Counter = Counter()
    for school in db.session.scalars(select(School).where(School.kind == "school", School.archived_at.is_(None))
                                     .order_by(School.id)).all():  # archived schools and offices get none
        due = reminders_for(school, now)
        sent = set(db.session.execute(select(ReminderSent.user_id, ReminderSent.kind, ReminderSent.ref).where(
            ReminderSent.school_id == school.id, ReminderSent.kind.in_({r.kind for r in due}))).all())
        mail_ids = []
        for reminder in due:
            if (reminder.user.id, reminder.kind, reminder.ref) in sent or not reminder.user.active:
                continue
            channel = "mail" if reminder.user.reminders_by_mail and reminder.user.email else "none"
            db.session.add(ReminderSent(school_id=school.id, user_id=reminder.user.id, kind=reminder.kind,
                                        ref=reminder.ref, channel=channel, sent_at=now))
            if channel == "mail":
                mail_ids.append(outbox.queue(school.id, f"reminder_{reminder.kind}", reminder.user.email,
                                             reminder.subject, reminder.body).id)
            counts[reminder.kind, channel] += 1
        db.session.commit()
        outbox.deliver(mail_ids) if mail_ids else None
    return counts


reminders_cli = AppGroup("reminders", help="Reminders to mentors, mentees and counselors.")


@reminders_cli.command("send")
def send_command() -> None:
    """Send today's reminders (run daily; running it again sends nothing twice)."""
    counts = send_reminders(utcnow())
    total = sum(counts.values())
    click.echo(f"{total} reminders" + "".join(f"; {kind} by {channel}: {n}"
                                               for (kind, channel), n in sorted(counts.items())))
