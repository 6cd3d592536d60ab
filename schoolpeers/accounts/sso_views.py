"""Sign-in with a district's OpenID Connect provider: find it by address, go there, come back.

Every refusal is shown on the sign-in page; one that belongs to a provider is audited under its
district's office."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from schoolpeers.accounts import sessions, sso, two_factor
from schoolpeers.accounts.forms import LoginForm
from schoolpeers.accounts.sso_forms import SchoolAccountForm
from schoolpeers.accounts.sso_models import SignInProvider
from schoolpeers.accounts.views import failed_sign_in, safe_next
from schoolpeers.extensions import db, limiter
from schoolpeers.web import absolute_url, audit, change

bp = Blueprint("sso", __name__, url_prefix="/sign-in")

NO_PROVIDER = ("There is no school-account sign-in for addresses at {domain}. Sign in with your username "
               "and password instead.")


def sign_in_limit():
    return limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], deduct_when=failed_sign_in)


def sign_in_page(school_form: SchoolAccountForm | None = None, status: int = 200):
    return render_template("accounts/login.html", form=LoginForm(formdata=None),
                           school_form=school_form or SchoolAccountForm(formdata=None)), status


def refused(provider: SignInProvider | None, refusal: sso.SsoRefusal, status: int = 200):
    """The refusal on the sign-in page, audited when a provider is known (a stray or forged return
    with no sign-in under way is only answered)."""
    if provider is not None:
        office = sso.office_of(provider.district_id)
        with change():
            audit("login.sso_failure", actor=None, school_id=office.id if office else None,
                  record_type="sign_in_provider", record_id=provider.id, detail={"reason": refusal.reason})
    flash(str(refusal), "error")
    return sign_in_page(status=status)


@bp.route("/school-account", methods=["POST"])
@sign_in_limit()
def find():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SchoolAccountForm()
    if not form.validate_on_submit():
        return sign_in_page(form)
    email = form.email.data.strip().lower()
    provider = sso.provider_for_address(email)
    if provider is None:
        form.email.errors.append(NO_PROVIDER.format(domain=email.rpartition("@")[2]))
        return sign_in_page(form)
    return redirect(url_for("sso.start", provider_id=provider.id, hint=email,
                            next=safe_next(request.args.get("next"))))


@bp.route("/provider/<int:provider_id>")
@sign_in_limit()
def start(provider_id: int):
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    provider = db.session.get(SignInProvider, provider_id) if 0 < provider_id <= 2**31 - 1 else None
    if provider is None:
        return refused(None, sso.SsoRefusal(sso.PROVIDER_OFF, "unknown_provider"), 404)
    hint = request.args.get("hint", "")
    hint = hint if 3 <= len(hint) <= 254 and hint.count("@") == 1 and hint.isprintable() else None
    try:
        url, pending = sso.authorization_request(provider, absolute_url("sso.callback"), login_hint=hint)
    except sso.SsoRefusal as refusal:
        return refused(provider, refusal)
    session["sso"] = pending | {"next": safe_next(request.args.get("next"))}
    return redirect(url)


@bp.route("/callback")
@sign_in_limit()
def callback():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    pending = session.pop("sso", None)  # one use, whatever happens next
    provider = sso.provider_of(pending)
    with change(sso.SsoRefusal, flash_refusal=False) as outcome:
        sso.check_return(provider, pending, request.args.get("state"))
        signed_in = sso.complete_sign_in(provider, pending, request.args, absolute_url("sso.callback"))
        user, next_url = signed_in.user, safe_next(pending.get("next"))
        detail = {"provider": provider.id, "matched_by": signed_in.matched_by}
        if signed_in.second_factor_passed:
            sessions.start(user, second_factor_passed=True)
            audit("login.success", actor=user, record_type="user", record_id=user.id,
                  detail=detail | {"second_factor": "provider"})
        elif two_factor.is_enrolled(user):  # the same code step as after a password
            sessions.begin_code_step(user, next_url)
            next_url = url_for("two_factor.code")
        else:  # someone who needs two factors is sent to set them up
            sessions.start(user, second_factor_passed=False)
            audit("login.success", actor=user, record_type="user", record_id=user.id, detail=detail)
    if outcome.refused:
        return refused(provider, outcome.refusal)
    return redirect(next_url or url_for("home.index"))
