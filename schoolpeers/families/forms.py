"""Forms of the family features: the consent policy, a guardian's details, a family's answer."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, Regexp

from schoolpeers.accounts.models import GUARDIAN_RELATIONSHIPS
from schoolpeers.families.consent import RULE_LABELS, Decision
from schoolpeers.families.models import CHANNELS
from schoolpeers.forms_common import choices

RULE_CHOICES = choices((rule.value, label) for rule, label in RULE_LABELS.items())
MAX_PROGRAMME_TEXT = 10_000


class PolicyForm(FlaskForm):
    mentee_rule = SelectField("Students who ask for a mentor", choices=RULE_CHOICES)
    mentor_rule = SelectField("Students who mentor", choices=RULE_CHOICES)
    younger_rule = SelectField("Students under 13 (grades below 8), whichever role, at least",
                               choices=RULE_CHOICES)
    family_contact = StringField("How families reach the school with questions (shown in every mail)",
                                 validators=[Optional(), Length(max=300)])
    programme_text = TextAreaField(
        "What families read about the programme: what it is, what is recorded, who sees it, the limits "
        "of confidentiality, and how long records are kept",
        validators=[Optional(), Length(max=MAX_PROGRAMME_TEXT)])
    submit = SubmitField("Save the consent policy")


class GuardianForm(FlaskForm):
    given_name = StringField("Given name", validators=[DataRequired(), Length(max=100)])
    family_name = StringField("Family name", validators=[DataRequired(), Length(max=100)])
    relationship = SelectField("Relationship", choices=choices((r, r.capitalize()) for r in GUARDIAN_RELATIONSHIPS))
    email = EmailField("Email (optional)", validators=[Optional(), Email(check_deliverability=False),
                                                       Length(max=254)])
    phone = StringField("Phone (optional)", validators=[
        Optional(), Length(max=50),
        Regexp(r"^\+?[0-9 ()./-]{5,50}$", message="Digits, spaces and + ( ) - . / only.")])
    submit = SubmitField("Add contact")


DECISION_LABELS = {Decision.GIVEN: "Gave consent", Decision.DECLINED: "Declined",
                   Decision.WITHDRAWN: "Withdrew consent"}
STAFF_CHANNELS = {key: label for key, label in CHANNELS.items() if key != "link"}


class AnswerForm(FlaskForm):
    guardian = SelectField("Who answered", choices=[])  # the student's contacts, or the family as a whole
    decision = SelectField("Answer", choices=choices((d.value, label) for d, label in DECISION_LABELS.items()))
    channel = SelectField("How", choices=choices(STAFF_CHANNELS.items()))
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Record the answer")


class RemoveGuardianForm(FlaskForm):
    """The remove button sends `confirm`: a bare POST removes nothing."""

    confirm = HiddenField(validators=[AnyOf(["remove"])])


class AskClassForm(FlaskForm):
    grade = SelectField("Grade", choices=[])  # the school's grades


class LinkAnswerForm(FlaskForm):
    """A guardian's answer through their link."""

    decision = SelectField(choices=choices((d.value, d.value) for d in Decision))
