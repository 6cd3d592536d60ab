"""The form a district admin keeps a single sign-on provider with."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from schoolpeers.forms_common import choices

KIND_CHOICES = choices([
    ("google", "Google Workspace"),
    ("microsoft", "Microsoft Entra ID (Microsoft 365)"),
    ("oidc", "Another OpenID Connect provider"),
])


class ProviderForm(FlaskForm):
    kind = RadioField("Provider", choices=KIND_CHOICES, default="google")
    label = StringField("Name on the sign-in button (e.g. Riverside Google accounts)",
                        validators=[DataRequired("Give the provider a name people will recognise."), Length(max=100)])
    tenant_id = StringField("Microsoft only: directory (tenant) id", validators=[Optional(), Length(max=36)])
    issuer = StringField("Other providers only: issuer address", validators=[Optional(), Length(max=300)])
    client_id = StringField("Client id", validators=[DataRequired("Enter the client id the provider gave you."),
                                                     Length(max=300)])
    client_secret = PasswordField("Client secret", validators=[Optional(), Length(max=500)])
    allowed_domains = TextAreaField("Email domains that sign in here, one per line",
                                    validators=[Length(max=5000)])
    roster_id_claim = StringField(
        "Claim holding the roster id (optional, e.g. employeeId)",
        validators=[Optional(), Length(max=100),
                    Regexp(r"^[A-Za-z0-9_.:-]+$", message="Use letters, digits, dots, dashes, colons, underscores.")])
    trust_provider_mfa = BooleanField("A multi-factor sign-in at the provider counts as our two-factor step")
    enabled = BooleanField("People may sign in with this provider", default=True)
    submit = SubmitField("Save")
