"""Forms for mentor applications, training and profile decisions."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from schoolpeers.forms_common import MultiCheckboxField, choices
from schoolpeers.mentors.models import AVAILABILITY_SLOTS
from schoolpeers.mentors.services import MAX_CAPACITY


class MentorApplicationForm(FlaskForm):
    bio = TextAreaField("A few words about you for your future mentee",
                        validators=[DataRequired(), Length(max=500)])
    motivation = TextAreaField("Why would you like to be a peer mentor? (only counselors see this)",
                               validators=[DataRequired(), Length(max=1000)])
    capacity = IntegerField("How many mentees could you support at once?", default=2,
                            validators=[InputRequired(), NumberRange(1, MAX_CAPACITY)])
    topics = MultiCheckboxField("Things you would be happy to help with", coerce=int)
    availability = MultiCheckboxField("When you could meet", choices=choices(AVAILABILITY_SLOTS.items()))
    submit = SubmitField("Send my application")


class TrainingForm(FlaskForm):
    modules = MultiCheckboxField("Completed modules", coerce=int)
    completed_on = DateField("Completed on", validators=[DataRequired()])
    submit = SubmitField("Record training")


class CertifyForm(FlaskForm):
    valid_until = DateField("Valid until (empty: end of this school year)", validators=[Optional()])
    submit = SubmitField("Certify")


class DecisionForm(FlaskForm):
    decision = SelectField("Decision", choices=choices([("accept", "Accept"), ("decline", "Decline")]),
                           validators=[InputRequired()])
    submit = SubmitField("Save decision")
