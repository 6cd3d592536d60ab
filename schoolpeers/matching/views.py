"""Request pages for students, and the counselor's matching page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.accounts.models import User
from schoolpeers.accounts.services import list_interests
from schoolpeers.accounts.topics import list_topics
from schoolpeers.extensions import db
from schoolpeers.families import services as families
from schoolpeers.families import views as family_views
from schoolpeers.forms_common import ConfirmForm, catalogue_choices, pick
from schoolpeers.matching import services
from schoolpeers.matching.forms import (
    AskChangeForm,
    BlockForm,
    ChooseMentorForm,
    EndForm,
    OnBehalfRequestForm,
    RejectForm,
    RequestForm,
)
from schoolpeers.matching.models import MentorRequest
from schoolpeers.matching.statuses import RequestStatus
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.checkins import recent_topic_ids
from schoolpeers.mentors.models import MentorProfile, Mentorship
from schoolpeers.mentors.services import MentorshipError
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.paging import counted_page
from schoolpeers.resources.services import suggest
from schoolpeers.web import audit, change, counted, noun, page_arg, school_today

bp = Blueprint("matching", __name__, template_folder="templates")
PER_PAGE = 25
SHOWN_CHOICES = 25  # the best few are what a counselor compares; a district may have hundreds


def request_form(form_class):
    interests, topics = list_interests(current_user.school_id), list_topics(current_user.school)
    form = form_class()
    form.interests.choices = catalogue_choices(interests)
    form.topics.choices = catalogue_choices(topics)
    return form, interests, topics


def create_from_form(form, interests, topics, student: User) -> MentorRequest:
    return services.create_request(
        student, interests=pick(interests, form.interests.data), topics=pick(topics, form.topics.data),
        language=form.language.data, same_gender=form.same_gender.data,
        availability=form.availability.data or [], note=form.note.data or "", created_by=current_user)


# --- students ----------------------------------------------------------------------------------

@bp.route("/request", methods=["GET", "POST"])
@role_required("student")
def my_request():
    existing = services.current_request(current_user)
    if existing is not None:
        ideas = []
        if existing.mentorship is not None and existing.mentorship.status == MentorshipStatus.ACTIVE:
            # What they asked help with, and what they have talked about since.
            topics = [t.id for t in existing.topics] + recent_topic_ids(current_user)
            ideas = suggest(current_user.school_id, topics, current_user.grade)
        return render_template("matching/my_request.html", req=existing, ask=AskChangeForm(), ideas=ideas)
    form, interests, topics = request_form(RequestForm)
    if not form.is_submitted():
        form.interests.data = [i.id for i in current_user.interests]
    if form.validate_on_submit():
        with change(MentorshipError, flash_refusal=False) as outcome:
            create_from_form(form, interests, topics, current_user)
            outcome.success = "Your request is in. A counselor will find you a mentor and let you know."
        if not outcome.refused:
            return redirect(url_for("matching.my_request"))
        form.note.errors.append(str(outcome.refusal))
    return render_template("matching/request_form.html", form=form)


@bp.post("/request/withdraw")
@role_required("student")
def withdraw():
    req = services.current_request(current_user)
    if req is not None and ConfirmForm().validate_on_submit():
        with change(MentorshipError) as outcome:
            services.withdraw_request(req, current_user)
            outcome.success = "Your request is withdrawn. You can ask again whenever you like."
    return redirect(url_for("matching.my_request"))


@bp.post("/request/ask-change")
@role_required("student")
def ask_change():
    req = services.current_request(current_user)
    form = AskChangeForm()
    if req is None or req.mentorship is None or req.mentorship.status != MentorshipStatus.ACTIVE:
        flash("You do not have an active mentor to change.", "error")
    elif form.validate_on_submit():
        with change() as outcome:
            mentors.ask_for_change(req.mentorship, current_user, form.note.data)
            outcome.success = "Thank you for telling us. A counselor will talk with you soon."
    else:
        flash("Write a few words so the counselor knows what you would like.", "error")
    return redirect(url_for("matching.my_request"))


# --- counselors --------------------------------------------------------------------------------

@bp.get("/matching")
@role_required("counselor")
def index():
    school_id = current_user.school_id
    proposals = services.proposals_page(school_id, page_arg("proposals_page"), PER_PAGE)
    queue = services.queue_page(school_id, page_arg("queue_page"), PER_PAGE)
    consent = families.standings(school_id, [r.student for r in queue.items], "mentee")
    return render_template("matching/index.html", queue=queue, proposals=proposals, consent=consent,
                           new=set(session.get("new_proposals", [])))


@bp.post("/matching/ask-families")
@role_required("counselor")
def ask_families():
    """Mail the families of everyone in the queue still waiting for their consent."""
    if ConfirmForm().validate_on_submit():
        family_views.ask_families(services.waiting_for_consent(current_user.school_id), "families.asked_waiting")
    return redirect(url_for("matching.index"))


@bp.post("/matching/run")
@role_required("counselor")
def run():
    if ConfirmForm().validate_on_submit():
        with change() as outcome:
            result = services.run_batch(current_user.school, current_user, school_today())
            audit("matching.run", detail={"proposed": len(result.proposed), "unmatched": result.unmatched})
            outcome.success = (f"Matching proposed {counted(len(result.proposed), 'pair')}; "
                               f"{counted(result.unmatched, 'student')} {noun(result.unmatched, 'is', 'are')} "
                               "still waiting for a free eligible mentor.")
        if not outcome.refused:  # marked on the list until the next run
            session["new_proposals"] = [m.id for m in result.proposed]
    return redirect(url_for("matching.index"))


@bp.route("/matching/requests/new", methods=["GET", "POST"])
@role_required("counselor")
def new_request():
    form, interests, topics = request_form(OnBehalfRequestForm)
    if form.validate_on_submit():
        student = db.session.scalar(select(User).where(
            User.school_id == current_user.school_id, User.username == form.student.data.strip().lower(),
            User.role == "student"))
        if student is None:
            form.student.errors.append("No student of this school has that username.")
        else:
            with change(MentorshipError, flash_refusal=False) as outcome:
                req = create_from_form(form, interests, topics, student)
                outcome.success = f"Request created for {student.display_name}."
            if not outcome.refused:
                return redirect(url_for("matching.request_detail", request_id=req.id))
            form.student.errors.append(str(outcome.refusal))
    return render_template("matching/request_new.html", form=form)


@bp.get("/matching/requests/<int:request_id>")
@role_required("counselor")
def request_detail(request_id: int):
    req = get_in_school_or_404(MentorRequest, request_id)
    ranked = services.ranked_mentors(req, school_today()) if req.status == RequestStatus.OPEN else []
    return render_template("matching/request_detail.html", req=req, ranked=ranked[:SHOWN_CHOICES],
                           eligible=len(ranked))


@bp.post("/matching/requests/<int:request_id>/choose")
@role_required("counselor")
def choose(request_id: int):
    req = get_in_school_or_404(MentorRequest, request_id)
    form = ChooseMentorForm()
    if form.validate_on_submit():
        profile = get_in_school_or_404(MentorProfile, form.profile_id.data)
        with change(MentorshipError) as outcome:
            services.choose_mentor(req, profile, current_user, school_today())
            outcome.success = f"{profile.user.given_name} is proposed for {req.student.given_name}."
    return redirect(url_for("matching.request_detail", request_id=req.id))


@bp.post("/matching/requests/<int:request_id>/match-now")
@role_required("counselor")
def match_now(request_id: int):
    req = get_in_school_or_404(MentorRequest, request_id)
    if ConfirmForm().validate_on_submit():
        with change(MentorshipError) as outcome:
            mentorship = services.match_single(req, current_user, school_today())
            if mentorship is not None:
                outcome.success = f"{mentorship.mentor.given_name} is proposed (score {mentorship.score})."
        if not outcome.refused and mentorship is None:
            flash("No eligible mentor has a free place right now.", "info")
    return redirect(url_for("matching.request_detail", request_id=req.id))


@bp.post("/matching/requests/<int:request_id>/block")
@role_required("counselor")
def block(request_id: int):
    req = get_in_school_or_404(MentorRequest, request_id)
    form = BlockForm()
    if form.validate_on_submit():
        profile = get_in_school_or_404(MentorProfile, form.profile_id.data)
        with change() as outcome:
            mentors.block_pair(req.school_id, profile.user_id, req.student_id, current_user)
            audit("matching.block", record_type="mentor_request", record_id=req.id,
                  detail={"mentor_profile": profile.id})
            outcome.success = f"{profile.user.given_name} will never be proposed for {req.student.given_name}."
    return redirect(url_for("matching.request_detail", request_id=req.id))


@bp.post("/matching/proposals/<int:mentorship_id>/approve")
@role_required("counselor")
def approve(mentorship_id: int):
    if ConfirmForm().validate_on_submit():
        mentorship = get_in_school_or_404(Mentorship, mentorship_id)
        with change(MentorshipError) as outcome:
            services.approve(mentorship, current_user, school_today())
            audit("mentorship.approve", record_type="mentorship", record_id=mentorship.id)
            outcome.success = f"Approved: {mentorship.mentor.given_name} will mentor {mentorship.mentee.given_name}."
    return redirect(url_for("matching.index"))


@bp.post("/matching/proposals/<int:mentorship_id>/reject")
@role_required("counselor")
def reject(mentorship_id: int):
    mentorship = get_in_school_or_404(Mentorship, mentorship_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash("Say why this pair should not go ahead; the reason is kept with the history.", "error")
        return redirect(url_for("matching.index"))
    with change(MentorshipError) as outcome:
        services.reject(mentorship, current_user, form.note.data)
        audit("mentorship.reject", record_type="mentorship", record_id=mentorship.id)
        outcome.success = f"Rejected. {mentorship.mentee.given_name} stays in the queue."
    return redirect(url_for("matching.index"))


@bp.post("/matching/proposals/approve-all")
@role_required("counselor")
def approve_all():
    if ConfirmForm().validate_on_submit():
        approved, problems = 0, []
        with change() as outcome:
            for mentorship in services.proposals(current_user.school_id):
                try:  # each proposal on its own: one that cannot be approved leaves the others
                    with db.session.begin_nested():
                        services.approve(mentorship, current_user, school_today())
                    audit("mentorship.approve", record_type="mentorship", record_id=mentorship.id)
                    approved += 1
                except MentorshipError as exc:
                    problems.append(f"{mentorship.mentee.given_name}: {exc}")
            outcome.success = f"Approved {counted(approved, 'proposal')}."
        for problem in problems:
            flash(problem, "error")
    return redirect(url_for("matching.index"))


@bp.get("/matching/mentorships")
@role_required("counselor")
def mentorships():
    school_id = current_user.school_id
    page = counted_page(services.active_mentorships_query(school_id), page_arg(), PER_PAGE)
    # A pair begun before the school asked for consent (or changed its policy) shows what it lacks.
    consent = {role: families.standings(school_id, [getattr(m, role) for m in page.items], role)
               for role in ("mentee", "mentor")}
    return render_template("matching/mentorships.html", page=page, end_form=EndForm(), consent=consent)


@bp.post("/matching/mentorships/<int:mentorship_id>/end")
@role_required("counselor")
def end(mentorship_id: int):
    mentorship = get_in_school_or_404(Mentorship, mentorship_id)
    form = EndForm()
    if not form.validate_on_submit():
        flash("Choose a reason from the list.", "error")
        return redirect(url_for("matching.mentorships"))
    with change(MentorshipError) as outcome:
        services.end_mentorship(mentorship, form.reason.data, form.note.data or "", current_user)
        audit("mentorship.close", record_type="mentorship", record_id=mentorship.id,
              detail={"reason": form.reason.data})
        back = " and is back in the queue" if form.reason.data in services.REOPENING_REASONS else ""
        outcome.success = f"The mentorship has ended{back}."
    return redirect(url_for("matching.mentorships"))
