"""What circles wait for from a student now, for their home page: an invitation to answer, a circle's
agreement to accept, a session to say how it went, and (for a leader) a session to log. One statement
says whether any of it may wait, so the home page of a student with no circle (most of a school) asks
no more."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Exists, and_, bindparam, exists, select

from schoolpeers.accounts.models import User
from schoolpeers.circles import feedback, listings
from schoolpeers.circles.models import CircleLeader, CircleMember, GroupSession, SessionAttendance
from schoolpeers.circles.statuses import PlaceStatus, SessionStatus
from schoolpeers.extensions import db
from schoolpeers.programme.prompts import Prompt
from schoolpeers.web import school_time

# How long a leader is reminded of a session they have not logged yet.
LOG_REMINDER = timedelta(days=14)


def circle_steps(student: User, now: datetime, may_wait: tuple[bool, bool, bool] | None = None) -> list[Prompt]:
    """`may_wait`: the values of `WHAT_MAY_WAIT`, when the caller asked them with its own facts."""
    if may_wait is None:
        may_wait = tuple(map(bool, db.session.execute(select(*WHAT_MAY_WAIT), may_wait_values(student, now)).one()))
    places, leads, came = may_wait
    steps = []
    if places:
        for place in listings.places_of(student):
            if place.status == PlaceStatus.INVITED:
                steps.append(Prompt(f"You are invited to join the circle {place.circle.name}: would you like to?",
                                    "circles.member_circle", {"circle_id": place.circle_id}))
            elif place.status == PlaceStatus.MEMBER and place.agreed_at is None:
                steps.append(Prompt(f"Read the agreement of the circle {place.circle.name} and agree before your "
                                    "first session", "circles.agreement", {"circle_id": place.circle_id}))
    if came:
        steps += [Prompt(f"How was {session.title}? One tap, and nobody sees who said what",
                         "group_sessions.feedback", {"group_session_id": session.id})
                  for session in feedback.awaiting_feedback(student, now)]
    if leads:
        steps += [Prompt(f"Log the session {session.title} of {school_time(session.starts_at, '%d %B')}: "
                         "who came and how it went", "group_sessions.log", {"group_session_id": session.id})
                  for session in _to_log(student, now)]
    return steps


def _what_may_wait(school_id, student_id, feedback_since) -> tuple[Exists, Exists, Exists]:
    waiting_place = exists().where(
        CircleMember.school_id == school_id, CircleMember.student_id == student_id,
        CircleMember.status.in_([str(PlaceStatus.INVITED), str(PlaceStatus.MEMBER)]))
    leads = exists().where(CircleLeader.school_id == school_id, CircleLeader.leader_id == student_id)
    came = exists().where(
        SessionAttendance.school_id == school_id, SessionAttendance.student_id == student_id,
        SessionAttendance.present.is_(True), GroupSession.school_id == school_id,
        GroupSession.id == SessionAttendance.session_id, feedback.logged_since(feedback_since))
    return waiting_place, leads, came


#: Whether the student holds a place that may wait for an answer, leads a circle, and came to a session
#: whose feedback is still open: conditions asked in one statement, built once (with the values of
#: `may_wait_values`) as every visit to a student's home page asks them.
WHAT_MAY_WAIT = _what_may_wait(bindparam("school_id"), bindparam("student_id"), bindparam("feedback_since"))


def may_wait_values(student: User, now: datetime) -> dict:
    return {"school_id": student.school_id, "student_id": student.id, "feedback_since": feedback.open_since(now)}


def _to_log(leader: User, now: datetime) -> list[GroupSession]:
    """Sessions of the circles they lead that have begun, lately, and are not logged yet."""
    return list(db.session.scalars(
        select(GroupSession)
        .join(CircleLeader, and_(CircleLeader.circle_id == GroupSession.circle_id,
                                 CircleLeader.school_id == GroupSession.school_id))
        .where(GroupSession.school_id == leader.school_id, CircleLeader.leader_id == leader.id,
               GroupSession.status == SessionStatus.SCHEDULED, GroupSession.starts_at <= now,
               GroupSession.starts_at >= now - LOG_REMINDER)
        .order_by(GroupSession.starts_at, GroupSession.id)))
