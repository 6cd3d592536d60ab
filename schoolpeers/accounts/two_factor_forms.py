"""Forms of two-factor sign-in."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

CODE_HINT = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(message="Type the code."), Length(max=40)])
    submit = SubmitField("Continue")


class ReauthForm(FlaskForm):
    """Changing two-factor sign-in asks for the password and a current code again."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=256)])
    code = StringField("Code", validators=[DataRequired(message="Type the code."), Length(max=40)])
    submit = SubmitField("Confirm")
