"""The forms counselors record and correct a supervision session with: themes and people are
chosen from lists, so that nothing about a mentee can be written."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from schoolpeers.forms_common import IntegerField, MultiCheckboxField, choices
from schoolpeers.programme.models import SUPERVISION_KINDS, SUPERVISION_THEMES
from schoolpeers.programme.supervision import MAX_MINUTES, MIN_MINUTES


class SessionCorrectionForm(FlaskForm):
    themes = MultiCheckboxField("What it was about", choices=choices(SUPERVISION_THEMES.items()))
    attendees = MultiCheckboxField("Mentors who came", coerce=int)
    submit = SubmitField("Save")


class SessionForm(SessionCorrectionForm):
    held_on = DateField("Held on", validators=[InputRequired("Choose the day the session was held.")])
    kind = RadioField("Kind of session", choices=choices(SUPERVISION_KINDS.items()),
                      validators=[InputRequired("Choose group or one-to-one.")])
    minutes = IntegerField("How long (minutes)", validators=[
        InputRequired("Say how long it lasted, in minutes."),
        NumberRange(MIN_MINUTES, MAX_MINUTES, message=f"From {MIN_MINUTES} to {MAX_MINUTES} minutes.")])
    submit = SubmitField("Record the session")
