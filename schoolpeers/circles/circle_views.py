"""Pages of circles: counselors set them up and decide places; leaders open the circles they lead;
students ask, answer, agree and leave."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.accounts.topics import list_topics
from schoolpeers.circles import access, circles, feedback, listings, places, queries
from schoolpeers.circles import agreement as agreement_text
from schoolpeers.circles.circle_forms import AnswerForm, CircleForm, DecideForm, InviteForm, LeadersForm
from schoolpeers.circles.models import Circle, CircleMember
from schoolpeers.circles.statuses import CircleStatus, PlaceStatus
from schoolpeers.families.services import standings
from schoolpeers.forms_common import ConfirmForm, choices, people_choices, pick
from schoolpeers.mentors.models import CIRCLE_LEADER_MODULE
from schoolpeers.paging import counted_page
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, counted, page_arg, school_today, show_refusal

bp = Blueprint("circles", __name__, template_folder="templates")
PER_PAGE = 25


# --- counselors: the circles ---------------------------------------------------------------------

@bp.get("/circles")
@role_required("counselor")
def index():
    school_id = current_user.school_id
    open_circles = counted_page(listings.circles_query(school_id, CircleStatus.OPEN), page_arg("page"), PER_PAGE)
    closed = counted_page(listings.circles_query(school_id, CircleStatus.CLOSED), page_arg("closed_page"), PER_PAGE)
    shown = [c.id for c in open_circles.items + closed.items]
    return render_template(
        "circles/circle_index.html", open_circles=open_circles, closed=closed,
        counts=listings.place_counts(school_id, shown), leaders=listings.leaders_by_circle(school_id, shown),
        next_session=listings.next_sessions(school_id, [c.id for c in open_circles.items], utcnow()),
        pages={"page": open_circles.page, "closed_page": closed.page})


def _circle_form(obj=None) -> CircleForm:
    form = CircleForm(obj=obj)
    form.set_choices(list_topics(current_user.school), circles.counselors(current_user.school_id))
    return form


def _circle_data(form: CircleForm) -> circles.CircleData:
    return circles.CircleData(name=form.name.data or "", topic_id=form.topic_id.data or None,
                              grade_min=form.grade_min.data, grade_max=form.grade_max.data,
                              capacity=form.capacity.data, counselor_id=form.counselor_id.data or None,
                              about=form.about.data or "")


@bp.route("/circles/new", methods=["GET", "POST"])
@role_required("counselor")
def new():
    school = current_user.school
    form = _circle_form()
    if not form.is_submitted():
        form.grade_min.data, form.grade_max.data = school.grade_min, school.grade_max
        form.capacity.data, form.counselor_id.data = 8, current_user.id
    if form.validate_on_submit():
        with change(circles.CircleError, flash_refusal=False) as outcome:
            circle = circles.save_circle(school, _circle_data(form), current_user)
            audit("circle.create", record_type="circle", record_id=circle.id)
            outcome.success = f"Circle “{circle.name}” created. Now choose its peer leaders."
        if not outcome.refused:
            return redirect(url_for("circles.leaders", circle_id=circle.id))
        show_refusal(form, outcome.refusal)
    return render_template("circles/circle_form.html", form=form, circle=None), 400 if form.errors else 200


@bp.route("/circles/<int:circle_id>/edit", methods=["GET", "POST"])
@role_required("counselor")
def edit(circle_id: int):
    circle = access.circle_or_404(circle_id)
    form = _circle_form(obj=circle)
    if form.validate_on_submit():
        with change(circles.CircleError, flash_refusal=False) as outcome:
            circles.save_circle(current_user.school, _circle_data(form), current_user, circle)
            audit("circle.edit", record_type="circle", record_id=circle_id)
            outcome.success = "Circle saved."
        if not outcome.refused:
            return redirect(url_for("circles.detail", circle_id=circle_id))
        show_refusal(form, outcome.refusal)
    return render_template("circles/circle_form.html", form=form, circle=circle), 400 if form.errors else 200


@bp.route("/circles/<int:circle_id>/leaders", methods=["GET", "POST"])
@role_required("counselor")
def leaders(circle_id: int):
    circle = access.circle_or_404(circle_id)
    eligible = circles.eligible_leaders(circle.school_id, circle, school_today())
    current = queries.leaders(circle)
    form = LeadersForm()
    eligible_ids = {user.id for user in eligible}
    form.leaders.choices = people_choices(eligible) + choices(
        (u.id, f"{u.display_name}: no longer eligible") for u in current if u.id not in eligible_ids)
    if not form.is_submitted():
        form.leaders.data = [u.id for u in current]
    if form.validate_on_submit():
        with change(circles.CircleError, flash_refusal=False) as outcome:
            added, removed = circles.set_leaders(circle, form.leaders.data or [], current_user)
            audit("circle.leaders", record_type="circle", record_id=circle_id,
                  detail={"added": added, "removed": removed})
            outcome.success = "The circle's leaders are saved."
        if not outcome.refused:
            return redirect(url_for("circles.detail", circle_id=circle_id))
        show_refusal(form, outcome.refusal)
    module = circles.circle_leader_module(circle.school_id)  # made with the school's first circle
    return render_template("circles/circle_leaders.html", circle=circle, form=form, has_eligible=bool(eligible),
                           module_name=module.name if module else CIRCLE_LEADER_MODULE[0]), 400 if form.errors else 200


@bp.post("/circles/<int:circle_id>/invite")
@role_required("counselor")
def invite(circle_id: int):
    circle = access.circle_or_404(circle_id)
    students = listings.students_of_grades(circle, without_place=False)
    form = InviteForm()
    form.students.choices = choices((s.id, s.display_name) for s in students)
    if form.validate_on_submit():
        with change(places.PlaceError) as outcome:
            invited, skipped = places.invite(circle, pick(students, form.students.data), current_user, utcnow())
            audit("circle.invite", record_type="circle", record_id=circle_id,
                  detail={"invited": [p.student_id for p in invited], "skipped": skipped})
            outcome.success = f"{counted(len(invited), 'student')} invited: each answers on their Circles page." + (
                f" {counted(skipped, 'student')} skipped: they have a place already or lead the circle."
                if skipped else "")
    else:
        flash("Choose students of the circle's grades from the list.", "error")
    return redirect(url_for("circles.detail", circle_id=circle_id) + "#invite")


@bp.post("/circles/<int:circle_id>/places/<int:place_id>")
@role_required("counselor")
def decide(circle_id: int, place_id: int):
    circle = access.circle_or_404(circle_id)
    place = get_in_school_or_404(CircleMember, place_id, joinedload(CircleMember.student))
    if place.circle_id != circle.id:
        abort(404)
    form = DecideForm()
    if not form.validate_on_submit():
        flash("Choose what to do with this place.", "error")
        return redirect(url_for("circles.detail", circle_id=circle_id))
    name, action, now = place.student.display_name, form.action.data, utcnow()
    with change(places.PlaceError) as outcome:
        if action == "remove":
            was = place.status
            moved_up = places.leave(place, current_user, now)
            outcome.success = REMOVED.get(was, "{name} is no longer in the circle.").format(name=name) + (
                f" From the waiting list, {', '.join(p.student.display_name for p in moved_up)} now "
                f"{'has' if len(moved_up) == 1 else 'have'} a place." if moved_up else "")
        else:
            decided = places.decide(place, action == "accept", current_user, now)
            outcome.success = {PlaceStatus.MEMBER: f"{name} joined the circle.",
                               PlaceStatus.WAITING: f"The circle is full: {name} is on its waiting list.",
                               PlaceStatus.DECLINED: f"{name}'s ask is declined."}[decided.status]
        audit("circle.place", record_type="circle_member", record_id=place_id,
              detail={"action": action, "status": str(place.status)})
    return redirect(url_for("circles.detail", circle_id=circle_id))


REMOVED = {PlaceStatus.INVITED: "The invitation to {name} is withdrawn.",
           PlaceStatus.WAITING: "{name} is off the waiting list.",
           PlaceStatus.ASKED: "{name}'s ask is withdrawn."}


@bp.post("/circles/<int:circle_id>/close")
@role_required("counselor")
def close(circle_id: int):
    circle = access.circle_or_404(circle_id)
    if ConfirmForm().validate_on_submit():
        with change(circles.CircleError) as outcome:
            done = circles.close_circle(circle, current_user, utcnow())
            audit("circle.close", record_type="circle", record_id=circle_id, detail=dict(done))
            outcome.success = "The circle is closed." + "".join(
                f" {CLOSED[what](n)}." for what, n in done.items() if n)
    return redirect(url_for("circles.detail", circle_id=circle_id))


CLOSED = {  # what closing did, in words
    "members left": lambda n: counted(n, "member") + " left it",
    "places declined": lambda n: counted(n, "ask, invitation or waiting place",
                                         "asks, invitations or waiting places") + " ended",
    "sessions cancelled": lambda n: counted(n, "session") + " to come " + ("was" if n == 1 else "were") + " cancelled",
}


# --- counselors and the circle's leaders ---------------------------------------------------------

@bp.get("/circles/<int:circle_id>")
@role_required("counselor", "student")
def detail(circle_id: int):
    circle = access.circle_or_404(circle_id)
    with change():  # who is in a support circle is read here
        audit("circle.read", record_type="circle", record_id=circle_id)
    is_counselor = current_user.role == "counselor"
    to_come, past = listings.sessions_of(circle, utcnow())
    invite_form = None
    if is_counselor and circle.status == CircleStatus.OPEN:
        invite_form = InviteForm()
        invite_form.students.choices = people_choices(listings.students_of_grades(circle, without_place=True))
    asks = queries.places(circle, PlaceStatus.ASKED) if is_counselor else []
    invitations = queries.places(circle, PlaceStatus.INVITED) if is_counselor else []
    pending = [p.student for p in asks + invitations]
    return render_template(
        "circles/circle_detail.html", circle=circle, is_counselor=is_counselor,
        members=queries.places(circle, PlaceStatus.MEMBER), waiting=queries.places(circle, PlaceStatus.WAITING),
        asks=asks, invitations=invitations, consent=standings(circle.school_id, pending, "mentee") if pending else {},
        leaders=queries.leaders(circle), to_come=to_come, past=past, invite_form=invite_form)


# --- students ------------------------------------------------------------------------------------

@bp.get("/my/circles")
@role_required("student")
def mine():
    now = utcnow()
    my_places = listings.places_of(current_user)
    members_of = [p.circle_id for p in my_places if p.status == PlaceStatus.MEMBER]
    return render_template(
        "circles/my_circles.html", my_places=my_places,
        positions={p.id: places.waiting_position(p) for p in my_places if p.status == PlaceStatus.WAITING},
        next_session=listings.next_sessions(current_user.school_id, members_of, now),
        led=listings.circles_led_by(current_user), to_join=listings.circles_to_join(current_user),
        workshops=listings.workshops_for(current_user, now), feedback_due=feedback.awaiting_feedback(current_user, now),
        may_join=_may_join())


def _may_join() -> bool:
    """Whether the student's family's consent lets them join a circle or a workshop now."""
    return standings(current_user.school_id, [current_user], "mentee")[current_user.id].may_take_part


def _circle_for_student(circle_id: int) -> tuple[Circle, CircleMember | None]:
    """A circle the student has a place in, leads, or could join (open, and open to their grade);
    any other answers 404 like a circle that does not exist."""
    circle = get_in_school_or_404(Circle, circle_id, joinedload(Circle.topic))
    place = queries.place_of(current_user, circle.id)
    could_join = circle.status == CircleStatus.OPEN and circle.open_to(current_user.grade)
    if place is None and not could_join and not queries.is_leader(current_user, circle.id):
        abort(404)
    return circle, place


def _own_place_or_404(circle_id: int) -> tuple[Circle, CircleMember]:
    circle = get_in_school_or_404(Circle, circle_id, joinedload(Circle.topic))
    place = queries.place_of(current_user, circle.id)
    if place is None:
        abort(404)
    return circle, place


@bp.get("/my/circles/<int:circle_id>")
@role_required("student")
def member_circle(circle_id: int):
    circle, place = _circle_for_student(circle_id)
    now = utcnow()
    agreed_member = place is not None and place.status == PlaceStatus.MEMBER and place.agreed_at is not None
    others = [p.student for p in queries.members(circle) if p.student_id != current_user.id] if agreed_member else []
    return render_template(
        "circles/my_circle.html", circle=circle, place=place, leaders=queries.leaders(circle),
        leads=queries.is_leader(current_user, circle.id), others=others,
        upcoming=listings.upcoming(circle, now) if circle.status == CircleStatus.OPEN else [],
        feedback_due=[s for s in feedback.awaiting_feedback(current_user, now) if s.circle_id == circle.id]
        if place is not None else [],
        position=places.waiting_position(place) if place is not None else None, may_join=_may_join())


@bp.post("/my/circles/<int:circle_id>/ask")
@role_required("student")
def ask(circle_id: int):
    circle, _ = _circle_for_student(circle_id)
    if ConfirmForm().validate_on_submit():
        with change(places.PlaceError) as outcome:
            place, new = places.ask_to_join(current_user, circle, utcnow())
            if new:
                audit("circle.ask", record_type="circle_member", record_id=place.id)
            outcome.success = ASKED if new else ALREADY[place.status]
    return redirect(url_for("circles.member_circle", circle_id=circle_id))


ASKED = "Thank you for asking! A counselor will look at it and you will see the answer here."
ALREADY = {  # asking again answers with the place they have
    PlaceStatus.ASKED: "You have asked already: a counselor will answer soon.",
    PlaceStatus.INVITED: "You are invited already: answer the invitation below.",
    PlaceStatus.WAITING: "You are on the waiting list already.",
    PlaceStatus.MEMBER: "You are a member of this circle already.",
}


@bp.post("/my/circles/<int:circle_id>/answer")
@role_required("student")
def answer(circle_id: int):
    circle, place = _circle_for_student(circle_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("Choose yes or no thanks.", "error")
    elif place is None or place.status != PlaceStatus.INVITED:
        flash("There is no invitation to answer: look at your circles below.", "error")
    else:
        with change(places.PlaceError) as outcome:
            answered = places.answer_invitation(place, form.answer.data == "yes", utcnow())
            audit("circle.answer", record_type="circle_member", record_id=answered.id,
                  detail={"status": str(answered.status)})
            outcome.success = JOINED[answered.status]
        if not outcome.refused and form.answer.data == "yes":
            return redirect(url_for("circles.agreement", circle_id=circle_id))
    return redirect(url_for("circles.member_circle", circle_id=circle_id))


JOINED = {
    PlaceStatus.MEMBER: "Welcome to the circle! Before your first session, please read its agreement.",
    PlaceStatus.WAITING: "The circle is full just now: you are on its waiting list, and will get the next "
                         "free place. You can read its agreement already.",
    PlaceStatus.DECLINED: "No problem. You can ask to join any time later.",
}


@bp.route("/my/circles/<int:circle_id>/agreement", methods=["GET", "POST"])
@role_required("student")
def agreement(circle_id: int):
    circle, place = _own_place_or_404(circle_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with change(places.PlaceError) as outcome:
            if places.agree(place, utcnow()):
                audit("circle.agree", record_type="circle_member", record_id=place.id)
                outcome.success = "Thank you! You are ready for the circle's sessions."
            else:
                outcome.success = "You had agreed already. Thank you!"
        return redirect(url_for("circles.member_circle", circle_id=circle_id))
    return render_template("circles/my_agreement.html", circle=circle, place=place, intro=agreement_text.INTRO,
                           parts=agreement_text.AGREEMENT, i_agree=agreement_text.I_AGREE,
                           counselor=circle.counselor, form=form)


@bp.post("/my/circles/<int:circle_id>/leave")
@role_required("student")
def leave(circle_id: int):
    circle, place = _own_place_or_404(circle_id)
    if ConfirmForm().validate_on_submit():
        name = circle.name
        with change(places.PlaceError) as outcome:
            places.leave(place, current_user, utcnow())
            audit("circle.leave", record_type="circle_member", record_id=place.id)
            outcome.success = f"You have left “{name}”. You can ask to join again whenever you like."
        if not outcome.refused:
            return redirect(url_for("circles.mine"))
    return redirect(url_for("circles.member_circle", circle_id=circle_id))
