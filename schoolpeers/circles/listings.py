"""What the circles pages list: the school's circles with their numbers, a circle's sessions, and a
student's own places, the circles they could ask to join and the workshops they could sign up for.
Read-only statements, each filtered on the school."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import User
from schoolpeers.circles.models import (
    Circle,
    CircleLeader,
    CircleMember,
    GroupSession,
    SessionAttendance,
)
from schoolpeers.circles.place_rules import LIVE_VALUES
from schoolpeers.circles.statuses import CircleStatus, SessionStatus
from schoolpeers.extensions import db
from schoolpeers.timeutil import as_utc

# --- counselors ----------------------------------------------------------------------------------

def circles_query(school_id: int, status: CircleStatus) -> Select:
    """The school's circles in this status, by name (for paging)."""
    return (select(Circle).options(joinedload(Circle.topic), joinedload(Circle.counselor))
            .where(Circle.school_id == school_id, Circle.status == status)
            .order_by(func.lower(Circle.name), Circle.id))


def place_counts(school_id: int, circle_ids: list[int]) -> dict[int, Counter]:
    """How many places each circle has in each status."""
    found: dict[int, Counter] = defaultdict(Counter)
    if circle_ids:
        for circle_id, status, n in db.session.execute(
                select(CircleMember.circle_id, CircleMember.status, func.count())
                .where(CircleMember.school_id == school_id, CircleMember.circle_id.in_(circle_ids))
                .group_by(CircleMember.circle_id, CircleMember.status)):
            found[circle_id][status] = n
    return found


