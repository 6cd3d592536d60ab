"""Mentor supervision: the sessions counselors hold with mentors (when, how long, group or
one-to-one, who came, and themes from a fixed list, so nothing about a mentee is ever written),
the mentors overdue for one, and mentors' own checks after a check-in that wait for a counselor.
A debrief with a peer-support circle's leaders is such a session, with its circle (`circle_id`).
Plain functions that flush; the view commits."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import MentorProfile
from schoolpeers.mentors.statuses import ACCEPTED
from schoolpeers.programme.models import (
    SUPERVISION_KINDS,
    SUPERVISION_THEMES,
    MentorFeeling,
    SupervisionAttendance,
    SupervisionSession,
)
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import start_of_day

MIN_MINUTES, MAX_MINUTES = 10, 240
RECORDED_WITHIN = timedelta(days=366)  # an older day is a slip of the keyboard, not a session


class SupervisionError(FieldRefusal):
    """Bad supervision data."""


@dataclass
class SessionData:
    held_on: date | None
    kind: str
    minutes: int | None
    themes: list[str] = field(default_factory=list)
    attendee_ids: list[int] = field(default_factory=list)


# --- who may attend ------------------------------------------------------------------------------

def eligible_mentors(school_id: int, include_ids: list[int] | tuple[int, ...] = ()) -> list[User]:
    """The school's mentors who may be recorded at a session: accepted (taking mentees or paused)
    with an active account; and the people of `include_ids` who are of the school (those a session
    already lists, so that correcting it never drops someone who has since stopped mentoring)."""
    accepted = select(MentorProfile.user_id).where(
        MentorProfile.school_id == school_id, MentorProfile.status.in_(ACCEPTED))
    wanted = and_(User.id.in_(accepted), User.active.is_(True))
    if include_ids:
        wanted = or_(wanted, User.id.in_(list(include_ids)))
    return list(db.session.scalars(
        select(User).where(User.school_id == school_id, User.role == "student", wanted)
        .order_by(User.family_name, User.given_name, User.id)))


# Who may be ticked as attending, in the words of its refusals: (none ticked, someone else ticked).
MENTORS = ("Tick the mentors who came.", "Choose mentors of your school from the list.")
LEADERS = ("Tick the leaders who came.", "Choose among the circle's leaders: only they come to its debrief.")


def _validate(data: SessionData, today: date, allowed: set[int], who: tuple[str, str] = MENTORS) -> list[int]:
    """The attendees' ids, once the data holds; a refusal names the field that does not."""
    if data.held_on is None:
        raise SupervisionError("held_on", "Choose the day the session was held.")
    if data.held_on > today:
        raise SupervisionError("held_on", "A session is recorded once it has been held: not a day in the future.")
    if data.held_on < today - RECORDED_WITHIN:
        raise SupervisionError("held_on", f"A session is recorded within a year of it: on "
                                          f"{today - RECORDED_WITHIN:%d %B %Y} or later.")
    if data.kind not in SUPERVISION_KINDS:
        raise SupervisionError("kind", "Choose group or one-to-one.")
    if data.minutes is None or not MIN_MINUTES <= data.minutes <= MAX_MINUTES:
        raise SupervisionError("minutes", f"A session lasts from {MIN_MINUTES} to {MAX_MINUTES} minutes.")
    _check_themes(data.themes)
    return _check_attendees(data.kind, data.attendee_ids, allowed, who)


def _check_themes(themes: list[str]) -> None:
    if not themes:
        raise SupervisionError("themes", "Choose at least one theme the session was about.")
    if any(theme not in SUPERVISION_THEMES for theme in themes):
        raise SupervisionError("themes", "Choose themes from the list.")


def _check_attendees(kind: str, attendee_ids: list[int], allowed: set[int],
                     who: tuple[str, str] = MENTORS) -> list[int]:
    ids = sorted(set(attendee_ids))
    if not ids:
        raise SupervisionError("attendees", who[0])
    if any(mentor_id not in allowed for mentor_id in ids):
        raise SupervisionError("attendees", who[1])
    if kind == "one_to_one" and len(ids) != 1:
        raise SupervisionError("attendees", "A one-to-one session is with exactly one mentor.")
    return ids


def _themes_in_order(themes: list[str]) -> list[str]:
    chosen = set(themes)
    return [theme for theme in SUPERVISION_THEMES if theme in chosen]


# --- sessions ------------------------------------------------------------------------------------

ALREADY_RECORDED = ("This session is recorded already: the same day, kind, length and mentors. "
                    "Check the list of sessions before recording it again.")


