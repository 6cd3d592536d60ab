"""Small helpers shared by views: the audit call with who and where filled in, paging, and the one way
to commit a request's change (`change`)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, flash, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from schoolpeers.audit import record_event
from schoolpeers.extensions import db
from schoolpeers.timeutil import in_zone, today_in

_SIGNED_IN_USER = object()
T = TypeVar("T")


def audit(action: str, *, record_type: str | None = None, record_id: int | None = None,
          detail: dict | None = None, actor=_SIGNED_IN_USER, school_id: int | None = None) -> None:
    """Record an audit event from a view. `actor=None` records an anonymous attempt."""
    if actor is _SIGNED_IN_USER:
        actor = current_user if current_user.is_authenticated else None
    record_event(
        action,
        school_id=school_id if school_id is not None else getattr(actor, "school_id", None),
        actor_id=getattr(actor, "id", None),
        record_type=record_type,
        record_id=record_id,
        ip=request.remote_addr,
        detail=detail,
    )


def once_per_request(key: str, make: Callable[[], T]) -> T:
    """`make()` once per request, kept in the request's environ (not `g`: an app context held open
    around several requests, as in tests, would carry it from one request to the next)."""
    environ = request.environ
    key = "schoolpeers." + key
    if key not in environ:
        environ[key] = make()
    return environ[key]


def school_today():
    """Today at the signed-in user's school, once per request: a list asks it on every row."""
    return once_per_request("school_today", lambda: today_in(current_user.school.timezone))


def school_time(value, fmt: str = "%d %B %Y %H:%M %Z") -> str:
    """Template filter: a stored time as the signed-in user's school reads it (UTC for anyone signed
    out). Put %Z in the format where the hour is shown, so the zone is named."""
    if value is None:
        return ""
    school = current_user.school if current_user.is_authenticated else None
    return in_zone(value, school.timezone if school else "UTC").strftime(fmt)


def days_since(value) -> int:
    """Whole days from a stored time to today, both at the signed-in user's school."""
    return (school_today() - in_zone(value, current_user.school.timezone).date()).days


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun agreeing with n: "pair" for 1, "pairs" otherwise (where the number is shown apart)."""
    return singular if n == 1 else plural or singular + "s"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """"1 pair", "3 pairs", "0 students": the number with its noun agreeing."""
    return f"{n} {noun(n, singular, plural)}"


def csrf_field() -> Markup:
    """The form's CSRF token as a hidden field: what `form.hidden_tag()` writes for a form without
    hidden fields of its own, once per page's token instead of a field rendering per form (a list
    with a form on each row paid for one each), and without a repeated id. Made once per request: a
    list with two forms a row asked for it dozens of times."""
    return once_per_request("csrf_field", lambda: Markup('<input type="hidden" name="{}" value="{}">').format(
        current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), generate_csrf()))


def absolute_url(endpoint: str, **values) -> str:
    """A link to send outside the app (a setup link, a letter), built on SCHOOLPEERS_BASE_URL: never
    on the Host header of the request, which anyone can set to their own site."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def page_arg(name: str = "page") -> int:
    """The page number asked for in query argument `name`, within sane bounds."""
    page = request.args.get(name, 1, type=int) or 1
    return min(max(page, 1), 100_000)


def show_refusal(form, refusal) -> None:
    """A service's refusal next to the field it names, or flashed when the page has no such field to
    show it by (a hidden one, or none)."""
    target = getattr(form, refusal.field, None)
    if target is None or target.type == "HiddenField":
        flash(str(refusal), "error")
    else:
        target.errors.append(str(refusal))


@dataclass
class Outcome:
    """What a `change` block came to: the message flashed when it was saved, or the refusal."""

    success: str = ""
    refusal: Exception | None = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None


@contextmanager
def change(*refusals: type[Exception], flash_refusal: bool = True) -> Iterator[Outcome]:
    """The one way a view saves: the block makes the request's change (services flush, audit calls),
    then it is committed once and `outcome.success` is flashed. A refusal (one of `refusals`) rolls
    back and is flashed (or, with flash_refusal=False, left in `outcome.refusal` for the view to show
    next to its field); the view goes on. Anything else rolls back and propagates."""
    outcome = Outcome()
    try:
        yield outcome
    except refusals as exc:
        db.session.rollback()
        outcome.refusal = exc
        if flash_refusal:
            flash(str(exc), "error")
        return
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    if outcome.success:
        flash(outcome.success, "success")
