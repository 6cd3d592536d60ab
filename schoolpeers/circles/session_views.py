"""Pages of group sessions: leaders and counselors schedule and log a circle's sessions,
counselors run workshops, members give feedback."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.circles import access, feedback, session_concerns, sessions
from schoolpeers.circles.models import GroupSession
from schoolpeers.circles.session_forms import (
    FeedbackForm,
    ScheduleForm,
    WorkshopForm,
    in_utc,
    log_form,
    mood_field,
    present_field,
    reason_field,
    worried_field,
)
from schoolpeers.circles.statuses import FEEDBACK_ANSWERS, HOW_IT_WENT, MOOD_WORDS, MOODS, SessionStatus
from schoolpeers.forms_common import ConfirmForm, choices
from schoolpeers.oversight.models import SOURCES
from schoolpeers.oversight.notify import on_group_session_committed
from schoolpeers.paging import counted_page
from schoolpeers.resources.plans import plans_for_topic
from schoolpeers.severity import Severity, highest
from schoolpeers.timeutil import as_utc, utcnow
from schoolpeers.web import audit, change, page_arg, school_time, show_refusal

bp = Blueprint("group_sessions", __name__, template_folder="templates")
log = logging.getLogger(__name__)
PER_PAGE = 25
LABELS = {"how_it_went": HOW_IT_WENT, "answers": FEEDBACK_ANSWERS, "moods": MOODS, "mood_words": MOOD_WORDS}


def _tell_counselors(session: GroupSession) -> None:
    """Mail counselors about the session's new high concerns, once committed: telling people must never
    make a saved log or answer look lost."""
    try:
        on_group_session_committed(session.school_id, session.id)
    except Exception:
        log.exception("Group session %s saved, but notifying counselors failed", session.id)


def _back_to(session: GroupSession) -> str:
    if session.is_workshop:
        return url_for("group_sessions.workshops")
    return url_for("circles.detail", circle_id=session.circle_id)


# --- a circle's sessions: its leaders and the counselors -----------------------------------------

@bp.route("/circles/<int:circle_id>/sessions/new", methods=["GET", "POST"])
@role_required("student", "counselor")
def new(circle_id: int):
    circle = access.circle_or_404(circle_id)
    plans = plans_for_topic(circle.school_id, circle.topic_id)
    form = ScheduleForm()
    form.plan_id.choices = choices((plan.id, plan.title) for plan in plans)
    if form.validate_on_submit():
        data = sessions.SessionData(starts_at=in_utc(form.starts_at.data), minutes=form.minutes.data,
                                    plan_id=form.plan_id.data, place=form.place.data or "")
        with change(sessions.SessionError, flash_refusal=False) as outcome:
            session = sessions.schedule(circle, data, current_user, utcnow())
            audit("group_session.schedule", record_type="group_session", record_id=session.id,
                  detail={"circle": circle.id, "plan": session.plan_id})
            outcome.success = f"Session scheduled for {school_time(session.starts_at, '%A %d %B, %H:%M %Z')}."
        if not outcome.refused:
            return redirect(url_for("group_sessions.detail", group_session_id=session.id))
        show_refusal(form, outcome.refusal)
    return render_template("circles/sessions/new.html", form=form, circle=circle, plans=plans,
                           zone=current_user.school.timezone), (400 if form.errors else 200)


@bp.get("/sessions/<int:group_session_id>")
@role_required("student", "counselor")
def detail(group_session_id: int):
    session = access.session_or_404(group_session_id, joinedload(GroupSession.plan), joinedload(GroupSession.circle))
    counselor = current_user.role == "counselor"
    held = session.status == SessionStatus.HELD
    summary = feedback.feedback_summary(session) if held else None
    k = current_user.school.min_group_size
    shown = summary if counselor or summary is None else feedback.for_leader(summary, session, k, utcnow())
    if session.notes or (shown is not None and shown.comments):  # the leader's notes, members' comments
        with change():
            audit("group_session.read", record_type="group_session", record_id=session.id,
                  detail={"comments": len(shown.comments) if shown else 0})
    return render_template(
        "circles/sessions/detail.html", record=session, counselor=counselor, held=held,
        people=sessions.attendance(session), moods=sessions.mood_round(session) if held else None,
        feedback=shown, leader_sees_from=k,
        concerns=session_concerns.concerns_from(session) if counselor else [],
        urgent=not counselor and held and session_concerns.log_raised_urgent(session),
        may_log=session.status == SessionStatus.SCHEDULED and utcnow() >= as_utc(session.starts_at),
        sources=SOURCES, labels=LABELS, back=_back_to(session))


def _log_data(form, people) -> sessions.LogData:
    return sessions.LogData(
        how_it_went=form.how_it_went.data, notes=form.notes.data or "",
        present={p.id for p in people if form[present_field(p.id)].data},
        worries={p.id: form[reason_field(p.id)].data or "" for p in people if form[worried_field(p.id)].data},
        moods={mood: form[mood_field(mood)].data or 0 for mood in MOODS})


@bp.route("/sessions/<int:group_session_id>/log", methods=["GET", "POST"], endpoint="log")
@role_required("student", "counselor")
def log_session(group_session_id: int):
    session = access.session_or_404(group_session_id, joinedload(GroupSession.circle))
    now = utcnow()
    if session.status != SessionStatus.SCHEDULED or now < as_utc(session.starts_at):
        flash("This session is already logged." if session.status == SessionStatus.HELD else
              "This session was cancelled." if session.status == SessionStatus.CANCELLED else
              "You can log this session once it has started.", "info")
        return redirect(url_for("group_sessions.detail", group_session_id=session.id))
    people = sessions.expected(session)
    form = log_form(people.listed)
    round_error = None
    if form.validate_on_submit():
        data = _log_data(form, people.listed)
        try:
            with change(sessions.SessionError, flash_refusal=False) as outcome:
                raised = sessions.log_session(session, data, current_user, now)
                severity = highest(concern.severity for concern in raised)
                audit("group_session.log", record_type="group_session", record_id=session.id,
                      detail={"present": len(data.present), "concerns": len(raised), "severity": severity})
                outcome.success = "Session logged. Thank you for leading it." if severity != Severity.HIGH else ""
        except Exception:  # rolled back already
            log.exception("Group session %s could not be logged", session.id)
            flash("Your log was NOT saved because of a problem on our side. Please try again; if you are "
                  "worried about someone, tell a counselor in person now.", "error")
        else:
            if not outcome.refused:
                _tell_counselors(session)
                return redirect(url_for("group_sessions.detail", group_session_id=session.id))
            if outcome.refusal.field == sessions.MOOD_ROUND:
                round_error = str(outcome.refusal)
            else:
                show_refusal(form, outcome.refusal)
    return render_template("circles/sessions/log.html", form=form, record=session, people=people,
                           round_error=round_error, labels=LABELS, fields={
                               "present": present_field, "worried": worried_field, "reason": reason_field,
                               "mood": mood_field}), (400 if form.errors or round_error else 200)


@bp.post("/sessions/<int:group_session_id>/cancel")
@role_required("student", "counselor")
def cancel(group_session_id: int):
    session = access.session_or_404(group_session_id)
    if ConfirmForm().validate_on_submit():
        with change(sessions.SessionError) as outcome:
            sessions.cancel(session, current_user)
            audit("group_session.cancel", record_type="group_session", record_id=session.id)
            outcome.success = f"{session.title} on {school_time(session.starts_at, '%d %B')} is cancelled."
    return redirect(url_for("group_sessions.detail", group_session_id=session.id))


# --- a member's feedback -------------------------------------------------------------------------

WORRYING_COMMENT = ("What you wrote sounds hard. A counselor will read it, but it has no name on it, so they cannot "
                    "come and find you: please talk to a counselor or a teacher you trust today.")


@bp.route("/my/sessions/<int:group_session_id>/feedback", methods=["GET", "POST"], endpoint="feedback")
@role_required("student")
def feedback_page(group_session_id: int):
    """No audit here: an event naming the member beside the time of a comment's concern would say
    whose the comment is."""
    session = get_in_school_or_404(GroupSession, group_session_id, joinedload(GroupSession.circle))
    if not feedback.was_present(current_user, session):
        abort(404)
    if feedback.has_given(current_user, session):
        return render_template("circles/sessions/feedback_thanks.html", record=session)
    if not feedback.still_open(session, utcnow()):
        return render_template("circles/sessions/feedback_closed.html", record=session)
    form = FeedbackForm()
    if form.validate_on_submit():
        with change(feedback.FeedbackError, flash_refusal=False) as outcome:
            concern = feedback.give_feedback(current_user, session, form.answer.data, form.comment.data or "",
                                             utcnow())
        if not outcome.refused:
            if concern is not None:  # words that worry: help now, on the member's own screen
                _tell_counselors(session)
                flash(WORRYING_COMMENT, "warning")
            return redirect(url_for("group_sessions.feedback", group_session_id=session.id))
        show_refusal(form, outcome.refusal)
    return render_template("circles/sessions/feedback.html", form=form, record=session,
                           answers=FEEDBACK_ANSWERS), (400 if form.errors else 200)



# --- workshops -----------------------------------------------------------------------------------

@bp.get("/workshops")
@role_required("counselor")
def workshops():
    now = utcnow()
    coming = counted_page(sessions.workshops_query(current_user.school_id, now, past=False), page_arg("page"),
                          PER_PAGE)
    past = counted_page(sessions.workshops_query(current_user.school_id, now, past=True), page_arg("past_page"),
                        PER_PAGE)
    return render_template("circles/sessions/workshops.html", coming=coming, past=past,
                           pages={"page": coming.page, "past_page": past.page})


@bp.route("/workshops/new", methods=["GET", "POST"])
@role_required("counselor")
def new_workshop():
    school = current_user.school
    form = WorkshopForm()
    if not form.is_submitted():
        form.grade_min.data, form.grade_max.data = school.grade_min, school.grade_max
    if form.validate_on_submit():
        data = sessions.WorkshopData(
            title=form.title.data or "", about=form.about.data or "", starts_at=in_utc(form.starts_at.data),
            minutes=form.minutes.data, place=form.place.data or "", grade_min=form.grade_min.data,
            grade_max=form.grade_max.data, capacity=form.capacity.data)
        with change(sessions.SessionError, flash_refusal=False) as outcome:
            workshop = sessions.create_workshop(school, data, current_user, utcnow())
            audit("workshop.create", record_type="group_session", record_id=workshop.id)
            outcome.success = (f"{workshop.title} is set up. Students of grades {workshop.grade_min} to "
                               f"{workshop.grade_max} can sign up under Circles.")
        if not outcome.refused:
            return redirect(url_for("group_sessions.workshops"))
        show_refusal(form, outcome.refusal)
    return render_template("circles/sessions/new_workshop.html", form=form, zone=school.timezone), (
        400 if form.errors else 200)


def _workshop_or_404(workshop_id: int) -> GroupSession:
    """A workshop of the school; a circle's session answers 404 like a missing one."""
    workshop = get_in_school_or_404(GroupSession, workshop_id)
    if not workshop.is_workshop:
        abort(404)
    return workshop


@bp.post("/my/workshops/<int:workshop_id>/sign-up")
@role_required("student")
def sign_up(workshop_id: int):
    workshop = _workshop_or_404(workshop_id)
    if ConfirmForm().validate_on_submit():
        with change(sessions.SessionError) as outcome:
            sessions.sign_up(current_user, workshop, utcnow())
            audit("workshop.sign_up", record_type="group_session", record_id=workshop.id)
            outcome.success = (f"You have a place at {workshop.title}, "
                               f"{school_time(workshop.starts_at, '%A %d %B at %H:%M')}. See you there!")
    return redirect(url_for("circles.mine"))


@bp.post("/my/workshops/<int:workshop_id>/cancel")
@role_required("student")
def cancel_sign_up(workshop_id: int):
    workshop = _workshop_or_404(workshop_id)
    if ConfirmForm().validate_on_submit():
        with change(sessions.SessionError) as outcome:
            sessions.cancel_sign_up(current_user, workshop, utcnow())
            audit("workshop.cancel_sign_up", record_type="group_session", record_id=workshop.id)
            outcome.success = (f"Your place at {workshop.title} is given back. You can sign up again while "
                               "there is room.")
    return redirect(url_for("circles.mine"))
