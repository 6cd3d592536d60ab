"""Forms of the circles pages: a circle, its leaders, invitations, a counselor's decision on a place, and
a student's answer to an invitation. The services say what is missing or wrong, next to the field:
the forms only carry the answers."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from schoolpeers.forms_common import IntegerField, MultiCheckboxField, catalogue_choices, choices

NONE_CHOSEN = 0  # the placeholder of a list: the service refuses it with words that say what to choose
DECISIONS = {"accept": "Accept", "decline": "Decline", "remove": "Take out of the circle"}


class CircleForm(FlaskForm):
    name = StringField("Name")
    topic_id = SelectField("Topic", coerce=int, default=NONE_CHOSEN)
    about = TextAreaField("About the circle, for students (optional)")
    grade_min = IntegerField("From grade", validators=[Optional()])
    grade_max = IntegerField("To grade", validators=[Optional()])
    capacity = IntegerField("How many members", validators=[Optional()])
    counselor_id = SelectField("Supervising counselor", coerce=int, default=NONE_CHOSEN)
    submit = SubmitField("Save")

    def set_choices(self, topics, counselors) -> None:
        self.topic_id.choices = choices([(NONE_CHOSEN, "Choose a topic")]) + catalogue_choices(topics)
        self.counselor_id.choices = choices([(NONE_CHOSEN, "Choose a counselor")]) + choices(
            (c.id, c.display_name) for c in counselors)


class LeadersForm(FlaskForm):
    leaders = MultiCheckboxField("Peer leaders", coerce=int)
    submit = SubmitField("Save the leaders")


class InviteForm(FlaskForm):
    # A list that can be long (every student of the grades): a multi-select keeps the page short.
    students = SelectMultipleField("Students to invite", coerce=int, render_kw={"size": 8})
    submit = SubmitField("Invite")


class DecideForm(FlaskForm):
    # Sent by one of the buttons beside a place.
    action = SelectField(choices=choices(DECISIONS.items()), validators=[InputRequired()])


class AnswerForm(FlaskForm):
    # Sent by the "Yes, I'd like to join" or "No thanks" button.
    answer = RadioField(choices=choices([("yes", "Yes"), ("no", "No thanks")]), validators=[InputRequired()])
