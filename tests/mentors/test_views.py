from datetime import date, timedelta

import pytest
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.mentors.models import MentorProfile
from tests.factories import UserFactory, make_mentor

COUNSELOR_PAGES = [
    ("GET", "/mentors"),
    ("GET", "/mentors/{profile}"),
    ("POST", "/mentors/{profile}/decide"),
    ("POST", "/mentors/{profile}/training"),
    ("POST", "/mentors/{profile}/certify"),
    ("POST", "/mentors/{profile}/pause"),
]
STUDENT_PAGES = [("GET", "/mentor/apply"), ("POST", "/mentor/apply"), ("GET", "/mentor/mentees"),
                 ("GET", "/feedback"), ("POST", "/feedback"), ("GET", "/talk-to-a-counselor")]


@pytest.fixture
def profile(school, users):
    made = make_mentor(school, users["counselor"])
    db.session.commit()
    return made


def call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.mark.parametrize(("method", "url"), COUNSELOR_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "student", "counselor", "staff", "admin", "other school"])
def test_counselor_pages(client, users, profile, other_school, login_as, method, url, role):
    if role == "other school":
        login_as(UserFactory(other_school)("counselor"))
        db.session.commit()
    elif role != "anonymous":
        login_as(users[role])
    response = call(client, method, url.format(profile=profile.id))
    expected = {"anonymous": {302}, "counselor": {200, 302, 400}, "other school": {404}}.get(role, {403})
    if role == "other school" and url == "/mentors":
        expected = {200}
    assert response.status_code in expected
    if role == "other school" and url == "/mentors":
        assert profile.user.family_name.encode() not in response.data


@pytest.mark.parametrize(("method", "url"), STUDENT_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "counselor", "staff", "admin"])
def test_student_pages_refuse_adults(client, users, login_as, method, url, role):
    if role != "anonymous":
        login_as(users[role])
    response = call(client, method, url)
    assert response.status_code == (302 if role == "anonymous" else 403)


def test_student_applies_and_sees_status(client, users, login_as):
    login_as(users["student"])
    bad = client.post("/mentor/apply", data={"bio": "", "motivation": "help", "capacity": 9})
    assert bad.status_code == 200 and b'id="bio-error"' in bad.data and b'id="capacity-error"' in bad.data
    ok = client.post("/mentor/apply", data={"bio": "I like chess", "motivation": "help", "capacity": 2,
                                            "availability": ["mon-lunch"], "topics": ["999999"]})
    assert ok.status_code == 200 and b"is not a valid choice" in ok.data
    ok = client.post("/mentor/apply", data={"bio": "I like chess", "motivation": "help", "capacity": 2,
                                            "availability": ["mon-lunch"]})
    assert ok.status_code == 302
    assert b"Thank you for applying" in client.get("/mentor/apply").data
    assert client.get("/mentor/mentees").status_code == 200


def test_student_without_profile_has_no_mentees_page(client, users, login_as):
    login_as(users["student"])
    assert client.get("/mentor/mentees").status_code == 404


def test_counselor_accepts_trains_and_certifies(client, users, login_as, school):
    from schoolpeers.mentors import services

    student = users["student"]
    profile = services.apply_to_mentor(student, bio="b", motivation="m", capacity=1, topics=[], availability=[])
    db.session.commit()
    login_as(users["counselor"])
    assert b"application waiting" in client.get("/mentors").data
    client.post(f"/mentors/{profile.id}/decide", data={"decision": "accept"})
    modules = [m.id for m in services.training_modules(school.id)]
    future = client.post(f"/mentors/{profile.id}/training",
                         data={"modules": modules, "completed_on": (date.today() + timedelta(days=3)).isoformat()})
    assert future.status_code == 400 and b"cannot be in the future" in future.data
    early = client.post(f"/mentors/{profile.id}/certify", data={})
    assert early.status_code == 400 and b"Training is not complete" in early.data
    client.post(f"/mentors/{profile.id}/training", data={"modules": modules, "completed_on": date.today().isoformat()})
    done = client.post(f"/mentors/{profile.id}/certify", data={})
    assert done.status_code == 302
    refreshed = db.session.scalar(select(MentorProfile).where(MentorProfile.id == profile.id)
                                  .execution_options(populate_existing=True))
    assert refreshed.certified_until == services.school_year_end(date.today())
    client.post(f"/mentors/{profile.id}/pause", data={"paused": "1"})
    client.post(f"/mentors/{profile.id}/pause", data={"paused": "1"})  # a double submit stays paused
    db.session.refresh(refreshed)
    assert refreshed.status == "paused"
