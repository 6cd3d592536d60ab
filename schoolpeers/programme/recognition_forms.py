"""The forms of a mentor's certificate: the period whose hours are shown, and issuing it."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from schoolpeers.programme.certificates import MAX_CITATION


class PeriodForm(FlaskForm):
    """Read from the address (a GET form): which period's hours to show."""

    class Meta:
        csrf = False

    period_from = DateField("From", validators=[Optional()])
    period_to = DateField("To", validators=[Optional()])


class CertificateForm(FlaskForm):
    """Issues a certificate for the period shown above it."""

    period_from = DateField(widget=HiddenInput(), validators=[InputRequired("Choose the first day of the period.")])
    period_to = DateField(widget=HiddenInput(), validators=[InputRequired("Choose the last day of the period.")])
    citation = StringField("A line of thanks on the certificate (optional)",
                           validators=[Optional(), Length(max=MAX_CITATION)])
    submit = SubmitField("Issue the certificate")
