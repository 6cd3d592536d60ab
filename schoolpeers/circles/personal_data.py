"""Circles' records under the privacy promises: which of their words the retention period clears, and
what erasing a student removes. ("Download my data" shapes a student's circles in
`schoolpeers.privacy.my_data`.)

Their free text: a group session's notes (its leader's record) and the members' anonymous comments.
Retention clears them on the schedule of check-in notes, which go once their mentorship has ended
longer ago than the period: a circle's sessions once the circle is closed and none of its sessions
(cancelled ones aside) started within the period (a circle keeps no closing date; its last session is
when it last met); an open workshop's, once it started longer ago than that. The rows stay, with the
numbers reports need: attendance, how it went, the mood round, the one-tap answers.

Erasing a student first has them leave every circle and stop leading, as any leaver does (the
first of a waiting list takes their free place), then deletes their places in circles, their
attendance (with a leader's worry tick about them) and the marks that they gave feedback, in both
erasure modes: each says which circle the student was in, and a circle's topic (grief, friendships)
says much about them. Their feedback itself names nobody and stays. A session's notes that mention
them are the leader's record, which a counselor may need for safeguarding: they stay as written
(concerns about the student are redacted like every concern about them).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select

from schoolpeers.accounts.models import User
from schoolpeers.circles.models import (
    Circle,
    CircleMember,
    FeedbackGiven,
    GroupSession,
    SessionAttendance,
    SessionComment,
)
from schoolpeers.circles.places import leave_every_circle, stop_leading
from schoolpeers.circles.statuses import CircleStatus, SessionStatus
from schoolpeers.extensions import db

RETENTION_KINDS = ("group session notes", "anonymous session comments")


# --- retention -----------------------------------------------------------------------------------

def sessions_past_retention(school_id: int, cutoff: datetime):
    """Ids of the school's group sessions whose words are past the period (see the module's rule)."""
    met_recently = select(GroupSession.circle_id).where(
        GroupSession.school_id == school_id, GroupSession.circle_id.is_not(None),
        GroupSession.status != SessionStatus.CANCELLED, GroupSession.starts_at >= cutoff)
    ended_circles = select(Circle.id).where(
        Circle.school_id == school_id, Circle.status == CircleStatus.CLOSED, Circle.created_at < cutoff,
        Circle.id.not_in(met_recently))
    return select(GroupSession.id).where(GroupSession.school_id == school_id, or_(
        and_(GroupSession.circle_id.is_(None), GroupSession.starts_at < cutoff),
        GroupSession.circle_id.in_(ended_circles)))


def texts_past_retention(school_id: int, cutoff: datetime) -> dict[str, tuple[type, object, dict]]:
    """Kind -> (model, the rows whose text is past the period, the values that remove it), for the
    retention run's bulk updates."""
    ended = sessions_past_retention(school_id, cutoff)
    return {
        "group session notes": (GroupSession, and_(
            GroupSession.school_id == school_id, GroupSession.id.in_(ended), GroupSession.notes != ""),
            {"notes": ""}),
        "anonymous session comments": (SessionComment, and_(
            SessionComment.school_id == school_id, SessionComment.session_id.in_(ended),
            SessionComment.comment != ""), {"comment": ""}),
    }


# --- erasure -------------------------------------------------------------------------------------

def forget_student(student: User, actor: User | None, now: datetime) -> dict[str, int]:
    """Delete the student's rows in circles (see the module's list) once they have left every circle
    and stopped leading; counts by kind. Flushes; the caller commits."""
    school_id, student_id = student.school_id, student.id
    leave_every_circle(student, actor, now)
    counts = {"circle leader links deleted": stop_leading(student)}
    for kind, model, person in (
            ("circle places deleted", CircleMember, CircleMember.student_id),
            ("group session attendance deleted", SessionAttendance, SessionAttendance.student_id),
            ("feedback marks deleted", FeedbackGiven, FeedbackGiven.student_id)):
        counts[kind] = db.session.execute(
            delete(model).where(model.school_id == school_id, person == student_id)
            .execution_options(synchronize_session="fetch")).rowcount
    return counts
