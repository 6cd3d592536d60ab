"""Families: a student's guardians and consent, the school's consent status, and its policy.

Counselors and admins keep contacts and record answers given on paper, by phone or in person;
admins set the policy. Every change is audited.
"""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from schoolpeers import outbox
from schoolpeers.accounts.access import get_user_or_404, role_required
from schoolpeers.accounts.models import User
from schoolpeers.extensions import db, limit_exports_per_person
from schoolpeers.families import asking, services
from schoolpeers.families.forms import (
    AnswerForm,
    AskClassForm,
    GuardianForm,
    LinkAnswerForm,
    PolicyForm,
    RemoveGuardianForm,
)
from schoolpeers.families.models import CHANNELS
from schoolpeers.forms_common import ConfirmForm
from schoolpeers.outbox import MailStatus
from schoolpeers.paging import counted_page
from schoolpeers.spreadsheet import defused
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, counted, noun, page_arg

bp = Blueprint("families", __name__, template_folder="templates", url_prefix="/families")
PER_PAGE = 50
FAMILY_KEEPERS = ("counselor", "admin")


@bp.route("/policy", methods=["GET", "POST"])
@role_required("admin")
def policy():
    current = services.policy_for(current_user.school_id)
    form = PolicyForm(obj=current)
    if form.validate_on_submit():
        with change() as outcome:
            services.save_policy(current_user.school, mentee_rule=form.mentee_rule.data,
                                 mentor_rule=form.mentor_rule.data, younger_rule=form.younger_rule.data,
                                 programme_text=form.programme_text.data or "",
                                 family_contact=form.family_contact.data or "")
            audit("families.policy.saved", record_type="school", record_id=current_user.school_id,
                  detail={"mentee": form.mentee_rule.data, "mentor": form.mentor_rule.data,
                          "younger": form.younger_rule.data})
            outcome.success = "The consent policy is saved."
        return redirect(url_for("families.policy"))
    return render_template("families/policy.html", form=form)


def _student_or_404(student_id: int) -> User:
    student = get_user_or_404(student_id)
    if student.role != "student":
        abort(404)
    return student


def _answer_form(student: User, guardians) -> AnswerForm:
    form = AnswerForm()
    form.guardian.choices = [(str(g.id), f"{g.display_name} ({g.relationship_kind})") for g in guardians] + [
        ("", "The family (no contact named)")]
    return form


@bp.get("/students/<int:student_id>")
@role_required(*FAMILY_KEEPERS)
def student(student_id: int):
    person = _student_or_404(student_id)
    guardians = services.guardians_of(person)
    return _student_page(person, guardians, GuardianForm(formdata=None), _answer_form(person, guardians))


def _student_page(person: User, guardians, guardian_form: GuardianForm, answer_form: AnswerForm, status=200):
    standings = {role: services.standing_of(person, role) for role in services.ROLES}
    return render_template("families/student.html", person=person, guardians=guardians, standings=standings,
                           history=services.history(person), channels=CHANNELS, guardian_form=guardian_form,
                           answer_form=answer_form, requests=asking.requests_of(person.school_id, [person]).get(
                               person.id, []), now=utcnow(), is_expired=asking.is_expired), status


@bp.post("/students/<int:student_id>/guardians")
@role_required(*FAMILY_KEEPERS)
def add_guardian(student_id: int):
    person = _student_or_404(student_id)
    form = GuardianForm()
    if not form.validate_on_submit():
        guardians = services.guardians_of(person)
        return _student_page(person, guardians, form, _answer_form(person, guardians), 400)
    with change(services.ConsentError) as outcome:
        guardian = services.add_guardian(person, given_name=form.given_name.data, family_name=form.family_name.data,
                                         relationship=form.relationship.data, email=form.email.data,
                                         phone=form.phone.data)
        audit("families.guardian.added", record_type="user", record_id=person.id,
              detail={"guardian": guardian.id})
        outcome.success = f"{guardian.display_name} is added to {person.display_name}'s contacts."
    return redirect(url_for("families.student", student_id=person.id))


