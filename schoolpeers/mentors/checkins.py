"""Check-ins: a mentor logs a meeting, may correct it for 24 hours, and the mentee gives feedback.

Screening for concerns happens in the same transaction through the `checkin_saved` signal
(oversight connects to it), so a check-in and the concerns it raises are saved together or not
at all. Logging refuses to run if nothing is listening: a concern must never be lost silently.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ScalarSelect, Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from schoolpeers.accounts.models import ListedPerson, Topic, User, listed_person
from schoolpeers.accounts.topics import TopicChoice
from schoolpeers.extensions import db
from schoolpeers.mentors.listing import MENTEE, MENTOR, with_both_people
from schoolpeers.mentors.models import (
    CHECKIN_MODES,
    DOMAINS,
    FEEDBACK_CHOICES,
    CheckIn,
    CheckInRevision,
    CheckInTopic,
    MenteeFeedback,
    Mentorship,
)
from schoolpeers.mentors.signals import checkin_saved
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.paging import CountedPage, counted_page
from schoolpeers.records import Into
from schoolpeers.refusals import FieldRefusal
from schoolpeers.severity import WORRIES, highest
from schoolpeers.sql_constants import constant
from schoolpeers.timeutil import as_utc

CORRECTION_WINDOW = timedelta(hours=24)
MAX_NOTES = 4000


class CheckInError(FieldRefusal):
    """Bad check-in data."""


@dataclass
class CheckInData:
    occurred_on: date
    duration_minutes: int
    mode: str
    wellbeing: int
    domains: dict[str, int | None] = field(default_factory=dict)
    topics: Sequence[TopicChoice] = field(default_factory=list)
    notes: str = ""
    worried: bool = False
    worry_reason: str = ""
    worry_severity: str | None = None


def _validate(mentorship: Mentorship, data: CheckInData, today: date) -> None:
    if data.occurred_on > today:
        raise CheckInError("occurred_on", "The date cannot be in the future.")
    if mentorship.began_on and data.occurred_on < mentorship.began_on:
        raise CheckInError("occurred_on", f"The mentorship began on {mentorship.began_on:%d %B %Y}.")
    if not 5 <= data.duration_minutes <= 180:
        raise CheckInError("duration_minutes", "Between 5 and 180 minutes.")
    if data.mode not in CHECKIN_MODES:
        raise CheckInError("mode", "Choose in person or online.")
    if not 1 <= data.wellbeing <= 5:
        raise CheckInError("wellbeing", "Choose one of the five faces.")
    for name, value in data.domains.items():
        if name not in DOMAINS or (value is not None and not 1 <= value <= 5):
            raise CheckInError(name, "Choose a rating from 1 to 5, or leave it empty.")
    if len(data.notes or "") > MAX_NOTES:
        raise CheckInError("notes", f"Notes can be at most {MAX_NOTES} characters.")
    if any(t.school_id != mentorship.school_id for t in data.topics):
        raise CheckInError("topics", "Choose topics from the school's list.")
    if data.worried and data.worry_severity not in WORRIES:
        raise CheckInError("worry_severity", "Say how worried you are.")
    if data.worried and not (data.worry_reason or "").strip():
        raise CheckInError("worry_reason", "Tell the counselor in a few words what worries you.")


def _apply(checkin: CheckIn, data: CheckInData) -> None:
    checkin.occurred_on, checkin.duration_minutes, checkin.mode = data.occurred_on, data.duration_minutes, data.mode
    checkin.wellbeing = data.wellbeing
    for name in DOMAINS:
        setattr(checkin, name, data.domains.get(name))
    checkin.notes = (data.notes or "").strip() or None
    checkin.worried = data.worried
    checkin.worry_reason = (data.worry_reason or "").strip() or None if data.worried else None
    checkin.worry_severity = data.worry_severity if data.worried else None
    checkin.topic_links = [CheckInTopic(school_id=checkin.school_id, topic_id=t)
                           for t in sorted({t.id for t in data.topics})]


def earlier_wellbeing(checkin: CheckIn, limit: int = 3) -> list[int]:
    """The mentee's ratings before this check-in, most recent first."""
    return list(db.session.scalars(
        select(CheckIn.wellbeing).where(
            CheckIn.school_id == checkin.school_id, CheckIn.mentee_id == checkin.mentee_id, CheckIn.id != checkin.id,
            (CheckIn.occurred_on < checkin.occurred_on)
            | ((CheckIn.occurred_on == checkin.occurred_on) & (CheckIn.id < checkin.id)))
        .order_by(CheckIn.occurred_on.desc(), CheckIn.id.desc()).limit(limit)))


def _screen(checkin: CheckIn, *, correction: bool) -> str | None:
    if not checkin_saved.receivers:
        raise RuntimeError("No concern screening is connected; refusing to save a check-in unscreened.")
    results = checkin_saved.send(checkin, earlier=earlier_wellbeing(checkin), correction=correction)
    severities = [severity for _receiver, severity in results if severity]
    return highest(severities)


