"""Forms for mentor requests and for counselors' matching decisions."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from schoolpeers.forms_common import IntegerField, MultiCheckboxField, choices
from schoolpeers.matching.services import MAX_NOTE
from schoolpeers.mentors.models import AVAILABILITY_SLOTS, END_REASONS

LANGUAGE_CHOICES = [("", "No preference"), ("english", "English"), ("spanish", "Spanish"),
                    ("polish", "Polish"), ("arabic", "Arabic"), ("urdu", "Urdu"), ("french", "French"),
                    ("portuguese", "Portuguese")]


class RequestForm(FlaskForm):
    interests = MultiCheckboxField("What do you enjoy?", coerce=int)
    topics = MultiCheckboxField("What would you like some support with?", coerce=int)
    language = SelectField("Would you like a mentor who speaks a language with you?", choices=choices(LANGUAGE_CHOICES),
                           validators=[Optional()])
    same_gender = BooleanField("I would prefer a mentor of my own gender")
    availability = MultiCheckboxField("When could you meet?", choices=choices(AVAILABILITY_SLOTS.items()))
    anything = BooleanField("Nothing in particular: I would just like someone to talk to")
    note = TextAreaField("Anything else you want the counselor to know? (optional, only counselors see it)",
                         validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField("Ask for a mentor")
    # A student says what the mentoring is for and when they could meet; a counselor asking on a
    # student's behalf may not know yet.
    asks_the_student = True

    def validate_topics(self, field) -> None:
        if self.asks_the_student and not field.data and not self.anything.data:
            raise ValidationError("Choose what you would like support with, or tick “Nothing in particular”.")

    def validate_availability(self, field) -> None:
        if self.asks_the_student and not field.data:
            raise ValidationError("Choose at least one time you could meet, so that a mentor can meet you then.")


class OnBehalfRequestForm(RequestForm):
    student = StringField("Student's username", validators=[DataRequired(), Length(max=100)])
    submit = SubmitField("Create request")
    asks_the_student = False


class RejectForm(FlaskForm):
    note = TextAreaField("Why not this pair?", validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Reject")


class EndForm(FlaskForm):
    reason = SelectField("Reason", choices=choices(END_REASONS.items()), validators=[InputRequired()])
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("End mentorship")


class ChooseMentorForm(FlaskForm):
    profile_id = IntegerField(validators=[InputRequired(), NumberRange(1, 2**31 - 1)])
    submit = SubmitField("Propose this mentor")


class BlockForm(FlaskForm):
    profile_id = IntegerField(validators=[InputRequired(), NumberRange(1, 2**31 - 1)])
    submit = SubmitField("Never propose this pair")


class AskChangeForm(FlaskForm):
    note = TextAreaField("What would you like to change? (a counselor will talk with you)",
                         validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Send to a counselor")

