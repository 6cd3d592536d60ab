"""Forms for concerns."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from schoolpeers.forms_common import choices
from schoolpeers.oversight import screening
from schoolpeers.oversight.models import MISSED_SEVERITIES, OUTCOMES
from schoolpeers.severity import MOST_URGENT_FIRST

SCREENING_VERDICTS = [
    ("", "Don't mark it now"),
    ("right", "Right: what it found matters, or it rightly found nothing"),
    ("not_a_concern", "Not a concern: what it found is no worry"),
    ("missed", "Missed: it should have found something (say what below)"),
]


class NoteForm(FlaskForm):
    note = TextAreaField("Add a note", validators=[DataRequired("Write the note first."), Length(max=4000)])
    submit = SubmitField("Add note")


class ResolveForm(FlaskForm):
    outcome = SelectField("Outcome", choices=choices(OUTCOMES.items()), validators=[InputRequired()])
    note = TextAreaField("What was done", validators=[DataRequired("Say what was done."), Length(max=4000)])
    # Optional; checked together (and against the notes) by `check_screening`, whose messages are
    # clearer than "Not a valid choice".
    screening_verdict = RadioField("How did screening do on these notes?", choices=choices(SCREENING_VERDICTS),
                                   default="", validate_choice=False)
    screening_severity = SelectField(
        "Missed: it should have said",
        choices=choices([("", "—"), *((severity, severity.capitalize()) for severity in MISSED_SEVERITIES)]),
        validate_choice=False)
    screening_category = SelectField(
        "Missed: the kind of risk", choices=choices([("", "—"), *((value, label.capitalize())
                                                                  for value, label in screening.CATEGORIES.items())]),
        validate_choice=False)
    submit = SubmitField("Resolve")

    def screening_answers(self) -> tuple[str, str, str]:
        """Verdict, severity and category as given ("" for none)."""
        return tuple(str(field.data or "").strip() for field in (
            self.screening_verdict, self.screening_severity, self.screening_category))

    def check_screening(self, notes: str | None) -> bool:
        """Put what is wrong with the screening answers next to their fields; True when nothing is."""
        problems = screening.mark_problems(notes, *self.screening_answers())
        for name, message in problems.items():
            field = getattr(self, f"screening_{name}")
            field.errors = [*field.errors, message]
        return not problems


class RaiseForm(FlaskForm):
    severity = SelectField("Severity", choices=choices((s.value, s.label) for s in MOST_URGENT_FIRST),
                           validators=[InputRequired()])
    summary = TextAreaField("What is the concern?", validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField("Raise concern")
