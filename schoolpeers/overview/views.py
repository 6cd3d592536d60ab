"""The counselor's dashboard and a student's timeline: pages that read across the features.

Their addresses stay under /oversight, where counselors have them bookmarked.
"""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from schoolpeers.accounts.access import get_user_or_404, role_required
from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors.checkins import not_a_good_fit_page
from schoolpeers.oversight import services as oversight
from schoolpeers.oversight.forms import RaiseForm
from schoolpeers.oversight.groups import groups_of
from schoolpeers.oversight.models import SOURCES
from schoolpeers.overview import timeline
from schoolpeers.overview.counts import counselor_counts, recent_since
from schoolpeers.timeutil import today_in, utcnow
from schoolpeers.web import audit, change, page_arg

bp = Blueprint("overview", __name__, template_folder="templates")
PER_PAGE = 25


@bp.get("/oversight")
@role_required("counselor")
def dashboard():
    school = current_user.school
    now, today = utcnow(), today_in(school.timezone)

    counts = counselor_counts(school.id, now, today)
    concerns = oversight.open_concerns_page(school.id, now, page_arg("concerns_page"), PER_PAGE)
    overdue = oversight.overdue_mentorships_page(school.id, today, school.checkin_cadence_days,
                                                 page_arg("overdue_page"), PER_PAGE)
    since = recent_since(now)
    feedback = not_a_good_fit_page(school.id, since, page_arg("feedback_page"), PER_PAGE,
                                   total=counts.not_a_good_fit)
    mentor_left = matching.mentor_left_page(school.id, since, page_arg("left_page"), PER_PAGE,
                                            total=counts.mentor_left)
    return render_template(
        "overview/dashboard.html", now=now, concerns=concerns,
        groups=groups_of(school.id, [c.group_session_id for c in concerns.items]),
        acknowledgement_overdue=oversight.acknowledgement_overdue,
        overdue=overdue, last_checkin={m.id: last for m, last in overdue.rows},
        feedback=feedback, mentor_left=mentor_left, waiting=counts.waiting, proposals=counts.proposals,
        expiring=counts.expiring, today=today, sources=SOURCES,
        supervision_overdue=counts.supervision_overdue, feelings_waiting=counts.feelings_waiting,
        pages={"concerns_page": concerns.page, "overdue_page": overdue.page, "feedback_page": feedback.page,
               "left_page": mentor_left.page})


@bp.get("/oversight/students/<int:student_id>")
@role_required("counselor")
def student(student_id: int):
    """One timeline of a student: requests, mentorships, check-ins (with notes) and concerns, a page at a time."""
    person = get_user_or_404(student_id)
    school_id = current_user.school_id
    page = timeline.timeline_page(school_id, person.id, page_arg(), PER_PAGE)
    shown = page.items  # the first column of each row: its kind
    with change():
        audit("student.timeline.read", record_type="user", record_id=person.id,
              detail={"page": page.page, "checkins": shown.count("checkin"), "concerns": shown.count("concern")})
    # Expired by the commit; reloaded here (in its school), not by chance through an entry.
    db.session.execute(select(User).where(User.school_id == school_id, User.id == student_id)
                       .execution_options(populate_existing=True)).scalar_one()
    return render_template("overview/student.html", person=person, page=page,
                           entries=timeline.load_entries(school_id, page.rows), sources=SOURCES,
                           raise_form=RaiseForm())
