"""Failed sign-ins counted per key in the database: growing waits, forgotten after success or a quiet day."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts import throttles
from schoolpeers.accounts.models import SignInThrottle
from schoolpeers.accounts.sign_in_delays import DelayRule
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow

RULES = {"account": DelayRule(2, 10, 100), "pair": DelayRule(1, 5, 50), "code": DelayRule(0, 30, 30)}


@pytest.fixture(autouse=True)
def small_rules(app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_DELAYS", RULES)


def test_each_key_waits_by_its_own_rule(make_user):
    user = make_user("student")
    keys = throttles.password_keys(user, user.username, "10.0.0.1")
    assert throttles.waits(keys) == {"account": 0, "pair": 0}
    now = utcnow()
    assert throttles.record_failure(keys, now) == 5  # the pair's first wait; the account is still free
    assert throttles.waits(keys, now) == {"account": 0, "pair": 5}
    assert throttles.record_failure(keys, now) == 10
    assert throttles.waits(keys, now) == {"account": 10, "pair": 10}
    assert throttles.waits(keys, now + timedelta(seconds=11)) == {"account": 0, "pair": 0}


def test_the_account_counts_failures_from_every_address_and_the_pair_from_one(make_user):
    user = make_user("student")
    here, there = (throttles.password_keys(user, "", address) for address in ("10.0.0.1", "10.0.0.2"))
    assert here["account"] == there["account"] and here["pair"] != there["pair"]
    now = utcnow()
    for _ in range(4):
        throttles.record_failure(here, now)
    assert throttles.waits(there, now) == {"account": 40, "pair": 0}


def test_a_login_naming_nobody_is_counted_like_an_account(app):
    keys = throttles.password_keys(None, " Ghost ", "10.0.0.1")
    assert keys == throttles.password_keys(None, "ghost", "10.0.0.1")
    throttles.record_failure(keys)
    assert throttles.record_failure(keys) == 10


def test_no_login_or_address_is_stored(make_user):
    user = make_user("student", username="leo")
    throttles.record_failure(throttles.password_keys(user, "leo", "10.9.8.7"))
    stored = " ".join(db.session.scalars(select(SignInThrottle.key)))
    assert "10.9.8.7" not in stored and "leo" not in stored and f"user:{user.id}" not in stored


def test_a_quiet_day_starts_the_count_again_and_purge_removes_it(make_user):
    user = make_user("student")
    keys = throttles.code_keys(user)
    day_ago = utcnow() - timedelta(days=1, seconds=1)
    throttles.record_failure(keys, day_ago)
    assert throttles.record_failure(keys) == 30  # counted as the first again, not the second
    assert db.session.scalar(select(SignInThrottle.failures)) == 1
    assert throttles.purge_quiet(utcnow() + timedelta(days=2)) == 1
    assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 0


def test_forget_clears_the_given_keys_only(make_user):
    user, other = make_user("student"), make_user("student")
    mine, theirs = throttles.code_keys(user), throttles.code_keys(other)
    throttles.record_failure(mine)
    throttles.record_failure(theirs)
    throttles.forget(mine)
    assert throttles.waits(mine)["code"] == 0 and throttles.waits(theirs)["code"] == 30


@pytest.mark.parametrize(("seconds", "text"), [(1, "1 second"), (40, "40 seconds"), (60, "1 minute"),
                                               (61, "2 minutes"), (3600, "1 hour"), (5400, "2 hours")])
def test_waits_read_as_a_person_says_them(seconds, text):
    assert throttles.duration_text(seconds) == text
