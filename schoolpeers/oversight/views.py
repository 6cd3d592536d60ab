"""Counselors' oversight: the dashboard, concerns, a student's timeline; the student's call for help.

Every page that shows check-in notes or a concern writes an audit event.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from schoolpeers.accounts.access import get_in_school_or_404, get_user_or_404, role_required
from schoolpeers.extensions import db
from schoolpeers.forms_common import ConfirmForm
from schoolpeers.matching.models import MentorRequest
from schoolpeers.matching.services import proposals, waiting_requests
from schoolpeers.mentors.checkins import last_checkin_dates, recent_not_a_good_fit
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.mentors.services import expiring_soon
from schoolpeers.oversight import services
from schoolpeers.oversight.forms import NoteForm, RaiseForm, ResolveForm
from schoolpeers.oversight.models import OUTCOMES, SOURCES, Concern
from schoolpeers.oversight.notify import notify_counselors
from schoolpeers.timeutil import today_in, utcnow
from schoolpeers.web import audit, commit_or_explain

bp = Blueprint("oversight", __name__, template_folder="templates")
log = logging.getLogger(__name__)


@bp.app_context_processor
def urgent_banner():
    """Every page a counselor sees carries the count of high concerns not yet acknowledged."""
    if current_user.is_authenticated and current_user.role == "counselor":
        return {"urgent_concerns": services.unacknowledged_high_count(current_user.school_id)}
    return {"urgent_concerns": 0}


# --- students ----------------------------------------------------------------------------------

@bp.route("/talk-to-a-counselor", methods=["GET", "POST"])
@role_required("student")
def talk():
    form = ConfirmForm()
    if form.validate_on_submit():
        record = services.ask_for_counselor(current_user, utcnow())
        audit("concern.raise", record_type="concern", record_id=record.id, detail={"source": "student"})
        db.session.commit()
        return render_template("oversight/talk_sent.html")
    return render_template("oversight/talk.html", form=form)


# --- counselors --------------------------------------------------------------------------------

@bp.get("/oversight")
@role_required("counselor")
def dashboard():
    school = current_user.school
    now, today = utcnow(), today_in(school.timezone)
    active = list(db.session.scalars(select(Mentorship).where(
        Mentorship.school_id == school.id, Mentorship.status == "active")))
    last = last_checkin_dates(school.id, [m.id for m in active])
    cadence = timedelta(days=school.checkin_cadence_days)
    overdue_checkins = [(m, last.get(m.id)) for m in active
                        if m.began_on and today - max(filter(None, (m.began_on, last.get(m.id)))) > cadence]
    return render_template(
        "oversight/dashboard.html", now=now, concerns=services.open_concerns(school.id, now),
        is_overdue=services.is_overdue, waiting=[r for r in waiting_requests(school.id) if r.mentorship is None],
        proposals=proposals(school.id), overdue_checkins=overdue_checkins, today=today,
        expiring=expiring_soon(school.id, today),
        feedback=recent_not_a_good_fit(school.id, now - timedelta(days=30)), sources=SOURCES)


@bp.get("/oversight/concerns/<int:concern_id>")
@role_required("counselor")
def concern(concern_id: int):
    record = get_in_school_or_404(Concern, concern_id)
    audit("concern.read", record_type="concern", record_id=record.id)
    db.session.commit()
    return render_template("oversight/concern.html", concern=record, sources=SOURCES, outcomes=OUTCOMES,
                           confirm=ConfirmForm(), note_form=NoteForm(), resolve_form=ResolveForm(),
                           overdue=services.is_overdue(record, utcnow()), checkin=record.checkin)


def _change(concern_id: int, action, message: str, form=None):
    record = get_in_school_or_404(Concern, concern_id)
    if form is not None and not form.validate_on_submit():
        errors = [e for field in form for e in field.errors] or ["Fill in the form."]
        flash(" ".join(errors), "error")
        return redirect(url_for("oversight.concern", concern_id=record.id))
    commit_or_explain(lambda: action(record), message, (services.ConcernError,))
    return redirect(url_for("oversight.concern", concern_id=record.id))


@bp.post("/oversight/concerns/<int:concern_id>/acknowledge")
@role_required("counselor")
def acknowledge(concern_id: int):
    return _change(concern_id, lambda c: (services.acknowledge(c, current_user, utcnow()),
                                          audit("concern.acknowledge", record_type="concern", record_id=c.id)),
                   "Acknowledged. The other counselors can see that you have it.", ConfirmForm())


@bp.post("/oversight/concerns/<int:concern_id>/note")
@role_required("counselor")
def note(concern_id: int):
    form = NoteForm()
    return _change(concern_id, lambda c: (services.add_note(c, current_user, form.note.data),
                                          audit("concern.note", record_type="concern", record_id=c.id)),
                   "Note added.", form)


@bp.post("/oversight/concerns/<int:concern_id>/resolve")
@role_required("counselor")
def resolve(concern_id: int):
    form = ResolveForm()
    return _change(concern_id, lambda c: (services.resolve(c, current_user, form.outcome.data, form.note.data,
                                                           utcnow()),
                                          audit("concern.resolve", record_type="concern", record_id=c.id,
                                                detail={"outcome": form.outcome.data})),
                   "Resolved.", form)


@bp.get("/oversight/students/<int:student_id>")
@role_required("counselor")
def student(student_id: int):
    """One timeline of a student: requests, mentorships, check-ins (with notes) and concerns."""
    person = get_user_or_404(student_id)
    school_id = current_user.school_id
    requests = db.session.scalars(select(MentorRequest).where(
        MentorRequest.school_id == school_id, MentorRequest.student_id == person.id)).all()
    mentorships = db.session.scalars(select(Mentorship).where(
        Mentorship.school_id == school_id,
        (Mentorship.mentee_id == person.id) | (Mentorship.mentor_id == person.id))).all()
    checkins = db.session.scalars(select(CheckIn).where(
        CheckIn.school_id == school_id, CheckIn.mentee_id == person.id)).all()
    concerns = db.session.scalars(select(Concern).where(
        Concern.school_id == school_id, Concern.student_id == person.id)).all()
    timeline = sorted(
        [(r.created_at.date(), "request", r) for r in requests]
        + [(m.began_on or m.created_at.date(), "mentorship", m) for m in mentorships]
        + [(c.occurred_on, "checkin", c) for c in checkins]
        + [(c.created_at.date(), "concern", c) for c in concerns],
        key=lambda item: item[0], reverse=True)
    audit("student.timeline.read", record_type="user", record_id=person.id,
          detail={"checkins": len(checkins), "concerns": len(concerns)})
    db.session.commit()
    return render_template("oversight/student.html", person=person, timeline=timeline, sources=SOURCES,
                           raise_form=RaiseForm())


@bp.post("/oversight/students/<int:student_id>/concerns")
@role_required("counselor")
def raise_concern(student_id: int):
    person = get_user_or_404(student_id)
    form = RaiseForm()
    if not form.validate_on_submit() or person.role != "student":
        flash("Choose a severity and describe the concern.", "error")
        return redirect(url_for("oversight.student", student_id=person.id))
    record = services.raise_concern(current_user.school, person, source="manual", severity=form.severity.data,
                                    summary=form.summary.data, raised_by=current_user, now=utcnow())
    audit("concern.raise", record_type="concern", record_id=record.id)
    db.session.commit()
    try:
        notify_counselors([record])
    except Exception:  # the concern is saved and on the dashboard; the mail is a courtesy on top
        log.exception("Concern %s saved, but mailing counselors failed", record.id)
    flash("Concern raised.", "success")
    return redirect(url_for("oversight.concern", concern_id=record.id))