def lock_pair(mentorship: Mentorship) -> str:
    """What is written about one pair (its check-ins, and the programme's records) is written one at
    a time (a row lock on PostgreSQL; SQLite serialises writers), so each check-in is screened
    against those saved before it (a drop is never missed) and a record the pair keeps once is not
    written twice.
    NO KEY UPDATE: inserts that merely reference the mentorship are not held up. Returns the status
    as of now (the loaded object is left as it is: unsaved changes to it stay)."""
    return db.session.scalar(select(Mentorship.status).where(
        Mentorship.school_id == mentorship.school_id, Mentorship.id == mentorship.id).with_for_update(key_share=True))


def log_checkin(mentorship: Mentorship, mentor: User, data: CheckInData, today: date) -> tuple[CheckIn, str | None]:
    """Write a check-in and screen it; returns it with the highest severity of the concerns raised."""
    if mentorship.mentor_id != mentor.id or mentorship.school_id != mentor.school_id:
        raise CheckInError("occurred_on", "You can only log check-ins for your own mentees.")
    if lock_pair(mentorship) != MentorshipStatus.ACTIVE:
        raise CheckInError("occurred_on", "This mentorship is not active.")
    _validate(mentorship, data, today)
    checkin = CheckIn(school_id=mentorship.school_id, mentorship_id=mentorship.id, mentor_id=mentor.id,
                      mentee_id=mentorship.mentee_id)
    _apply(checkin, data)
    db.session.add(checkin)
    db.session.flush()
    return checkin, _screen(checkin, correction=False)


def can_correct(checkin: CheckIn, user: User, now: datetime) -> bool:
    return (checkin.mentor_id == user.id and checkin.mentorship.status == MentorshipStatus.ACTIVE
            and now - as_utc(checkin.created_at) <= CORRECTION_WINDOW)


def correct_checkin(checkin: CheckIn, mentor: User, data: CheckInData, now: datetime,
                    today: date) -> str | None:
    """Correct within 24 hours. The old values are kept; concerns already raised stay."""
    lock_pair(checkin.mentorship)  # two corrections at once must not raise the same concern twice
    if not can_correct(checkin, mentor, now):
        raise CheckInError("occurred_on", "Check-ins can be corrected by their author for 24 hours only.")
    _validate(checkin.mentorship, data, today)
    previous = {name: getattr(checkin, name) for name in
                ("duration_minutes", "mode", "wellbeing", *DOMAINS, "notes", "worried", "worry_reason",
                 "worry_severity")}
    previous["occurred_on"] = checkin.occurred_on.isoformat()
    previous["topics"] = [t.name for t in checkin.topics]
    db.session.add(CheckInRevision(school_id=checkin.school_id, checkin_id=checkin.id, previous=previous,
                                   edited_by_id=mentor.id))
    _apply(checkin, data)
    checkin.updated_at = now
    db.session.flush()
    db.session.expire(checkin, ["topics"])
    return _screen(checkin, correction=True)


@dataclass(frozen=True)
class MenteeLine:
    mentorship: Mentorship
    last_checkin_on: date | None
    due: bool


def mentees_overview(mentor: User, today: date, cadence_days: int) -> list[MenteeLine]:
    """Each active mentorship with its mentee, last check-in and whether one is due, in one query
    (the mentor's list and their home page show it). Not paged: a mentor's active
    mentorships never exceed their capacity (at most 5)."""
    rows = db.session.execute(
        select(Mentorship, last_checkin_on()).options(joinedload(Mentorship.mentee))
        .where(Mentorship.school_id == mentor.school_id, Mentorship.mentor_id == mentor.id,
               Mentorship.status == MentorshipStatus.ACTIVE).order_by(Mentorship.began_on, Mentorship.id)).all()
    return [MenteeLine(m, last, (today - waiting_since(m, last)).days >= cadence_days) for m, last in rows]


def last_checkin_on() -> ScalarSelect:
    """The day of a mentorship's last check-in (None before the first), as a subquery of a statement
    that selects mentorships: one probe of the (school, mentorship, day) index each."""
    return (select(func.max(CheckIn.occurred_on))
            .where(CheckIn.school_id == Mentorship.school_id, CheckIn.mentorship_id == Mentorship.id)
            .correlate(Mentorship).scalar_subquery())


def waiting_since(mentorship: Mentorship, last_checkin_on: date | None) -> date:
    """The day the wait for the next check-in began: the last check-in, or the start of the mentorship."""
    return max(filter(None, (mentorship.began_on, last_checkin_on)))


