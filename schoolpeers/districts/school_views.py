"""Provisioning: a district admin creates a school with its first admin, appoints admins, archives."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from schoolpeers.accounts.access import role_required
from schoolpeers.accounts.services import issue_setup_link_token
from schoolpeers.districts import provisioning
from schoolpeers.districts.access import current_district, district_school_or_404
from schoolpeers.districts.forms import AdminLinkForm, ArchiveForm, PersonForm, SchoolForm
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import utcnow
from schoolpeers.web import absolute_url, audit, change, show_refusal

bp = Blueprint("district_schools", __name__, url_prefix="/district/schools", template_folder="templates")


def _setup_page(person, school, token: str):
    """The person's setup link, shown once: it is not kept anywhere it could be shown again."""
    return render_template("districts/setup_link.html", person=person, school=school,
                           back=url_for("district_schools.detail", school_id=school.id),
                           link=absolute_url("accounts.setup", token=token))


@bp.route("/new", methods=["GET", "POST"])
@role_required("district_admin")
def new():
    district = current_district()
    form = SchoolForm()
    if form.validate_on_submit():
        with change(FieldRefusal, flash_refusal=False) as outcome:
            school, admin = provisioning.create_school_in_district(
                district, name=form.name.data, slug=form.slug.data, timezone=form.timezone.data,
                grade_min=form.grade_min.data, grade_max=form.grade_max.data, roster_org_id=form.roster_org_id.data,
                admin_given_name=form.admin_given_name.data, admin_family_name=form.admin_family_name.data,
                admin_email=form.admin_email.data)
            token = issue_setup_link_token(admin, current_app.config["SECRET_KEY"])
            audit("district.school_create", record_type="school", record_id=school.id,
                  detail={"slug": school.slug, "admin": admin.id})
            outcome.success = f"{school.name} was created with {admin.display_name} as its admin."
        if not outcome.refused:
            return _setup_page(admin, school, token)
        show_refusal(form, outcome.refusal)
    return render_template("districts/school_new.html", form=form, district=district)


@bp.route("/<int:school_id>")
@role_required("district_admin")
def detail(school_id: int):
    school = district_school_or_404(school_id)
    return _detail_page(school, ArchiveForm())


def _detail_page(school, archive_form, status: int = 200):
    return render_template("districts/school_detail.html", school=school, archive_form=archive_form,
                           admins=provisioning.school_admins(school)), status


@bp.route("/<int:school_id>/admins/new", methods=["GET", "POST"])
@role_required("district_admin")
def add_admin(school_id: int):
    school = district_school_or_404(school_id)
    form = PersonForm()
    if form.validate_on_submit():
        with change(FieldRefusal, flash_refusal=False) as outcome:
            admin = provisioning.add_school_admin(school, given_name=form.given_name.data,
                                                  family_name=form.family_name.data, email=form.email.data)
            token = issue_setup_link_token(admin, current_app.config["SECRET_KEY"])
            audit("district.admin_appoint", record_type="user", record_id=admin.id, school_id=school.id)
            outcome.success = f"{admin.display_name} is now an admin of {school.name}."
        if not outcome.refused:
            return _setup_page(admin, school, token)
        show_refusal(form, outcome.refusal)
    return render_template("districts/admin_new.html", form=form, school=school)


@bp.route("/<int:school_id>/admins/link", methods=["POST"])
@role_required("district_admin")
def admin_link(school_id: int):
    school = district_school_or_404(school_id)
    form = AdminLinkForm()
    admin = provisioning.school_admin_or_none(school, int(form.user_id.data)) if form.validate_on_submit() else None
    if admin is None:
        flash("Choose one of this school's admins.", "error")
        return redirect(url_for("district_schools.detail", school_id=school.id))
    with change(FieldRefusal) as outcome:
        token = provisioning.fresh_setup_token(admin, current_app.config["SECRET_KEY"])
        audit("user.setup_link", record_type="user", record_id=admin.id, school_id=school.id)
        outcome.success = "A new setup link was made; any earlier link no longer works. It is valid for 7 days."
    if outcome.refused:
        return redirect(url_for("district_schools.detail", school_id=school.id))
    return _setup_page(admin, school, token)


@bp.route("/<int:school_id>/archive", methods=["POST"])
@role_required("district_admin")
def archive(school_id: int):
    school = district_school_or_404(school_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        return _detail_page(school, form, 400)
    if school.is_archived:
        flash(f"{school.name} was archived already: nothing changed.", "info")
        return redirect(url_for("district_schools.detail", school_id=school.id))
    if form.confirm_name.data.strip() != school.name:
        form.confirm_name.errors.append(f"Type the name exactly as shown: {school.name}")
        return _detail_page(school, form, 400)
    with change() as outcome:
        provisioning.archive_school(school, utcnow())
        audit("district.school_archive", record_type="school", record_id=school.id, school_id=school.id)
        outcome.success = f"{school.name} is archived: its people can sign in and read, and change nothing."
    return redirect(url_for("district_schools.detail", school_id=school.id))
