"""Forms for concerns."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from schoolpeers.forms_common import choices
from schoolpeers.oversight.models import OUTCOMES


class NoteForm(FlaskForm):
    note = TextAreaField("Add a note", validators=[DataRequired("Write the note first."), Length(max=4000)])
    submit = SubmitField("Add note")


class ResolveForm(FlaskForm):
    outcome = SelectField("Outcome", choices=choices(OUTCOMES.items()), validators=[InputRequired()])
    note = TextAreaField("What was done", validators=[DataRequired("Say what was done."), Length(max=4000)])
    submit = SubmitField("Resolve")


class RaiseForm(FlaskForm):
    severity = SelectField("Severity", choices=choices([("high", "High"), ("medium", "Medium"), ("low", "Low")]),
                           validators=[InputRequired()])
    summary = TextAreaField("What is the concern?", validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField("Raise concern")