def record_session(school: School, data: SessionData, counselor: User, today: date, *,
                   circle_id: int | None = None, leader_ids: Collection[int] = ()) -> SupervisionSession:
    """A session the counselor held, with who came; with `circle_id`, a debrief of that circle, where
    only its leaders (`leader_ids`, which the caller reads from the circle) may be recorded. A session
    like one recorded already (the same day, kind, length, circle and people: the form sent twice) is
    refused, so its hours never count twice; the school's sessions are recorded one at a time (a row
    lock on the school, held until commit, on PostgreSQL; SQLite serialises writers), so two requests
    at once cannot both pass the check."""
    if circle_id is None:
        attendee_ids = _validate(data, today, {user.id for user in eligible_mentors(school.id)})
    else:
        attendee_ids = _validate(data, today, set(leader_ids), LEADERS)
    # NO KEY UPDATE: rows that merely reference the school are not held up.
    db.session.execute(select(School.id).where(School.id == school.id).with_for_update(key_share=True))
    if _recorded_already(school.id, data, attendee_ids, circle_id):
        raise SupervisionError("held_on", ALREADY_RECORDED)
    session = SupervisionSession(school_id=school.id, held_on=data.held_on, kind=data.kind, minutes=data.minutes,
                                 themes=_themes_in_order(data.themes), recorded_by_id=counselor.id,
                                 circle_id=circle_id)
    session.attendance = [SupervisionAttendance(school_id=school.id, mentor_id=mentor_id) for mentor_id in attendee_ids]
    db.session.add(session)
    db.session.flush()
    return session


def _recorded_already(school_id: int, data: SessionData, attendee_ids: list[int], circle_id: int | None) -> bool:
    """A session of the school on the same day, of the same kind and length, about the same circle (or
    none), with the same mentors."""
    same = select(SupervisionSession.id).where(
        SupervisionSession.school_id == school_id, SupervisionSession.held_on == data.held_on,
        SupervisionSession.kind == data.kind, SupervisionSession.minutes == data.minutes,
        SupervisionSession.circle_id.is_(None) if circle_id is None else SupervisionSession.circle_id == circle_id)
    came: dict[int, set[int]] = defaultdict(set)
    for session_id, mentor_id in db.session.execute(
            select(SupervisionAttendance.session_id, SupervisionAttendance.mentor_id).where(
                SupervisionAttendance.school_id == school_id, SupervisionAttendance.session_id.in_(same))):
        came[session_id].add(mentor_id)
    return set(attendee_ids) in came.values()


def attendee_ids(session: SupervisionSession) -> list[int]:
    return sorted(a.mentor_id for a in session.attendance)


def correct_session(session: SupervisionSession, themes: list[str], attendees: list[int]) -> None:
    """Correct who came and what the session was about (its day, length and kind stay)."""
    _check_themes(themes)
    allowed = {user.id for user in eligible_mentors(session.school_id, attendee_ids(session))}
    ids = _check_attendees(session.kind, attendees, allowed)
    session.themes = _themes_in_order(themes)
    kept = {a.mentor_id: a for a in session.attendance}
    session.attendance = [kept.get(mentor_id) or SupervisionAttendance(school_id=session.school_id, mentor_id=mentor_id)
                          for mentor_id in ids]
    db.session.flush()


def sessions_query(school_id: int) -> Select:
    """The school's sessions, newest first (for paging)."""
    return (select(SupervisionSession).where(SupervisionSession.school_id == school_id)
            .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc()))


def circle_names(school_id: int, circle_ids) -> dict[int, str]:
    """The circles of these debriefs (None ignored), named by id. Read from the circles' table by name:
    the programme imports nothing of circles (circles depend on it)."""
    ids = sorted({circle_id for circle_id in circle_ids if circle_id is not None})
    if not ids:
        return {}
    circles = db.metadata.tables["circles"]
    return dict(db.session.execute(select(circles.c.id, circles.c.name).where(
        circles.c.school_id == school_id, circles.c.id.in_(ids))).all())


