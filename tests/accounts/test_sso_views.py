"""Single sign-on through the pages, against a real OpenID Connect provider run on localhost: the test
client leaves for the provider, the person approves there, and the provider's answer comes back
through the callback."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import func, select

from schoolpeers.accounts import sso
from schoolpeers.accounts.sso_models import SsoIdentity
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.accounts.test_sso import add_provider, authorize, closed_port, idp, put_user  # noqa: F401 (idp: fixture)
from tests.accounts.test_two_factor_views import enrol
from tests.factories import PASSWORD, UserFactory, make_district


@pytest.fixture
def riverside(school, other_school, idp):  # noqa: F811
    ours = make_district(school, "riverside", with_provider=False)
    theirs = make_district(other_school, "hillside", with_provider=False)
    provider = add_provider(ours["district"], idp)
    db.session.commit()
    sso.forget_cached()
    return {"ours": ours, "theirs": theirs, "provider": provider}


def leave_for_provider(client, provider, **args):
    response = client.get(f"/sign-in/provider/{provider.id}", query_string=args)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.location


def come_back(client, location: str):
    parts = urlsplit(location)
    assert parts.path == "/sign-in/callback"
    return client.get(parts.path, query_string=parts.query)


def sign_in_as(client, provider, sub: str, **args):
    """The whole round trip: our start, the provider's approval of `sub`, our callback."""
    return come_back(client, authorize(leave_for_provider(client, provider, **args), sub))


def page(response) -> str:
    return response.get_data(as_text=True)


def refusals(action: str = "login.sso_failure") -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def identities() -> int:
    return db.session.scalar(select(func.count()).select_from(SsoIdentity))


# --- signing in ----------------------------------------------------------------------------------------

