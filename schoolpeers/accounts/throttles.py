"""Failed sign-ins counted in the database, and the waits they earn (rules in sign_in_delays.py).

Three counters: an account's failed passwords from anywhere ("account"), the same from one address
("pair"), and an account's wrong codes at the second step ("code"). Each failure is one upsert, so
failures sent at once are all counted, whichever server answers them. Callers commit.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from schoolpeers.accounts.models import SignInThrottle, User
from schoolpeers.accounts.sign_in_delays import DelayRule, wait_seconds
from schoolpeers.extensions import db
from schoolpeers.timeutil import as_utc, utcnow

ACCOUNT, PAIR, CODE = "account", "pair", "code"


UNKNOWN_BUCKETS = 1 << 16  # logins naming nobody share this many counters: made-up names add no rows


def password_keys(user: User | None, login: str, address: str | None) -> dict[str, str]:
    """The account and pair keys of a password attempt. A login that names nobody is counted like an
    account (under one of a fixed number of buckets of its text), so the answers do not tell which
    accounts exist and made-up logins cannot fill the table."""
    if user is not None:
        account = f"user:{user.id}"
    else:
        account = f"unknown:{int(_hashed(login.strip().lower()[:254]), 16) % UNKNOWN_BUCKETS}"
    return {ACCOUNT: _hashed(f"{ACCOUNT}:{account}"), PAIR: _hashed(f"{PAIR}:{account}|{address or '-'}")}


def code_keys(user: User) -> dict[str, str]:
    return {CODE: _hashed(f"{CODE}:user:{user.id}")}


def _hashed(text: str) -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), text.encode(), hashlib.sha256).hexdigest()


def _rule(kind: str) -> DelayRule:
    return current_app.config["SIGN_IN_DELAYS"][kind]


def hold(*key_sets: dict[str, str], now: datetime | None = None) -> None:
    """Take these counters (made empty if missing) until the transaction ends, in one order, so that
    attempts on one account are checked one after another: a burst sent at once cannot all be
    checked before any is counted. Callers hold every key a completed sign-in forgets (its
    password and code keys), so that two attempts never wait for each other's rows. A row lock on
    PostgreSQL; SQLite has one writer at a time anyway."""
    keys = sorted({key for keys in key_sets for key in keys.values()})
    db.session.execute(_insert_for_dialect()(SignInThrottle).values(
        [{"key": key, "failures": 0, "last_failure_at": now or utcnow()} for key in keys])
        .on_conflict_do_nothing(index_elements=[SignInThrottle.key]))
    db.session.execute(select(SignInThrottle.key).where(SignInThrottle.key.in_(keys))
                       .order_by(SignInThrottle.key).with_for_update())


def _insert_for_dialect():
    return (postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite).insert


def waits(keys: dict[str, str], now: datetime | None = None) -> dict[str, int]:
    """Seconds each key must still wait (0 for none), in one query."""
    now = now or utcnow()
    until = dict(db.session.execute(select(SignInThrottle.key, SignInThrottle.wait_until)
                                    .where(SignInThrottle.key.in_(keys.values()))).all())
    return {kind: _seconds_until(until.get(key), now) for kind, key in keys.items()}


def _seconds_until(moment: datetime | None, now: datetime) -> int:
    return max(0, math.ceil((as_utc(moment) - now).total_seconds())) if moment is not None else 0


def record_failure(keys: dict[str, str], now: datetime | None = None) -> int:
    """Count one failure under each key; the longest wait that any of them now asks for."""
    now = now or utcnow()
    return max(_count(key, _rule(kind), now) for kind, key in keys.items())


def _count(key: str, rule: DelayRule, now: datetime) -> int:
    quiet_since = now - timedelta(seconds=rule.forget_after_seconds)
    statement = _insert_for_dialect()(SignInThrottle).values(key=key, failures=1, last_failure_at=now)
    failures = db.session.execute(statement.on_conflict_do_update(index_elements=[SignInThrottle.key], set_={
        "failures": case((SignInThrottle.last_failure_at < quiet_since, 1), else_=SignInThrottle.failures + 1),
        "last_failure_at": now,
    }).returning(SignInThrottle.failures)).scalar_one()
    wait = wait_seconds(failures, rule)
    if wait:  # only ever later: a slower request with a lower count must not shorten the wait
        until = now + timedelta(seconds=wait)
        db.session.execute(update(SignInThrottle).where(
            SignInThrottle.key == key, or_(SignInThrottle.wait_until.is_(None), SignInThrottle.wait_until < until))
            .values(wait_until=until).execution_options(synchronize_session=False))
    return wait


def forget(*key_sets: dict[str, str]) -> None:
    """A sign-in completed: its counters start again."""
    keys = [key for keys in key_sets for key in keys.values()]
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(keys))
                       .execution_options(synchronize_session=False))


def purge_quiet(now: datetime | None = None) -> int:
    """Remove counters no rule remembers any more; how many."""
    longest = max(rule.forget_after_seconds for rule in current_app.config["SIGN_IN_DELAYS"].values())
    cutoff = (now or utcnow()) - timedelta(seconds=longest)
    return db.session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < cutoff)).rowcount


def duration_text(seconds: int) -> str:
    """'40 seconds', '3 minutes', '1 hour': how long to wait, as a person says it."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size:
            amount = math.ceil(seconds / size)
            return f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
