"""The form counselors write a session plan with."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from schoolpeers.forms_common import IntegerField, catalogue_choices, choices

ANY_CIRCLE = 0  # the topic choice of a plan that suits every circle


class PlanForm(FlaskForm):
    # The service says what is missing or too long, next to the field: the form only carries the answers.
    title = StringField("Title")
    topic_id = SelectField("For circles about", coerce=int, default=ANY_CIRCLE)
    minutes = IntegerField("How long (minutes)", validators=[Optional()])
    opening_round = TextAreaField("Opening check-in round")
    activity = TextAreaField("Activity on the topic")
    coping_skill = TextAreaField("Coping skill to practise")
    closing_round = TextAreaField("Closing round")
    source = StringField("Based on (the guidance it follows, optional)")
    submit = SubmitField("Save")

    def set_topics(self, topics) -> None:
        self.topic_id.choices = choices([(ANY_CIRCLE, "Any circle")]) + catalogue_choices(topics)
