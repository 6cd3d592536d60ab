"""Two-factor sign-in through the pages: enrolment, the code step, recovery codes, changing it."""
import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from schoolpeers.accounts import two_factor
from schoolpeers.accounts.models import RecoveryCode
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow
from tests.factories import PASSWORD


def sign_in(client, login, password=PASSWORD):
    return client.post("/login", data={"login": login, "password": password})


def enrol(user) -> str:
    """Two-factor sign-in already on, as after enrolment; returns the secret."""
    secret = two_factor.pending_secret(user)
    user.totp_enabled_at = utcnow()
    db.session.commit()
    return secret


def code(secret, offset_steps=0):
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.mark.parametrize("role", ["counselor", "admin"])
def test_a_role_that_must_use_two_factor_is_held_at_setup_until_it_is_on(client, make_user, role):
    user = make_user(role, username="maya", password=PASSWORD)
    db.session.commit()
    assert sign_in(client, "maya").location == "/"
    for page in ("/", "/oversight" if role == "counselor" else "/admin/users"):
        response = client.get(page)
        assert response.status_code == 302 and response.location.endswith("/account/two-factor/setup")
    setup = client.get("/account/two-factor/setup")
    assert setup.status_code == 200 and b"<svg" in setup.data
    page = setup.get_data(as_text=True)
    shown_key = re.search(r'id="totp-secret"[^>]*>(.*?)</code>', page).group(1)
    secret = "".join(re.findall(r'<span class="key-group">([A-Z2-7]{1,4})</span>', shown_key))
    # Only sign-out leads anywhere until it is on: no navigation, no other account page.
    assert 'aria-label="Main"' not in page
    assert "Sign out" in page and "Sign-in security" not in page
    assert secret == two_factor.secret_of(user) and secret not in user.totp_secret  # sealed at rest
    wrong = client.post("/account/two-factor/setup", data={"code": "000000" if code(secret) != "000000" else "111111"})
    assert b"That code is not right" in wrong.data and user.totp_enabled_at is None
    done = client.post("/account/two-factor/setup", data={"code": code(secret)})
    assert done.status_code == 200 and b"Two-factor sign-in is on" in done.data
    shown = re.findall(r"<code>([a-z0-9-]{19})</code>", done.get_data(as_text=True))
    assert len(shown) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(shown) & set(stored)  # only hashes are kept
    assert signed_in(client)


def test_staff_may_go_without_two_factor(client, make_user):
    make_user("staff", username="sam", password=PASSWORD)
    db.session.commit()
    sign_in(client, "sam")
    assert signed_in(client)
    assert b"Two-factor sign-in is <strong>off</strong>" in client.get("/account/two-factor").data


def test_students_are_not_offered_two_factor(login_as, users):
    client = login_as(users["student"])
    assert client.get("/account/two-factor").status_code == 403
    assert client.get("/account/two-factor/setup").location == "/"


def test_with_two_factor_on_the_password_alone_does_not_sign_in(client, make_user):
    user = make_user("counselor", username="maya", password=PASSWORD)
    secret = enrol(user)
    response = sign_in(client, "maya")
    assert response.location == "/login/code"
    assert client.get("/").status_code == 302  # not signed in yet
    assert client.post("/login/code", data={"code": "12345"}).status_code == 200
    assert not signed_in(client)
    response = client.post("/login/code", data={"code": code(secret)})
    assert response.status_code == 302 and response.location == "/"
    assert signed_in(client)
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login.code_failure", "login.success"]


def test_the_same_code_does_not_work_twice(app, make_user):
    user = make_user("counselor", username="maya", password=PASSWORD)
    secret = enrol(user)
    first, second = app.test_client(), app.test_client()
    current = code(secret)
    sign_in(first, "maya")
    sign_in(second, "maya")
    assert first.post("/login/code", data={"code": current}).status_code == 302
    assert second.post("/login/code", data={"code": current}).status_code == 200
    assert not signed_in(second)


