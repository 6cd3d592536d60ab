"""Access in two layers: a role decorator on views, and school-scoped loaders for records.

A record of another school is answered with 404, exactly like a record that does not exist,
so that ids reveal nothing across schools.
"""
from __future__ import annotations

from functools import wraps
from typing import TypeVar

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import DISTRICT_ROLES, User
from schoolpeers.extensions import db, login_manager

T = TypeVar("T")
MAX_ID = 2**31 - 1
# Built once: every signed-in request runs it, and rebuilding it (with its loader option) each time
# cost a fifth of loading the person. The school comes in the same statement: nearly every page
# needs its timezone or settings.
USER_WITH_SCHOOL = select(User).options(joinedload(User.school)).where(
    User.school_id == bindparam("school_id"), User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The person of a session id "school:id:version" (`User.get_id()`). Anything else, such as
    the "id:version" of sessions begun before the school was part of it, is signed out."""
    parts = session_id.split(":")
    if len(parts) != 3 or not all(part.isascii() and part.isdecimal() for part in parts):
        return None
    school_id, user_id, version = map(int, parts)
    if max(school_id, user_id) > MAX_ID:
        return None  # cannot exist, and the database would refuse to compare it
    user = db.session.execute(USER_WITH_SCHOOL, {"school_id": school_id, "user_id": user_id}).unique() \
        .scalar_one_or_none()
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@login_manager.unauthorized_handler
def sign_in_first():
    """Pages send anonymous visitors to sign in; JSON clients get a 401 with a reason."""
    from schoolpeers.errors import render_error, wants_json

    if wants_json():
        return render_error(401, "Sign in first.")
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))


def role_required(*roles: str):
    """Signed in, and with one of these roles; anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def in_school_by_id(model: type[T], *options) -> Select:
    """The statement that loads one record of a school by its id, with what `options` (loader options)
    bring in the same statement. For a page opened often, build it once and give it to
    `one_in_school_or_404`: building it and its cache key cost about a quarter of a millisecond."""
    return select(model).options(*options).where(model.id == bindparam("record_id"),
                                                 model.school_id == bindparam("school_id"))


_BY_ID: dict[type, Select] = {}  # built once per model, for lookups without loader options


def get_in_school_or_404(model: type[T], record_id: int, *options) -> T:
    """The record with this id in the current user's school, or 404. `options` (loader options)
    bring what the page shows in the same statement."""
    if options:
        return one_in_school_or_404(in_school_by_id(model, *options), record_id)
    if model not in _BY_ID:
        _BY_ID[model] = in_school_by_id(model)
    return one_in_school_or_404(_BY_ID[model], record_id)


def one_in_school_or_404(statement: Select, record_id: int):
    """The record `statement` (from `in_school_by_id`) finds by this id in the current user's school, or 404."""
    if not 0 < record_id <= MAX_ID:
        abort(404)  # out of the integer range of the database: cannot exist
    record = db.session.scalar(statement, {"record_id": record_id, "school_id": current_user.school_id})
    if record is None:
        abort(404)
    return record


def get_user_or_404(user_id: int) -> User:
    return get_in_school_or_404(User, user_id)


# What a district's office people may open: the district's pages, their own account, and sign-in.
OFFICE_BLUEPRINTS = frozenset({"districts", "district_schools", "district_roster", "district_reports",
                               "district_sign_in", "accounts", "two_factor", "home", "health", "sso"})


def keep_office_people_in_office():
    """Before every request: a district admin or analyst reaches no page of a school (a school's
    pages load records of the person's own school, and an office has no students, but no page of a
    school is theirs to open at all)."""
    from schoolpeers.accounts.sessions import SESSIONLESS_ENDPOINTS

    if request.endpoint in SESSIONLESS_ENDPOINTS or request.endpoint is None:
        return None  # answered without looking the person up
    if not current_user.is_authenticated or current_user.role not in DISTRICT_ROLES:
        return None
    if request.blueprint in OFFICE_BLUEPRINTS:
        return None
    abort(403)


ARCHIVED_MESSAGE = ("This school is archived: its records can be read, and nothing can be changed. "
                    "Ask your district office if this is a mistake.")
# What an archived school's people may still send: signing in and out (a required second factor
# included, or they could not read either).
SIGN_IN_ENDPOINTS = frozenset({"accounts.login", "accounts.logout", "accounts.setup", "accounts.setup_code",
                               "two_factor.code", "two_factor.setup"})


def keep_archived_schools_read_only():
    """Before every request: a person of an archived school reads, and changes nothing."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not current_user.is_authenticated:
        return None
    if not current_user.school.is_archived or request.endpoint in SIGN_IN_ENDPOINTS or request.blueprint == "sso":
        return None
    from schoolpeers.errors import render_error

    return render_error(403, ARCHIVED_MESSAGE)