def last_checkin_dates(school_id: int, mentorship_ids: list[int]) -> dict[int, date]:
    if not mentorship_ids:
        return {}
    return dict(db.session.execute(
        select(CheckIn.mentorship_id, func.max(CheckIn.occurred_on))
        .where(CheckIn.school_id == school_id, CheckIn.mentorship_id.in_(mentorship_ids))
        .group_by(CheckIn.mentorship_id)).all())


def checkins_of(mentorship: Mentorship) -> Select:
    """A mentorship's check-ins, newest first, with their topics and corrections (for paging)."""
    school_id = mentorship.school_id
    return (select(CheckIn).options(selectinload(CheckIn.topics.and_(Topic.school_id == school_id)),
                                    selectinload(CheckIn.revisions.and_(CheckInRevision.school_id == school_id)))
            .where(CheckIn.school_id == school_id, CheckIn.mentorship_id == mentorship.id)
            .order_by(CheckIn.occurred_on.desc(), CheckIn.id.desc()))


def active_mentorship_of_mentee(student: User) -> Mentorship | None:
    return db.session.scalar(active_mentorship_of_mentee_query(student.school_id, student.id))


def active_mentorship_of_mentee_query(school_id, mentee_id) -> Select:
    """The student's active mentorship as a mentee (at most one)."""
    return select(Mentorship).where(Mentorship.school_id == school_id, Mentorship.mentee_id == mentee_id,
                                    Mentorship.status == MentorshipStatus.ACTIVE)


def add_feedback(student: User, rating: str, comment: str) -> MenteeFeedback:
    mentorship = active_mentorship_of_mentee(student)
    if mentorship is None:
        raise CheckInError("rating", "You do not have an active mentor at the moment.")
    if rating not in FEEDBACK_CHOICES:
        raise CheckInError("rating", "Choose one of the answers.")
    if len(comment) > 1000:
        raise CheckInError("comment", "At most 1,000 characters.")
    feedback = MenteeFeedback(school_id=student.school_id, mentorship_id=mentorship.id, mentee_id=student.id,
                              rating=rating, comment=comment.strip())
    db.session.add(feedback)
    db.session.flush()
    return feedback


class NotAGoodFit(NamedTuple):
    """A mentee's "not a good fit", as the dashboard lists it."""

    id: int  # the feedback's
    comment: str
    created_at: datetime
    mentee: ListedPerson
    mentor: ListedPerson


def recent_not_a_good_fit(school_id: int, since: datetime) -> list[NotAGoodFit]:
    return list(db.session.scalars(not_a_good_fit_query(school_id, since)))


def not_a_good_fit_query(school_id: int, since: datetime) -> Select:
    """"Not a good fit" feedback since then, newest first, with the names of the mentorship's two
    people (`NotAGoodFit`s: only the columns a list of it shows)."""
    return _NOT_A_GOOD_FIT.params(school_id=school_id, since=since)


def not_a_good_fit_page(school_id: int, since: datetime, page: int, per_page: int, *,
                        total: int | None = None) -> CountedPage:
    """A page of `not_a_good_fit_query`, by the statement built once. `total`: their number, when
    counted already (`not_a_good_fit_count_query`)."""
    return counted_page(_NOT_A_GOOD_FIT, page, per_page, total=total, school_id=school_id, since=since)


def not_a_good_fit_count_query(school_id, since) -> Select:
    return select(func.count()).select_from(MenteeFeedback).where(*_not_a_good_fit_since(school_id, since))


def _not_a_good_fit_since(school_id, since) -> tuple:
    return (MenteeFeedback.school_id == school_id, MenteeFeedback.rating == constant("not_a_good_fit"),
            MenteeFeedback.created_at >= since)


def _not_a_good_fit() -> Select:
    feedback = (select(Into(NotAGoodFit, MenteeFeedback.id, MenteeFeedback.comment, MenteeFeedback.created_at,
                            listed_person(MENTEE), listed_person(MENTOR)))
                .select_from(MenteeFeedback).join(MenteeFeedback.mentorship))
    return (with_both_people(feedback)
            .where(*_not_a_good_fit_since(bindparam("school_id"), bindparam("since")))
            .order_by(MenteeFeedback.created_at.desc(), MenteeFeedback.id.desc()))


# Built once and given its values per call: the counselor's dashboard lists it on every visit.
_NOT_A_GOOD_FIT = _not_a_good_fit()


def recent_topic_ids(student: User, checkins_back: int = 5) -> list[int]:
    """The topics of the student's last few check-ins as a mentee: what suggestions are about."""
    recent = (select(CheckIn.id).where(CheckIn.school_id == student.school_id, CheckIn.mentee_id == student.id)
              .order_by(CheckIn.occurred_on.desc(), CheckIn.id.desc()).limit(checkins_back).subquery())
    return sorted(set(db.session.scalars(select(CheckInTopic.topic_id).where(
        CheckInTopic.school_id == student.school_id, CheckInTopic.checkin_id.in_(select(recent.c.id))))))
