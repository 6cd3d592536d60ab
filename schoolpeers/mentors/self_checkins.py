"""Self check-ins: a mentee says how they feel, in their own words, every cadence period.

Screened in the same transaction through the `self_checkin_saved` signal (oversight connects to
it), exactly as a mentor's check-in: saved together with its concerns, or not at all. The note is
for counselors only; a mentor sees at most the face, and only where the school allows it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors.checkins import active_mentorship_of_mentee
from schoolpeers.mentors.models import DOMAINS, SelfCheckIn
from schoolpeers.mentors.signals import self_checkin_saved
from schoolpeers.refusals import FieldRefusal
from schoolpeers.severity import highest

MAX_NOTE = 2000


class SelfCheckInError(FieldRefusal):
    """Bad self check-in data."""


@dataclass
class SelfCheckInData:
    wellbeing: int
    domains: dict[str, int | None] = field(default_factory=dict)
    note: str = ""
    wants_counselor: bool = False


def _validate(data: SelfCheckInData) -> None:
    if not 1 <= data.wellbeing <= 5:
        raise SelfCheckInError("wellbeing", "Choose one of the five faces.")
    for name, value in data.domains.items():
        if name not in DOMAINS or (value is not None and not 1 <= value <= 5):
            raise SelfCheckInError(name, "Choose one of the answers, or leave it empty.")
    if len(data.note or "") > MAX_NOTE:
        raise SelfCheckInError("note", f"At most {MAX_NOTE:,} characters.")


def may_check_in(student: User) -> bool:
    """Self check-ins are part of being mentored: a student with an active mentor."""
    return student.role == "student" and active_mentorship_of_mentee(student) is not None


def earlier_self_ratings(entry: SelfCheckIn, limit: int = 3) -> list[int]:
    """The mentee's own ratings before this one, most recent first (a sharp drop is a finding)."""
    return list(db.session.scalars(
        select(SelfCheckIn.wellbeing).where(
            SelfCheckIn.school_id == entry.school_id, SelfCheckIn.mentee_id == entry.mentee_id,
            SelfCheckIn.id != entry.id)
        .order_by(SelfCheckIn.created_at.desc(), SelfCheckIn.id.desc()).limit(limit)))


def record_self_checkin(student: User, data: SelfCheckInData, today: date) -> tuple[SelfCheckIn, str | None]:
    """Write the student's check-in and screen it; returns it with the highest severity raised."""
    mentorship = active_mentorship_of_mentee(student) if student.role == "student" else None
    if mentorship is None:
        raise SelfCheckInError("wellbeing", "Check-ins are for students who have a peer mentor.")
    _validate(data)
    if not self_checkin_saved.receivers:
        raise RuntimeError("No concern screening is connected; refusing to save a check-in unscreened.")
    entry = SelfCheckIn(school_id=student.school_id, mentee_id=student.id, mentorship_id=mentorship.id,
                        occurred_on=today, wellbeing=data.wellbeing, note=(data.note or "").strip() or None,
                        wants_counselor=data.wants_counselor,
                        **{name: data.domains.get(name) for name in DOMAINS})
    db.session.add(entry)
    db.session.flush()
    results = self_checkin_saved.send(entry, earlier=earlier_self_ratings(entry))
    return entry, highest(severity for _receiver, severity in results if severity)


def last_self_checkin(student: User) -> SelfCheckIn | None:
    return db.session.scalar(last_self_checkin_query(select(SelfCheckIn), student.school_id, student.id))


def last_self_checkin_query(statement: Select, school_id, mentee_id) -> Select:
    """`statement` (of self check-ins) narrowed to the mentee's newest."""
    return (statement.where(SelfCheckIn.school_id == school_id, SelfCheckIn.mentee_id == mentee_id)
            .order_by(SelfCheckIn.created_at.desc(), SelfCheckIn.id.desc()).limit(1))


def is_due(last: SelfCheckIn | None, today: date, cadence_days: int) -> bool:
    return last is None or is_due_after(last.occurred_on, today, cadence_days)


def is_due_after(last_on: date | None, today: date, cadence_days: int) -> bool:
    """Due, the last self check-in having been on `last_on` (None: never)."""
    return last_on is None or (today - last_on).days >= cadence_days


def latest_self_ratings(school_id: int, mentee_ids: list[int]) -> dict[int, SelfCheckIn]:
    """Each of these mentees' latest self check-in (for the faces a mentor may see)."""
    if not mentee_ids:
        return {}
    newest = (select(func.max(SelfCheckIn.id))
              .where(SelfCheckIn.school_id == school_id, SelfCheckIn.mentee_id.in_(mentee_ids))
              .group_by(SelfCheckIn.mentee_id))
    return {entry.mentee_id: entry for entry in db.session.scalars(
        select(SelfCheckIn).where(SelfCheckIn.school_id == school_id, SelfCheckIn.id.in_(newest)))}
