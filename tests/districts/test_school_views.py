"""Creating a school from the district office, its admins, their setup links, and archiving."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import School, User
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.factories import UserFactory, make_district

NEW_SCHOOL = {"name": "North High", "slug": "north-high", "timezone": "America/Chicago", "grade_min": "9",
              "grade_max": "12", "roster_org_id": "n1", "admin_given_name": "Ada", "admin_family_name": "Admin",
              "admin_email": "ada@north.example.org"}


@pytest.fixture
def districts(school, other_school):
    ours, theirs = make_district(school, "riverside"), make_district(other_school, "lakeside")
    ours["district"].min_group_size, ours["district"].retention_days = 7, 120
    db.session.commit()
    return ours, theirs


@pytest.fixture
def admin_client(client, districts, login_as):
    return login_as(districts[0]["district_admin"])


def test_a_new_school_with_its_admin_and_a_setup_link_shown_once(admin_client, districts):
    assert admin_client.get("/district/schools/new").status_code == 200
    response = admin_client.post("/district/schools/new", data=NEW_SCHOOL)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "/setup/" in page and "Ada Admin" in page
    school = db.session.scalar(select(School).where(School.slug == "north-high"))
    assert (school.district_id, school.min_group_size, school.retention_days, school.timezone) == (
        districts[0]["district"].id, 7, 120, "America/Chicago")
    admin = db.session.scalar(select(User).where(User.school_id == school.id))
    assert admin.role == "admin" and admin.setup_nonce
    detail = admin_client.get(f"/district/schools/{school.id}").get_data(as_text=True)
    assert "Ada Admin" in detail and "setup pending" in detail and "/setup/" not in detail
    created = select(AuditEvent.record_id).where(AuditEvent.action == "district.school_create")
    assert db.session.scalar(created) == school.id


@pytest.mark.parametrize(("change", "message"), [
    ({"slug": "test-school"}, "Another school here has the short name test-school"),
    ({"slug": "North High!"}, "lower-case letters"),
    ({"timezone": "Nowhere/Land"}, "Unknown timezone"),
    ({"grade_min": "12", "grade_max": "9"}, "the highest not below the lowest"),
    ({"admin_email": "taken@example.org"}, "already belongs to another account"),
    ({"roster_org_id": "taken-org"}, "each org is one school"),
    ({"grade_min": "x"}, "Not a valid integer value."),
])
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_written(admin_client, school, change, message):
    UserFactory(school)("staff", email="taken@example.org")
    school.roster_org_id = "taken-org"
    db.session.commit()
    schools, people = (db.session.scalar(select(func.count()).select_from(model)) for model in (School, User))
    response = admin_client.post("/district/schools/new", data={**NEW_SCHOOL, **change})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(School)) == schools
    assert db.session.scalar(select(func.count()).select_from(User)) == people


def test_another_districts_school_answers_404(client, districts, other_school, school, login_as):
    login_as(districts[0]["district_admin"])
    for url in (f"/district/schools/{other_school.id}", f"/district/schools/{other_school.id}/admins/new",
                f"/district/schools/{districts[1]['office'].id}", f"/district/schools/{districts[0]['office'].id}"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/district/schools/{other_school.id}/archive", data={"confirm_name": "Other School"})
    assert response.status_code == 404 and not other_school.is_archived
    login_as(districts[1]["district_admin"])
    assert client.get(f"/district/schools/{school.id}").status_code == 404


def test_appointing_an_admin_and_a_fresh_link_for_one_not_set_up(admin_client, school, users):
    response = admin_client.post(f"/district/schools/{school.id}/admins/new",
                                 data={"given_name": "Bo", "family_name": "Second", "email": "bo@example.org"})
    assert response.status_code == 200 and "/setup/" in response.get_data(as_text=True)
    bo = db.session.scalar(select(User).where(User.email == "bo@example.org"))
    assert (bo.school_id, bo.role) == (school.id, "admin")
    first_nonce = bo.setup_nonce
    response = admin_client.post(f"/district/schools/{school.id}/admins/link", data={"user_id": str(bo.id)})
    assert "/setup/" in response.get_data(as_text=True)
    db.session.expire_all()
    assert bo.setup_nonce != first_nonce  # the earlier link no longer works
    # Not for someone who is no admin of this school, nor for an admin who has set up.
    for user in (users["counselor"], users["student"]):
        response = admin_client.post(f"/district/schools/{school.id}/admins/link", data={"user_id": str(user.id)},
                                     follow_redirects=True)
        assert "Choose one of this school&#39;s admins." in response.get_data(as_text=True)
    users["admin"].password_hash = "chosen"
    db.session.commit()
    response = admin_client.post(f"/district/schools/{school.id}/admins/link",
                                 data={"user_id": str(users["admin"].id)}, follow_redirects=True)
    assert "has set up their account already" in response.get_data(as_text=True)
    assert admin_client.post(f"/district/schools/{school.id}/admins/link",
                             data={"user_id": "99999999999"}).status_code == 302


def test_archiving_needs_the_name_and_twice_changes_nothing(admin_client, school):
    response = admin_client.post(f"/district/schools/{school.id}/archive", data={"confirm_name": "Test"})
    assert response.status_code == 400 and "Type the name exactly as shown" in response.get_data(as_text=True)
    assert not school.is_archived
    response = admin_client.post(f"/district/schools/{school.id}/archive", data={"confirm_name": "Test School"},
                                 follow_redirects=True)
    assert "is archived" in response.get_data(as_text=True)
    db.session.expire_all()
    first = school.archived_at
    assert first is not None
    response = admin_client.post(f"/district/schools/{school.id}/archive", data={"confirm_name": "Test School"},
                                 follow_redirects=True)
    assert "archived already: nothing changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert school.archived_at == first
    page = admin_client.get(f"/district/schools/{school.id}").get_data(as_text=True)
    assert "read-only" in page and "Appoint an admin" not in page
