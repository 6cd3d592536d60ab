"""Mentor pages: applying, a mentor's own mentees, and counselors' mentor management."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.access import get_in_school_or_404, in_school_by_id, one_in_school_or_404, role_required
from schoolpeers.accounts.topics import list_topics
from schoolpeers.extensions import db
from schoolpeers.forms_common import ConfirmForm, catalogue_choices, pick
from schoolpeers.mentors import checkins, self_checkins, services
from schoolpeers.mentors.forms import (
    WELLBEING_FACES,
    CertifyForm,
    CheckInForm,
    DecisionForm,
    FeedbackForm,
    MentorApplicationForm,
    SelfCheckInForm,
    TrainingForm,
)
from schoolpeers.mentors.models import DOMAINS, CheckIn, MentorProfile, Mentorship
from schoolpeers.mentors.signals import checkin_committed, checkin_next_step, self_checkin_committed
from schoolpeers.mentors.statuses import MentorshipStatus, ProfileStatus
from schoolpeers.paging import counted_page
from schoolpeers.resources.services import for_grade, suggest
from schoolpeers.severity import Severity
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, page_arg, school_today, show_refusal

bp = Blueprint("mentors", __name__, template_folder="templates")
PER_PAGE = 25
EXPIRING_SHOWN = 10  # the soonest; the notice gives the total
log = logging.getLogger(__name__)


# --- students and mentors ----------------------------------------------------------------------

@bp.route("/mentor/apply", methods=["GET", "POST"])
@role_required("student")
def apply():
    profile = services.profile_for(current_user)
    if profile is not None and profile.status != ProfileStatus.DECLINED:
        return render_template("mentors/application_status.html", profile=profile)
    topics = list_topics(current_user.school)
    form = MentorApplicationForm()
    form.topics.choices = catalogue_choices(topics)
    if form.validate_on_submit():
        with change(services.MentorshipError, flash_refusal=False) as outcome:
            services.apply_to_mentor(current_user, bio=form.bio.data, motivation=form.motivation.data,
                                     capacity=form.capacity.data, topics=pick(topics, form.topics.data),
                                     availability=form.availability.data or [])
            outcome.success = "Thank you! A counselor will look at your application and talk to you about training."
        if not outcome.refused:
            return redirect(url_for("mentors.apply"))
        form.capacity.errors.append(str(outcome.refusal))
    return render_template("mentors/apply.html", form=form)


@bp.get("/mentor/mentees")
@role_required("student")
def my_mentees():
    profile = services.profile_for(current_user)
    if profile is None:
        abort(404)
    school = current_user.school
    lines = checkins.mentees_overview(current_user, school_today(), school.checkin_cadence_days)
    own_faces = (self_checkins.latest_self_ratings(school.id, [line.mentorship.mentee_id for line in lines])
                 if school.mentor_sees_self_rating else {})
    return render_template("mentors/my_mentees.html", profile=profile, lines=lines, own_faces=own_faces,
                           faces=dict(WELLBEING_FACES), is_mentor=services.is_mentor(profile))


# Built once: every page of a mentor's own mentorship (the check-in form first) loads it so.
_OWN_MENTORSHIP = in_school_by_id(Mentorship, joinedload(Mentorship.mentee), joinedload(Mentorship.profile))


def own_mentorship_or_404(mentorship_id: int) -> Mentorship:
    """An active mentorship of the signed-in mentor; anyone else's, or an ended one, answers 404."""
    mentorship = one_in_school_or_404(_OWN_MENTORSHIP, mentorship_id)
    if mentorship.mentor_id != current_user.id or mentorship.status != MentorshipStatus.ACTIVE:
        abort(404)
    return mentorship


def render_mentorship_page(template: str, mentorship: Mentorship, **context) -> str:
    """A page of one of the mentor's own mentorships. Its mentor profile came with it, so the
    navigation needs no statement of its own to know that they mentor."""
    return render_template(template, mentorship=mentorship, is_mentor=services.is_mentor(mentorship.profile),
                           **context)


def own_checkin_or_404(checkin_id: int) -> CheckIn:
    checkin = get_in_school_or_404(CheckIn, checkin_id)
    if checkin.mentor_id != current_user.id or checkin.mentorship.status != MentorshipStatus.ACTIVE:
        abort(404)
    return checkin


