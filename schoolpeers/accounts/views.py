"""Sign-in, sign-out, setup links and each role's home page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from schoolpeers.accounts import access, services, sessions, sso, throttles, two_factor
from schoolpeers.accounts.forms import ChoosePasswordForm, LoginForm, SetupCodeForm
from schoolpeers.accounts.setup_links import SetupLinkError
from schoolpeers.accounts.sso_forms import SchoolAccountForm
from schoolpeers.extensions import limiter
from schoolpeers.web import audit, change

bp = Blueprint("accounts", __name__, template_folder="templates")
bp.before_app_request(sessions.enforce)
bp.before_app_request(access.keep_office_people_in_office)
bp.before_app_request(access.keep_archived_schools_read_only)

SIGN_IN_FAILED = "That username or email and password do not match an active account."


def safe_next(target: str | None) -> str | None:
    """Only local paths: an open redirect would let a phishing link borrow our name."""
    if not target:
        return None
    parts = urlsplit(target)
    unsafe = "\\" in target or any(ord(c) < 32 for c in target)  # browsers read /\x as //x
    if unsafe or parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def failed_sign_in(response) -> bool:
    """Only failures count against the limits: a sign-in that works redirects."""
    return response.status_code != 302


def wait_message(seconds: int) -> str:
    return (f"Too many failed sign-ins for this account. Wait {throttles.duration_text(seconds)}, "
            "then try again.")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=failed_sign_in)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = services.authenticate(form.login.data, form.password.data, request.remote_addr)
        user = attempt.user
        if user is None:
            tried = services.find_user_for_login(form.login.data)
            with change():  # the failure counted by authenticate, and its record
                audit("login.failure", actor=None, school_id=tried.school_id if tried else None,
                      record_type="user" if tried else None, record_id=tried.id if tried else None,
                      detail={"login": form.login.data[:100], "wait_seconds": attempt.wait_seconds})
            flash(wait_message(attempt.wait_seconds) if attempt.wait_seconds else SIGN_IN_FAILED, "error")
            return render_template("accounts/login.html", form=form, school_form=SchoolAccountForm(formdata=None)), \
                429 if attempt.wait_seconds else 200
        if attempt.passwords_off:  # told only once the password was right
            with change():
                audit("login.password_off", actor=None, school_id=user.school_id, record_type="user",
                      record_id=user.id)
            form.password.errors.append(sso.PASSWORDS_OFF)
            return render_template("accounts/login.html", form=form, school_form=SchoolAccountForm(formdata=None))
        next_url = safe_next(request.args.get("next"))
        if two_factor.is_enrolled(user):
            with change():  # counters held by authenticate are released
                sessions.begin_code_step(user, next_url)
            return redirect(url_for("two_factor.code"))
        with change():
            sessions.start(user, second_factor_passed=False)
            audit("login.success", actor=user, record_type="user", record_id=user.id)
        return redirect(next_url or url_for("home.index"))
    return render_template("accounts/login.html", form=form, school_form=SchoolAccountForm(formdata=None))


@bp.post("/logout")
@login_required
def logout():
    with change():
        audit("logout", record_type="user", record_id=current_user.id)
        current_user.session_version += 1  # a copied session cookie stops working too
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/setup/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=failed_sign_in)
def setup_code():
    """A setup letter's short code, typed by a student who cannot scan or type the link."""
    form = SetupCodeForm()
    if form.validate_on_submit():
        try:
            token = services.setup_token_for_code(form.code.data, current_app.config["SECRET_KEY"])
        except SetupLinkError as exc:
            form.code.errors.append(str(exc))
        else:
            return redirect(url_for("accounts.setup", token=token))
    return render_template("accounts/setup_code.html", form=form)


@bp.route("/setup/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def setup(token: str):
    secret = current_app.config["SECRET_KEY"]
    try:
        user = services.user_for_setup_token(token, secret, current_app.config["SETUP_LINK_MAX_AGE"])
    except SetupLinkError as exc:
        return render_template("accounts/setup_invalid.html", reason=str(exc)), 400
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        with change(services.AccountError, flash_refusal=False) as outcome:
            services.complete_setup(user, form.password.data)
            audit("account.setup", actor=user, record_type="user", record_id=user.id)
        if outcome.refused:
            form.password.errors.append(str(outcome.refusal))
        else:  # the message comes after the session is cleared, or it would be cleared with it
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Your password is saved. Sign in with your username and new password.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/setup.html", form=form, user=user)
