"""Forms for sign-in, setup links, user administration, school settings and roster upload."""
from __future__ import annotations

import math
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from schoolpeers.accounts.models import MIN_GROUP_SIZE, ROLE_LABELS, ROLES
from schoolpeers.forms_common import IntegerField, choices

ROLE_CHOICES = choices((role, ROLE_LABELS[role]) for role in ROLES)  # a school's; a district's office has its own
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def not_a_day_of_every_year(month: int, day: int) -> str | None:
    """Why `day` `month` is not a day every year has (None when it is): 31 June, 30 February, 29 February."""
    try:
        date(2001, month, day)  # not a leap year
    except ValueError:
        if (month, day) == (2, 29):
            return "29 February is not in every year: choose 28 February or another day."
        return f"{MONTHS[month - 1]} has no day {day}: choose a day it has."
    return None


def yes_no(value) -> bool | None:
    """A yes/no radio's value: the school's own setting, or what was sent ("yes"/"no"; None otherwise)."""
    return value if isinstance(value, bool) else {"yes": True, "no": False}.get(value)


class LoginForm(FlaskForm):
    login = StringField("Username or email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Sign in")


class SetupCodeForm(FlaskForm):
    code = StringField("Setup code from your letter", validators=[DataRequired("Type the code from your letter."),
                                                                 Length(max=40)])
    submit = SubmitField("Continue")


class ChoosePasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        "Type it again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords are different.")],
    )
    submit = SubmitField("Save my password")


class UserCreateForm(FlaskForm):
    given_name = StringField("Given name", validators=[DataRequired(), Length(max=100)])
    family_name = StringField("Family name", validators=[DataRequired(), Length(max=100)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])
    grade = IntegerField("Grade (students only)", validators=[Optional(), NumberRange(min=0, max=13)])
    email = EmailField("Email (optional)", validators=[Optional(), Email(check_deliverability=False),
                                                       Length(max=254)])
    username = StringField(
        "Username (optional; made from the name if empty)",
        validators=[Optional(), Length(min=3, max=100),
                    Regexp(r"^[A-Za-z0-9._-]+$", message="Use letters a-z, digits, dots, dashes, underscores.")],
    )
    submit = SubmitField("Create user")


class UserRoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])
    submit = SubmitField("Change role")


class SchoolSettingsForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired(), Length(max=200)])
    timezone = StringField("Timezone (e.g. Europe/London)", validators=[DataRequired(), Length(max=64)])
    grade_min = IntegerField("Lowest grade", validators=[InputRequired(), NumberRange(0, 13)])
    grade_max = IntegerField("Highest grade", validators=[InputRequired(), NumberRange(0, 13)])
    weight_grade = IntegerField("Weight: grade fit", validators=[InputRequired(), NumberRange(0, 100)])
    weight_interests = IntegerField("Weight: shared interests",
                                    validators=[InputRequired(), NumberRange(0, 100)])
    weight_topics = IntegerField("Weight: support topics covered",
                                 validators=[InputRequired(), NumberRange(0, 100)])
    weight_language = IntegerField("Weight: language", validators=[InputRequired(), NumberRange(0, 100)])
    weight_availability = IntegerField("Weight: availability overlap",
                                       validators=[InputRequired(), NumberRange(0, 100)])
    auto_approve_matches = BooleanField("Approve proposed matches automatically")
    roster_deactivation_limit_percent = IntegerField(
        "Roster imports may deactivate, without confirming the number, up to (% of active students)",
        validators=[NumberRange(0, 100)])  # a form sent without it keeps the school's setting
    roster_org_id = StringField(  # a form sent without it keeps the school's setting
        "OneRoster org id of this school (its sourcedId in orgs.csv)",
        validators=[Optional(), Length(max=100)], filters=[lambda v: (v or "").strip() or None])
    min_group_size = IntegerField(
        f"Smallest group shown in reports (at least {MIN_GROUP_SIZE})",
        validators=[InputRequired(), NumberRange(min=MIN_GROUP_SIZE, max=100,
                    message=f"Reports never show groups of fewer than {MIN_GROUP_SIZE} students.")],
    )
    report_protection = RadioField("Reports are protected by", choices=choices([
        ("cell_key", "Cell keys: every week, month, term and year; small groups hidden, counts with small noise"),
        ("differential_privacy", "Differential privacy: closed terms and school years only, with a yearly budget"),
    ]))
    dp_epsilon_per_year = FloatField(
        "Differential privacy: budget ε per school year",
        # No InputRequired: a form sent without the field keeps the school's setting; an empty one is refused.
        validators=[NumberRange(0.1, 10, message="Choose an ε from 0.1 to 10.")],
    )
    checkin_cadence_days = IntegerField("Check-in expected every (days)",
                                        validators=[InputRequired(), NumberRange(1, 90)])
    mentor_sees_self_rating = BooleanField("Mentors see the face their mentee chose in a self check-in")
    supervision_every_days = IntegerField(  # a form sent without it keeps the school's setting
        "Mentors should have supervision at least every (days)",
        validators=[NumberRange(7, 365, message="Choose from 7 to 365 days.")])
    teaching_ends_day = IntegerField(  # a form sent without these keeps the school's setting
        "Last day of teaching of the school year: day",
        validators=[NumberRange(1, 31, message="Choose a day from 1 to 31.")])
    teaching_ends_month = SelectField("Last day of teaching of the school year: month", coerce=int,
                                      choices=choices(enumerate(MONTHS, start=1)))
    ack_deadline_minutes = IntegerField("Urgent concerns must be acknowledged within (minutes)",
                                        validators=[InputRequired(), NumberRange(5, 1440)])
    retention_days = IntegerField("Keep notes after a mentorship closes for (days)",
                                  validators=[InputRequired(), NumberRange(30, 3650)])
    erasure_mode = RadioField("When a student's data is erased on request, their check-ins are", choices=choices([
        ("unlink", "Kept as numbers: no text and no name, counted in reports under their grade"),
        ("delete", "Deleted: they disappear from reports too"),
    ]))  # a value outside the choices is refused; a form sent without it keeps the school's setting
    crisis_contact = TextAreaField("Crisis contact shown to mentors", validators=[Length(max=2000)])
    # Radio buttons, not checkboxes: a form sent without them keeps the school's setting.
    password_sign_in = RadioField("Signing in with a password", coerce=yes_no, choices=choices([
        ("yes", "Allowed, besides the district's single sign-on"), ("no", "Off: single sign-on only")]))
    two_factor_all_adults = RadioField("Two-factor sign-in", coerce=yes_no, choices=choices([
        ("yes", "Every adult: counselors, staff and admins"), ("no", "The roles the installation asks it of")]))
    # Choices are the school's counselors and staff, filled in by the view.
    designated_lead_id = SelectField("Designated safeguarding lead (receives escalations)", coerce=int,
                                     validators=[InputRequired()])
    submit = SubmitField("Save settings")

    def validate_dp_epsilon_per_year(self, field) -> None:
        if field.data is not None and not math.isfinite(field.data):  # "nan" and "inf" parse as floats
            raise ValidationError("Choose an ε from 0.1 to 10.")

    def validate_timezone(self, field) -> None:
        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
            raise ValidationError("Unknown timezone; use a name such as Europe/London.") from None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.grade_min.data > self.grade_max.data:
            self.grade_max.errors.append("The highest grade must not be below the lowest.")
            return False
        weights = (self.weight_grade, self.weight_interests, self.weight_topics,
                   self.weight_language, self.weight_availability)
        if ok and sum(w.data for w in weights) == 0:
            self.weight_grade.errors.append("At least one weight must be above zero.")
            return False
        if ok and (why := not_a_day_of_every_year(self.teaching_ends_month.data, self.teaching_ends_day.data)):
            self.teaching_ends_day.errors.append(why)
            return False
        return ok


class SetupLettersForm(FlaskForm):
    """Setup links in bulk for the students of a grade who have not set up their account yet."""

    grade = SelectField("Grade", coerce=int, validators=[InputRequired()])  # the school's grades, set by the view
    output = RadioField("Make", default="letters", choices=choices([
        ("letters", "Printable letters: one page per student, with a QR code"),
        ("csv", "A CSV file of links, for a mail merge"),
    ]))
    submit = SubmitField("Make setup links")


ROSTER_MODES = choices([
    ("delta", "Only the people in the file: others stay as they are"),
    ("full", "The whole roster: everyone of the roster missing from the file is deactivated"),
])


class RosterUploadForm(FlaskForm):
    file = FileField("Roster file (CSV, or a OneRoster bundle as .zip)", validators=[
        FileRequired("Choose a file to import."),
        FileAllowed(["csv", "txt", "zip"], "Upload a .csv file or a OneRoster .zip bundle."),
    ])
    mode = RadioField("This file holds", choices=ROSTER_MODES, default="delta")  # not sent: a delta
    submit = SubmitField("Check the file")


class RosterApplyForm(FlaskForm):
    upload = HiddenField(validators=[DataRequired(), Length(max=64)])  # the checked file, kept server-side
    mode = HiddenField(default="delta", validators=[AnyOf(("delta", "full"))])
    confirm_deactivations = IntegerField("Type the number of students to deactivate", validators=[Optional()])
    override_admin = BooleanField("Apply the file to these accounts too, undoing what an admin decided")
    submit = SubmitField("Import")