@bp.route("/students/<int:student_id>/guardians/<int:guardian_id>", methods=["GET", "POST"])
@role_required(*FAMILY_KEEPERS)
def edit_guardian(student_id: int, guardian_id: int):
    """Correct a contact staff typed; the school information system's are changed there."""
    person = _student_or_404(student_id)
    guardian = services.guardian_of(person, guardian_id)
    if guardian is None or guardian.source != "staff":
        abort(404)
    form = GuardianForm(obj=guardian, relationship=guardian.relationship_kind)
    if form.validate_on_submit():
        with change(services.ConsentError) as outcome:
            services.update_guardian(guardian, given_name=form.given_name.data, family_name=form.family_name.data,
                                     relationship=form.relationship.data, email=form.email.data,
                                     phone=form.phone.data)
            audit("families.guardian.changed", record_type="user", record_id=person.id,
                  detail={"guardian": guardian.id})
            outcome.success = "The contact is saved."
        return redirect(url_for("families.student", student_id=person.id))
    return render_template("families/guardian.html", person=person, guardian=guardian, form=form), (
        400 if form.errors else 200)


@bp.post("/students/<int:student_id>/guardians/<int:guardian_id>/remove")
@role_required(*FAMILY_KEEPERS)
def remove_guardian(student_id: int, guardian_id: int):
    person = _student_or_404(student_id)
    guardian = services.guardian_of(person, guardian_id)
    if guardian is None:
        abort(404)
    if RemoveGuardianForm().validate_on_submit():
        with change(services.ConsentError) as outcome:
            services.remove_guardian(person, guardian)
            audit("families.guardian.removed", record_type="user", record_id=person.id,
                  detail={"guardian": guardian_id})
            outcome.success = "The contact is removed."
    return redirect(url_for("families.student", student_id=person.id))


@bp.post("/students/<int:student_id>/answers")
@role_required(*FAMILY_KEEPERS)
def record_answer(student_id: int):
    person = _student_or_404(student_id)
    guardians = services.guardians_of(person)
    form = _answer_form(person, guardians)
    if not form.validate_on_submit():
        return _student_page(person, guardians, GuardianForm(formdata=None), form, 400)
    guardian = next((g for g in guardians if str(g.id) == form.guardian.data), None)
    with change(services.ConsentError) as outcome:
        event = services.record_answer(person, guardian, decision=form.decision.data, channel=form.channel.data,
                                       note=form.note.data or "", actor=current_user)
        audit("families.consent.recorded", record_type="user", record_id=person.id,
              detail={"answer": event.id, "decision": event.decision, "channel": event.channel})
        outcome.success = f"The answer is recorded: {services.standing_of(person, 'mentee').label.lower()}."
    return redirect(url_for("families.student", student_id=person.id))


def _students_query(school_id: int):
    return (select(User).where(User.school_id == school_id, User.role == "student", User.active.is_(True))
            .order_by(User.family_name, User.given_name, User.id))


@bp.get("/consent")
@role_required(*FAMILY_KEEPERS)
def consent():
    """Every student's standing as a mentee and as a mentor, and what asking their family came to,
    a page at a time."""
    school_id = current_user.school_id
    form = _class_form(request.args)
    grade = int(form.grade.data) if form.grade.data and form.validate() else None
    query = _students_query(school_id)
    if grade is not None:
        query = query.where(User.grade == grade)
    page = counted_page(query, page_arg(), PER_PAGE)
    standings = {role: services.standings(school_id, page.items, role) for role in services.ROLES}
    return render_template("families/consent.html", page=page, standings=standings, grade=grade,
                           requests=asking.requests_of(school_id, page.items), grade_form=form)


def _class_form(formdata=None) -> AskClassForm:
    """The school's grades to choose from (no CSRF token: it also filters the list, by GET)."""
    school = current_user.school
    form = AskClassForm(formdata=formdata, meta={"csrf": False})
    form.grade.choices = [(str(g), f"Grade {g}") for g in range(school.grade_min, school.grade_max + 1)]
    return form


@bp.post("/students/<int:student_id>/ask")
@role_required(*FAMILY_KEEPERS)
def ask_student(student_id: int):
    """Mail each of the student's guardians a consent link."""
    person = _student_or_404(student_id)
    if ConfirmForm().validate_on_submit():
        ask_families([person], "families.asked")
    return redirect(url_for("families.student", student_id=person.id))