def checkin_form(obj=None) -> CheckInForm:
    form = CheckInForm(obj=obj)
    form.topics.choices = catalogue_choices(list_topics(current_user.school))
    if obj is not None and not form.is_submitted():
        form.wellbeing.data = str(obj.wellbeing)
        form.topics.data = [t.id for t in obj.topics]
        for name in DOMAINS:
            value = getattr(obj, name)
            getattr(form, name).data = str(value) if value else ""
    return form


def checkin_data(form: CheckInForm) -> checkins.CheckInData:
    topics = list_topics(current_user.school)
    return checkins.CheckInData(
        occurred_on=form.occurred_on.data, duration_minutes=form.duration_minutes.data, mode=form.mode.data,
        wellbeing=int(form.wellbeing.data),
        domains={name: int(getattr(form, name).data) if getattr(form, name).data else None for name in DOMAINS},
        topics=pick(topics, form.topics.data), notes=form.notes.data or "", worried=form.worried.data,
        worry_reason=form.worry_reason.data or "", worry_severity=form.worry_severity.data or None)


def save_checkin(form: CheckInForm, action):
    """Run `action` (log or correct: returns severity and check-in) and commit once; returns the
    severity and the saved check-in (None if nothing was saved). Any error leaves nothing saved, and
    the mentor is told so."""
    try:
        with change(checkins.CheckInError, flash_refusal=False) as outcome:
            severity, checkin = action(checkin_data(form))
    except Exception:  # rolled back already
        log.exception("Check-in could not be saved")
        flash("Your check-in was NOT saved because of a problem on our side. Please try again; "
              "if you are worried about your mentee, tell a counselor in person now.", "error")
        return None, None
    if outcome.refused:
        show_refusal(form, outcome.refusal)
        return None, None
    try:  # telling people must never make a saved check-in look lost
        checkin_committed.send(checkin)
    except Exception:
        log.exception("Check-in %s saved, but notifying counselors failed", checkin.id)
    return severity, checkin


@bp.route("/mentor/mentorships/<int:mentorship_id>/checkin", methods=["GET", "POST"])
@role_required("student")
def log_checkin(mentorship_id: int):
    mentorship = own_mentorship_or_404(mentorship_id)
    form = checkin_form()
    if not form.is_submitted():
        form.occurred_on.data = school_today()
    if form.validate_on_submit():
        def log(data):
            checkin, severity = checkins.log_checkin(mentorship, current_user, data, school_today())
            audit("checkin.create", record_type="checkin", record_id=checkin.id,
                  detail={"concern": severity} if severity else None)
            return severity, checkin

        severity, saved = save_checkin(form, log)
        if saved:
            return after_logging(mentorship, saved, severity, "Check-in saved. Thank you for looking out for "
                                 f"{mentorship.mentee.given_name}.", url_for("mentors.my_mentees"))
    return render_mentorship_page("mentors/checkin_form.html", mentorship, form=form, editing=None,
                                  ideas=_ideas_for(mentorship))


def _ideas_for(mentorship: Mentorship) -> list:
    """Every active resource that suits the mentee's grade; the form shows those of the topics ticked."""
    return for_grade(mentorship.school_id, mentorship.mentee.grade)


@bp.get("/mentor/mentorships/<int:mentorship_id>/what-to-do-now")
@role_required("student")
def what_to_do_now(mentorship_id: int):
    mentorship = own_mentorship_or_404(mentorship_id)
    checkin = db.session.scalar(select(CheckIn).where(
        CheckIn.school_id == mentorship.school_id, CheckIn.mentorship_id == mentorship.id,
        CheckIn.mentor_id == current_user.id, CheckIn.id == request.args.get("checkin", type=int)))
    return render_mentorship_page("mentors/what_to_do_now.html", mentorship,
                                  next_step=next_step_after(checkin) if checkin else None)


def after_logging(mentorship: Mentorship, saved: CheckIn, severity: str | None, thanks: str, otherwise: str):
    """Where a mentor goes once a check-in is logged: after a high concern, what to do now (a redirect,
    so that a refresh never logs it twice); else, thanked, to the next step a feature offers, or
    `otherwise`."""
    if severity == Severity.HIGH:
        return redirect(url_for("mentors.what_to_do_now", mentorship_id=mentorship.id, checkin=saved.id))
    flash(thanks, "success")
    return redirect(next_step_after(saved) or otherwise)


def next_step_after(checkin: CheckIn) -> str | None:
    """Where the mentor goes after logging a check-in, if a feature asks for a step of its own."""
    return next((url for _receiver, url in checkin_next_step.send(checkin) if url), None)


