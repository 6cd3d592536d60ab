"""Who is in a circle: the lists every circles page and service reads, one statement each. No request
state here: the services use these as the pages' loaders (`access`) do."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import User
from schoolpeers.circles.models import Circle, CircleLeader, CircleMember
from schoolpeers.circles.statuses import PlaceStatus
from schoolpeers.extensions import db


def places(circle: Circle, *statuses: PlaceStatus) -> list[CircleMember]:
    """The circle's places in these statuses with their students, in the order they were placed
    (the waiting list's order), then asked."""
    return list(db.session.scalars(
        select(CircleMember).options(joinedload(CircleMember.student))
        .where(CircleMember.school_id == circle.school_id, CircleMember.circle_id == circle.id,
               CircleMember.status.in_([str(s) for s in statuses]))
        .order_by(CircleMember.placed_at.nulls_last(), CircleMember.asked_at, CircleMember.id)))


def members(circle: Circle, *, agreed_only: bool = False) -> list[CircleMember]:
    """The circle's members; with `agreed_only`, those who have accepted its confidentiality agreement
    (only they take part in a session)."""
    found = places(circle, PlaceStatus.MEMBER)
    return [m for m in found if m.agreed_at is not None] if agreed_only else found


def member_count(circle: Circle) -> int:
    return db.session.scalar(select(func.count()).select_from(CircleMember).where(
        CircleMember.school_id == circle.school_id, CircleMember.circle_id == circle.id,
        CircleMember.status == PlaceStatus.MEMBER)) or 0


def leaders(circle: Circle) -> list[User]:
    return list(db.session.scalars(
        select(User)
        .join(CircleLeader, (CircleLeader.leader_id == User.id) & (CircleLeader.school_id == User.school_id))
        .where(CircleLeader.school_id == circle.school_id, CircleLeader.circle_id == circle.id)
        .order_by(User.family_name, User.given_name, User.id)))


def is_leader(user: User, circle_id: int | None) -> bool:
    """Whether the user leads the circle: the one leader check, for pages and services alike."""
    return circle_id is not None and db.session.scalar(select(CircleLeader.leader_id).where(
        CircleLeader.school_id == user.school_id, CircleLeader.circle_id == circle_id,
        CircleLeader.leader_id == user.id)) is not None


def place_of(student: User, circle_id: int) -> CircleMember | None:
    """The student's place in the circle (asked, invited, waiting, member, declined, left), if any, as
    it is now: read afresh, so that a service holding the circle's lock sees another request's change."""
    return db.session.scalar(
        select(CircleMember).where(CircleMember.school_id == student.school_id, CircleMember.circle_id == circle_id,
                                   CircleMember.student_id == student.id)
        .execution_options(populate_existing=True))
