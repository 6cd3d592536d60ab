"""Wrong passwords slow the guesser without keeping the owner out: growing waits instead of a lock."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from schoolpeers.accounts import throttles
from schoolpeers.accounts.models import SignInThrottle
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow
from tests.accounts.test_two_factor_views import code, enrol
from tests.factories import PASSWORD

FAILED = b"That username or email and password do not match an active account."
WAIT = b"Too many failed sign-ins for this account"
GUESSER, OWNER = "203.0.113.9", "198.51.100.4"


def attempt(client, login, password="wrong guess", address=GUESSER):
    return client.post("/login", data={"login": login, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


def waits_elapse():
    db.session.execute(update(SignInThrottle).values(wait_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


@pytest.fixture
def leo(make_user):
    user = make_user("student", username="leo", password=PASSWORD)
    db.session.commit()
    return user


def test_one_address_guessing_waits_longer_each_time_even_with_the_right_password(app, client, leo):
    free = app.config["SIGN_IN_DELAYS"]["pair"].free
    assert all(FAILED in attempt(client, "leo").data for _ in range(free - 1))
    last_free = attempt(client, "leo")  # says at once that the next try must wait
    assert last_free.status_code == 429 and WAIT in last_free.data and b"Wait 2 seconds" in last_free.data
    right = attempt(client, "leo", PASSWORD)  # not even checked while the wait runs
    assert right.status_code == 429 and WAIT in right.data
    waits_elapse()
    assert b"Wait 4 seconds" in attempt(client, "leo").data  # the next failure doubles it
    waits_elapse()
    assert attempt(client, "leo", PASSWORD).status_code == 302


def test_a_stranger_guessing_elsewhere_keeps_the_owner_out_for_minutes_at_most(app, client, leo):
    account = app.config["SIGN_IN_DELAYS"]["account"]
    enough = account.free + account.max_seconds.bit_length()  # past the ceiling
    for _ in range(enough):
        waits_elapse()  # the guesser waits out each delay, as a patient attacker would
        attempt(client, "leo")
    owner = app.test_client()
    refused = attempt(owner, "leo", PASSWORD, address=OWNER)
    assert refused.status_code == 429 and b"Wait 5 minutes" in refused.data  # the account's ceiling
    waits_elapse()
    assert attempt(owner, "leo", PASSWORD, address=OWNER).status_code == 302
    # The owner's sign-in set the account's count back; the guesser's own count stays.
    assert attempt(app.test_client(), "leo", address="192.0.2.77").status_code == 200
    assert attempt(client, "leo").status_code == 429


def test_with_a_second_factor_the_owner_passes_the_accounts_wait(app, client, make_user):
    maya = make_user("counselor", username="maya", password=PASSWORD)
    secret = enrol(maya)
    account = app.config["SIGN_IN_DELAYS"]["account"]
    for _ in range(account.free + 3):
        waits_elapse()
        attempt(client, "maya")  # the account waits now
    # Without the password, a fresh address is told to wait like the guesser ...
    assert attempt(app.test_client(), "maya", address="192.0.2.77").status_code == 429
    # ... but the owner's password leads on to the code step, and the code signs her in.
    owner = app.test_client()
    assert attempt(owner, "maya", PASSWORD, address=OWNER).location == "/login/code"
    assert owner.post("/login/code", data={"code": code(secret)}).location == "/"


def test_a_login_naming_nobody_waits_the_same_way(app, client):
    free = app.config["SIGN_IN_DELAYS"]["pair"].free
    answers = [attempt(client, "ghost").status_code for _ in range(free + 1)]
    assert answers == [200] * (free - 1) + [429, 429]  # the same as for a real account: nothing tells them apart


def test_a_success_clears_the_count(app, client, leo):
    free = app.config["SIGN_IN_DELAYS"]["pair"].free
    for _ in range(free - 1):
        attempt(client, "leo")
    assert attempt(client, "leo", PASSWORD).status_code == 302
    client.post("/logout")
    assert [attempt(client, "leo").status_code for _ in range(free - 1)] == [200] * (free - 1)


def test_while_the_account_waits_guesses_at_a_two_factor_account_still_count(app, client, make_user):
    maya = make_user("counselor", username="maya", password=PASSWORD)
    enrol(maya)
    rules = app.config["SIGN_IN_DELAYS"]
    for _ in range(rules["account"].free + 3):
        waits_elapse()
        attempt(client, "maya")  # the account waits now
    elsewhere, address = app.test_client(), "192.0.2.80"
    for _ in range(rules["pair"].free):
        attempt(elsewhere, "maya", address=address)
    assert throttles.waits(throttles.password_keys(maya, "maya", address))["pair"] > 0
    assert attempt(elsewhere, "maya", PASSWORD, address=address).status_code == 429  # this address waits now
