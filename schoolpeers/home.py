"""Each role's home page: what they can do here, and what needs their attention.

It sits above the feature packages and may read from all of them; none of them imports it.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select

from schoolpeers.accounts import approvals
from schoolpeers.accounts.models import DISTRICT_ROLES, ROLES, User
from schoolpeers.extensions import db
from schoolpeers.overview.counts import counselor_counts
from schoolpeers.student_home import student_summary
from schoolpeers.timeutil import today_in, utcnow

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    if current_user.role in DISTRICT_ROLES:
        return redirect(url_for("districts.home"))
    return render_template(f"home/{current_user.role}.html", **summary_for(current_user))


def people_counts(school_id: int, *more: Select) -> tuple[dict[str, int], int, list[int]]:
    """In one statement: the school's active people per role, how many of them have not set up their
    account yet, and the counts of `more` (count statements)."""
    active = select(*(func.count().filter(User.role == role) for role in ROLES),
                    func.count().filter(User.password_hash.is_(None)),
                    *(query.scalar_subquery() for query in more)
                    ).where(User.school_id == school_id, User.active.is_(True))
    row = db.session.execute(active).one()
    return dict(zip(ROLES, row[:len(ROLES)], strict=True)), row[len(ROLES)], list(row[len(ROLES) + 1:])


def summary_for(user: User) -> dict:
    if user.role == "admin":
        counts, awaiting_setup, _ = people_counts(user.school_id)
        return {"counts": counts, "awaiting_setup": awaiting_setup}
    if user.role == "counselor":
        counts = counselor_counts(user.school_id, utcnow(), today_in(user.school.timezone))
        people, _, (pending_approvals,) = people_counts(user.school_id, approvals.pending_count_query(user.school_id))
        return {"counts": people, "needs_mentor": counts.waiting,
                "proposals": counts.proposals, "expiring": counts.expiring,
                "supervision_overdue": counts.supervision_overdue, "feelings_waiting": counts.feelings_waiting,
                "approvals": pending_approvals}
    if user.role == "staff":
        return {"counts": people_counts(user.school_id)[0]}
    return student_summary(user)