def test_a_student_signs_in_end_to_end_and_the_subject_is_bound(client, riverside, school, idp):  # noqa: F811
    ada = UserFactory(school)("student", email="ada@riverside.org")
    db.session.commit()
    put_user(idp, "g-ada", email="Ada@Riverside.org", email_verified=True)
    location = leave_for_provider(client, riverside["provider"], hint="ada@riverside.org")
    asked = parse_qs(urlsplit(location).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["login_hint"] == ["ada@riverside.org"]
    assert {"state", "nonce", "code_challenge"} <= set(asked) and asked["client_id"] == ["schoolpeers-test"]
    response = come_back(client, authorize(location, "g-ada"))
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/")
    assert home.status_code == 200 and ada.given_name in page(home)
    identity = db.session.scalar(select(SsoIdentity))
    assert (identity.user_id, identity.subject, identity.school_id) == (ada.id, "g-ada", school.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.success")).actor_id == ada.id


def test_later_sign_ins_follow_the_subject_not_the_address(client, riverside, school, idp):  # noqa: F811
    ada = UserFactory(school)("student", email="ada@riverside.org")
    UserFactory(school)("student", email="bo@riverside.org")
    db.session.commit()
    put_user(idp, "g-ada2", email="ada@riverside.org", email_verified=True)
    assert sign_in_as(client, riverside["provider"], "g-ada2").status_code == 302
    client.post("/logout")
    put_user(idp, "g-ada2", email="bo@riverside.org", email_verified=True)  # renamed at the provider
    assert sign_in_as(client, riverside["provider"], "g-ada2").status_code == 302
    db.session.refresh(ada)
    with client.session_transaction() as cookie:
        assert cookie["_user_id"] == ada.get_id()
    assert identities() == 1


def test_a_new_subject_with_a_bound_account_s_address_is_refused(client, riverside, school, idp):  # noqa: F811
    UserFactory(school)("counselor", email="cy@riverside.org")
    db.session.commit()
    put_user(idp, "g-cy", email="cy@riverside.org", email_verified=True)
    sign_in_as(client, riverside["provider"], "g-cy")
    client.post("/logout")
    put_user(idp, "g-impostor", email="cy@riverside.org", email_verified=True)
    response = sign_in_as(client, riverside["provider"], "g-impostor")
    assert response.status_code == 200 and "already linked" in page(response)
    assert refusals()[-1].detail["reason"] == "bound_to_other_subject"


def test_an_admin_unlinks_a_replaced_school_account_and_the_next_sign_in_links_the_new_one(
        client, riverside, school, idp, login_as, users):  # noqa: F811
    cy = UserFactory(school)("counselor", email="cy2@riverside.org")
    db.session.commit()
    put_user(idp, "g-cy-old", email="cy2@riverside.org", email_verified=True)
    sign_in_as(client, riverside["provider"], "g-cy-old")
    client.post("/logout")
    login_as(users["admin"])
    detail = page(client.get(f"/admin/users/{cy.id}"))
    assert "Signs in with" in detail and "Unlink the school account" in detail
    assert client.post(f"/admin/users/{cy.id}/school-account/unlink").status_code == 302
    assert identities() == 0 and refusals("user.school_account_unlink")[0].record_id == cy.id
    assert "Unlink the school account" not in page(client.get(f"/admin/users/{cy.id}"))
    client.post("/logout")
    put_user(idp, "g-cy-new", email="cy2@riverside.org", email_verified=True)  # the account made anew
    assert sign_in_as(client, riverside["provider"], "g-cy-new").status_code == 302
    assert db.session.scalar(select(SsoIdentity.subject).where(SsoIdentity.user_id == cy.id)) == "g-cy-new"


def test_next_is_kept_through_the_round_trip(client, riverside, school, idp):  # noqa: F811
    UserFactory(school)("student", email="dee@riverside.org")
    db.session.commit()
    put_user(idp, "g-dee", email="dee@riverside.org", email_verified=True)
    response = client.post("/sign-in/school-account?next=/mentors/request", data={"email": "dee@riverside.org"})
    start = urlsplit(response.location)
    assert start.path == f"/sign-in/provider/{riverside['provider'].id}"
    location = client.get(start.path, query_string=start.query).location
    assert come_back(client, authorize(location, "g-dee")).location == "/mentors/request"


# --- refusals ------------------------------------------------------------------------------------------

def test_an_unknown_person_is_refused_and_not_created(client, riverside, idp):  # noqa: F811
    from schoolpeers.accounts.models import User

    before = db.session.scalar(select(func.count()).select_from(User))
    put_user(idp, "g-new", email="new@riverside.org", email_verified=True)
    response = sign_in_as(client, riverside["provider"], "g-new")
    assert response.status_code == 200 and "does not match an active account" in page(response)
    assert db.session.scalar(select(func.count()).select_from(User)) == before and identities() == 0
    event = refusals()[-1]
    assert event.detail["reason"] == "unknown_person" and event.school_id == riverside["ours"]["office"].id
    assert event.actor_id is None
    assert client.get("/").status_code == 302  # not signed in


def test_an_inactive_person_is_refused_like_an_unknown_one(client, riverside, school, idp):  # noqa: F811
    UserFactory(school)("student", email="eve@riverside.org").active = False
    db.session.commit()
    put_user(idp, "g-eve", email="eve@riverside.org", email_verified=True)
    response = sign_in_as(client, riverside["provider"], "g-eve")
    assert "does not match an active account" in page(response) and identities() == 0


def test_an_unverified_address_is_refused(client, riverside, school, idp):  # noqa: F811
    UserFactory(school)("student", email="fay@riverside.org")
    db.session.commit()
    put_user(idp, "g-fay", email="fay@riverside.org", email_verified=False)
    response = sign_in_as(client, riverside["provider"], "g-fay")
    assert "did not confirm that this email address is yours" in page(response)
    assert refusals()[-1].detail["reason"] == "email_not_verified" and identities() == 0


def test_another_district_s_domain_and_people_are_refused(client, riverside, other_school, idp):  # noqa: F811
    add_provider(riverside["theirs"]["district"], "https://login.hillside.org", domains=("hillside.org",))
    UserFactory(other_school)("student", email="gus@hillside.org")
    UserFactory(other_school)("student", email="hal@riverside.org")  # Hillside's, at our domain
    db.session.commit()
    put_user(idp, "g-gus", email="gus@hillside.org", email_verified=True)
    response = sign_in_as(client, riverside["provider"], "g-gus")
    assert "Addresses at hillside.org cannot sign in" in page(response)
    put_user(idp, "g-hal", email="hal@riverside.org", email_verified=True)
    response = sign_in_as(client, riverside["provider"], "g-hal")
    assert "does not match an active account" in page(response) and identities() == 0
    assert [e.detail["reason"] for e in refusals()] == ["domain_not_allowed", "unknown_person"]


def test_an_expired_token_is_refused(client, school, other_school):
    """A second real provider whose tokens expire before they are issued (no clock is waited for)."""
    with run_server_in_thread(access_token_max_age=timedelta(seconds=-300)) as server:
        issuer = f"http://localhost:{server.server_port}"
        district = make_district(school, "riverside", with_provider=False)["district"]
        provider = add_provider(district, issuer)
        UserFactory(school)("student", email="ida@riverside.org")
        db.session.commit()
        put_user(issuer, "g-ida", email="ida@riverside.org", email_verified=True)
        response = sign_in_as(client, provider, "g-ida")
    assert "could not check the answer" in page(response)
    assert refusals()[-1].detail["reason"] == "id_token_invalid:expired_token:exp"


def test_a_cancelled_sign_in_is_refused(client, riverside):
    location = leave_for_provider(client, riverside["provider"])
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get("/sign-in/callback", query_string={"error": "access_denied", "state": state})
    assert response.status_code == 200 and "was cancelled" in page(response)


@pytest.mark.parametrize("args", [
    {"code": "abc", "state": "forged"},
    {"code": "abc"},
    {},
])
def test_a_return_with_a_wrong_or_no_state_is_refused(client, riverside, args):
    leave_for_provider(client, riverside["provider"])
    response = client.get("/sign-in/callback", query_string=args)
    assert response.status_code == 200 and "Please start again" in page(response)
    assert refusals()[-1].detail["reason"] == "state_mismatch"
    with client.session_transaction() as cookie:
        assert "sso" not in cookie  # a state is used once


def test_a_return_with_no_sign_in_under_way_is_answered_and_not_recorded(client, riverside):
    response = client.get("/sign-in/callback", query_string={"code": "abc", "state": "x"})
    assert response.status_code == 200 and "Please start again" in page(response) and refusals() == []


def test_a_return_without_a_code_is_refused(client, riverside):
    location = leave_for_provider(client, riverside["provider"])
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get("/sign-in/callback", query_string={"state": state})
    assert "Please start again" in page(response) and refusals()[-1].detail["reason"] == "no_code"


def test_a_made_up_code_is_refused(client, riverside):
    location = leave_for_provider(client, riverside["provider"])
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get("/sign-in/callback", query_string={"state": state, "code": "made-up"})
    assert "could not check the answer" in page(response)
    assert refusals()[-1].detail["reason"] == "code_exchange_failed"


def test_a_provider_that_is_down_gets_a_message(client, riverside):
    riverside["provider"].issuer = f"http://localhost:{closed_port()}"
    db.session.commit()
    response = client.get(f"/sign-in/provider/{riverside['provider'].id}")
    assert response.status_code == 200 and "could not reach Riverside accounts" in page(response)
    assert refusals()[-1].detail["reason"] == "discovery_failed"


def test_a_provider_that_goes_down_between_start_and_return_gets_a_message(client, school):
    with run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        provider = add_provider(make_district(school, "riverside", with_provider=False)["district"], issuer)
        db.session.commit()
        put_user(issuer, "g-jo", email="jo@riverside.org", email_verified=True)
        back = authorize(leave_for_provider(client, provider), "g-jo")
    sso.forget_cached()
    response = come_back(client, back)
    assert response.status_code == 200 and "could not reach" in page(response)


def test_a_disabled_provider_is_refused(client, riverside):
    riverside["provider"].enabled = False
    db.session.commit()
    response = client.get(f"/sign-in/provider/{riverside['provider'].id}")
    assert "not available" in page(response)
    assert client.get("/sign-in/provider/999999").status_code == 404


# --- two factors -------------------------------------------------------------------------------------------

def test_a_trusted_provider_s_mfa_stands_for_the_code_step(client, riverside, school, idp):  # noqa: F811
    counselor = UserFactory(school)("counselor", email="kim@riverside.org")
    db.session.commit()
    enrol(counselor)
    riverside["provider"].trust_provider_mfa = True
    db.session.commit()
    put_user(idp, "g-kim", email="kim@riverside.org", email_verified=True, amr=["pwd", "mfa"])
    response = sign_in_as(client, riverside["provider"], "g-kim")
    assert response.location == "/"
    with client.session_transaction() as cookie:
        assert cookie["mfa_ok"] is True
    assert client.get("/").status_code == 200


def test_mfa_asserted_by_an_untrusted_provider_does_not_count(client, riverside, school, idp):  # noqa: F811
    counselor = UserFactory(school)("counselor", email="lee@riverside.org")
    db.session.commit()
    enrol(counselor)
    put_user(idp, "g-lee", email="lee@riverside.org", email_verified=True, amr=["mfa"])
    response = sign_in_as(client, riverside["provider"], "g-lee")
    assert response.location == "/login/code"


def test_a_counselor_without_mfa_claim_gets_the_code_step(client, riverside, school, idp):  # noqa: F811
    counselor = UserFactory(school)("counselor", email="max@riverside.org")
    db.session.commit()
    enrol(counselor)
    riverside["provider"].trust_provider_mfa = True
    db.session.commit()
    put_user(idp, "g-max", email="max@riverside.org", email_verified=True, amr=["pwd"])
    response = sign_in_as(client, riverside["provider"], "g-max")
    assert response.location == "/login/code"
    with client.session_transaction() as cookie:
        assert "_user_id" not in cookie and cookie["pending_user"] == counselor.get_id()


def test_a_counselor_without_two_factors_is_sent_to_set_them_up(client, riverside, school, idp):  # noqa: F811
    UserFactory(school)("counselor", email="ned@riverside.org")
    db.session.commit()
    put_user(idp, "g-ned", email="ned@riverside.org", email_verified=True)
    sign_in_as(client, riverside["provider"], "g-ned")
    assert client.get("/").location == "/account/two-factor/setup"


# --- the sign-in page --------------------------------------------------------------------------------------

def test_the_sign_in_page_offers_the_school_account(client):
    body = page(client.get("/login"))
    assert "Sign in with your school account" in body and 'action="/sign-in/school-account"' in body


def test_an_address_without_a_provider_is_told_next_to_the_field(client, riverside):
    response = client.post("/sign-in/school-account", data={"email": "ola@elsewhere.org"})
    assert response.status_code == 200 and "no school-account sign-in for addresses at elsewhere.org" in page(response)
    response = client.post("/sign-in/school-account", data={"email": "not an address"})
    assert "Type a whole email address" in page(response)


def test_passwords_off_refuses_the_password_form(client, riverside, school):
    pat = UserFactory(school)("staff", username="pat", password=PASSWORD)
    school.password_sign_in = False
    db.session.commit()
    response = client.post("/login", data={"login": "pat", "password": PASSWORD})
    assert response.status_code == 200 and "signs in with school accounts only" in page(response)
    assert client.get("/").status_code == 302
    assert refusals("login.password_off")
    db.session.expire_all()
    assert pat.last_login_at is None  # a refused password is not a sign-in
    wrong = client.post("/login", data={"login": "pat", "password": "wrong password here"})
    assert "signs in with school accounts only" not in page(wrong)  # told only with the right password


def test_district_office_people_keep_passwords(client, riverside, school):
    office = riverside["ours"]["office"]
    office.password_sign_in = False
    school.password_sign_in = False
    UserFactory(office)("district_analyst", username="quinn", password=PASSWORD)
    db.session.commit()
    response = client.post("/login", data={"login": "quinn", "password": PASSWORD})
    assert response.status_code == 302


def test_a_signed_in_person_is_sent_home(client, riverside, login_as, users):
    login_as(users["student"])
    for response in (client.post("/sign-in/school-account", data={"email": "a@riverside.org"}),
                     client.get(f"/sign-in/provider/{riverside['provider'].id}"),
                     client.get("/sign-in/callback")):
        assert response.status_code == 302 and response.location == "/"

