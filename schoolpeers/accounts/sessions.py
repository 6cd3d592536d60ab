"""What a signed-in session carries, and when it ends.

Besides Flask-Login's user id (which holds the user's session version), the signed cookie keeps:
`auth_at`, when the person signed in (the absolute lifetime counts from it); `seen_at`, their
last request (the inactivity timeout); `mfa_ok`, whether the second factor was passed, or was
not needed. A session without these is not one we made, and ends.
"""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from schoolpeers.accounts import throttles
from schoolpeers.accounts.models import User

# Pages that a person who still has to set up two-factor sign-in may open.
SETUP_ENDPOINTS = frozenset({"two_factor.setup", "accounts.logout", "static"})
PENDING_SECONDS = 300  # the code must follow the password within five minutes
SEEN_RESOLUTION = 60  # seconds: refresh `seen_at` (and the cookie) at most once a minute
# Answered without the session or the person: a stylesheet or the load balancer's check needs
# neither, and looking the person up would cost each of them a database round trip.
SESSIONLESS_ENDPOINTS = frozenset({"static", "health.healthz"})


def start(user: User, *, second_factor_passed: bool) -> None:
    """Sign in on a fresh session. A role that needs two factors and has none must set one up first.
    The failures counted against the account, its codes and this address start again."""
    session.clear()  # nothing from before sign-in carries over
    throttles.forget(throttles.password_keys(user, "", request.remote_addr), throttles.code_keys(user))
    login_user(user)
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now
    session["mfa_ok"] = second_factor_passed or not needs_two_factor(user)


def begin_code_step(user: User, next_url: str | None) -> None:
    """The password was right and a code must follow: remember who, until then, without signing in."""
    session.clear()
    session["pending_user"] = user.get_id()
    session["pending_at"] = int(time.time())
    session["pending_next"] = next_url


def pending_user() -> User | None:
    from schoolpeers.accounts.access import load_user

    started = session.get("pending_at")
    if not isinstance(started, int) or time.time() - started > PENDING_SECONDS:
        return None
    return load_user(str(session.get("pending_user", "")))


def needs_two_factor(user: User) -> bool:
    """The installation's roles (SCHOOLPEERS_TWO_FACTOR_ROLES), and every adult where the school or its
    district asks it (a school may require more than its district, never less)."""
    if user.role in current_app.config["TWO_FACTOR_ROLES"]:
        return True
    school = user.school
    return user.is_adult and (school.two_factor_all_adults
                              or (school.district is not None and school.district.two_factor_all_adults))


def idle_limit_seconds(user: User) -> int:
    minutes = current_app.config["IDLE_MINUTES_ADULT" if user.is_adult else "IDLE_MINUTES_STUDENT"]
    return minutes * 60


def end_reason(user: User, now: int) -> str | None:
    auth_at, seen_at = session.get("auth_at"), session.get("seen_at")
    if not isinstance(auth_at, int) or not isinstance(seen_at, int):
        return "Please sign in again."
    if now - auth_at > current_app.permanent_session_lifetime.total_seconds():
        return "You were signed out because your session reached its time limit. Please sign in again."
    if now - seen_at > idle_limit_seconds(user):
        minutes = idle_limit_seconds(user) // 60
        return f"You were signed out after {minutes} minutes without activity. Please sign in again."
    return None


def enforce():
    """Before every request: end stale sessions, and hold back anyone who must set up two factors."""
    if request.endpoint in SESSIONLESS_ENDPOINTS or not current_user.is_authenticated:
        return None
    from schoolpeers.errors import render_error, wants_json

    now = int(time.time())
    reason = end_reason(current_user, now)
    if reason:
        logout_user()
        session.clear()
        if wants_json():
            return render_error(401, reason)
        flash(reason, "info")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.login", next=target))
    if now - session["seen_at"] >= SEEN_RESOLUTION:
        session["seen_at"] = now
    if not session.get("mfa_ok") and request.endpoint not in SETUP_ENDPOINTS:
        if wants_json():
            return render_error(403, "Set up two-factor sign-in first.")
        return redirect(url_for("two_factor.setup"))
    return None
