import pytest
from sqlalchemy import select

from schoolpeers import create_app
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.factories import PASSWORD

FAILED = b"That username or email and password do not match an active account."


def sign_in(client, login, password, **kwargs):
    return client.post("/login", data={"login": login, "password": password}, **kwargs)


def audit_actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_in_with_username_then_home(client, make_user):
    user = make_user("staff", username="maya", password=PASSWORD)
    db.session.commit()
    response = sign_in(client, "Maya", PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/")
    assert page.status_code == 200 and user.given_name.encode() in page.data
    assert audit_actions() == ["login.success"]


def test_sign_in_with_email(client, make_user):
    make_user("student", email="leo@example.org", password=PASSWORD)
    db.session.commit()
    assert sign_in(client, "LEO@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "deactivated", "no password yet"])
def test_every_failure_gets_the_same_message(client, make_user, case):
    user = make_user("student", username="leo", password=None if case == "no password yet" else PASSWORD)
    if case == "deactivated":
        user.active = False
    db.session.commit()
    login = "nobody" if case == "unknown user" else "leo"
    password = "not the password" if case == "wrong password" else PASSWORD
    response = sign_in(client, login, password)
    assert response.status_code == 200
    assert FAILED in response.data
    assert client.get("/").status_code == 302  # still signed out
    assert audit_actions() == ["login.failure"]


def test_sign_in_starts_a_new_session(client, make_user):
    make_user("student", username="leo", password=PASSWORD)
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "leo", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(("next_url", "expected"), [
    ("/admin/users", "/admin/users"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
])
def test_next_only_goes_to_local_pages(client, make_user, next_url, expected):
    make_user("admin", username="sam", password=PASSWORD)
    db.session.commit()
    response = sign_in(client, "sam", PASSWORD, query_string={"next": next_url})
    assert response.location == expected


def test_empty_form_shows_errors_next_to_fields(client):
    response = client.post("/login", data={})
    assert response.status_code == 200
    assert b'id="login-error"' in response.data and b'aria-describedby="login-error"' in response.data


def test_sign_out(client, make_user):
    make_user("student", username="leo", password=PASSWORD)
    db.session.commit()
    sign_in(client, "leo", PASSWORD)
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert audit_actions() == ["login.success", "logout"]


def test_sign_out_needs_post(client, users, login_as):
    login_as(users["student"])
    assert client.get("/logout").status_code == 405


def test_forms_without_csrf_token_are_refused(app, make_user):
    csrf_app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "WTF_CSRF_ENABLED": True,
    })
    client = csrf_app.test_client()
    response = client.post("/login", data={"login": "x", "password": "y"})
    assert response.status_code == 400
    assert b"This form has expired or was sent from another site" in response.data
    page = client.get("/login")
    assert b'name="csrf_token"' in page.data


@pytest.mark.parametrize(("role", "marker"), [
    ("student", b"Your peer-mentoring programme"),
    ("counselor", b"Good to see you"),
    ("staff", b"only anonymized figures"),
    ("admin", b"School administration"),
])
def test_each_role_has_its_home_page(client, users, login_as, role, marker):
    login_as(users[role])
    page = client.get("/")
    assert page.status_code == 200 and marker in page.data


def test_navigation_is_role_aware(client, users, login_as):
    login_as(users["admin"])
    assert b'href="/admin/users"' in client.get("/").data
    login_as(users["counselor"])
    assert b'href="/admin/users"' not in client.get("/").data


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_backslash_next_is_not_followed(client, make_user):
    make_user("admin", username="sam", password=PASSWORD)
    db.session.commit()
    response = sign_in(client, "sam", PASSWORD, query_string={"next": "/\\evil.example"})
    assert response.location == "/"


def test_sign_out_invalidates_a_copied_session_cookie(app, client, make_user):
    make_user("student", username="leo", password=PASSWORD)
    db.session.commit()
    sign_in(client, "leo", PASSWORD)
    with client.session_transaction() as session:
        stolen = dict(session)
    client.post("/logout")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(stolen)
    assert thief.get("/").status_code == 302


def test_huge_ids_and_pages_are_not_errors(client, users, login_as):
    login_as(users["admin"])
    assert client.get("/admin/users/99999999999999999999").status_code == 404
    assert client.get("/admin/users?page=99999999999999999999").status_code == 200
