"""The form a counselor records a debrief with a circle's leaders in: themes and people are chosen
from lists, so that nothing about a member can be written."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from schoolpeers.forms_common import IntegerField, MultiCheckboxField, choices
from schoolpeers.programme.models import SUPERVISION_THEMES
from schoolpeers.programme.supervision import MAX_MINUTES, MIN_MINUTES


class DebriefForm(FlaskForm):
    held_on = DateField("Held on", validators=[InputRequired("Choose the day the debrief was held.")])
    minutes = IntegerField("How long (minutes)", validators=[
        InputRequired("Say how long it lasted, in minutes."),
        NumberRange(MIN_MINUTES, MAX_MINUTES, message=f"From {MIN_MINUTES} to {MAX_MINUTES} minutes.")])
    themes = MultiCheckboxField("What it was about", choices=choices(SUPERVISION_THEMES.items()))
    attendees = MultiCheckboxField("Leaders who came", coerce=int)  # named as supervision's refusals name it
    submit = SubmitField("Record the debrief")
