from sqlalchemy import func, select

from schoolpeers.accounts.models import School, User
from schoolpeers.demo import DEMO_PASSWORD, build_demo_school
from schoolpeers.extensions import db


def count(role):
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == role))


def test_demo_school_is_realistic_and_built_once(runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "Demo school loaded." in first.output
    assert "counselor" in first.output and DEMO_PASSWORD in first.output
    assert count("student") == 400 and count("counselor") == 2 and count("admin") == 1
    grades = set(db.session.scalars(select(User.grade).where(User.role == "student")))
    assert grades == set(range(6, 13))
    second = runner.invoke(args=["demo"])
    assert "already present" in second.output and count("student") == 400
    assert db.session.scalar(select(func.count()).select_from(School)) == 1
    for username in ("counselor", "staff", "admin", "student"):
        response = client.post("/login", data={"login": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        home = client.get("/")
        if username in ("counselor", "admin"):  # they set up two-factor sign-in first
            assert home.location.endswith("/account/two-factor/setup")
        else:
            assert home.status_code == 200
        client.post("/logout")


def test_demo_is_deterministic(app):
    school, _ = build_demo_school(seed=1, students=30)
    names = [(u.given_name, u.family_name, u.grade, [i.name for i in u.interests])
             for u in db.session.scalars(select(User).where(User.school_id == school.id).order_by(User.id))]
    db.session.rollback()
    school, _ = build_demo_school(seed=1, students=30)
    again = [(u.given_name, u.family_name, u.grade, [i.name for i in u.interests])
             for u in db.session.scalars(select(User).where(User.school_id == school.id).order_by(User.id))]
    db.session.rollback()
    assert names == again
