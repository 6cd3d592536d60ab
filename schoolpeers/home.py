"""What each role's home page shows: what they can do, and what needs their attention."""
from __future__ import annotations

from sqlalchemy import func, select

from schoolpeers.accounts.models import ROLES, User
from schoolpeers.extensions import db


def role_counts(school_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(User.role, func.count()).where(User.school_id == school_id, User.active.is_(True))
        .group_by(User.role)
    ).all()
    counts = dict.fromkeys(ROLES, 0)
    counts.update(dict(rows))
    return counts


def awaiting_setup_count(school_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(
            User.school_id == school_id, User.active.is_(True), User.password_hash.is_(None)
        )
    ) or 0


def summary_for(user: User) -> dict:
    if user.role == "admin":
        return {"counts": role_counts(user.school_id), "awaiting_setup": awaiting_setup_count(user.school_id)}
    if user.role in ("counselor", "staff"):
        return {"counts": role_counts(user.school_id)}
    return {}
