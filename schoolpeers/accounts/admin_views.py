"""Admin pages: users, setup links, school settings and roster import. Admins only."""
from __future__ import annotations

import unicodedata

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from schoolpeers import jobs
from schoolpeers.accounts import approvals, roster, roster_jobs, roster_uploads, services, sso
from schoolpeers.accounts.access import get_user_or_404, role_required
from schoolpeers.accounts.approval_views import ask_and_tell
from schoolpeers.accounts.forms import (
    RosterApplyForm,
    RosterUploadForm,
    SchoolSettingsForm,
    SetupLettersForm,
    UserCreateForm,
    UserRoleForm,
)
from schoolpeers.accounts.models import ROLES, User
from schoolpeers.accounts.roster_bundles import open_roster
from schoolpeers.accounts.roster_files import RosterFileError
from schoolpeers.accounts.setup_letters import letters_csv, qr_code_svg
from schoolpeers.extensions import db
from schoolpeers.forms_common import ConfirmForm, choices
from schoolpeers.paging import counted_page
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import today_in
from schoolpeers.web import absolute_url, audit, change, page_arg, show_refusal

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
@role_required("admin")
def admins_only():
    """Every page of this blueprint is for admins of the signed-in school."""


@bp.get("/users")
def users():
    q = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    query = select(User).where(User.school_id == current_user.school_id)
    if q:
        # "Chloé" as one character or as e + accent: names from older imports may be stored either way.
        likes = {f"%{unicodedata.normalize(form, q.lower())}%" for form in ("NFC", "NFD")}
        query = query.where(or_(
            *(column.like(like) for like in likes for column in (
                func.lower(User.given_name), func.lower(User.family_name), func.lower(User.username),
                func.lower(User.email))),
            User.roster_id == q,
        ))
    if role in ROLES:
        query = query.where(User.role == role)
    query = query.order_by(User.family_name, User.given_name, User.id)
    page = counted_page(query, page_arg(), current_app.config["USERS_PER_PAGE"])
    return render_template("admin/users.html", page=page, q=q, role=role, roles=ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    form = UserCreateForm()
    school = current_user.school
    if form.validate_on_submit():
        if form.role.data == "student" and form.grade.data is None:
            form.grade.errors.append("Students need a grade.")
        elif form.role.data == "student" and not school.grade_min <= form.grade.data <= school.grade_max:
            form.grade.errors.append(f"This school has grades {school.grade_min}–{school.grade_max}.")
        else:
            # A counselor starts as staff until a counselor approves the role (accounts/approvals.py).
            asked_counselor = form.role.data == "counselor"
            with change(services.AccountError, flash_refusal=False) as outcome:
                user = services.create_user(
                    school, given_name=form.given_name.data, family_name=form.family_name.data,
                    role="staff" if asked_counselor else form.role.data, username=form.username.data,
                    email=form.email.data, grade=form.grade.data,
                )
                audit("user.create", record_type="user", record_id=user.id, detail={"role": user.role})
                outcome.success = f"{user.display_name} was created. Send them their setup link."
            if not outcome.refused:
                if asked_counselor:
                    ask_and_tell("grant_counselor", user)
                return redirect(url_for("admin.user_detail", user_id=user.id))
            form.username.errors.append(str(outcome.refusal))
    return render_template("admin/user_new.html", form=form)


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    user = get_user_or_404(user_id)
    return _user_page(user, setup_link=None)


def _user_page(user: User, setup_link: str | None):
    return render_template("admin/user_detail.html", user=user, role_form=UserRoleForm(role=user.role),
                           setup_link=setup_link, describe=approvals.describe,
                           waiting=approvals.pending_in_school(user.school_id, user),
                           school_accounts=sso.school_accounts_of(user))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    user = get_user_or_404(user_id)
    form = UserRoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    if approvals.needed("grant_counselor", user, role=form.role.data) and user.id != current_user.id:
        ask_and_tell("grant_counselor", user)
        return redirect(url_for("admin.user_detail", user_id=user.id))
    with change(services.AccountError) as outcome:
        old = user.role
        services.change_role(user, form.role.data, acting_user=current_user)
        audit("user.role_change", record_type="user", record_id=user.id, detail={"from": old, "to": user.role})
        outcome.success = f"{user.display_name} is now {user.role}."
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int):
    user = get_user_or_404(user_id)
    form = ConfirmForm()
    active = request.form.get("active") == "1"
    if form.validate_on_submit():
        with change(services.AccountError) as outcome:
            services.set_active(user, active, acting_user=current_user)
            audit("user.activate" if active else "user.deactivate", record_type="user", record_id=user.id)
            outcome.success = f"{user.display_name} was {'reactivated' if active else 'deactivated'}."
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/school-account/unlink")
def unlink_school_account(user_id: int):
    """When a person's school account was replaced at the provider, their next sign-in links the new one."""
    user = get_user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        with change() as outcome:
            if unlinked := sso.unlink_school_accounts(user):
                audit("user.school_account_unlink", record_type="user", record_id=user.id,
                      detail={"unlinked": unlinked})
                outcome.success = (f"{user.display_name}'s school account was unlinked: their next sign-in with "
                                   "a school account links the one they use.")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/setup-link")
def setup_link(user_id: int):
    user = get_user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.user_detail", user_id=user.id))
    if approvals.needed("setup_link", user) and user.active and not user.erased_at:
        ask_and_tell("setup_link", user)  # it would replace a password someone chose
        return redirect(url_for("admin.user_detail", user_id=user.id))
    with change(services.AccountError) as outcome:
        token = services.issue_setup_link_token(user, current_app.config["SECRET_KEY"])
        audit("user.setup_link", record_type="user", record_id=user.id)
        outcome.success = "A new setup link was made; any earlier link no longer works. It is valid for 7 days."
    if outcome.refused:
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return _user_page(user, setup_link=absolute_url("accounts.setup", token=token))


