"""Sessions end after inactivity and at an absolute limit."""
import pytest


def age_session(client, *, idle_seconds=0, since_sign_in=0):
    with client.session_transaction() as session:
        session["seen_at"] -= idle_seconds
        session["auth_at"] -= since_sign_in


@pytest.mark.parametrize(("role", "minutes"), [("counselor", 30), ("staff", 30), ("admin", 30), ("student", 60)])
def test_inactivity_ends_the_session(app, login_as, users, role, minutes):
    client = login_as(users[role])
    age_session(client, idle_seconds=minutes * 60 - 5)
    assert client.get("/").status_code == 200  # still within the limit; the request counts as activity
    age_session(client, idle_seconds=minutes * 60 + 5)
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert client.get("/").status_code == 302  # and it stays ended
    page = client.get("/login")
    assert f"after {minutes} minutes without activity".encode() in page.data


def test_activity_keeps_the_session_alive(login_as, users):
    client = login_as(users["counselor"])
    age_session(client, idle_seconds=25 * 60)
    assert client.get("/").status_code == 200
    age_session(client, idle_seconds=10 * 60)  # 35 minutes since sign-in, 10 since the last request
    assert client.get("/").status_code == 200


def test_the_absolute_lifetime_ends_even_an_active_session(app, login_as, users):
    client = login_as(users["student"])
    age_session(client, since_sign_in=int(app.permanent_session_lifetime.total_seconds()) + 5)
    assert client.get("/").status_code == 302
    assert b"reached its time limit" in client.get("/login").data


def test_a_session_without_its_times_is_not_ours(client, users):
    with client.session_transaction() as session:
        session["_user_id"] = users["staff"].get_id()
        session["_fresh"] = True
    assert client.get("/").status_code == 302


def test_json_clients_get_401_when_their_session_ended(login_as, users):
    client = login_as(users["staff"])
    age_session(client, idle_seconds=31 * 60)
    response = client.get("/reports/data.json")
    assert response.status_code == 401 and "without activity" in response.get_json()["error"]


def test_the_timeout_is_configurable(app, login_as, users):
    app.config["IDLE_MINUTES_ADULT"] = 5
    try:
        client = login_as(users["staff"])
        age_session(client, idle_seconds=6 * 60)
        assert client.get("/").status_code == 302
    finally:
        app.config["IDLE_MINUTES_ADULT"] = 30
