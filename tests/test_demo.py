from sqlalchemy import func, select

from schoolpeers.accounts.models import School, User
from schoolpeers.demo import DEMO_PASSWORD, build_demo_school
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn
from schoolpeers.programme import outcomes
from schoolpeers.programme.steps import steps_for
from schoolpeers.reports.privacy import CellStatus
from schoolpeers.timeutil import today_in


def count(role, slug="northfield"):
    return db.session.scalar(select(func.count()).select_from(User).join(School, School.id == User.school_id)
                             .where(User.role == role, School.slug == slug))


def test_demo_school_is_realistic_and_built_once(runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "Demo school loaded." in first.output
    assert "counselor" in first.output and DEMO_PASSWORD in first.output
    assert count("student") == 400 and count("counselor") == 2 and count("admin") == 1
    grades = set(db.session.scalars(select(User.grade).where(User.role == "student")))
    assert grades == set(range(6, 13))
    _shows_a_year_with_outcomes()
    _has_a_district_of_two_schools()
    second = runner.invoke(args=["demo"])
    assert "already present" in second.output and count("student") == 400
    assert db.session.scalar(select(func.count()).select_from(School)) == 3  # two schools and the office
    for username in ("counselor", "staff", "admin", "student", "district", "analyst"):
        response = client.post("/login", data={"login": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        home = client.get("/")
        if username in ("counselor", "admin", "district"):  # they set up two-factor sign-in first
            assert home.location.endswith("/account/two-factor/setup")
        elif username == "analyst":
            assert home.location.endswith("/district/")
        else:
            assert home.status_code == 200
        client.post("/logout")


def _shows_a_year_with_outcomes():
    """The last school year's outcomes report has paired change and both sides' satisfaction to show,
    and the demo mentee has their agreement still to read."""
    school = db.session.scalar(select(School).where(School.slug == "northfield"))
    today = today_in(school.timezone)
    last_year = outcomes.school_years(school, today)[1]
    report = outcomes.outcomes_report(school, last_year, b"demo")
    assert report.change.total.status == CellStatus.SHOWN
    assert [side.status for side in report.surveys] == [CellStatus.SHOWN, CellStatus.SHOWN]
    mentee = db.session.scalar(select(User).where(User.username == "mentee"))
    assert "goals.mentee_agreement" in {step.endpoint for step in steps_for(mentee, today)}


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


def _has_a_district_of_two_schools():
    """Northfield and Southbank share a district, with its office's admin and analyst; Southbank has a
    year of check-ins of its own for the roll-up report."""
    schools = {s.slug: s for s in db.session.scalars(select(School))}
    assert {s.district_id for s in schools.values()} == {schools["northfield"].district_id}
    assert schools["northfield-district-office"].kind == "district_office"
    assert count("district_admin", "northfield-district-office") == 1
    assert count("district_analyst", "northfield-district-office") == 1
    southbank_checkins = db.session.scalar(select(func.count()).select_from(CheckIn).where(
        CheckIn.school_id == schools["southbank"].id))
    assert southbank_checkins > 100