@bp.route("/setup-letters", methods=["GET", "POST"])
def setup_letters():
    """Setup links for a whole grade at once: printable letters or a CSV for a mail merge."""
    school = current_user.school
    form = SetupLettersForm()
    grades = range(school.grade_min, school.grade_max + 1)
    form.grade.choices = choices((g, f"Grade {g}") for g in grades)
    if not form.validate_on_submit():
        waiting = {g: len(services.students_to_set_up(school, g)) for g in grades}
        return render_template("admin/setup_letters.html", form=form, waiting=waiting)
    secret, max_age = current_app.config["SECRET_KEY"], current_app.config["SETUP_LINK_MAX_AGE"]
    letters = []
    with change():
        for student in services.students_to_set_up(school, form.grade.data):
            token, code = services.issue_setup_code(student, secret, max_age)
            letters.append((student, absolute_url("accounts.setup", token=token), code))
        audit("user.setup_links", detail={"grade": form.grade.data, "count": len(letters),
                                          "output": form.output.data})
    expires = today_in(school.timezone) + max_age
    if form.output.data == "csv":
        return Response(letters_csv(letters, expires), mimetype="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="setup-links-grade-{form.grade.data}.csv"'})
    return render_template("admin/setup_letters_print.html", school=school, grade=form.grade.data,
                           letters=[(student, link, code, qr_code_svg(link, f"Setup link for {student.given_name}"))
                                    for student, link, code in letters], expires=expires,
                           code_page=absolute_url("accounts.setup_code"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    school = current_user.school
    form = SchoolSettingsForm(obj=school)
    leads = db.session.scalars(select(User).where(
        User.school_id == school.id, User.role.in_(("counselor", "staff")), User.active.is_(True))
        .order_by(User.family_name, User.given_name)).all()
    form.designated_lead_id.choices = choices([(0, "Nobody yet: escalations go to every counselor")]
                                              + [(u.id, f"{u.display_name} ({u.role})") for u in leads])
    if not form.is_submitted():
        form.designated_lead_id.data = school.designated_lead_id or 0
    if form.validate_on_submit():
        if services.org_id_taken(school, form.roster_org_id.data):
            form.roster_org_id.errors.append("Another school here has this org id: each org is one school.")
        else:
            values = {name: field.data for name, field in form._fields.items()
                      if name not in ("submit", "csrf_token")}
            values["crisis_contact"] = values["crisis_contact"] or ""
            values["designated_lead_id"] = values["designated_lead_id"] or None
            with change(FieldRefusal, flash_refusal=False) as outcome:
                services.update_school_settings(school, **values)
                audit("school.settings", record_type="school", record_id=school.id)
                outcome.success = "Settings saved."
            if not outcome.refused:
                return redirect(url_for("admin.settings"))
            show_refusal(form, outcome.refusal)
    return render_template("admin/settings.html", form=form, district=school.district)


@bp.route("/roster", methods=["GET", "POST"])
def roster_upload():
    form = RosterUploadForm()
    if form.validate_on_submit():
        content = form.file.data.read()
        try:
            plan = roster.plan_import(current_user.school, open_roster(content), mode=form.mode.data,
                                      acting_user=current_user)
        except RosterFileError as exc:
            form.file.errors.append(str(exc))
        else:  # kept for the import only when there is something to import
            filename = (form.file.data.filename or "roster")[:200]
            with change():
                kept = roster_uploads.keep(current_user, filename, content, plan) if plan.ok else None
                page = render_template("admin/roster_preview.html", plan=plan, filename=filename,
                                       apply_form=RosterApplyForm(upload=kept and kept.id, mode=form.mode.data))
            return page
    return render_template("admin/roster_upload.html", form=form)


@bp.post("/roster/apply")
def roster_apply():
    """Start the import of a checked file as a background job, once the admin typed any number the
    check asked for; the job plans again under the school's lock and refuses what no longer holds."""
    form = RosterApplyForm()
    upload = roster_uploads.load(current_user, form.upload.data) if form.validate_on_submit() else None
    if upload is None:
        flash("Upload the file again to import it: a checked file is kept for four hours.", "error")
        return redirect(url_for("admin.roster_upload"))
    if upload.confirmation_needed and form.confirm_deactivations.data != upload.deactivations:
        try:
            plan = roster.plan_import(current_user.school, open_roster(upload.content), mode=form.mode.data,
                                      acting_user=current_user, override_admin=form.override_admin.data)
        except RosterFileError as exc:
            flash(str(exc), "error")
            return redirect(url_for("admin.roster_upload"))
        form.confirm_deactivations.errors = [
            f"Type {plan.deactivated_students} to deactivate {plan.deactivated_students} students."]
        return render_template("admin/roster_preview.html", plan=plan, apply_form=form, filename=upload.filename)
    with change():
        job = jobs.start(roster_jobs.KIND, current_user, {
            "upload": upload.id, "mode": form.mode.data, "confirmed": form.confirm_deactivations.data,
            "override_admin": bool(form.override_admin.data)})
    jobs.enqueue(job)
    return redirect(url_for("admin.job", job_id=job.id))


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    """Where a background job stands (the page refreshes itself until it ends), then what came of it."""
    found = jobs.load_own(current_user, job_id[:48])
    if found is None:
        abort(404)
    return render_template("admin/job.html", job=found, progress=jobs.progress_of(found))
