"""Counselors' oversight: concerns, how screening does; the student's call for help. (The dashboard
and a student's timeline, which read across the features, are in `overview`.)

Every page that shows check-in notes or a concern writes an audit event.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.access import get_in_school_or_404, get_user_or_404, role_required
from schoolpeers.forms_common import ConfirmForm
from schoolpeers.mentors.forms import WELLBEING_FACES
from schoolpeers.oversight import screening, services
from schoolpeers.oversight.forms import NoteForm, RaiseForm, ResolveForm
from schoolpeers.oversight.groups import group_of
from schoolpeers.oversight.models import OUTCOMES, SOURCES, VERDICTS, Concern
from schoolpeers.oversight.notify import notify_counselors
from schoolpeers.paging import counted_page
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, page_arg

bp = Blueprint("oversight", __name__, template_folder="templates")
PER_PAGE = 25
log = logging.getLogger(__name__)


@bp.app_context_processor
def urgent_banner():
    """Every page a counselor sees carries the count of high concerns not yet acknowledged, and opens
    the concern itself when there is one (from the dashboard's counts when they were made already)."""
    if current_user.is_authenticated and current_user.role == "counselor":
        count, concern_id = g.get("urgent_banner") or services.urgent_banner_facts(current_user.school_id)
        return {"urgent_concerns": count, "urgent_concern_id": concern_id}
    return {"urgent_concerns": 0, "urgent_concern_id": None}


# --- students ----------------------------------------------------------------------------------

@bp.route("/talk-to-a-counselor", methods=["GET", "POST"])
@role_required("student")
def talk():
    form = ConfirmForm()
    if form.validate_on_submit():
        with change():
            record = services.ask_for_counselor(current_user, utcnow())
            audit("concern.raise", record_type="concern", record_id=record.id, detail={"source": "student"})
        return render_template("oversight/talk_sent.html")
    return render_template("oversight/talk.html", form=form)


# --- counselors --------------------------------------------------------------------------------

@bp.get("/oversight/concerns/<int:concern_id>")
@role_required("counselor")
def concern(concern_id: int):
    record = get_in_school_or_404(Concern, concern_id)
    with change():
        audit("concern.read", record_type="concern", record_id=record.id)
    record = services.concern_for_page(record.school_id, record.id)  # loaded after the commit expired it
    checkin, own = record.checkin, record.self_checkin
    notes = checkin.notes if checkin else own.note if own else None
    return render_template("oversight/concern.html", concern=record, sources=SOURCES, outcomes=OUTCOMES,
                           note_form=NoteForm(), resolve_form=ResolveForm(),
                           overdue=services.acknowledgement_overdue(record, utcnow()), checkin=checkin,
                           own=own, explained=screening.explain_notes(notes), faces=dict(WELLBEING_FACES),
                           marks=screening.marks_of(record), verdicts=VERDICTS, categories=screening.CATEGORIES,
                           group=group_of(record.school_id, record.group_session_id))


def _form_refused(form) -> bool:
    """A concern's small forms show their mistakes as a message on the concern's page."""
    if form.validate_on_submit():
        return False
    flash(" ".join([e for field in form for e in field.errors] or ["Fill in the form."]), "error")
    return True


@bp.post("/oversight/concerns/<int:concern_id>/acknowledge")
@role_required("counselor")
def acknowledge(concern_id: int):
    record = get_in_school_or_404(Concern, concern_id)
    if not _form_refused(ConfirmForm()):
        with change(services.ConcernError) as outcome:
            services.acknowledge(record, current_user, utcnow())
            audit("concern.acknowledge", record_type="concern", record_id=record.id)
            outcome.success = "Acknowledged. The other counselors can see that you have it."
    return redirect(url_for("oversight.concern", concern_id=record.id))


@bp.post("/oversight/concerns/<int:concern_id>/note")
@role_required("counselor")
def note(concern_id: int):
    record = get_in_school_or_404(Concern, concern_id)
    form = NoteForm()
    if not _form_refused(form):
        with change(services.ConcernError) as outcome:
            services.add_note(record, current_user, form.note.data)
            audit("concern.note", record_type="concern", record_id=record.id)
            outcome.success = "Note added."
    return redirect(url_for("oversight.concern", concern_id=record.id))


@bp.post("/oversight/concerns/<int:concern_id>/resolve")
@role_required("counselor")
def resolve(concern_id: int):
    """Resolve, and (optionally) mark how screening did on the concern's notes: one transaction.
    A form with mistakes comes back with each one next to its field, on a page of the form alone
    (no notes, no summary): refused input writes nothing, not even a read."""
    record = get_in_school_or_404(Concern, concern_id, joinedload(Concern.student), joinedload(Concern.checkin))
    form = ResolveForm()
    notes = record.checkin.notes if record.checkin else None
    valid = form.validate_on_submit()
    if form.check_screening(notes) and valid:
        verdict, severity, category = form.screening_answers()

        with change(services.ConcernError) as outcome:
            now = utcnow()
            services.resolve(record, current_user, form.outcome.data, form.note.data, now)
            audit("concern.resolve", record_type="concern", record_id=record.id, detail={"outcome": form.outcome.data})
            outcome.success = "Resolved."
            if verdict:
                mark = screening.mark_screening(record, current_user, verdict, severity, category, now)
                audit("screening.mark", record_type="screening_mark", record_id=mark.id,
                      detail={"concern_id": record.id, "verdict": verdict, "severity": mark.severity,
                              "category": mark.category})
                outcome.success = "Resolved. Thank you for marking the screening: it learns from you."
        return redirect(url_for("oversight.concern", concern_id=record.id))
    if "csrf_token" in form.errors:
        flash("The form had expired. Please send it again.", "error")
        return redirect(url_for("oversight.concern", concern_id=record.id))
    return render_template("oversight/resolve.html", concern=record, form=form, resolve_form=form,
                           has_notes=bool(notes), group=group_of(record.school_id, record.group_session_id))


@bp.post("/oversight/students/<int:student_id>/concerns")
@role_required("counselor")
def raise_concern(student_id: int):
    person = get_user_or_404(student_id)
    form = RaiseForm()
    if not form.validate_on_submit() or person.role != "student":
        flash("Choose a severity and describe the concern.", "error")
        return redirect(url_for("overview.student", student_id=person.id))
    with change():
        record = services.raise_concern(current_user.school, person, source="manual", severity=form.severity.data,
                                        summary=form.summary.data, raised_by=current_user, now=utcnow())
        audit("concern.raise", record_type="concern", record_id=record.id)
    try:
        notify_counselors([record])
    except Exception:  # the concern is saved and on the dashboard; the mail is a courtesy on top
        log.exception("Concern %s saved, but mailing counselors failed", record.id)
    flash("Concern raised.", "success")
    return redirect(url_for("oversight.concern", concern_id=record.id))


# --- how screening does --------------------------------------------------------------------------

@bp.get("/oversight/screening")
@role_required("counselor")
def screening_quality():
    """Counselors' marks, per kind of risk, and the notes screening missed: counts and links, no
    names and no notes (each concern's page audits its own reading)."""
    school_id = current_user.school_id
    misses = counted_page(screening.misses_query(school_id), page_arg(), PER_PAGE)
    return render_template("oversight/screening.html", quality=screening.quality(school_id), misses=misses,
                           categories=screening.CATEGORIES)


@bp.get("/oversight/screening/export.csv")
@role_required("counselor")
def screening_export():
    """The school's own labelled examples: each marked check-in's notes with its latest mark."""
    school = current_user.school
    content, checkin_ids = screening.examples_csv(school.id)
    # Recorded with the file, and whose notes it holds: they are students' words.
    with change():
        audit("screening.export", detail={"rows": len(checkin_ids), "checkin_ids": checkin_ids})
    filename = f"screening-examples-{school.slug}-{utcnow():%Y%m%d}.csv"
    return Response(content, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
