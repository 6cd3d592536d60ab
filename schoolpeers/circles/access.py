"""Who may open a circle or a session, in one place: the school-scoped loaders every circles page uses.

Counselors see every circle and session of their school. A peer leader sees the circles they lead
and those circles' sessions; a member sees their own place. Anything else answers 404, like a
record that does not exist. (The plain checks they rest on, `queries.is_leader` and
`queries.place_of`, need no request and serve the services too.)"""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from schoolpeers.accounts.access import get_in_school_or_404
from schoolpeers.circles.models import Circle, GroupSession
from schoolpeers.circles.queries import is_leader


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
