"""The erasure form: a reason for the record, and the username typed again to confirm."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from schoolpeers.privacy.erasure import MAX_REASON


class EraseForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the erasure", validators=[DataRequired("Give the reason for the erasure."),
                                              Length(max=MAX_REASON)])
    confirm_username = StringField("Type the student's username to confirm",
                                   validators=[DataRequired("Type the username to confirm."), Length(max=100)])
    submit = SubmitField("Erase personal data")

    def confirms(self, username: str) -> bool:
        if (self.confirm_username.data or "").strip().lower() == username:
            return True
        self.confirm_username.errors.append("That is not this student's username.")
        return False
