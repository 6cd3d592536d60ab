"""Each role's home page: what they can do here, and what needs their attention.

It sits above the feature packages and may read from all of them; none of them imports it.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from schoolpeers.accounts import approvals
from schoolpeers.accounts.models import DISTRICT_ROLES, ROLES, User
from schoolpeers.circles.steps import circle_steps
from schoolpeers.extensions import db
from schoolpeers.matching.services import current_request
from schoolpeers.mentors import self_checkins
from schoolpeers.mentors.checkins import active_mentorship_of_mentee, mentees_overview
from schoolpeers.mentors.services import is_mentor, profile_for
from schoolpeers.notifications.meetings import upcoming_for
from schoolpeers.overview.counts import counselor_counts
from schoolpeers.programme.steps import steps_for
from schoolpeers.timeutil import today_in, utcnow

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    if current_user.role in DISTRICT_ROLES:
        return redirect(url_for("districts.home"))
    return render_template(f"home/{current_user.role}.html", **summary_for(current_user))


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
    if user.role == "counselor":
        counts = counselor_counts(user.school_id, today_in(user.school.timezone))
        return {"counts": role_counts(user.school_id), "needs_mentor": counts.waiting,
                "proposals": counts.proposals, "expiring": counts.expiring,
                "supervision_overdue": counts.supervision_overdue, "feelings_waiting": counts.feelings_waiting,
                "approvals": approvals.count_pending(user.school_id)}
    if user.role == "staff":
        return {"counts": role_counts(user.school_id)}
    profile = profile_for(user)
    school, today = user.school, today_in(user.school.timezone)
    has_mentor = active_mentorship_of_mentee(user) is not None
    due = has_mentor and self_checkins.is_due(self_checkins.last_self_checkin(user), today, school.checkin_cadence_days)
    mentoring = is_mentor(profile)
    checkins_due = ([line for line in mentees_overview(user, today, school.checkin_cadence_days) if line.due]
                    if mentoring else [])
    return {"profile": profile, "is_mentor": mentoring, "request": current_request(user),
            "has_mentor": has_mentor, "self_checkin_due": due,
            "meetings": upcoming_for(user, utcnow()), "checkins_due": checkins_due,
            "programme_steps": [*steps_for(user, today), *circle_steps(user, utcnow())]}
