"""The meeting a mentor proposes, and how a person wants to be reminded."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from schoolpeers.forms_common import IntegerField, choices


class MeetingForm(FlaskForm):
    # Choices: the coming times both are free, filled in by the view (value: the UTC time, ISO 8601).
    starts_at = RadioField("When?", validators=[InputRequired("Choose one of the times.")])
    minutes = IntegerField("How long (minutes)?", default=30,
                           validators=[InputRequired(), NumberRange(10, 120, "Between 10 and 120 minutes.")])
    place = StringField("Where? (optional)", validators=[Optional(), Length(max=200)])
    submit = SubmitField("Send the invitation")


class ReminderForm(FlaskForm):
    channel = RadioField("Reminders", choices=choices([
        ("mail", "By mail, and on my home page"), ("none", "On my home page only")]),
        validators=[InputRequired("Choose one.")])
    submit = SubmitField("Save")
