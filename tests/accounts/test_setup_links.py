import time

import pytest

from schoolpeers.accounts import services
from schoolpeers.extensions import db


@pytest.fixture
def new_student(make_user):
    user = make_user("student", username="leo", given_name="Leo")
    db.session.commit()
    return user


def link_for(app, user) -> str:
    token = services.issue_setup_link_token(user, app.config["SECRET_KEY"])
    db.session.commit()
    return f"/setup/{token}"


def choose(client, url, password="blue giraffe", confirm=None):
    return client.post(url, data={"password": password, "confirm": confirm or password})


def test_setup_link_sets_password_once_then_sign_in(app, client, new_student):
    url = link_for(app, new_student)
    page = client.get(url)
    assert page.status_code == 200 and b"Hi Leo" in page.data and b"leo" in page.data
    response = choose(client, url)
    assert response.status_code == 302 and response.location == "/login"
    assert client.post("/login", data={"login": "leo", "password": "blue giraffe"}).status_code == 302
    again = client.get(url)
    assert again.status_code == 400 and b"already been used" in again.data


def test_expired_link_is_refused(app, client, new_student, monkeypatch):
    eight_days_ago = time.time() - 8 * 24 * 3600
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: eight_days_ago)
        url = link_for(app, new_student)
    response = client.get(url)
    assert response.status_code == 400 and b"expired" in response.data
    assert choose(client, url).status_code == 400
    db.session.refresh(new_student)
    assert new_student.password_hash is None


def test_tampered_link_is_refused(app, client, new_student):
    url = link_for(app, new_student)
    tampered = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    response = client.get(tampered)
    assert response.status_code == 400 and b"not valid" in response.data


def test_a_new_link_replaces_the_old_one(app, client, new_student):
    old = link_for(app, new_student)
    new = link_for(app, new_student)
    assert client.get(old).status_code == 400
    assert client.get(new).status_code == 200


def test_link_of_a_deactivated_user_is_refused(app, client, new_student):
    url = link_for(app, new_student)
    new_student.active = False
    db.session.commit()
    assert client.get(url).status_code == 400


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("short", "short", b"at least 8"),
    ("password123", "password123", b"most common"),
    ("blue giraffe", "blue giraffes", b"The two passwords are different"),
])
def test_weak_or_mismatched_password_is_explained(app, client, new_student, password, confirm, message):
    url = link_for(app, new_student)
    response = choose(client, url, password, confirm)
    assert response.status_code == 200 and message in response.data
    db.session.refresh(new_student)
    assert new_student.password_hash is None and new_student.setup_nonce is not None