def test_the_code_step_expires(client, make_user):
    user = make_user("counselor", username="maya", password=PASSWORD)
    secret = enrol(user)
    sign_in(client, "maya")
    with client.session_transaction() as session:
        session["pending_at"] -= 301
    response = client.post("/login/code", data={"code": code(secret)})
    assert response.location == "/login" and not signed_in(client)


def test_the_code_page_without_a_password_first_sends_to_sign_in(client):
    assert client.get("/login/code").location == "/login"


def test_a_recovery_code_signs_in_once(client, app, make_user):
    user = make_user("counselor", username="maya", password=PASSWORD)
    enrol(user)
    recovery = two_factor.replace_recovery_codes(user)
    db.session.commit()
    sign_in(client, "maya")
    response = client.post("/login/code", data={"code": recovery[0].upper()}, follow_redirects=True)
    assert b"9 are left" in response.data
    again = app.test_client()
    sign_in(again, "maya")
    assert again.post("/login/code", data={"code": recovery[0]}).status_code == 200


def test_guessing_codes_makes_each_next_try_wait(client, app, make_user):
    user = make_user("counselor", username="maya", password=PASSWORD)
    secret = enrol(user)
    sign_in(client, "maya")
    wrong = "999999" if code(secret) != "999999" else "888888"
    free = app.config["SIGN_IN_DELAYS"]["code"].free
    answers = [client.post("/login/code", data={"code": wrong}) for _ in range(free)]
    assert [a.status_code for a in answers] == [200] * (len(answers) - 1) + [429]
    assert b"Wait 30 seconds" in answers[-1].data
    # While the wait runs even the right code is refused, from any session.
    again = app.test_client()
    sign_in(again, "maya")
    refused = again.post("/login/code", data={"code": code(secret)})
    assert refused.status_code == 429 and b"Too many wrong codes" in refused.data
    assert not signed_in(again)


def reauth(client, secret, action, *, password=PASSWORD, offset=1):
    return client.post(f"/account/two-factor/{action}", data={"password": password, "code": code(secret, offset)})


def test_new_recovery_codes_need_the_password_and_a_code(client, make_user):
    user = make_user("counselor", username="maya", password=PASSWORD)
    secret = enrol(user)
    sign_in(client, "maya")
    client.post("/login/code", data={"code": code(secret)})
    refused = reauth(client, secret, "recovery-codes", password="not it")
    assert refused.status_code == 400 and b"not right" in refused.data
    response = reauth(client, secret, "recovery-codes")
    assert response.status_code == 200 and b"Your new recovery codes" in response.data
    count = db.session.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id))
    assert count == 10


def test_staff_can_turn_it_off_and_other_sessions_end(app, make_user):
    user = make_user("staff", username="sam", password=PASSWORD)
    secret = enrol(user)
    here, elsewhere = app.test_client(), app.test_client()
    for offset, client in enumerate((here, elsewhere)):
        sign_in(client, "sam")
        client.post("/login/code", data={"code": code(secret, offset - 1)})
        assert signed_in(client)
    response = reauth(here, secret, "off")
    assert response.location == "/account/two-factor"
    assert user.totp_secret is None and signed_in(here) and not signed_in(elsewhere)


def test_a_counselor_resetting_it_sets_it_up_again_at_once(client, make_user):
    user = make_user("counselor", username="maya", password=PASSWORD)
    secret = enrol(user)
    sign_in(client, "maya")
    client.post("/login/code", data={"code": code(secret)})
    response = reauth(client, secret, "off")
    assert response.location == "/account/two-factor/setup"
    assert client.get("/").location.endswith("/account/two-factor/setup")


def test_an_admin_resets_it_for_someone_who_lost_their_phone(login_as, users, make_user):
    colleague = make_user("staff")  # a counselor's or admin's reset waits for approval (test_approval_views)
    enrol(colleague)
    version = colleague.session_version
    client = login_as(users["admin"])
    response = client.post(f"/admin/users/{colleague.id}/two-factor/reset")
    assert response.status_code == 302
    assert colleague.totp_enabled_at is None and colleague.session_version == version + 1


def test_the_code_page_leaves_a_signed_in_session_alone(login_as, users):
    client = login_as(users["staff"])
    assert client.get("/login/code").location == "/"
    assert signed_in(client)
