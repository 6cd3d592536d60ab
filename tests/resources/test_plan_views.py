"""The session plans' pages: counselors read, write, retire and load the starter plans; mistakes show
next to their field; another school's plans answer 404."""
from sqlalchemy import func, select

from schoolpeers.accounts.models import Topic
from schoolpeers.extensions import db
from schoolpeers.resources import plans
from schoolpeers.resources.models import SessionPlan
from schoolpeers.resources.plan_starter import SAFETY_LINE, STARTER_PLANS
from tests.factories import UserFactory


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(SessionPlan))


def form(**overrides):
    values = {"title": "Calm before tests", "topic_id": "0", "minutes": "45",
              "opening_round": "One word for your week.", "activity": "Draw what makes exams heavy.",
              "coping_skill": "In for four, out for six.", "closing_round": "One thing you will try."}
    return values | overrides


def a_plan(school, counselor, **overrides) -> SessionPlan:
    plan = plans.save_plan(school, plans.PlanData(**{k: v for k, v in form(**overrides).items()
                                                     if k not in ("topic_id", "minutes")}, minutes=45), counselor)
    db.session.commit()
    return plan


def test_a_counselor_writes_reads_and_edits_a_plan(client, users, login_as, school):
    exams = db.session.scalar(select(Topic).where(Topic.school_id == school.id, Topic.name == "exam stress"))
    login_as(users["counselor"])
    page = client.get("/library/plans/new").get_data(as_text=True)
    assert 'value="45"' in page and "Any circle" in page and "exam stress" in page
    response = client.post("/library/plans/new", data=form(topic_id=str(exams.id)), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "“Calm before tests” saved." in page and "Draw what makes exams heavy." in page and "exam stress" in page
    plan = db.session.scalar(select(SessionPlan))
    assert plan.topic_id == exams.id
    edit_page = client.get(f"/library/plans/{plan.id}/edit").get_data(as_text=True)
    assert f'selected value="{exams.id}"' in edit_page and "Calm before tests" in edit_page
    client.post(f"/library/plans/{plan.id}/edit", data=form(title="Calm days", topic_id="0"))
    db.session.refresh(plan)
    assert (plan.title, plan.topic_id) == ("Calm days", None)


def test_mistakes_show_next_to_the_field_and_nothing_is_saved(client, users, login_as, school):
    a_plan(school, users["counselor"])
    login_as(users["counselor"])
    response = client.post("/library/plans/new", data=form(title="calm BEFORE tests"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and count() == 1
    assert 'id="title-error"' in page and "already has a session plan with this title" in page
    response = client.post("/library/plans/new", data=form(title="Another", coping_skill="  ", minutes="5"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and count() == 1 and 'id="minutes-error"' in page
    response = client.post("/library/plans/new", data=form(title="Another", coping_skill="  "))
    page = response.get_data(as_text=True)
    assert 'id="coping_skill-error"' in page and "Write the coping skill" in page and count() == 1
    response = client.post("/library/plans/new", data=form(title="Another", minutes="many", topic_id="99999"))
    assert response.status_code == 400 and count() == 1  # the form refuses them before the service


def test_retiring_and_bringing_back_a_plan(client, users, login_as, school):
    plan = a_plan(school, users["counselor"])
    login_as(users["counselor"])
    page = client.post(f"/library/plans/{plan.id}/active", follow_redirects=True).get_data(as_text=True)
    assert "is retired" in page and "Retired (1)" in page and "Bring back" in page
    db.session.refresh(plan)
    assert not plan.active and plans.plans_for_topic(school.id, None) == []
    assert "retired" in client.get(f"/library/plans/{plan.id}").get_data(as_text=True)
    client.post(f"/library/plans/{plan.id}/active")
    db.session.refresh(plan)
    assert plan.active


def test_the_starter_plans_button_loads_them_once_and_then_goes(client, users, login_as):
    login_as(users["counselor"])
    page = client.get("/library/plans").get_data(as_text=True)
    assert f"Load the starter plans ({len(STARTER_PLANS)} missing)" in page and "No session plan in use yet" in page
    page = client.post("/library/plans/starter", follow_redirects=True).get_data(as_text=True)
    assert f"{len(STARTER_PLANS)} starter plans added" in page and "When exams pile up" in page
    assert "Load the starter plans" not in page and count() == len(STARTER_PLANS)
    page = client.post("/library/plans/starter", follow_redirects=True).get_data(as_text=True)
    assert "every starter plan already" in page and count() == len(STARTER_PLANS)


def test_a_plan_page_shows_its_four_parts_and_the_safety_line(client, users, login_as, school):
    plans.add_starter_plans(school, users["counselor"])
    db.session.commit()
    plan = db.session.scalar(select(SessionPlan).where(SessionPlan.title == "New here"))
    login_as(users["counselor"])
    page = client.get(f"/library/plans/{plan.id}").get_data(as_text=True)
    for heading in ("Check-in round", "Activity", "Coping skill", "Closing round"):
        assert heading in page
    assert "Grounding 5-4-3-2-1" in page and "settling into a new school" in page
    assert "Based on: YoungMinds" in page and "the supervising counselor the same day" in page
    assert SAFETY_LINE.split(".")[0].replace("'", "&#39;") in page


def test_the_library_links_counselors_to_the_plans(client, users, login_as):
    login_as(users["counselor"])
    assert 'href="/library/plans"' in client.get("/resources").get_data(as_text=True)
    login_as(users["student"])
    assert 'href="/library/plans"' not in client.get("/resources").get_data(as_text=True)
    assert client.get("/library/plans").status_code == 403


def test_another_school_cannot_open_or_change_ours(client, users, login_as, school, other_school):
    ours = a_plan(school, users["counselor"])
    login_as(UserFactory(other_school)("counselor"))
    assert client.get(f"/library/plans/{ours.id}").status_code == 404
    assert client.post(f"/library/plans/{ours.id}/edit", data=form(title="Taken over")).status_code == 404
    assert client.post(f"/library/plans/{ours.id}/active").status_code == 404
    assert "Calm before tests" not in client.get("/library/plans").get_data(as_text=True)
    db.session.refresh(ours)
    assert ours.title == "Calm before tests" and ours.active
