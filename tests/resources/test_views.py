"""The library's pages: counselors curate, everyone in the school reads, nobody else."""
from datetime import date, timedelta

from sqlalchemy import func, select

from schoolpeers.accounts.topics import list_topics
from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.resources import services
from schoolpeers.resources.models import Resource
from tests.factories import UserFactory


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Resource))


def form(**overrides):
    values = {"title": "Five things you can see", "body": "Name five things you can see, four you can touch.",
              "review_on": (date.today() + timedelta(days=90)).isoformat()}
    return values | overrides


def test_a_counselor_writes_edits_and_retires_a_resource(client, users, login_as):
    login_as(users["counselor"])
    assert client.post("/resources/new", data=form()).status_code == 302
    resource = db.session.scalar(select(Resource))
    response = client.post(f"/resources/{resource.id}/edit", data=form(title="Grounding"), follow_redirects=True)
    assert "“Grounding” saved." in response.get_data(as_text=True)
    client.post(f"/resources/{resource.id}/active")
    db.session.refresh(resource)
    assert not resource.active


def test_mistakes_show_next_to_the_field_and_nothing_is_saved(client, users, login_as):
    login_as(users["counselor"])
    response = client.post("/resources/new", data=form(link="ftp://files", grade_min="9", grade_max="7"))
    assert response.status_code == 200 and count() == 0
    assert "The highest grade must not be below the lowest." in response.get_data(as_text=True)
    response = client.post("/resources/new", data=form(link="ftp://files"))
    assert "A web address starting with https://" in response.get_data(as_text=True) and count() == 0


def test_the_starter_set_button_fills_the_library(client, users, login_as):
    login_as(users["counselor"])
    page = client.post("/resources/starter-set", follow_redirects=True).get_data(as_text=True)
    assert "starter resources added" in page and "Exam worry" in page and count() >= 7


def test_students_read_active_resources_only(client, users, login_as, school):
    live = services.save_resource(school, services.ResourceData("Live", "Body.", date.today()), users["counselor"])
    gone = services.save_resource(school, services.ResourceData("Gone", "Body.", date.today()), users["counselor"])
    services.set_active(gone, False)
    db.session.commit()
    login_as(users["student"])
    page = client.get("/resources").get_data(as_text=True)
    assert "Live" in page and "Gone" not in page and "Write a resource" not in page
    assert client.get(f"/resources/{live.id}").status_code == 200
    assert client.get(f"/resources/{gone.id}").status_code == 404
    assert client.get("/resources/new").status_code == 403


def test_another_school_cannot_open_ours(client, users, login_as, school, other_school):
    ours = services.save_resource(school, services.ResourceData("Ours", "Body.", date.today()), users["counselor"])
    db.session.commit()
    login_as(UserFactory(other_school)("counselor"))
    assert client.get(f"/resources/{ours.id}").status_code == 404
    assert client.post(f"/resources/{ours.id}/edit", data=form()).status_code == 404
    assert "Ours" not in client.get("/resources").get_data(as_text=True)


def test_ideas_appear_beside_check_ins_and_on_the_mentees_page(client, users, login_as, school, mentorship):
    services.add_starter_set(school, users["counselor"], date.today())
    exams = next(t for t in list_topics(school) if t.name == "exam stress")
    checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
        date.today(), 20, "online", 4, topics=[exams]), date.today())
    db.session.commit()
    login_as(mentorship.mentor)
    page = client.get(f"/mentor/mentorships/{mentorship.id}/checkin").get_data(as_text=True)
    assert "Ideas to share for the topics you ticked" in page and f'data-topics="{exams.id}"' in page
    assert "suggestions.js" in page
    login_as(mentorship.mentee)
    own_page = client.get("/request").get_data(as_text=True)
    assert "Meet your mentor" in own_page and "Exam worry" in own_page and "Ideas that might help" in own_page
    assert "Ideas that might help" not in client.get("/").get_data(as_text=True)  # the home stays light
    client.post("/me/checkin", data={"wellbeing": "4"})
    assert "Exam worry" in client.get("/me/checkin/done").get_data(as_text=True)
