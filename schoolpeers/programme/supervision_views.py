"""Pages of the programme cycle: supervision. Counselors record the sessions they hold with mentors,
see who is overdue for one, and read mentors' own checks after a hard check-in."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.forms_common import ConfirmForm, people_choices
from schoolpeers.paging import counted_page
from schoolpeers.programme import supervision
from schoolpeers.programme.models import (
    MENTOR_FEELINGS,
    SUPERVISION_KINDS,
    SUPERVISION_THEMES,
    MentorFeeling,
    SupervisionSession,
)
from schoolpeers.programme.supervision_forms import SessionCorrectionForm, SessionForm
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, page_arg, school_today, show_refusal

bp = Blueprint("supervision", __name__, template_folder="templates")
PER_PAGE = 25


@bp.get("/supervision")
@role_required("counselor")
def index():
    school, today = current_user.school, school_today()

    def paged(query, param):
        return counted_page(query, page_arg(param), PER_PAGE)

    sessions = paged(supervision.sessions_query(school.id), "page")
    overdue = paged(supervision.overdue_mentors_query(school, today), "overdue_page")
    feelings = paged(supervision.waiting_feelings_query(school.id), "feelings_page")
    if feelings.items:  # mentors' own words about themselves are read here
        with change():
            audit("mentor_feelings.read", detail={"ids": [feeling.id for feeling in feelings.items]})
    return render_template(
        "programme/supervision_index.html", sessions=sessions, overdue=overdue,
        last_session={profile.id: last for profile, last in overdue.rows},
        feelings=feelings, attendees=supervision.attendees_by_session(school.id, [s.id for s in sessions.items]),
        circles=supervision.circle_names(school.id, [s.circle_id for s in sessions.items]),
        kinds=SUPERVISION_KINDS, themes=SUPERVISION_THEMES, feeling_labels=MENTOR_FEELINGS,
        every_days=school.supervision_every_days, confirm=ConfirmForm(),
        pages={"page": sessions.page, "overdue_page": overdue.page, "feelings_page": feelings.page})


def _attendee_choices(form, mentors) -> None:
    form.attendees.choices = people_choices(mentors)


@bp.route("/supervision/new", methods=["GET", "POST"])
@role_required("counselor")
def new():
    school, today = current_user.school, school_today()
    mentors = supervision.eligible_mentors(school.id)
    form = SessionForm()
    _attendee_choices(form, mentors)
    if not form.is_submitted():
        form.held_on.data, form.kind.data, form.minutes.data = today, "group", 45
    if form.validate_on_submit():
        data = supervision.SessionData(held_on=form.held_on.data, kind=form.kind.data, minutes=form.minutes.data,
                                       themes=form.themes.data or [], attendee_ids=form.attendees.data or [])
        with change(supervision.SupervisionError, flash_refusal=False) as outcome:
            session = supervision.record_session(school, data, current_user, today)
            audit("supervision.record", record_type="supervision_session", record_id=session.id,
                  detail={"kind": session.kind, "attendees": len(session.attendance), "themes": session.themes})
            outcome.success = f"Session of {session.held_on:%d %B %Y} recorded."
        if not outcome.refused:
            return redirect(url_for("supervision.index"))
        show_refusal(form, outcome.refusal)
    return render_template("programme/supervision_form.html", form=form, has_mentors=bool(mentors)), (
        400 if form.errors else 200)


@bp.route("/supervision/<int:session_id>", methods=["GET", "POST"])
@role_required("counselor")
def detail(session_id: int):
    session = get_in_school_or_404(SupervisionSession, session_id)
    came = supervision.attendee_ids(session)
    form = SessionCorrectionForm()
    _attendee_choices(form, supervision.eligible_mentors(session.school_id, came))
    if not form.is_submitted():
        form.themes.data, form.attendees.data = list(session.themes), came
    if form.validate_on_submit():
        with change(supervision.SupervisionError, flash_refusal=False) as outcome:
            supervision.correct_session(session, form.themes.data or [], form.attendees.data or [])
            audit("supervision.correct", record_type="supervision_session", record_id=session.id,
                  detail={"attendees": len(session.attendance), "themes": session.themes})
            outcome.success = "Session corrected."
        if not outcome.refused:
            return redirect(url_for("supervision.detail", session_id=session_id))
        show_refusal(form, outcome.refusal)
    return render_template(
        "programme/supervision_detail.html", record=session, form=form, kinds=SUPERVISION_KINDS,
        themes=SUPERVISION_THEMES,
        attendees=supervision.attendees_by_session(session.school_id, [session.id]).get(session.id, []),
        circle_name=supervision.circle_names(session.school_id, [session.circle_id]).get(session.circle_id),
    ), (400 if form.errors else 200)


@bp.post("/supervision/feelings/<int:feeling_id>/seen")
@role_required("counselor")
def seen(feeling_id: int):
    feeling = get_in_school_or_404(MentorFeeling, feeling_id)
    if ConfirmForm().validate_on_submit():
        with change() as outcome:
            if supervision.mark_seen(feeling, current_user, utcnow()):
                audit("supervision.feeling_seen", record_type="mentor_feeling", record_id=feeling.id,
                      detail={"mentor_id": feeling.mentor_id})
                outcome.success = f"Marked as seen: {feeling.mentor.given_name} is looked after."
            else:
                outcome.success = "Another counselor had marked it as seen already."
    return redirect(url_for("supervision.index"))
