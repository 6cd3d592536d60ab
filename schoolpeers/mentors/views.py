"""Mentor pages: applying, a mentor's own mentees, and counselors' mentor management."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.accounts.services import list_topics
from schoolpeers.extensions import db
from schoolpeers.forms_common import ConfirmForm, catalogue_choices, pick
from schoolpeers.mentors import services
from schoolpeers.mentors.forms import CertifyForm, DecisionForm, MentorApplicationForm, TrainingForm
from schoolpeers.mentors.models import MentorProfile
from schoolpeers.timeutil import today_in
from schoolpeers.web import audit

bp = Blueprint("mentors", __name__, template_folder="templates")


def school_today():
    return today_in(current_user.school.timezone)


# --- students and mentors ----------------------------------------------------------------------

@bp.route("/mentor/apply", methods=["GET", "POST"])
@role_required("student")
def apply():
    profile = services.profile_for(current_user)
    if profile is not None and profile.status != "declined":
        return render_template("mentors/application_status.html", profile=profile)
    topics = list_topics(current_user.school_id)
    form = MentorApplicationForm()
    form.topics.choices = catalogue_choices(topics)
    if form.validate_on_submit():
        try:
            services.apply_to_mentor(current_user, bio=form.bio.data, motivation=form.motivation.data,
                                     capacity=form.capacity.data, topics=pick(topics, form.topics.data),
                                     availability=form.availability.data)
        except services.MentorshipError as exc:
            form.capacity.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Thank you! A counselor will look at your application and talk to you about training.",
                  "success")
            return redirect(url_for("mentors.apply"))
    return render_template("mentors/apply.html", form=form)


@bp.get("/mentor/mentees")
@role_required("student")
def my_mentees():
    profile = services.profile_for(current_user)
    if profile is None:
        abort(404)
    return render_template("mentors/my_mentees.html", profile=profile,
                           mentorships=services.mentorships_of_mentor(current_user))


# --- counselors --------------------------------------------------------------------------------

@bp.get("/mentors")
@role_required("counselor")
def index():
    profiles = list(db.session.scalars(
        select(MentorProfile).where(MentorProfile.school_id == current_user.school_id)
        .order_by(MentorProfile.status, MentorProfile.id)))
    today = school_today()
    return render_template("mentors/index.html", profiles=profiles, today=today,
                           expiring=services.expiring_soon(current_user.school_id, today),
                           load=services.open_counts(current_user.school_id))


def _detail(profile: MentorProfile, training_form=None, certify_form=None, status=200):
    modules = services.training_modules(profile.school_id)
    training_form = training_form or TrainingForm(completed_on=school_today())
    training_form.modules.choices = catalogue_choices(modules)
    done = {c.module_id: c for c in profile.completions}
    return render_template("mentors/detail.html", profile=profile, modules=modules, done=done,
                           training_form=training_form, certify_form=certify_form or CertifyForm(),
                           decision_form=DecisionForm(), confirm=ConfirmForm(), today=school_today(),
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
        try:
            services.decide_application(profile, form.decision.data == "accept", current_user)
        except services.MentorshipError as exc:
            flash(str(exc), "error")
        else:
            audit("mentor.decide", record_type="mentor_profile", record_id=profile.id,
                  detail={"decision": form.decision.data})
            db.session.commit()
            flash(f"{profile.user.given_name}'s application: {form.decision.data}ed.", "success")
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
    for module in pick(modules, form.modules.data):
        services.record_completion(profile, module, form.completed_on.data, current_user)
    db.session.commit()
    flash("Training recorded.", "success")
    return redirect(url_for("mentors.detail", profile_id=profile.id))


@bp.post("/mentors/<int:profile_id>/certify")
@role_required("counselor")
def certify(profile_id: int):
    profile = get_in_school_or_404(MentorProfile, profile_id)
    form = CertifyForm()
    if not form.validate_on_submit():
        return _detail(profile, certify_form=form, status=400)
    try:
        services.certify(profile, current_user, school_today(), form.valid_until.data)
    except services.MentorshipError as exc:
        form.valid_until.errors.append(str(exc))
        return _detail(profile, certify_form=form, status=400)
    audit("mentor.certify", record_type="mentor_profile", record_id=profile.id,
          detail={"until": profile.certified_until.isoformat()})
    db.session.commit()
    flash(f"{profile.user.given_name} is certified until {profile.certified_until:%d %B %Y}.", "success")
    return redirect(url_for("mentors.detail", profile_id=profile.id))


@bp.post("/mentors/<int:profile_id>/pause")
@role_required("counselor")
def pause(profile_id: int):
    profile = get_in_school_or_404(MentorProfile, profile_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.set_paused(profile, request.form.get("paused") == "1")
        except services.MentorshipError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"{profile.user.given_name} is now {profile.status}.", "success")
    return redirect(url_for("mentors.detail", profile_id=profile.id))
