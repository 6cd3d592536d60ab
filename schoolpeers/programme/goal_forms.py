"""Forms of the agreement and goals, and of the mentor's page after a check-in."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from schoolpeers.forms_common import choices
from schoolpeers.programme.feelings import MAX_NOTE
from schoolpeers.programme.goal_rules import MAX_WORDING
from schoolpeers.programme.goals import progress_field
from schoolpeers.programme.models import GOAL_AREAS, GOAL_PROGRESS, MEETING_FREQUENCIES, MENTOR_FEELINGS

AREA_CHOICES = [("", "Choose what it is about")] + list(GOAL_AREAS.items())


def _area(n: int) -> SelectField:
    return SelectField(f"Goal {n}: what is it about?", choices=choices(AREA_CHOICES), validators=[Optional()])


def _wording(n: int) -> StringField:
    return StringField(f"Goal {n} in your own words", validators=[Optional(), Length(max=MAX_WORDING)])


class AgreementForm(FlaskForm):
    # The service says what is missing, next to the field: the form only carries the answers.
    how_often = RadioField("How often will you meet?", choices=choices(MEETING_FREQUENCIES.items()),
                           validators=[Optional()])
    where = StringField("Where will you meet?", validators=[Optional(), Length(max=200)])
    ground_rules = TextAreaField("Your ground rules (optional)", validators=[Optional(), Length(max=2000)])
    area_1, wording_1 = _area(1), _wording(1)
    area_2, wording_2 = _area(2), _wording(2)
    area_3, wording_3 = _area(3), _wording(3)
    mentor_agreed = BooleanField("We agreed this together at our first meeting")
    submit = SubmitField("Save our agreement")


class MenteeAgreeForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("I agree")


PROGRESS_CHOICES = [("", "Not talked about this time")] + [(str(k), v) for k, v in GOAL_PROGRESS.items()]


class AfterCheckInForm(FlaskForm):
    feeling = RadioField("How was this check-in for you?", choices=choices(MENTOR_FEELINGS.items()),
                         validators=[Optional()])
    wants_to_talk = BooleanField("I'd like to talk to a counselor about it")
    note = TextAreaField("Anything about how you are? (optional, about you, not about your mentee)",
                         validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField("Save")


def after_checkin_form(goals) -> AfterCheckInForm:
    """The form with a progress question for each of the pair's goals (fields `goal_<id>`)."""

    class WithGoals(AfterCheckInForm):
        pass

    for goal in goals:
        setattr(WithGoals, progress_field(goal.id), SelectField(
            goal.wording, choices=choices(PROGRESS_CHOICES), validators=[Optional()]))
    return WithGoals()
