"""Meetings: a mentor proposes the pair's next meeting from the times both are free; both get an
invitation by mail (an .ics file their calendar understands) and see it on their home page.

A pair has one next meeting: proposing again moves it (same invitation, higher sequence). Plain
functions that flush; the view commits, and mail goes after the commit through the outbox.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import Exists, Select, select
from sqlalchemy.orm import joinedload

from schoolpeers import outbox
from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.matching.services import request_of
from schoolpeers.mentors.models import Mentorship
from schoolpeers.mentors.services import profile_for
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.notifications import invitations, slots
from schoolpeers.notifications.models import Meeting
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import as_utc, in_zone, utcnow

SUMMARY = "Peer mentoring meeting"
MAIL_KIND = "meeting"


class MeetingError(FieldRefusal):
    """A meeting that cannot be proposed as asked."""


def free_slots(mentorship: Mentorship) -> list[str]:
    """The weekly slots the mentor and the mentee both gave (the mentor's own when none is shared)."""
    profile = profile_for(mentorship.mentor)
    asked = request_of(mentorship)
    return slots.shared(profile.availability if profile else [], asked.availability if asked else [])


def options(mentorship: Mentorship, now: datetime) -> list[datetime]:
    """The coming times of the pair's free slots, in the school's time zone."""
    return slots.upcoming(free_slots(mentorship), now, mentorship.mentor.school.timezone)


def next_meeting(mentorship: Mentorship, now: datetime) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(
        Meeting.school_id == mentorship.school_id, Meeting.mentorship_id == mentorship.id,
        Meeting.cancelled_at.is_(None), Meeting.starts_at > now).order_by(Meeting.starts_at).limit(1))


def propose(mentorship: Mentorship, mentor: User, starts_at: datetime, minutes: int, place: str,
            now: datetime) -> tuple[Meeting, list[int]]:
    """Set (or move) the pair's next meeting and queue both invitations (their outbox ids)."""
    if mentorship.mentor_id != mentor.id or mentorship.school_id != mentor.school_id:
        raise MeetingError("starts_at", "You can only arrange meetings with your own mentees.")
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise MeetingError("starts_at", "This mentorship is not active.")
    if starts_at <= now or starts_at > now + timedelta(days=slots.LOOK_AHEAD_DAYS + 1):
        raise MeetingError("starts_at", "Choose one of the times offered.")
    if not 10 <= minutes <= 120:
        raise MeetingError("minutes", "Between 10 and 120 minutes.")
    place = " ".join((place or "").split())
    if len(place) > 200:
        raise MeetingError("place", "At most 200 characters.")
    meeting = next_meeting(mentorship, now)
    if meeting is None:
        meeting = Meeting(school_id=mentorship.school_id, mentorship_id=mentorship.id, mentor_id=mentor.id,
                          mentee_id=mentorship.mentee_id, sequence=0)
        db.session.add(meeting)
    else:
        meeting.sequence += 1
    meeting.starts_at, meeting.minutes, meeting.place = starts_at.astimezone(timezone.utc), minutes, place
    db.session.flush()
    return meeting, _invite(meeting, now)


def cancel(meeting: Meeting, mentor: User, now: datetime) -> list[int]:
    """Cancel the meeting and queue the cancellation to both (their outbox ids)."""
    if meeting.mentor_id != mentor.id or meeting.cancelled_at is not None:
        raise MeetingError("starts_at", "This meeting cannot be cancelled.")
    meeting.cancelled_at, meeting.sequence = now, meeting.sequence + 1
    db.session.flush()
    return _invite(meeting, now, cancelled=True)


def on_mentorship_closed(mentorship: Mentorship) -> None:
    """The `mentorship_closed` receiver: the pair's coming meetings are cancelled, and both told (the
    mail says only that the meeting is cancelled, never why the mentoring ended)."""
    now = utcnow()
    for meeting in db.session.scalars(select(Meeting).where(
            Meeting.school_id == mentorship.school_id, Meeting.mentorship_id == mentorship.id,
            Meeting.cancelled_at.is_(None), Meeting.starts_at > now)).all():
        meeting.cancelled_at, meeting.sequence = now, meeting.sequence + 1
        db.session.flush()
        _invite(meeting, now, cancelled=True)


def _invite(meeting: Meeting, now: datetime, cancelled: bool = False) -> list[int]:
    """Queue the invitation (or its cancellation) to the mentor and the mentee: when and where only."""
    mentor, mentee = db.session.get(User, meeting.mentor_id), db.session.get(User, meeting.mentee_id)
    school = mentor.school
    when = in_zone(meeting.starts_at, school.timezone).strftime("%A %d %B at %H:%M")
    ids = []
    for person, other in ((mentor, mentee), (mentee, mentor)):
        if cancelled:
            subject = f"Cancelled: your meeting with {other.given_name}"
            body = f"Hi {person.given_name},\n\nThe meeting with {other.given_name} on {when} is cancelled.\n"
        else:
            subject = f"Your meeting with {other.given_name}: {when}"
            body = (f"Hi {person.given_name},\n\nYour next peer mentoring meeting with {other.given_name} is on "
                    f"{when}" + (f", at {meeting.place}" if meeting.place else "") + ".\n"
                    "The invitation attached adds it to your calendar.\n")
        # Each invitation names its own recipient only: neither learns the other's address from it.
        calendar = invitations.invitation(
            uid=f"meeting-{meeting.id}@{school.slug}.schoolpeers", starts_at=as_utc(meeting.starts_at),
            minutes=meeting.minutes, place=meeting.place, summary=SUMMARY,
            organizer=current_app.config["MAIL_SENDER"], attendees=[person.email] if person.email else [],
            sequence=meeting.sequence, stamp=now, cancelled=cancelled).decode()
        ids.append(outbox.queue(school.id, MAIL_KIND, person.email, subject, body, about=meeting.mentee_id,
                                calendar=calendar).id)
    return ids


def upcoming_for(user: User, now: datetime, limit: int = 5) -> list[Meeting]:
    """The user's coming meetings, as mentor or mentee, of pairs still active, soonest first."""
    return list(db.session.scalars(
        _upcoming(select(Meeting), user.school_id, user.id, now)
        .options(joinedload(Meeting.mentorship).joinedload(Mentorship.mentor),
                 joinedload(Meeting.mentorship).joinedload(Mentorship.mentee))
        .order_by(Meeting.starts_at).limit(limit)))


def any_upcoming(school_id, user_id, now) -> Exists:
    """Whether `upcoming_for` would find a meeting, as a condition (the home page asks it with its other facts)."""
    return _upcoming(select(Meeting.id), school_id, user_id, now).exists()


def _upcoming(statement: Select, school_id, user_id, now) -> Select:
    return statement.join(Mentorship, Mentorship.id == Meeting.mentorship_id).where(
        Meeting.school_id == school_id, (Meeting.mentor_id == user_id) | (Meeting.mentee_id == user_id),
        Meeting.cancelled_at.is_(None), Meeting.starts_at > now,
        Mentorship.school_id == school_id, Mentorship.status == MentorshipStatus.ACTIVE)
