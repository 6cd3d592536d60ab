"""Debriefs with a circle's leaders: supervision sessions of their circle, recorded on the circle's
debrief page, listed on Supervision, and counted toward a leader's supervision."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.topics import list_topics
from schoolpeers.circles import debriefs
from schoolpeers.circles.models import Circle, CircleLeader
from schoolpeers.extensions import db
from schoolpeers.programme import supervision
from schoolpeers.programme.models import SupervisionSession
from schoolpeers.programme.supervision import SupervisionError
from schoolpeers.timeutil import today_in, utcnow
from tests.factories import UserFactory, make_mentor


def make_circle(school, counselor, leaders, name="Exam stress circle") -> Circle:
    circle = Circle(school_id=school.id, name=name, topic_id=list_topics(school)[0].id, grade_min=7,
                    grade_max=9, capacity=8, counselor_id=counselor.id, created_by_id=counselor.id)
    circle.leader_links = [CircleLeader(school_id=school.id, leader_id=leader.user_id) for leader in leaders]
    db.session.add(circle)
    db.session.commit()
    return circle


@pytest.fixture
def today(school):
    return today_in(school.timezone)


@pytest.fixture
def leaders(school, users):
    """Two certified mentors, mentors for more than a year (so overdue for supervision)."""
    found = [make_mentor(school, users["counselor"], given_name=name) for name in ("Ada", "Bo")]
    for profile in found:
        profile.accepted_on = today_in(school.timezone) - timedelta(days=400)
        profile.created_at = utcnow() - timedelta(days=430)
    db.session.commit()
    return found


@pytest.fixture
def circle(school, users, leaders):
    return make_circle(school, users["counselor"], leaders)


def data(day, leader_ids, **overrides) -> debriefs.DebriefData:
    return debriefs.DebriefData(**({"held_on": day, "minutes": 30, "themes": ["circle_sessions", "self_care"],
                                    "leader_ids": leader_ids} | overrides))


def overdue_names(school, today) -> list[str]:
    return [p.user.given_name for p, _last in supervision.overdue_mentors(school.id, today)]


def test_a_debrief_is_a_supervision_session_of_its_circle(school, users, leaders, circle, today):
    both = debriefs.record_debrief(circle, data(today, [p.user_id for p in leaders]), users["counselor"], today)
    one = debriefs.record_debrief(circle, data(today - timedelta(days=7), [leaders[0].user_id]),
                                  users["counselor"], today)
    db.session.commit()
    assert (both.circle_id, both.kind, supervision.attendee_ids(both)) == (
        circle.id, "group", sorted(p.user_id for p in leaders))
    assert (one.circle_id, one.kind, supervision.attendee_ids(one)) == (circle.id, "one_to_one", [leaders[0].user_id])
    assert both.themes == ["self_care", "circle_sessions"]  # the list's order
    assert debriefs.debriefs_of(circle) == [both, one]  # newest first


def test_a_debrief_counts_as_the_leaders_supervision(school, users, leaders, circle, today):
    assert overdue_names(school, today) == ["Ada", "Bo"]
    debriefs.record_debrief(circle, data(today, [leaders[0].user_id]), users["counselor"], today)
    db.session.commit()
    assert overdue_names(school, today) == ["Bo"]


@pytest.mark.parametrize("who", ["a mentor who does not lead it", "nobody"])
def test_only_the_circles_leaders_can_be_recorded(school, users, circle, today, who):
    other = make_mentor(school, users["counselor"], given_name="Cy")
    db.session.commit()
    with pytest.raises(SupervisionError) as refused:
        debriefs.record_debrief(circle, data(today, [other.user_id] if who != "nobody" else []),
                                users["counselor"], today)
    assert refused.value.field == "attendees"
    assert "leader" in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_a_leader_of_another_circle_is_no_leader_of_this_one(school, users, leaders, circle, today):
    other_circle = make_circle(school, users["counselor"], [make_mentor(school, users["counselor"])], name="Friends")
    with pytest.raises(SupervisionError):
        debriefs.record_debrief(other_circle, data(today, [leaders[0].user_id]), users["counselor"], today)


def test_the_same_debrief_twice_is_refused_but_a_session_without_the_circle_is_another(
        school, users, leaders, circle, today):
    ids = [p.user_id for p in leaders]
    debriefs.record_debrief(circle, data(today, ids), users["counselor"], today)
    db.session.commit()
    with pytest.raises(SupervisionError, match="recorded already"):
        debriefs.record_debrief(circle, data(today, ids), users["counselor"], today)
    db.session.rollback()
    plain = supervision.record_session(school, supervision.SessionData(today, "group", 30, ["circle_sessions"], ids),
                                       users["counselor"], today)
    assert plain.circle_id is None


def test_the_page_records_a_debrief_listed_on_supervision(client, school, users, leaders, circle, today, login_as):
    login_as(users["counselor"])
    page = client.get(f"/circles/{circle.id}/debrief")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Ada" in body and "Bo" in body and "No debrief yet" in body
    sent = client.post(f"/circles/{circle.id}/debrief", data={
        "held_on": today.isoformat(), "minutes": "40", "themes": ["circle_sessions"],
        "attendees": [str(leaders[1].user_id)]})
    assert sent.status_code == 302
    [session] = db.session.scalars(select(SupervisionSession)).all()
    assert (session.circle_id, session.kind, session.minutes) == (circle.id, "one_to_one", 40)
    listed = client.get("/supervision").get_data(as_text=True)
    assert "Debrief: Exam stress circle" in listed
    detail = client.get(f"/supervision/{session.id}").get_data(as_text=True)
    assert "Debrief: Exam stress circle" in detail and f"/circles/{circle.id}/debrief" in detail
    again = client.get(f"/circles/{circle.id}/debrief").get_data(as_text=True)
    assert "Earlier debriefs (1)" in again and "Leading circle sessions" in again


def test_the_page_refuses_beside_the_field_and_writes_nothing(client, school, users, circle, today, login_as):
    login_as(users["counselor"])
    page = client.post(f"/circles/{circle.id}/debrief", data={
        "held_on": (today + timedelta(days=1)).isoformat(), "minutes": "40", "themes": ["circle_sessions"],
        "attendees": [str(circle.leader_links[0].leader_id)]})
    assert page.status_code == 400
    assert "not a day in the future" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_only_this_schools_counselors_open_the_page(client, school, other_school, users, leaders, circle, login_as):
    outsider = UserFactory(other_school)("counselor")
    db.session.commit()
    login_as(outsider)
    assert client.get(f"/circles/{circle.id}/debrief").status_code == 404
    assert client.post(f"/circles/{circle.id}/debrief", data={}).status_code == 404
    login_as(leaders[0].user)
    assert client.get(f"/circles/{circle.id}/debrief").status_code == 403
