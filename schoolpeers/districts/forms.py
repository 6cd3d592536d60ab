"""Forms of the district office's pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from schoolpeers.accounts.forms import ROSTER_MODES
from schoolpeers.accounts.models import MIN_GROUP_SIZE
from schoolpeers.districts.provisioning import SLUG_RULE
from schoolpeers.forms_common import IntegerField, choices


def _email(label: str = "Email"):
    return EmailField(label, validators=[DataRequired("Give their email address."),
                                         Email("Give an email address such as name@school.org.",
                                               check_deliverability=False), Length(max=254)])


def _name(label: str):
    return StringField(label, validators=[DataRequired(), Length(max=100)])


class DistrictSettingsForm(FlaskForm):
    min_group_size = IntegerField(
        f"Smallest group shown in reports (at least {MIN_GROUP_SIZE})",
        validators=[InputRequired(), NumberRange(MIN_GROUP_SIZE, 100, message=f"Choose from {MIN_GROUP_SIZE} to 100.")])
    retention_days = IntegerField("Longest time notes are kept after a mentorship closes (days)", validators=[
        InputRequired(), NumberRange(30, 3650, message="Choose from 30 to 3650 days.")])
    two_factor_all_adults = BooleanField("Every adult signs in with two-factor sign-in")
    submit = SubmitField("Save district settings")


class PersonForm(FlaskForm):
    """An admin of a school, or one of the office's people (then with a role)."""

    given_name = _name("Given name")
    family_name = _name("Family name")
    email = _email()
    submit = SubmitField("Add")


class OfficePersonForm(PersonForm):
    role = RadioField("Role", default="district_analyst", choices=choices([
        ("district_analyst", "District analyst: the roll-up reports only"),
        ("district_admin", "District admin: schools, admins, settings, roster sync and sign-in"),
    ]))


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired(), Length(max=150)])
    slug = StringField("Short name (in links and on the command line)", validators=[
        DataRequired(), Length(min=2, max=50), Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=SLUG_RULE)])
    timezone = StringField("Timezone (e.g. Europe/London)", default="UTC", validators=[DataRequired(), Length(max=64)])
    grade_min = IntegerField("Lowest grade", default=6, validators=[InputRequired(), NumberRange(0, 13)])
    grade_max = IntegerField("Highest grade", default=12, validators=[InputRequired(), NumberRange(0, 13)])
    roster_org_id = StringField("OneRoster org id (optional: its sourcedId in the district's orgs.csv)",
                                validators=[Optional(), Length(max=100)],
                                filters=[lambda v: (v or "").strip() or None])
    admin_given_name = _name("First admin: given name")
    admin_family_name = _name("First admin: family name")
    admin_email = _email("First admin: email")
    submit = SubmitField("Create the school")


class AdminLinkForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


class ArchiveForm(FlaskForm):
    confirm_name = StringField("Type the school's name to confirm", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Archive the school")


class DistrictRosterUploadForm(FlaskForm):
    file = FileField("OneRoster bundle of the district (.zip)", validators=[
        FileRequired("Choose a file to import."), FileAllowed(["zip"], "Upload the OneRoster bundle as a .zip file.")])
    mode = SelectField("Import", choices=ROSTER_MODES, default="delta")
    submit = SubmitField("Check the file")


class DistrictRosterApplyForm(FlaskForm):
    upload = HiddenField(validators=[DataRequired(), Length(max=64)])
    mode = HiddenField(validators=[DataRequired(), Regexp(r"^(delta|full)$")])
    submit = SubmitField("Import into these schools")