@bp.post("/ask")
@role_required(*FAMILY_KEEPERS)
def ask_class():
    """Mail the families of a grade who have not answered yet."""
    form = _class_form(request.form)
    if form.validate_on_submit():
        students = list(db.session.scalars(_students_query(current_user.school_id).where(
            User.grade == int(form.grade.data))))
        ask_families(asking.students_to_ask(current_user.school_id, students), "families.asked_class",
                     grade=int(form.grade.data))
        return redirect(url_for("families.consent", grade=form.grade.data))
    flash("Choose a grade from the list.", "error")
    return redirect(url_for("families.consent"))


def ask_families(students: list[User], action: str, **detail) -> None:
    """Ask these students' families by mail, commit, then send: the flash says what came of it.
    (Also used by the matching queue for everyone waiting for consent.)"""
    with change() as outcome:
        asked = asking.ask(students, current_user, utcnow())
        audit(action, detail={**detail, "students": len(students), "requests": len(asked.requests)})
        outcome.success = _asked_message(asked)
    if not outcome.refused:
        outbox.deliver_soon(asked.mail_ids)


def _asked_message(asked: asking.Asked) -> str:
    families = {r.guardian_id for r in asked.requests}
    words = [f"Asked {counted(len(families), 'family member')} by mail"
             + (" (the mails go out within a few minutes)" if len(asked.mail_ids) > outbox.INLINE_MAILS else "")]
    missing = sum(1 for r in asked.requests if r.mail and r.mail.status == MailStatus.NO_ADDRESS)
    if missing:
        words.append(f"{counted(missing, 'contact')} {noun(missing, 'has', 'have')} no email address")
    alone = len(asked.without_contact)
    if alone:
        words.append(f"{counted(alone, 'student')} {noun(alone, 'has', 'have')} no contact yet")
    return "; ".join(words) + "."


@bp.route("/answer/<token>", methods=["GET", "POST"])
def answer(token: str):
    """A guardian's page, opened from their mail without signing in: the programme, and their answer."""
    found = asking.request_for_token(token)
    if found is None:
        return _private(render_template("families/answer_gone.html", reason="unknown"), 404)
    policy = services.policy_for(found.school_id)
    if asking.is_expired(found, utcnow()):
        return _private(render_template("families/answer_gone.html", reason="expired", policy=policy,
                                        school=found.student.school), 410)
    form = LinkAnswerForm()
    if form.validate_on_submit():
        with change(services.ConsentError) as outcome:
            event = asking.answer_by_link(found, form.decision.data)
            audit("families.consent.answered", record_type="user", record_id=found.student_id, actor=None,
                  school_id=found.school_id, detail={"answer": event.id, "decision": event.decision})
            outcome.success = "Thank you: your answer is saved."
        return redirect(url_for("families.answer", token=token))
    return _private(render_template("families/answer.html", consent_request=found, policy=policy,
                                    school=found.student.school, latest=asking.latest_answer(found), form=form,
                                    words=asking.DECISION_WORDS))


def _private(body, status: int = 200) -> Response:
    """A guardian's page: never cached or indexed, and its address (the link) never sent on."""
    response = make_response(body, status)
    response.headers.update({"Cache-Control": "no-store", "X-Robots-Tag": "noindex",
                             "Referrer-Policy": "no-referrer"})
    return response


CSV_COLUMNS = ("given_name", "family_name", "grade", "as_mentee", "as_mentor", "answers")


@bp.get("/consent.csv")
@role_required(*FAMILY_KEEPERS)
@limit_exports_per_person()
def consent_csv():
    """The school's consent status for its files: one row per student, with each recorded answer."""
    school_id = current_user.school_id
    students = list(db.session.scalars(_students_query(school_id)))
    standings = {role: services.standings(school_id, students, role) for role in services.ROLES}
    answers = services.answers_by_student(school_id, students)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for s in students:
        writer.writerow([defused(s.given_name), defused(s.family_name), s.grade,
                         standings["mentee"][s.id].value, standings["mentor"][s.id].value,
                         "; ".join(defused(f"{e.recorded_at:%Y-%m-%d} {e.decision} by {e.guardian_name} ({e.channel})")
                                   for e in answers.get(s.id, []))])
    with change():
        audit("families.consent.exported", detail={"students": len(students)})
    filename = f"consent-{current_user.school.slug}-{utcnow():%Y%m%d}.csv"
    return Response(buffer.getvalue().encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
