"""Sign-in state under parallel requests, on PostgreSQL: a code or recovery code passes once however
many sessions send it at once, no failed attempt is lost to another request's stale copy, and an
account change waiting for approval is decided once."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts import approvals, throttles, two_factor
from schoolpeers.accounts.models import AccountApproval, RecoveryCode, SignInThrottle, User
from schoolpeers.accounts.sign_in_delays import DelayRule
from schoolpeers.extensions import db
from tests.accounts.test_two_factor_views import code, enrol, sign_in
from tests.factories import PASSWORD
from tests.parallel import all_at_once

SESSIONS = 6


@pytest.fixture(autouse=True)
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL and real parallel transactions (set TEST_DATABASE_URL)")


def post_at_once(clients, url: str, data: dict) -> list[str]:
    """The same POST from every client at the same moment; "signed in" for each that passed (a
    redirect anywhere but back to the sign-in page), "refused" for the others."""
    barrier, statuses = threading.Barrier(len(clients)), []

    def send(client):
        barrier.wait()
        response = client.post(url, data=data)
        passed = response.status_code == 302 and "/login" not in response.location
        statuses.append("signed in" if passed else "refused")

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.fixture
def maya(app, make_user):
    user = make_user("counselor", username="maya", password=PASSWORD)
    secret = enrol(user)
    clients = [app.test_client() for _ in range(SESSIONS)]
    for client in clients:
        assert sign_in(client, "maya").status_code == 302  # each session past the password step
    return user, secret, clients


def test_one_code_sent_by_several_sessions_at_once_signs_in_one(maya):
    user, secret, clients = maya
    statuses = post_at_once(clients, "/login/code", {"code": code(secret)})
    assert sorted(statuses) == ["refused"] * (SESSIONS - 1) + ["signed in"]


def test_one_recovery_code_sent_at_once_is_spent_once(maya):
    user, secret, clients = maya
    [recovery, *_] = two_factor.replace_recovery_codes(user)
    db.session.commit()
    statuses = post_at_once(clients, "/login/code", {"code": recovery})
    assert sorted(statuses) == ["refused"] * (SESSIONS - 1) + ["signed in"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None))) == 1


def test_wrong_passwords_sent_at_once_are_checked_one_after_another(app, make_user, monkeypatch):
    """Each attempt holds the account's counters: of a burst sent at once, the free ones are checked
    and counted, and every later one finds the wait already set, checked against nothing."""
    rules = dict(app.config["SIGN_IN_DELAYS"])
    rules["pair"] = DelayRule(free=3, first_seconds=60, max_seconds=900)
    monkeypatch.setitem(app.config, "SIGN_IN_DELAYS", rules)
    user = make_user("student", username="leo", password=PASSWORD)
    db.session.commit()
    guesses = 9
    post_at_once([app.test_client() for _ in range(guesses)], "/login", {"login": "leo", "password": "not it"})
    db.session.expire_all()
    keys = throttles.password_keys(user, "leo", "127.0.0.1")
    counted = dict(db.session.execute(select(SignInThrottle.key, SignInThrottle.failures)
                                      .where(SignInThrottle.key.in_(keys.values()))).all())
    assert counted == {keys["account"]: 3, keys["pair"]: 3}  # none lost, and none checked past the free ones
    assert sign_in(app.test_client(), "leo").status_code == 429  # waiting: even the right password


def test_two_counselors_deciding_one_request_at_once_decide_it_once(app, users, make_user):
    second = make_user("counselor")
    approval = approvals.ask("grant_counselor", users["staff"], users["admin"])
    db.session.commit()
    approval_id, staff_id = approval.id, users["staff"].id

    def decide(counselor_id: int, approve: bool):
        approvals.decide(db.session.get(AccountApproval, approval_id), db.session.get(User, counselor_id),
                         approve=approve, secret_key="not used")

    outcomes = all_at_once(app, decide, [(users["counselor"].id, True), (second.id, False)],
                           refused=(approvals.ApprovalError,))
    assert sorted(outcomes) == ["ok", "refused"]
    db.session.expire_all()
    decided = db.session.get(AccountApproval, approval_id)
    assert (decided.status == "approved") == (db.session.get(User, staff_id).role == "counselor")
