"""The sign-in page's second way in: a school account's address, to find the district's provider."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class SchoolAccountForm(FlaskForm):
    email = EmailField("Your school email address", validators=[
        DataRequired("Type your school email address."), Length(max=254),
        Email("Type a whole email address, such as name@school.org.", check_deliverability=False)])
    submit = SubmitField("Sign in with your school account")
