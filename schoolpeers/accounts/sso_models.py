"""Single sign-on of a district: the OpenID Connect providers it trusts, and which account each
provider's subject has signed in to (see `sso`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schoolpeers.accounts.models import District
from schoolpeers.extensions import db, same_school, sql_in
from schoolpeers.timeutil import utcnow

PROVIDER_KINDS = ("google", "microsoft", "oidc")


class SignInProvider(db.Model):
    """An OpenID Connect provider a district's people may sign in with (Google Workspace, Microsoft
    Entra ID or another), for addresses of its allowed domains."""

    __tablename__ = "sign_in_providers"
    __table_args__ = (
        UniqueConstraint("district_id", "issuer", name="uq_sign_in_providers_district_issuer"),
        CheckConstraint(f"kind IN {sql_in(PROVIDER_KINDS)}", name="sign_in_provider_kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100))  # the button: "Sign in with ..."
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(300))
    client_secret_sealed: Mapped[str] = mapped_column(String(1000))  # secret_box, never shown back
    allowed_domains: Mapped[list[str]] = mapped_column(JSON, default=list)  # lower case, without "@"
    # The claim that carries a person's roster id (Entra's employeeId, say); none: email only.
    roster_id_claim: Mapped[str | None] = mapped_column(String(100))
    # Whether a multi-factor sign-in the provider asserts (amr "mfa") stands for our second factor.
    trust_provider_mfa: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    district: Mapped[District] = relationship()


class SsoIdentity(db.Model):
    """A provider's subject bound to one account on its first sign-in; later sign-ins follow the
    subject, so a changed address at the provider cannot move the account to someone else."""

    __tablename__ = "sso_identities"
    __table_args__ = (
        UniqueConstraint("provider_id", "subject", name="uq_sso_identities_provider_subject"),
        UniqueConstraint("provider_id", "user_id", name="uq_sso_identities_provider_user"),
        same_school("user_id", "fk_sso_identities_user_same_school", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("sign_in_providers.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
