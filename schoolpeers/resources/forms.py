"""The form counselors write a resource with."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from schoolpeers.forms_common import IntegerField, MultiCheckboxField
from schoolpeers.resources.services import MAX_BODY


class ResourceForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give it a short title."), Length(max=120)])
    body = TextAreaField("What it says, in a few plain sentences",
                         validators=[DataRequired("Write a few plain sentences."), Length(max=MAX_BODY)])
    topics = MultiCheckboxField("Topics it suits (none: it suits every topic)", coerce=int)
    grade_min = IntegerField("From grade", validators=[Optional(), NumberRange(1, 13)])
    grade_max = IntegerField("To grade", validators=[Optional(), NumberRange(1, 13)])
    link = StringField("Link for more (optional)", validators=[Optional(), Length(max=500)])
    service_name = StringField("Local service (optional)", validators=[Optional(), Length(max=200)])
    service_contact = StringField("How to reach it", validators=[Optional(), Length(max=300)])
    source = StringField("Based on (the guidance it follows)", validators=[Optional(), Length(max=300)])
    review_on = DateField("Read it again by", validators=[DataRequired("Choose a date to review it.")])
    submit = SubmitField("Save")
