"""Pages of the programme cycle: closure. A counselor begins the walk through a mentorship's ending
and follows it; the mentor logs the closing meeting, writes a goodbye and answers a few questions;
the mentee answers theirs and keeps the goodbye."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.forms_common import ConfirmForm
from schoolpeers.mentors.models import END_REASONS, Mentorship
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.mentors.views import after_logging, checkin_form, own_mentorship_or_404, save_checkin
from schoolpeers.programme import closure as services
from schoolpeers.programme.closure_forms import GoodbyeForm, MenteeSurveyForm, MentorSurveyForm
from schoolpeers.programme.closure_rules import ENDING_STAYS_OPEN, ClosureError, label_list
from schoolpeers.programme.models import RECOMMEND, WHAT_HELPED, Closure
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, school_today, show_refusal

bp = Blueprint("closure", __name__, template_folder="templates")


def _labels() -> dict:
    return {"recommend": RECOMMEND, "what_helped": lambda keys: label_list(keys, WHAT_HELPED)}


# --- counselors ------------------------------------------------------------------------------------

@bp.get("/mentorships/<int:mentorship_id>/closure")
@role_required("counselor")
def overview(mentorship_id: int):
    mentorship = get_in_school_or_404(Mentorship, mentorship_id, joinedload(Mentorship.mentor),
                                      joinedload(Mentorship.mentee))
    closure = services.closure_of(mentorship)
    surveys = services.surveys_of(closure) if closure else {}
    if closure is not None:  # the exit surveys' words and the goodbye message are read here
        with change():
            audit("closure.read", record_type="mentorship", record_id=mentorship.id)
    return render_template(
        "programme/closure_overview.html", mentorship=mentorship, closure=closure, surveys=surveys,
        walk=services.walk_of(closure, surveys) if closure else None,
        meeting=services.closing_meeting(closure) if closure else None, confirm=ConfirmForm(),
        active=mentorship.status == MentorshipStatus.ACTIVE, end_reasons=END_REASONS, **_labels())


@bp.post("/mentorships/<int:mentorship_id>/closure/begin")
@role_required("counselor")
def begin(mentorship_id: int):
    mentorship = get_in_school_or_404(Mentorship, mentorship_id, joinedload(Mentorship.mentor))
    if ConfirmForm().validate_on_submit():
        with change(ClosureError) as outcome:
            closure = services.begin_closure(mentorship, current_user, utcnow())
            audit("closure.begin", record_type="mentorship", record_id=mentorship.id,
                  detail={"closure": closure.id})
            outcome.success = (f"The ending is begun: {mentorship.mentor.given_name} can now plan the closing "
                               f"meeting, and both can answer a few questions.")
    return redirect(url_for("closure.overview", mentorship_id=mentorship.id))


@bp.post("/mentorships/<int:mentorship_id>/closure/withhold-goodbye")
@role_required("counselor")
def withhold_goodbye(mentorship_id: int):
    mentorship = get_in_school_or_404(Mentorship, mentorship_id, joinedload(Mentorship.mentee))
    closure = services.closure_of(mentorship)
    if closure is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        with change(ClosureError) as outcome:
            if services.withhold_goodbye(closure, current_user, utcnow()):
                audit("closure.withhold_goodbye", record_type="closure", record_id=closure.id)
            outcome.success = f"The goodbye message is withheld: {mentorship.mentee.given_name} does not see it."
    return redirect(url_for("closure.overview", mentorship_id=mentorship.id))


# --- mentors ---------------------------------------------------------------------------------------

def _own_closure_or_404(mentorship_id: int) -> Closure:
    """The closure of an active mentorship of the signed-in mentor; none begun answers 404."""
    closure = services.mentor_closure(own_mentorship_or_404(mentorship_id))
    if closure is None:
        abort(404)
    return closure


def _closing_page(closure: Closure, goodbye_form=None, survey_form=None):
    surveys = services.surveys_of(closure)
    return render_template(
        "programme/mentor_closing.html", closure=closure, mentorship=closure.mentorship,
        walk=services.walk_of(closure, surveys), survey=surveys.get("mentor"),
        meeting=services.closing_meeting(closure), goodbye_form=goodbye_form or GoodbyeForm(),
        survey_form=survey_form or MentorSurveyForm(), **_labels())


@bp.get("/mentor/mentorships/<int:mentorship_id>/closing")
@role_required("student")
def mentor_closing(mentorship_id: int):
    return _closing_page(_own_closure_or_404(mentorship_id))


@bp.route("/mentor/mentorships/<int:mentorship_id>/closing/meeting", methods=["GET", "POST"])
@role_required("student")
def closing_meeting(mentorship_id: int):
    closure = _own_closure_or_404(mentorship_id)
    mentorship = closure.mentorship
    if closure.closing_checkin_id is not None:
        flash("The closing meeting is logged already.", "info")
        return redirect(url_for("closure.mentor_closing", mentorship_id=mentorship.id))
    form = checkin_form()
    if not form.is_submitted():
        form.occurred_on.data = school_today()
    if form.validate_on_submit():
        def log(data):
            checkin, severity = services.log_closing_meeting(closure, current_user, data, school_today())
            audit("checkin.create", record_type="checkin", record_id=checkin.id,
                  detail={"closing": True, **({"concern": severity} if severity else {})})
            return severity, checkin

        severity, saved = save_checkin(form, log)
        if saved:
            return after_logging(mentorship, saved, severity, "Closing meeting saved. Thank you for looking out for "
                                 f"{mentorship.mentee.given_name}.",
                                 url_for("closure.mentor_closing", mentorship_id=mentorship.id))
    return render_template("programme/closing_meeting.html", form=form, mentorship=mentorship)


def _done_already(mentorship_id: int, message: str):
    """A step sent twice (a second tab, the back button): said politely, nothing changes."""
    flash(message, "info")
    return redirect(url_for("closure.mentor_closing", mentorship_id=mentorship_id))


@bp.post("/mentor/mentorships/<int:mentorship_id>/closing/goodbye")
@role_required("student")
def goodbye(mentorship_id: int):
    closure = _own_closure_or_404(mentorship_id)
    form = GoodbyeForm()
    if closure.goodbye_message is not None:
        return _done_already(mentorship_id, "Your goodbye message is sent already.")
    if form.validate_on_submit():
        with change(ClosureError, flash_refusal=False) as outcome:
            services.write_goodbye(closure, current_user, form.message.data, utcnow())
            audit("closure.goodbye", record_type="closure", record_id=closure.id)
            outcome.success = f"Your goodbye is sent. {closure.mentorship.mentee.given_name} will keep it."
        if not outcome.refused:
            return redirect(url_for("closure.mentor_closing", mentorship_id=mentorship_id))
        form.message.errors.append(str(outcome.refusal))
    return _closing_page(closure, goodbye_form=form)


@bp.post("/mentor/mentorships/<int:mentorship_id>/closing/survey")
@role_required("student")
def mentor_survey(mentorship_id: int):
    closure = _own_closure_or_404(mentorship_id)
    form = MentorSurveyForm()
    if "mentor" in services.surveys_of(closure):
        return _done_already(mentorship_id, services.ANSWERED)
    if form.validate_on_submit():
        with change(ClosureError, flash_refusal=False) as outcome:
            survey = services.answer_as_mentor(closure, current_user, form.answers(), utcnow())
            audit("closure.survey", record_type="exit_survey", record_id=survey.id, detail={"side": "mentor"})
            outcome.success = "Thank you for your answers, and for all you gave as a mentor."
        if not outcome.refused:
            return redirect(url_for("closure.mentor_closing", mentorship_id=mentorship_id))
        show_refusal(form, outcome.refusal)
    return _closing_page(closure, survey_form=form)


# --- mentees ---------------------------------------------------------------------------------------

@bp.route("/me/ending", methods=["GET", "POST"])
@role_required("student")
def mentee_ending():
    closure = services.mentee_closure(current_user, school_today())
    if closure is None:
        flash("Nothing to do here just now. If your mentoring is ending, your counselor will let you know.",
              "info")
        return redirect(url_for("home.index"))
    answered = services.surveys_of(closure).get("mentee") is not None
    form = MenteeSurveyForm()
    if not answered and form.validate_on_submit():
        with change(ClosureError, flash_refusal=False) as outcome:
            survey = services.answer_as_mentee(closure, current_user, form.answers(), school_today(), utcnow())
            audit("closure.survey", record_type="exit_survey", record_id=survey.id, detail={"side": "mentee"})
            outcome.success = "Thank you for your answers. They help us make mentoring better."
        if not outcome.refused:
            return redirect(url_for("closure.mentee_ending"))
        show_refusal(form, outcome.refusal)
    elif answered and form.is_submitted():
        flash(services.ANSWERED, "info")
        return redirect(url_for("closure.mentee_ending"))
    if closure.goodbye_for_mentee is not None and closure.goodbye_read_at is None:
        with change():
            services.read_goodbye(closure, current_user, utcnow())
    return render_template("programme/mentee_ending.html", closure=closure, mentorship=closure.mentorship,
                           answered=answered, form=form, stays_open=ENDING_STAYS_OPEN)


@bp.get("/me/goodbyes")
@role_required("student")
def goodbyes():
    kept = services.goodbyes_for(current_user)
    unread = [c for c in kept if c.goodbye_read_at is None]
    if unread:
        with change():
            for closure in unread:
                services.read_goodbye(closure, current_user, utcnow())
    return render_template("programme/goodbyes.html", goodbyes=kept)
