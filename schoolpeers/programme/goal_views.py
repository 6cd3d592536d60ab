"""Pages of the programme cycle: goals. The agreement and goals a mentor writes down with their
mentee and the mentee agrees, the mentor's page after a check-in (progress on the goals, and how it
was for them), and the counselor's read-only view of a pair's agreement and progress."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.mentors.checkins import active_mentorship_of_mentee
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.mentors.views import own_checkin_or_404, own_mentorship_or_404
from schoolpeers.programme import agreements, feelings, goals
from schoolpeers.programme.goal_forms import AfterCheckInForm, AgreementForm, MenteeAgreeForm, after_checkin_form
from schoolpeers.programme.goal_rules import GoalRefusal, GoalText, area_field, wording_field
from schoolpeers.programme.models import GOAL_AREAS, GOAL_PROGRESS, MAX_GOALS, MEETING_FREQUENCIES, MENTOR_FEELINGS
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, school_today, show_refusal

bp = Blueprint("goals", __name__, template_folder="templates")
LABELS = {"areas": GOAL_AREAS, "progress": GOAL_PROGRESS, "frequencies": MEETING_FREQUENCIES,
          "feelings": MENTOR_FEELINGS}


# --- the mentor --------------------------------------------------------------------------------

def _fill(form: AgreementForm, agreement, pair_goals) -> None:
    if agreement is not None:
        form.how_often.data, form.where.data = agreement.how_often, agreement.where
        form.ground_rules.data = agreement.ground_rules
    for goal in pair_goals:
        getattr(form, area_field(goal.position)).data = goal.area
        getattr(form, wording_field(goal.position)).data = goal.wording


@bp.route("/mentor/mentorships/<int:mentorship_id>/agreement", methods=["GET", "POST"])
@role_required("student")
def agreement(mentorship_id: int):
    mentorship = own_mentorship_or_404(mentorship_id)
    current = agreements.agreement_of(mentorship)
    form = AgreementForm()
    if not form.is_submitted():
        _fill(form, current, goals.goals_of(mentorship))
    if form.validate_on_submit():
        data = agreements.AgreementData(
            how_often=form.how_often.data or "", where=form.where.data or "", ground_rules=form.ground_rules.data or "",
            goals=[GoalText(getattr(form, area_field(n)).data or "", getattr(form, wording_field(n)).data or "")
                   for n in range(1, MAX_GOALS + 1)],
            mentor_agreed=form.mentor_agreed.data)
        with change(agreements.AgreementError, GoalRefusal, flash_refusal=False) as outcome:
            saved, changed = agreements.save_agreement(mentorship, current_user, data, utcnow(), school_today())
            if changed:
                audit("agreement.save", record_type="agreement", record_id=saved.id,
                      detail={"mentorship": mentorship.id, "goals": len(goals.goals_of(mentorship))})
                outcome.success = (f"Agreement saved. {mentorship.mentee.given_name} can now read it and agree "
                                   "on their own page.")
            else:
                outcome.success = "Nothing had changed: your agreement stays as it was."
        if not outcome.refused:
            return redirect(url_for("goals.agreement", mentorship_id=mentorship.id))
        show_refusal(form, outcome.refusal)
    pair_goals = goals.goals_of(mentorship)
    return render_template("programme/agreement.html", form=form, mentorship=mentorship, agreement=current,
                           goals=pair_goals, latest=goals.latest_progress(mentorship),
                           limits=agreements.CONFIDENTIALITY_LIMITS, labels=LABELS, max_goals=MAX_GOALS)


@bp.route("/mentor/checkins/<int:checkin_id>/after", methods=["GET", "POST"])
@role_required("student")
def after_checkin(checkin_id: int):
    checkin = own_checkin_or_404(checkin_id)
    mentorship, now = checkin.mentorship, utcnow()
    if not goals.may_add_after(checkin, current_user, now):
        flash("Progress and how it was for you can be added for 24 hours after a check-in. "
              "If something is on your mind, talk to a counselor.", "info")
        return redirect(url_for("mentors.mentorship_checkins", mentorship_id=mentorship.id))
    pair_goals = goals.goals_of(mentorship)
    form = after_checkin_form(pair_goals)
    earlier = feelings.feeling_for(checkin)
    if not form.is_submitted():
        for goal_id, progress in goals.progress_at(checkin).items():
            field = getattr(form, goals.progress_field(goal_id), None)
            if field is not None:
                field.data = str(progress)
        if earlier is not None:
            form.feeling.data, form.wants_to_talk.data, form.note.data = (earlier.feeling, earlier.wants_to_talk,
                                                                          earlier.note)
    if form.validate_on_submit():
        answers = {goal.id: _progress(form, goal.id) for goal in pair_goals}
        answer = feelings.FeelingAnswer(form.feeling.data or None, form.wants_to_talk.data, form.note.data or "")
        with change(goals.ProgressError, feelings.FeelingError, flash_refusal=False) as outcome:
            if goals.record_progress(checkin, current_user, answers, now):
                audit("goal_progress.record", record_type="checkin", record_id=checkin.id)
            saved = feelings.record_feeling(checkin, current_user, answer, now)
            if saved is not None and not answer.empty:
                audit("mentor_feeling.record", record_type="mentor_feeling", record_id=saved.id,
                      detail={"needs_counselor": saved.needs_counselor})
            outcome.success = _thanks(saved if not answer.empty else None)
        if not outcome.refused:
            return redirect(url_for("mentors.my_mentees"))
        show_refusal(form, outcome.refusal)
    return render_template("programme/after_checkin.html", form=form, checkin=checkin, mentorship=mentorship,
                           goals=pair_goals, feeling=earlier,
                           has_agreement=agreements.agreement_of(mentorship) is not None)


def _progress(form: AfterCheckInForm, goal_id: int) -> int | None:
    value = getattr(form, goals.progress_field(goal_id)).data
    return int(value) if value else None


def _thanks(feeling) -> str:
    if feeling is not None and feeling.needs_counselor:
        return "Thank you for telling us. A counselor will see this and find a moment to talk with you."
    return "Saved. Thank you."


def next_step_after_checkin(checkin: CheckIn) -> str:
    """The `checkin_next_step` receiver: after logging a check-in, the mentor records progress on the
    goals and how it was for them."""
    return url_for("goals.after_checkin", checkin_id=checkin.id)


# --- the mentee --------------------------------------------------------------------------------

@bp.route("/me/agreement", methods=["GET", "POST"])
@role_required("student")
def mentee_agreement():
    mentorship = active_mentorship_of_mentee(current_user)
    if mentorship is None:
        flash("Your agreement comes once you have a peer mentor. You can always talk to a counselor.", "info")
        return redirect(url_for("home.index"))
    current = agreements.agreement_of(mentorship)
    form = MenteeAgreeForm()
    if current is not None and not form.is_submitted():
        form.version.data = agreements.version_of(current)
    if form.validate_on_submit():
        with change(agreements.MenteeAgreementError, flash_refusal=False) as outcome:
            saved = agreements.agree_as_mentee(current_user, form.version.data or "", utcnow())
            audit("agreement.agree", record_type="agreement", record_id=saved.id)
            outcome.success = "Thank you! You and " + mentorship.mentor.given_name + " have both agreed."
        if outcome.refused:
            show_refusal(form, outcome.refusal)
        return redirect(url_for("goals.mentee_agreement"))
    shown = current if current is not None and current.mentor_agreed_at is not None else None
    return render_template("programme/my_agreement.html", form=form, mentorship=mentorship, agreement=shown,
                           goals=goals.goals_of(mentorship) if shown else [],
                           limits=agreements.CONFIDENTIALITY_LIMITS, labels=LABELS)


# --- counselors --------------------------------------------------------------------------------

@bp.get("/mentorships/<int:mentorship_id>/goals")
@role_required("counselor")
def mentorship_goals(mentorship_id: int):
    mentorship = get_in_school_or_404(Mentorship, mentorship_id, joinedload(Mentorship.mentee),
                                      joinedload(Mentorship.mentor))
    with change():
        audit("agreement.read", record_type="mentorship", record_id=mentorship.id)
    return render_template("programme/mentorship_goals.html", mentorship=mentorship,
                           agreement=agreements.agreement_of(mentorship), goals=goals.goals_of(mentorship),
                           over_time=goals.progress_over_time(mentorship),
                           limits=agreements.CONFIDENTIALITY_LIMITS, labels=LABELS)
