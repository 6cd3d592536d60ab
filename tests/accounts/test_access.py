"""Sessions end when an account changes; records of another school answer 404."""
from schoolpeers.accounts import services
from schoolpeers.extensions import db


def test_deactivation_ends_sessions_at_once(client, users, login_as, app):
    student = users["student"]
    login_as(student)
    assert client.get("/").status_code == 200
    services.set_active(student, False, acting_user=users["admin"])
    db.session.commit()
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(client, users, login_as):
    student = users["student"]
    login_as(student)
    services.set_password(student, "a brand new passphrase")
    db.session.commit()
    assert client.get("/").status_code == 302


def test_role_change_needs_a_new_sign_in(client, users, login_as):
    staff = users["staff"]
    login_as(staff)
    services.change_role(staff, "admin", acting_user=users["admin"])
    db.session.commit()
    assert client.get("/admin/users").status_code == 302


def test_tampered_session_id_is_anonymous(client):
    with client.session_transaction() as session:
        session["_user_id"] = "1:not-a-version"
    assert client.get("/").status_code == 302


def test_other_schools_user_ids_answer_404(client, users, outsider, login_as):
    login_as(outsider)
    for user in users.values():
        assert client.get(f"/admin/users/{user.id}").status_code == 404
        assert client.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 404
        assert client.post(f"/admin/users/{user.id}/role", data={"role": "admin"}).status_code == 404
        assert client.post(f"/admin/users/{user.id}/setup-link").status_code == 404
    db.session.expire_all()
    assert all(u.active for u in users.values())


def test_a_session_id_without_the_school_signs_out(client, users):
    """Sessions begun before the school was part of their id ("id:version") end safely."""
    user = users["staff"]
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
    assert client.get("/").status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.school_id + 1}:{user.id}:{user.session_version}"  # another school
    assert client.get("/").status_code == 302
