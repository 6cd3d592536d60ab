"""The district office's pages: home (its schools), settings, and its own people."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts.access import role_required
from schoolpeers.accounts.services import issue_setup_link_token
from schoolpeers.districts import provisioning
from schoolpeers.districts.access import current_district
from schoolpeers.districts.forms import DistrictSettingsForm, OfficePersonForm
from schoolpeers.districts.schools import office_people, school_lines
from schoolpeers.districts.settings import update_district_settings
from schoolpeers.refusals import FieldRefusal
from schoolpeers.web import absolute_url, audit, change, counted, show_refusal

bp = Blueprint("districts", __name__, url_prefix="/district", template_folder="templates")


@bp.route("/")
@role_required("district_admin", "district_analyst")
def home():
    district = current_district()
    return render_template("districts/home.html", district=district, lines=school_lines(district),
                           is_admin=current_user.role == "district_admin")


@bp.route("/settings", methods=["GET", "POST"])
@role_required("district_admin")
def settings():
    district = current_district()
    form = DistrictSettingsForm(obj=district)
    if form.validate_on_submit():
        with change(FieldRefusal, flash_refusal=False) as outcome:
            changed = update_district_settings(district, min_group_size=form.min_group_size.data,
                                               retention_days=form.retention_days.data,
                                               two_factor_all_adults=form.two_factor_all_adults.data)
            audit("district.settings", record_type="district", record_id=district.id, detail={
                "min_group_size": district.min_group_size, "retention_days": district.retention_days,
                "two_factor_all_adults": district.two_factor_all_adults, "schools_tightened": changed})
            outcome.success = ("District settings saved." + (
                f" {counted(changed, 'school was', 'schools were')} tightened to meet them." if changed else ""))
        if not outcome.refused:
            return redirect(url_for("districts.settings"))
        show_refusal(form, outcome.refusal)
    return render_template("districts/settings.html", form=form, district=district)


@bp.route("/people")
@role_required("district_admin")
def people():
    return render_template("districts/people.html", district=current_district(),
                           people=office_people(current_user.school))


@bp.route("/people/new", methods=["GET", "POST"])
@role_required("district_admin")
def new_person():
    district = current_district()
    form = OfficePersonForm()
    if form.validate_on_submit():
        with change(FieldRefusal, flash_refusal=False) as outcome:
            person = provisioning.add_office_person(current_user.school, form.role.data,
                                                    given_name=form.given_name.data,
                                                    family_name=form.family_name.data, email=form.email.data)
            token = issue_setup_link_token(person, current_app.config["SECRET_KEY"])
            audit("district.person_create", record_type="user", record_id=person.id, detail={"role": person.role})
            outcome.success = f"{person.display_name} was added. Give them their setup link."
        if not outcome.refused:
            return render_template("districts/setup_link.html", person=person, back=url_for("districts.people"),
                                   link=absolute_url("accounts.setup", token=token))
        show_refusal(form, outcome.refusal)
    return render_template("districts/person_new.html", form=form, district=district)