def attendees_by_session(school_id: int, session_ids: list[int]) -> dict[int, list[User]]:
    """Who came to each of these sessions, by name."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(SupervisionAttendance.session_id, User)
        .join(User, and_(User.id == SupervisionAttendance.mentor_id, User.school_id == SupervisionAttendance.school_id))
        .where(SupervisionAttendance.school_id == school_id, SupervisionAttendance.session_id.in_(session_ids))
        .order_by(User.family_name, User.given_name, User.id)).all()
    found: dict[int, list[User]] = defaultdict(list)
    for session_id, user in rows:
        found[session_id].append(user)
    return dict(found)


# --- who is overdue ------------------------------------------------------------------------------

def _last_attended(school_id: int):
    return (select(SupervisionAttendance.mentor_id, func.max(SupervisionSession.held_on).label("last_on"))
            .join(SupervisionSession, and_(SupervisionSession.school_id == SupervisionAttendance.school_id,
                                           SupervisionSession.id == SupervisionAttendance.session_id))
            .where(SupervisionAttendance.school_id == school_id)
            .group_by(SupervisionAttendance.mentor_id).subquery())


def overdue_mentors_query(school: School, today: date) -> Select:
    """Rows of (profile, day of their last session or None) for the mentors overdue for supervision,
    longest waiting first.

    A mentor is an accepted one (taking mentees or paused: a paused mentor may still have mentees)
    with an active account. They are overdue when the last session they attended was more than
    `school.supervision_every_days` days ago, or, never having attended one, when they became a
    mentor more than that ago: counted from the day a counselor accepted them (`accepted_on`), or,
    for a profile accepted before that day was kept, from the day they applied (`created_at`)."""
    query = _overdue_query(school.id, **overdue_cutoffs(school, today))
    last_on = query.selected_columns.last_on
    return (query.options(joinedload(MentorProfile.user))
            .order_by(last_on.asc().nulls_first(), MentorProfile.accepted_on.asc().nulls_first(),
                      MentorProfile.created_at, MentorProfile.id))


def overdue_cutoffs(school: School, today: date) -> dict[str, date | datetime]:
    """What the overdue queries compare with: the day a mentor's last session must be after, and the
    first moment of that day at the school."""
    cutoff = today - timedelta(days=school.supervision_every_days)
    return {"cutoff": cutoff, "cutoff_start": start_of_day(cutoff, school.timezone)}


def overdue_count_query(school_id, cutoff, cutoff_start) -> Select:
    """Each argument a value (see `overdue_cutoffs`), or a bound parameter for a statement built once."""
    return select(func.count()).select_from(_overdue_query(school_id, cutoff, cutoff_start).subquery())


def _overdue_query(school_id, cutoff, cutoff_start) -> Select:
    """(profile, day of the last session attended or None) of each overdue mentor, in no order."""
    became_mentor_before_cutoff = or_(
        MentorProfile.accepted_on < cutoff,
        and_(MentorProfile.accepted_on.is_(None), MentorProfile.created_at < cutoff_start))
    last = _last_attended(school_id)
    return (select(MentorProfile, last.c.last_on)
            .join(User, and_(User.id == MentorProfile.user_id, User.school_id == MentorProfile.school_id))
            .outerjoin(last, last.c.mentor_id == MentorProfile.user_id)
            .where(MentorProfile.school_id == school_id, MentorProfile.status.in_(ACCEPTED), User.active.is_(True),
                   or_(last.c.last_on < cutoff,
                       and_(last.c.last_on.is_(None), became_mentor_before_cutoff))))


def overdue_mentors(school_id: int, today: date) -> list[tuple[MentorProfile, date | None]]:
    """The mentors overdue for supervision, each with the day of their last session (None: never)."""
    school = db.session.get(School, school_id)
    return [(profile, last) for profile, last in db.session.execute(overdue_mentors_query(school, today)).all()]


# --- mentors' own checks that wait for a counselor ------------------------------------------------

def _waiting(school_id: int):
    return and_(MentorFeeling.school_id == school_id, MentorFeeling.seen_at.is_(None),
                or_(MentorFeeling.feeling == "hard", MentorFeeling.wants_to_talk.is_(True)))


def waiting_feelings_query(school_id: int) -> Select:
    """Mentors' checks after a check-in that need a counselor (it was hard, or they want to talk)
    and that no counselor has seen yet, oldest first."""
    return (select(MentorFeeling).options(joinedload(MentorFeeling.mentor)).where(_waiting(school_id))
            .order_by(MentorFeeling.created_at, MentorFeeling.id))


def waiting_feelings_count_query(school_id) -> Select:
    return select(func.count()).select_from(MentorFeeling).where(_waiting(school_id))


def mark_seen(feeling: MentorFeeling, counselor: User, now: datetime) -> bool:
    """The counselor has seen it (and talked to the mentor where they asked). Returns False when a
    counselor had marked it already: the first one stays."""
    seen_at = db.session.scalar(select(MentorFeeling.seen_at).where(  # two counselors at once: the first stays
        MentorFeeling.school_id == feeling.school_id, MentorFeeling.id == feeling.id).with_for_update())
    if seen_at is not None:
        return False
    feeling.seen_by_id, feeling.seen_at = counselor.id, now
    db.session.flush()
    return True
