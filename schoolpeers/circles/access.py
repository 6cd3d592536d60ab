"""Who may open a circle or a session, in one place: the school-scoped loaders every circles page uses.

Counselors see every circle and session of their school. A peer leader sees the circles they lead
and those circles' sessions; a member sees their own place. Anything else answers 404, like a
record that does not exist."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from schoolpeers.accounts.access import get_in_school_or_404
from schoolpeers.accounts.models import User
from schoolpeers.circles.models import Circle, CircleLeader, CircleMember, GroupSession
from schoolpeers.extensions import db


def is_leader(user: User, circle_id: int | None) -> bool:
    return circle_id is not None and db.session.scalar(select(CircleLeader.leader_id).where(
        CircleLeader.school_id == user.school_id, CircleLeader.circle_id == circle_id,
        CircleLeader.leader_id == user.id)) is not None


def led_circle_ids(user: User) -> list[int]:
    return list(db.session.scalars(select(CircleLeader.circle_id).where(
        CircleLeader.school_id == user.school_id, CircleLeader.leader_id == user.id)))


def place_of(student: User, circle_id: int) -> CircleMember | None:
    """The student's place in the circle (asked, invited, waiting, member, declined, left), if any."""
    return db.session.scalar(select(CircleMember).where(
        CircleMember.school_id == student.school_id, CircleMember.circle_id == circle_id,
        CircleMember.student_id == student.id))


def circle_or_404(circle_id: int, *options) -> Circle:
    """A circle of the school for a counselor; for a student, only a circle they lead."""
    circle = get_in_school_or_404(Circle, circle_id, *options)
    if current_user.role != "counselor" and not is_leader(current_user, circle.id):
        abort(404)
    return circle


def session_or_404(session_id: int, *options) -> GroupSession:
    """A session of the school for a counselor; for a student, only a session of a circle they lead
    (workshops are run by counselors)."""
    session = get_in_school_or_404(GroupSession, session_id, *options)
    if current_user.role != "counselor" and not is_leader(current_user, session.circle_id):
        abort(404)
    return session