def leaders_by_circle(school_id: int, circle_ids: list[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    if circle_ids:
        for circle_id, user in db.session.execute(
                select(CircleLeader.circle_id, User)
                .join(User, and_(User.id == CircleLeader.leader_id, User.school_id == CircleLeader.school_id))
                .where(CircleLeader.school_id == school_id, CircleLeader.circle_id.in_(circle_ids))
                .order_by(User.family_name, User.given_name, User.id)):
            found[circle_id].append(user)
    return found


def next_sessions(school_id: int, circle_ids: list[int], now: datetime) -> dict[int, GroupSession]:
    """Each circle's next scheduled session (none for a circle with nothing to come)."""
    if not circle_ids:
        return {}
    order = func.row_number().over(partition_by=GroupSession.circle_id,
                                   order_by=(GroupSession.starts_at, GroupSession.id)).label("n")
    ranked = (select(GroupSession.id, order)
              .where(GroupSession.school_id == school_id, GroupSession.circle_id.in_(circle_ids),
                     GroupSession.status == SessionStatus.SCHEDULED, GroupSession.starts_at >= now)
              .subquery())
    sessions = db.session.scalars(select(GroupSession).join(ranked, ranked.c.id == GroupSession.id)
                                  .where(GroupSession.school_id == school_id, ranked.c.n == 1))
    return {session.circle_id: session for session in sessions}


def sessions_of(circle: Circle, now: datetime) -> tuple[list[GroupSession], list[GroupSession]]:
    """The circle's sessions to come (soonest first) and past ones, with those cancelled (latest first)."""
    sessions = list(db.session.scalars(select(GroupSession).options(joinedload(GroupSession.plan)).where(
        GroupSession.school_id == circle.school_id, GroupSession.circle_id == circle.id)
        .order_by(GroupSession.starts_at, GroupSession.id)))
    to_come = [s for s in sessions if s.status != SessionStatus.HELD and _after(s.starts_at, now)]  # cancelled too
    past = [s for s in reversed(sessions) if s not in to_come]
    return to_come, past


def _after(moment: datetime, now: datetime) -> bool:
    return as_utc(moment) >= now  # SQLite hands back naive times


def students_of_grades(circle: Circle, *, without_place: bool) -> list[User]:
    """Active students of the circle's grades, but its leaders; `without_place`: only those with no
    place in it now (the ones worth inviting)."""
    leaders = select(CircleLeader.leader_id).where(CircleLeader.school_id == circle.school_id,
                                                   CircleLeader.circle_id == circle.id)
    query = (select(User).where(User.school_id == circle.school_id, User.role == "student", User.active.is_(True),
                                User.grade.between(circle.grade_min, circle.grade_max), User.id.not_in(leaders))
             .order_by(User.grade, User.family_name, User.given_name, User.id))
    if without_place:
        query = query.where(User.id.not_in(select(CircleMember.student_id).where(
            CircleMember.school_id == circle.school_id, CircleMember.circle_id == circle.id,
            CircleMember.status.in_(LIVE_VALUES))))
    return list(db.session.scalars(query))


# --- a student -----------------------------------------------------------------------------------

def places_of(student: User) -> list[CircleMember]:
    """The student's places now (asked, invited, waiting or a member), with their circles."""
    return list(db.session.scalars(
        select(CircleMember).options(joinedload(CircleMember.circle))
        .where(CircleMember.school_id == student.school_id, CircleMember.student_id == student.id,
               CircleMember.status.in_(LIVE_VALUES))
        .order_by(CircleMember.asked_at, CircleMember.id)))


def circles_led_by(student: User) -> list[Circle]:
    return list(db.session.scalars(
        select(Circle).join(CircleLeader, and_(CircleLeader.circle_id == Circle.id,
                                               CircleLeader.school_id == Circle.school_id))
        .where(Circle.school_id == student.school_id, CircleLeader.leader_id == student.id)
        .order_by(Circle.status.desc(), func.lower(Circle.name), Circle.id)))  # open ones first


def circles_to_join(student: User) -> list[Circle]:
    """Open circles of the student's grade they could ask to join: no place in it now, not its leader."""
    if student.grade is None:
        return []
    placed = select(CircleMember.circle_id).where(
        CircleMember.school_id == student.school_id, CircleMember.student_id == student.id,
        CircleMember.status.in_(LIVE_VALUES))
    led = select(CircleLeader.circle_id).where(CircleLeader.school_id == student.school_id,
                                               CircleLeader.leader_id == student.id)
    return list(db.session.scalars(
        select(Circle).options(joinedload(Circle.topic))
        .where(Circle.school_id == student.school_id, Circle.status == CircleStatus.OPEN,
               Circle.grade_min <= student.grade, Circle.grade_max >= student.grade,
               Circle.id.not_in(placed), Circle.id.not_in(led))
        .order_by(func.lower(Circle.name), Circle.id)))


def workshops_for(student: User, now: datetime) -> list[tuple[GroupSession, bool, int]]:
    """Open workshops to come for the student's grade: each with whether they signed up, and how
    many have."""
    if student.grade is None:
        return []
    workshops = list(db.session.scalars(
        select(GroupSession).where(
            GroupSession.school_id == student.school_id, GroupSession.circle_id.is_(None),
            GroupSession.status == SessionStatus.SCHEDULED, GroupSession.starts_at > now,
            GroupSession.grade_min <= student.grade, GroupSession.grade_max >= student.grade)
        .order_by(GroupSession.starts_at, GroupSession.id)))
    ids = [w.id for w in workshops]
    signed: dict[int, int] = {}
    mine: set[int] = set()
    if ids:
        signed = dict(db.session.execute(
            select(SessionAttendance.session_id, func.count())
            .where(SessionAttendance.school_id == student.school_id, SessionAttendance.session_id.in_(ids),
                   SessionAttendance.signed_up_at.is_not(None))
            .group_by(SessionAttendance.session_id)).all())
        mine = set(db.session.scalars(select(SessionAttendance.session_id).where(
            SessionAttendance.school_id == student.school_id, SessionAttendance.session_id.in_(ids),
            SessionAttendance.student_id == student.id, SessionAttendance.signed_up_at.is_not(None))))
    return [(w, w.id in mine, signed.get(w.id, 0)) for w in workshops]


def upcoming(circle: Circle, now: datetime, limit: int = 3) -> list[GroupSession]:
    """The circle's next few scheduled sessions."""
    return list(db.session.scalars(select(GroupSession).where(
        GroupSession.school_id == circle.school_id, GroupSession.circle_id == circle.id,
        GroupSession.status == SessionStatus.SCHEDULED, GroupSession.starts_at >= now)
        .order_by(GroupSession.starts_at, GroupSession.id).limit(limit)))
