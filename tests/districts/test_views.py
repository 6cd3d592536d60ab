"""The district office's pages: home (counts, never names), settings (tightening), its people."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from schoolpeers.accounts.models import User
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.factories import UserFactory, make_district, make_mentor


@pytest.fixture
def ours(school, other_school, users):
    make_mentor(school, users["counselor"])
    ours = make_district(school, "riverside")
    make_district(other_school, "lakeside")
    db.session.commit()
    return ours


def test_the_admin_sees_schools_counts_and_every_link(client, ours, school, users, login_as):
    login_as(ours["district_admin"])
    page = client.get("/district/").get_data(as_text=True)
    assert "District riverside" in page and "Test School" in page and "Other School" not in page
    assert "<td>2</td>" in page and "<td>1</td>" in page  # active students (the student, the mentor), mentors
    assert users["student"].family_name not in page
    for link in ("/district/settings", "/district/people", "/district/roster/", "/district/sign-in/",
                 "/district/reports/", f"/district/schools/{school.id}", "/district/schools/new"):
        assert link in page, link


def test_the_analyst_sees_the_list_and_the_report_only(client, ours, login_as):
    login_as(ours["district_analyst"])
    page = client.get("/district/").get_data(as_text=True)
    assert "Test School" in page and "/district/reports/" in page
    assert "/district/settings" not in page and "/district/schools/" not in page
    for url in ("/district/settings", "/district/people", "/district/people/new", "/district/schools/new",
                "/district/roster/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/district/settings", data={"min_group_size": "9", "retention_days": "100"}).status_code == 403
    assert ours["district"].min_group_size == 5


def test_settings_tighten_schools_and_say_how_many(client, ours, school, login_as):
    login_as(ours["district_admin"])
    assert client.get("/district/settings").status_code == 200
    response = client.post("/district/settings", data={"min_group_size": "9", "retention_days": "100",
                                                       "two_factor_all_adults": "y"}, follow_redirects=True)
    assert "1 school was tightened to meet them" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (school.min_group_size, school.retention_days, school.two_factor_all_adults) == (9, 100, True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "district.settings"))
    assert event.detail["schools_tightened"] == 1


@pytest.mark.parametrize(("values", "message"), [
    ({"min_group_size": "4", "retention_days": "100"}, "Choose from 5 to 100."),
    ({"min_group_size": "5", "retention_days": "9999"}, "Choose from 30 to 3650 days."),
    ({"min_group_size": "x", "retention_days": "100"}, "Not a valid integer value."),
])
def test_bad_settings_are_refused_next_to_the_field(client, ours, school, login_as, values, message):
    login_as(ours["district_admin"])
    response = client.post("/district/settings", data=values)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (ours["district"].retention_days, school.retention_days) == (365, 365)


def test_people_are_listed_and_a_new_one_gets_a_setup_link_once(client, ours, login_as):
    login_as(ours["district_admin"])
    page = client.get("/district/people").get_data(as_text=True)
    assert ours["district_analyst"].display_name in page and "setup pending" in page
    response = client.post("/district/people/new", data={"given_name": "Nia", "family_name": "Numbers",
                                                          "email": "nia@district.example.org",
                                                          "role": "district_analyst"})
    assert response.status_code == 200 and "/setup/" in response.get_data(as_text=True)
    nia = db.session.scalar(select(User).where(User.email == "nia@district.example.org"))
    assert (nia.role, nia.school_id, nia.setup_nonce is not None) == ("district_analyst", ours["office"].id, True)
    assert "/setup/" not in client.get("/district/people").get_data(as_text=True)


@pytest.mark.parametrize(("values", "message"), [
    ({"email": "taken@example.org"}, "already belongs to another account"),
    ({"email": "nope"}, "Give an email address such as name@school.org."),
    ({"role": "admin"}, "Not a valid choice"),
    ({"given_name": ""}, "This field is required."),
])
def test_a_bad_new_person_is_refused_next_to_the_field(client, ours, school, login_as, values, message):
    UserFactory(school)("staff", email="taken@example.org")
    db.session.commit()
    login_as(ours["district_admin"])
    before = db.session.scalar(select(db.func.count()).select_from(User))
    response = client.post("/district/people/new", data={"given_name": "Nia", "family_name": "Numbers",
                                                          "email": "nia@example.org", "role": "district_admin",
                                                          **values})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(User)) == before


def test_the_navigation_of_each_district_role(client, ours, login_as):
    login_as(ours["district_admin"])
    page = client.get("/district/").get_data(as_text=True)
    assert 'href="/district/roster/"' in page and "District people" in page
    login_as(ours["district_analyst"])
    page = client.get("/district/").get_data(as_text=True)
    assert "Roll-up report" in page and "District people" not in page


def test_a_new_district_says_what_to_do_first(client, app, login_as):
    from schoolpeers.districts.provisioning import create_district_with_admin

    _, admin = create_district_with_admin("Lakeside", "lakeside-new", admin_given_name="Dee",
                                          admin_family_name="Director", admin_email="dee@example.org")
    db.session.commit()
    login_as(admin)
    page = client.get("/district/").get_data(as_text=True)
    assert "The district has no schools yet." in page and "Create the first one" in page
