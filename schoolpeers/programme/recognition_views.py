"""Pages of the programme cycle: recognition. A mentor sees their volunteering hours and their
certificates; counselors issue certificates; each certificate downloads as a PDF."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.mentors.models import MentorProfile
from schoolpeers.mentors.statuses import ACCEPTED
from schoolpeers.programme import certificates, hours
from schoolpeers.programme.models import Certificate
from schoolpeers.programme.recognition_forms import CertificateForm, PeriodForm
from schoolpeers.web import audit, change, school_today, show_refusal

bp = Blueprint("recognition", __name__, template_folder="templates")


@bp.get("/mentor/volunteering")
@role_required("student")
def volunteering():
    """A mentor's own hours this school year so far, and their certificates."""
    if not certificates.has_volunteered(current_user):
        abort(404)
    period = hours.this_school_year_so_far(school_today())
    return render_template("programme/volunteering.html", period=period,
                           hours=certificates.hours_for(current_user, period),
                           certificates=certificates.certificates_of(current_user.school_id, current_user.id),
                           hours_text=hours.hours_text)


def _mentor_profile_or_404(profile_id: int) -> MentorProfile:
    """An accepted mentor of the school (taking mentees or paused): the only ones with volunteering
    to certify."""
    profile = get_in_school_or_404(MentorProfile, profile_id, joinedload(MentorProfile.user))
    if profile.status not in ACCEPTED:
        abort(404)
    return profile


def _period_shown(period_form: PeriodForm, today: date) -> hours.Period:
    """The period the form holds, or this school year so far when it holds none; a period refused is
    left beside its field with the refusal, and this school year so far is shown instead."""
    default = hours.this_school_year_so_far(today)
    start, end = period_form.period_from.data, period_form.period_to.data
    if period_form.errors:
        return default
    if start is None and end is None:
        period_form.period_from.data, period_form.period_to.data = default.start, default.end
        return default
    try:
        return hours.checked_period(start, end, today)
    except hours.PeriodError as refusal:
        show_refusal(period_form, refusal)
        return default


@bp.route("/mentors/<int:profile_id>/certificate", methods=["GET", "POST"])
@role_required("counselor")
def issue(profile_id: int):
    """GET: the mentor's hours over a period (this school year so far unless the address asks for
    another). POST: a certificate of the period shown, with the hours counted now."""
    profile = _mentor_profile_or_404(profile_id)
    today = school_today()
    form = CertificateForm()
    period_form = PeriodForm(formdata=request.args or None)
    if request.args:
        period_form.validate()
    if form.is_submitted():
        period_form.period_from.data, period_form.period_to.data = form.period_from.data, form.period_to.data
        for name in ("period_from", "period_to"):
            getattr(period_form, name).errors = list(getattr(form, name).process_errors)
    if form.validate_on_submit():
        with change(certificates.CertificateError, hours.PeriodError, flash_refusal=False) as outcome:
            certificate = certificates.issue_certificate(profile, current_user, form.period_from.data,
                                                         form.period_to.data, form.citation.data or "", today)
            audit("certificate.issue", record_type="certificate", record_id=certificate.id,
                  detail={"mentor_id": certificate.mentor_id, "minutes": certificate_total(certificate)})
            outcome.success = f"Certificate issued to {profile.user.given_name}."
        if not outcome.refused:
            return redirect(url_for("recognition.issue", profile_id=profile.id))
        refusal = outcome.refusal
        show_refusal(form if refusal.field == "citation" else period_form, refusal)
    period = _period_shown(period_form, today)
    form.period_from.data, form.period_to.data = period.start, period.end
    status = 400 if form.errors or period_form.errors else 200
    return render_template("programme/certificate_form.html", profile=profile, period=period,
                           period_form=period_form, form=form,
                           hours=certificates.hours_for(profile.user, period), hours_text=hours.hours_text,
                           certificates=certificates.certificates_of(profile.school_id, profile.user_id)), status


def certificate_total(certificate: Certificate) -> int:
    return certificates.certificate_hours(certificate).total_minutes


@bp.get("/certificates/<int:certificate_id>.pdf")
@role_required("student", "counselor")
def pdf(certificate_id: int):
    """The certificate for the mentor it names, or any counselor of the school."""
    certificate = get_in_school_or_404(Certificate, certificate_id, joinedload(Certificate.mentor),
                                       joinedload(Certificate.issued_by))
    if current_user.role == "student" and certificate.mentor_id != current_user.id:
        abort(404)
    content = certificates.render_pdf(certificate, current_user.school)
    filename = f"volunteering-certificate-{certificate.issued_on:%Y-%m-%d}.pdf"
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private"})
