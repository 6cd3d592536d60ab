"""Two-factor sign-in pages: the code after the password, enrolment, and changing it later."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from schoolpeers.accounts import approvals, services, sessions, throttles, totp, two_factor
from schoolpeers.accounts.access import get_user_or_404, role_required
from schoolpeers.accounts.approval_views import ask_and_tell
from schoolpeers.accounts.models import ADULT_ROLES, User
from schoolpeers.accounts.passwords import verify_password
from schoolpeers.accounts.setup_letters import qr_code_svg
from schoolpeers.accounts.two_factor_forms import CODE_HINT, CodeForm, ReauthForm
from schoolpeers.accounts.views import safe_next
from schoolpeers.extensions import limiter
from schoolpeers.forms_common import ConfirmForm
from schoolpeers.web import audit, change

bp = Blueprint("two_factor", __name__, template_folder="templates")

ISSUER = "schoolpeers"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
def code():
    if current_user.is_authenticated:  # already signed in: nothing to do here, and nothing to clear
        return redirect(url_for("home.index"))
    user = sessions.pending_user()
    if user is None:
        session.clear()
        flash("Please sign in again.", "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        factor, refusal, waiting = _checked_code(user, form.code.data)
        if factor is None:
            with change():
                audit("login.code_failure", actor=None, school_id=user.school_id, record_type="user",
                      record_id=user.id)
            form.code.errors.append(refusal)
            return render_template("accounts/two_factor_code.html", form=form, hint=CODE_HINT), 429 if waiting else 200
        next_url = safe_next(session.get("pending_next"))
        with change():
            sessions.start(user, second_factor_passed=True)
            audit("login.success", actor=user, record_type="user", record_id=user.id,
                  detail={"second_factor": factor})
        if factor == "recovery code":
            flash(f"You used a recovery code; {two_factor.unused_recovery_codes(user)} are left. "
                  "Make new ones on the Sign-in security page if you are running low.", "info")
        return redirect(next_url or url_for("home.index"))
    return render_template("accounts/two_factor_code.html", form=form, hint=CODE_HINT)


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
def setup():
    user = current_user._get_current_object()
    if two_factor.is_enrolled(user):
        if session.get("mfa_ok"):
            return redirect(url_for("two_factor.manage"))
        return redirect(url_for("accounts.login"))
    if user.role not in ADULT_ROLES:
        return redirect(url_for("home.index"))
    with change():
        secret = two_factor.pending_secret(user)
    form = CodeForm()
    if form.validate_on_submit():
        with change(services.AccountError, flash_refusal=False) as outcome:
            codes = two_factor.confirm_enrolment(user, form.code.data)
            audit("two_factor.enabled", record_type="user", record_id=user.id)
        if not outcome.refused:
            session["mfa_ok"] = True
            return render_template("accounts/two_factor_recovery_codes.html", codes=codes, first_time=True)
        form.code.errors.append(str(outcome.refusal))
    uri = totp.provisioning_uri(secret, user.username, ISSUER)
    return render_template("accounts/two_factor_setup.html", form=form, qr=qr_code_svg(uri),
                           secret=totp.grouped(secret), required=sessions.needs_two_factor(user))


@bp.get("/account/two-factor")
@role_required(*ADULT_ROLES)
def manage():
    user = current_user._get_current_object()
    return render_template("accounts/two_factor_manage.html", enrolled=two_factor.is_enrolled(user),
                           required=sessions.needs_two_factor(user), form=ReauthForm(),
                           unused=two_factor.unused_recovery_codes(user) if two_factor.is_enrolled(user) else 0)


def _checked_code(user: User, code: str, *, password: str | None = None) -> tuple[str | None, str, bool]:
    """(the factor passed, "", False) or (None, why not, whether a wait applies). Wrong codes (or,
    when given, a wrong password) count against the account's codes; past a few, each next try must
    wait longer."""
    keys = throttles.code_keys(user)
    throttles.hold(keys, throttles.password_keys(user, "", request.remote_addr))
    if wait := throttles.waits(keys)[throttles.CODE]:
        return None, f"Too many wrong codes. Wait {throttles.duration_text(wait)}, then try again.", True
    right_password = password is None or verify_password(user.password_hash, password)
    factor = two_factor.check_code(user, code) if right_password else None
    if factor is None:
        wait = throttles.record_failure(keys)
        later = f" Wait {throttles.duration_text(wait)} before the next try." if wait else ""
        return None, two_factor.WRONG_CODE + later, bool(wait)
    return factor, "", False


def _reauthenticated(form: ReauthForm, user: User) -> bool:
    """Password and a current code again, so a borrowed unlocked screen cannot change sign-in."""
    if not form.validate_on_submit():
        return False
    with change():  # a failure counted, or a code spent, holds whatever the caller does next
        factor, refusal, waiting = _checked_code(user, form.code.data, password=form.password.data)
    if factor is None:
        form.password.errors.append(refusal if waiting else "The password or the code is not right.")
        return False
    return True


def _refusal_unless_reauthenticated(user: User):
    """None when the password and a current code were given again; otherwise the page to answer with."""
    if not two_factor.is_enrolled(user):
        return redirect(url_for("two_factor.setup"))
    form = ReauthForm()
    if _reauthenticated(form, user):
        return None
    return render_template("accounts/two_factor_manage.html", enrolled=True, form=form,
                           required=sessions.needs_two_factor(user),
                           unused=two_factor.unused_recovery_codes(user)), 400


@bp.post("/account/two-factor/recovery-codes")
@role_required(*ADULT_ROLES)
def new_recovery_codes():
    user = current_user._get_current_object()
    if refusal := _refusal_unless_reauthenticated(user):
        return refusal
    with change():
        codes = two_factor.replace_recovery_codes(user)
        audit("two_factor.recovery_codes", record_type="user", record_id=user.id)
    return render_template("accounts/two_factor_recovery_codes.html", codes=codes, first_time=False)


@bp.post("/account/two-factor/off")
@role_required(*ADULT_ROLES)
def turn_off():
    """Off for a role that may choose; for a role that must use it, this starts over with a new phone."""
    user = current_user._get_current_object()
    if refusal := _refusal_unless_reauthenticated(user):
        return refusal
    with change():
        two_factor.turn_off(user)  # ends every other session of this user
        audit("two_factor.disabled", record_type="user", record_id=user.id)
        sessions.start(user, second_factor_passed=False)  # this one goes on, on the new session version
    if sessions.needs_two_factor(user):
        flash("Two-factor sign-in was reset. Set it up on your new phone now.", "info")
        return redirect(url_for("two_factor.setup"))
    flash("Two-factor sign-in is off.", "info")
    return redirect(url_for("two_factor.manage"))


@bp.post("/admin/users/<int:user_id>/two-factor/reset")
@role_required("admin")
def admin_reset(user_id: int):
    """For someone who lost their phone and their recovery codes: they set it up again at next sign-in.
    A counselor's or admin's waits for a counselor's approval (accounts/approvals.py)."""
    user = get_user_or_404(user_id)
    if ConfirmForm().validate_on_submit() and two_factor.is_enrolled(user):
        if approvals.needed("reset_two_factor", user):
            ask_and_tell("reset_two_factor", user)
            return redirect(url_for("admin.user_detail", user_id=user.id))
        with change() as outcome:
            two_factor.turn_off(user)
            audit("two_factor.reset_by_admin", record_type="user", record_id=user.id)
            outcome.success = (f"Two-factor sign-in was reset for {user.display_name}; "
                               "they set it up again when they next sign in.")
    return redirect(url_for("admin.user_detail", user_id=user.id))