@bp.get("/mentor/mentorships/<int:mentorship_id>")
@role_required("student")
def mentorship_checkins(mentorship_id: int):
    own_mentorship_or_404(mentorship_id)  # refused before anything is audited
    with change():
        audit("checkin.read", record_type="mentorship", record_id=mentorship_id, detail={"page": page_arg()})
    mentorship = own_mentorship_or_404(mentorship_id)  # expired by the commit: loaded again, in its school
    page = counted_page(checkins.checkins_of(mentorship), page_arg(), PER_PAGE)
    return render_mentorship_page("mentors/checkins.html", mentorship, page=page, now=utcnow(),
                                  can_correct=checkins.can_correct)


@bp.route("/mentor/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
@role_required("student")
def correct_checkin(checkin_id: int):
    checkin = own_checkin_or_404(checkin_id)
    if not checkins.can_correct(checkin, current_user, utcnow()):
        flash("Check-ins can be corrected for 24 hours only. Tell a counselor if something needs changing.", "error")
        return redirect(url_for("mentors.mentorship_checkins", mentorship_id=checkin.mentorship_id))
    form = checkin_form(obj=checkin)
    if not form.is_submitted():
        with change():
            audit("checkin.read", record_type="checkin", record_id=checkin.id)
    if form.validate_on_submit():
        def correct(data):
            severity = checkins.correct_checkin(checkin, current_user, data, utcnow(), school_today())
            audit("checkin.correct", record_type="checkin", record_id=checkin.id)
            return severity, checkin

        severity, saved = save_checkin(form, correct)
        if saved:
            if severity == Severity.HIGH:
                return redirect(url_for("mentors.what_to_do_now", mentorship_id=checkin.mentorship_id))
            flash("Check-in corrected; the earlier version is kept.", "success")
            return redirect(url_for("mentors.mentorship_checkins", mentorship_id=checkin.mentorship_id))
    return render_template("mentors/checkin_form.html", form=form, mentorship=checkin.mentorship, editing=checkin,
                           ideas=_ideas_for(checkin.mentorship))


@bp.route("/feedback", methods=["GET", "POST"])
@role_required("student")
def feedback():
    mentorship = checkins.active_mentorship_of_mentee(current_user)
    if mentorship is None:
        flash("You can tell us how it is going once you have a mentor.", "info")
        return redirect(url_for("home.index"))
    form = FeedbackForm()
    if form.validate_on_submit():
        with change() as outcome:
            checkins.add_feedback(current_user, form.rating.data, form.comment.data or "")
            outcome.success = "Thank you for telling us."
        return redirect(url_for("home.index"))
    return render_template("mentors/feedback.html", form=form, mentorship=mentorship)


@bp.route("/me/checkin", methods=["GET", "POST"])
@role_required("student")
def self_checkin():
    if not self_checkins.may_check_in(current_user):
        flash("Check-ins start once you have a peer mentor. You can always talk to a counselor.", "info")
        return redirect(url_for("home.index"))
    form = SelfCheckInForm()
    if form.validate_on_submit():
        data = self_checkins.SelfCheckInData(
            wellbeing=int(form.wellbeing.data), note=form.note.data or "", wants_counselor=form.wants_counselor.data,
            domains={name: int(getattr(form, name).data) if getattr(form, name).data else None for name in DOMAINS})
        try:
            with change(self_checkins.SelfCheckInError, flash_refusal=False) as outcome:
                entry, severity = self_checkins.record_self_checkin(current_user, data, school_today())
                audit("self_checkin.create", record_type="self_checkin", record_id=entry.id,
                      detail={"concern": severity} if severity else None)
        except Exception:  # rolled back already
            log.exception("Self check-in could not be saved")
            flash("Your check-in was NOT saved because of a problem on our side. Please try again, or go "
                  "to a counselor or a teacher you trust.", "error")
            return render_template("mentors/self_checkin.html", form=form)
        if outcome.refused:
            show_refusal(form, outcome.refusal)
        else:
            try:  # telling counselors must never make a saved check-in look lost
                self_checkin_committed.send(entry)
            except Exception:
                log.exception("Self check-in %s saved, but notifying counselors failed", entry.id)
            return redirect(url_for("mentors.self_checkin_done", asked=int(data.wants_counselor or bool(severity))))
    return render_template("mentors/self_checkin.html", form=form)


@bp.get("/me/checkin/done")
@role_required("student")
def self_checkin_done():
    ideas = suggest(current_user.school_id, checkins.recent_topic_ids(current_user), current_user.grade)
    return render_template("mentors/self_checkin_done.html", asked=request.args.get("asked") == "1",
                           crisis_contact=current_user.school.crisis_contact, ideas=ideas)


# --- counselors --------------------------------------------------------------------------------

@bp.get("/mentors")
@role_required("counselor")
def index():
    school_id, today = current_user.school_id, school_today()
    page = counted_page(services.profiles_page_query(school_id), page_arg(), PER_PAGE)
    return render_template("mentors/index.html", page=page, today=today,
                           expiring=services.expiring_soon(school_id, today, limit=EXPIRING_SHOWN),
                           expiring_total=services.count_expiring_soon(school_id, today),
                           load=services.open_counts(school_id, [p.id for p in page.items]))


def _detail(profile: MentorProfile, training_form=None, certify_form=None, status=200):
    modules = services.training_modules(profile.school_id)
    training_form = training_form or TrainingForm(completed_on=school_today())
    training_form.modules.choices = catalogue_choices(modules)
    done = {c.module_id: c for c in profile.completions}
    return render_template("mentors/detail.html", profile=profile, modules=modules, done=done,
                           training_form=training_form, certify_form=certify_form or CertifyForm(),
                           decision_form=DecisionForm(), today=school_today(),
                           load=services.open_count(profile)), status


@bp.get("/mentors/<int:profile_id>")
@role_required("counselor")
def detail(profile_id: int):
    return _detail(get_in_school_or_404(MentorProfile, profile_id))


@bp.post("/mentors/<int:profile_id>/decide")
@role_required("counselor")
def decide(profile_id: int):
    profile = get_in_school_or_404(MentorProfile, profile_id)
    form = DecisionForm()
    if form.validate_on_submit():
        with change(services.MentorshipError) as outcome:
            services.decide_application(profile, form.decision.data == "accept", current_user)
            audit("mentor.decide", record_type="mentor_profile", record_id=profile.id,
                  detail={"decision": form.decision.data})
            outcome.success = f"{profile.user.given_name}'s application: {form.decision.data}ed."
    return redirect(url_for("mentors.detail", profile_id=profile.id))


@bp.post("/mentors/<int:profile_id>/training")
@role_required("counselor")
def training(profile_id: int):
    profile = get_in_school_or_404(MentorProfile, profile_id)
    form = TrainingForm()
    modules = services.training_modules(profile.school_id)
    form.modules.choices = catalogue_choices(modules)
    if not form.validate_on_submit():
        return _detail(profile, training_form=form, status=400)
    if form.completed_on.data > school_today():
        form.completed_on.errors.append("The date cannot be in the future.")
        return _detail(profile, training_form=form, status=400)
    with change() as outcome:
        for module in pick(modules, form.modules.data):
            services.record_completion(profile, module, form.completed_on.data, current_user)
        outcome.success = "Training recorded."
    return redirect(url_for("mentors.detail", profile_id=profile.id))


@bp.post("/mentors/<int:profile_id>/certify")
@role_required("counselor")
def certify(profile_id: int):
    profile = get_in_school_or_404(MentorProfile, profile_id)
    form = CertifyForm()
    if not form.validate_on_submit():
        return _detail(profile, certify_form=form, status=400)
    with change(services.MentorshipError, flash_refusal=False) as outcome:
        services.certify(profile, current_user, school_today(), form.valid_until.data)
        audit("mentor.certify", record_type="mentor_profile", record_id=profile.id,
              detail={"until": profile.certified_until.isoformat()})
        outcome.success = f"{profile.user.given_name} is certified until {profile.certified_until:%d %B %Y}."
    if outcome.refused:
        form.valid_until.errors.append(str(outcome.refusal))
        return _detail(profile, certify_form=form, status=400)
    return redirect(url_for("mentors.detail", profile_id=profile.id))


@bp.post("/mentors/<int:profile_id>/pause")
@role_required("counselor")
def pause(profile_id: int):
    profile = get_in_school_or_404(MentorProfile, profile_id)
    if ConfirmForm().validate_on_submit():
        with change(services.MentorshipError) as outcome:
            services.set_paused(profile, request.form.get("paused") == "1")
            outcome.success = f"{profile.user.given_name} is now {profile.status}."
    return redirect(url_for("mentors.detail", profile_id=profile.id))
