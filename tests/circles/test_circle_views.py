"""The circles pages: counselors set circles up and decide places, leaders see only the circles they
lead, and students see only their own places, ask, answer, agree and leave."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from schoolpeers.accounts.topics import list_topics
from schoolpeers.audit import AuditEvent
from schoolpeers.circles import circles, places, queries
from schoolpeers.circles.models import Circle, CircleMember, FeedbackGiven, GroupSession, SessionAttendance
from schoolpeers.circles.statuses import PlaceStatus, SessionStatus
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CIRCLE_LEADER_MODULE, TrainingModule
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory


def text(response) -> str:
    return response.get_data(as_text=True)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def member(circle, counselor, student, *, agreed=True):
    place, _ = places.ask_to_join(student, circle, utcnow())
    places.decide(place, True, counselor, utcnow())
    if agreed:
        places.agree(place, utcnow())
    db.session.commit()
    return place


@pytest.fixture
def led(counselor, make_circle, make_leader):
    """A circle with a leader (grade 11), and the leader."""
    circle, leader = make_circle(name="Exam stress"), make_leader(grade=11, given_name="Lea")
    circles.set_leaders(circle, [leader.id], counselor)
    db.session.commit()
    return circle, leader


def session_of(circle, starts_at, status=SessionStatus.SCHEDULED, **values) -> GroupSession:
    """A session of the circle; a held one was logged an hour after it began."""
    logged = {"logged_at": starts_at + timedelta(hours=1)} if status == SessionStatus.HELD else {}
    record = GroupSession(school_id=circle.school_id, circle_id=circle.id, title="Getting to know each other",
                          starts_at=starts_at, minutes=45, status=status, **(logged | values))
    db.session.add(record)
    db.session.commit()
    return record


# --- counselors ----------------------------------------------------------------------------------

def test_the_counselors_list_shows_each_circle_with_its_numbers(client, login_as, counselor, led, make_user):
    circle, leader = led
    member(circle, counselor, make_user("student", grade=8))
    places.ask_to_join(make_user("student", grade=8), circle, utcnow())
    session_of(circle, utcnow() + timedelta(days=2))
    db.session.commit()
    page = text(login_as(counselor).get("/circles"))
    assert "Exam stress" in page and "1 of 4" in page and "1 ask to answer" in page
    assert leader.display_name in page and "/sessions" not in page.split("Next session")[0]
    assert 'href="/circles/new"' in page and "Open workshops" in page and "Session plans" in page
    assert '<a href="/circles" aria-current="page">Circles</a>' in page


def test_an_empty_list_says_what_to_do(client, login_as, counselor):
    assert "No circle yet. Start one" in text(login_as(counselor).get("/circles"))


def test_a_counselor_creates_a_circle_then_chooses_its_leaders(client, login_as, school, counselor):
    login_as(counselor)
    form = text(client.get("/circles/new"))
    assert 'id="capacity" name="capacity" type="number" value="8"' in form
    topic_id = school_topic(school)
    response = client.post("/circles/new", data={
        "name": "Friendships", "topic_id": topic_id, "grade_min": "7", "grade_max": "9", "capacity": "6",
        "counselor_id": counselor.id, "about": "Making and keeping friends."})
    circle = db.session.scalar(select(Circle))
    assert response.status_code == 302 and response.location.endswith(f"/circles/{circle.id}/leaders")
    assert (circle.grade_min, circle.grade_max, circle.capacity) == (7, 9, 6)
    page = text(client.get(response.location))
    assert "No student can lead a circle yet" in page and 'href="/mentors"' in page
    assert "Leading a peer-support circle" in page
    assert "circle.create" in actions()


def school_topic(school) -> int:
    from schoolpeers.accounts.topics import list_topics

    return list_topics(school)[0].id


def test_mistakes_show_beside_their_field(client, login_as, school, counselor, make_circle):
    make_circle(name="Friendships")
    response = login_as(counselor).post("/circles/new", data={
        "name": "friendships", "topic_id": school_topic(school), "grade_min": "7", "grade_max": "9",
        "capacity": "6", "counselor_id": counselor.id})
    assert response.status_code == 400 and 'id="name-error"' in text(response)
    response = login_as(counselor).post("/circles/new", data={
        "name": "New", "topic_id": "0", "grade_min": "x", "grade_max": "9", "capacity": "6", "counselor_id": "0"})
    assert response.status_code == 400
    assert db.session.scalar(select(Circle).where(Circle.name == "New")) is None


def test_a_counselor_changes_a_circle(client, login_as, school, counselor, make_circle):
    circle = make_circle(name="Grief")
    response = login_as(counselor).post(f"/circles/{circle.id}/edit", data={
        "name": "Grief and change", "topic_id": circle.topic_id, "grade_min": "6", "grade_max": "12",
        "capacity": "10", "counselor_id": counselor.id, "about": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Circle, circle.id).name, db.session.get(Circle, circle.id).capacity) == (
        "Grief and change", 10)


def test_leaders_are_chosen_from_those_eligible(client, login_as, counselor, make_circle, make_leader):
    circle, leader = make_circle(), make_leader(given_name="Lea", family_name="Leader")
    login_as(counselor)
    assert "Lea Leader (grade 10)" in text(client.get(f"/circles/{circle.id}/leaders"))
    assert client.post(f"/circles/{circle.id}/leaders", data={"leaders": []}).status_code == 400
    response = client.post(f"/circles/{circle.id}/leaders", data={"leaders": [str(leader.id)]})
    assert response.status_code == 302
    assert [u.id for u in queries.leaders(circle)] == [leader.id]


def test_opening_the_leaders_page_writes_nothing_and_says_who_may_lead(client, login_as, school, counselor):
    """A circle made before its school had the circle-leader module (one is made with a new circle)."""
    circle = Circle(school_id=school.id, name="Grief and change", topic_id=list_topics(school)[0].id,
                    grade_min=6, grade_max=12, capacity=6, counselor_id=counselor.id, created_by_id=counselor.id)
    db.session.add(circle)
    db.session.commit()
    page = text(login_as(counselor).get(f"/circles/{circle.id}/leaders"))
    assert db.session.scalar(select(func.count()).select_from(TrainingModule)) == 0
    assert "certified mentor who completed the module" in page and CIRCLE_LEADER_MODULE[0] in page
    assert "No student can lead a circle yet" in page and 'href="/mentors"' in page


def test_a_counselor_invites_decides_and_takes_out(client, login_as, counselor, led, make_user):
    circle, _ = led
    invited, asking, other = (make_user("student", grade=8, given_name=n) for n in ("Ivy", "Asa", "Oli"))
    db.session.commit()
    login_as(counselor)
    detail = text(client.get(f"/circles/{circle.id}"))
    assert "Ivy" in detail and 'name="students"' in detail
    page = text(client.post(f"/circles/{circle.id}/invite", data={"students": [str(invited.id)]},
                            follow_redirects=True))
    assert "1 student invited" in page and "waiting for their answer" in page
    invitation = queries.places(circle, PlaceStatus.INVITED)[0]
    page = text(client.post(f"/circles/{circle.id}/places/{invitation.id}", data={"action": "remove"},
                            follow_redirects=True))
    assert f"The invitation to {invited.display_name} is withdrawn." in page
    assert db.session.get(CircleMember, invitation.id).status == PlaceStatus.DECLINED
    place, _ = places.ask_to_join(asking, circle, utcnow())
    db.session.commit()
    page = text(client.post(f"/circles/{circle.id}/places/{place.id}", data={"action": "accept"},
                            follow_redirects=True))
    assert f"{asking.display_name} joined the circle." in page
    page = text(client.post(f"/circles/{circle.id}/places/{place.id}", data={"action": "remove"},
                            follow_redirects=True))
    assert f"{asking.display_name} is no longer in the circle." in page
    assert "Choose what to do" in text(client.post(f"/circles/{circle.id}/places/{place.id}", data={},
                                                   follow_redirects=True))
    assert {"circle.invite", "circle.place"} <= set(actions())


def test_a_place_of_another_circle_is_not_found_here(client, login_as, counselor, make_circle, make_user):
    first, second = make_circle(), make_circle()
    place, _ = places.ask_to_join(make_user("student", grade=8), second, utcnow())
    db.session.commit()
    response = login_as(counselor).post(f"/circles/{first.id}/places/{place.id}", data={"action": "accept"})
    assert response.status_code == 404
    assert db.session.get(CircleMember, place.id).status == PlaceStatus.ASKED


def test_closing_a_circle(client, login_as, counselor, led, make_user):
    circle, _ = led
    member(circle, counselor, make_user("student", grade=8))
    page = text(login_as(counselor).post(f"/circles/{circle.id}/close", follow_redirects=True))
    assert "The circle is closed. 1 member left it." in page
    db.session.expire_all()
    assert db.session.get(Circle, circle.id).status == "closed"
    assert "Close the circle" not in page


# --- leaders ------------------------------------------------------------------------------------------

def test_a_leader_sees_their_circles_members_but_no_asks_or_invitations(client, login_as, counselor, led,
                                                                        make_user):
    circle, leader = led
    member(circle, counselor, make_user("student", grade=8, given_name="Mia"), agreed=False)
    places.ask_to_join(make_user("student", grade=8, given_name="Asher"), circle, utcnow())
    places.invite(circle, [make_user("student", grade=8, given_name="Iris")], counselor, utcnow())
    db.session.commit()
    page = text(login_as(leader).get(f"/circles/{circle.id}"))
    assert "Mia" in page and "not yet" in page
    assert "Asher" not in page and "Iris" not in page and "Invitations" not in page
    assert "Schedule a session" in page and "Debriefs" not in page and "Close the circle" not in page
    assert "circle.read" in actions()


def test_a_leader_sees_only_the_circles_they_lead(client, login_as, counselor, led, make_circle):
    circle, leader = led
    other = make_circle()
    login_as(leader)
    assert client.get(f"/circles/{circle.id}").status_code == 200
    assert client.get(f"/circles/{other.id}").status_code == 404
    assert client.get(f"/circles/{other.id}/leaders").status_code == 403
    mine = text(client.get("/my/circles"))
    assert "Circles you lead" in mine and f'href="/circles/{circle.id}"' in mine
    assert f'href="/circles/{other.id}"' not in mine


def test_another_schools_circle_is_not_found(client, login_as, other_school, led):
    circle, _ = led
    outsider_counselor = UserFactory(other_school)("counselor")
    outsider_student = UserFactory(other_school)("student", grade=8)
    db.session.commit()
    assert login_as(outsider_counselor).get(f"/circles/{circle.id}").status_code == 404
    for url in (f"/my/circles/{circle.id}", f"/my/circles/{circle.id}/agreement"):
        assert login_as(outsider_student).get(url).status_code == 404
    assert login_as(outsider_student).post(f"/my/circles/{circle.id}/ask").status_code == 404


# --- students ------------------------------------------------------------------------------------------

def test_a_student_asks_to_join_a_circle_of_their_grade(client, login_as, counselor, led, make_user,
                                                       make_circle):
    circle, _ = led
    not_mine = make_circle(name="Seniors", grade_min=12, grade_max=12)
    student = make_user("student", grade=8)
    db.session.commit()
    login_as(student)
    page = text(client.get("/my/circles"))
    assert "Exam stress" in page and "Seniors" not in page
    assert client.get(f"/my/circles/{not_mine.id}").status_code == 404
    assert client.post(f"/my/circles/{not_mine.id}/ask").status_code == 404
    circle_page = text(client.get(f"/my/circles/{circle.id}"))
    assert "Ask to join" in circle_page and "Lea" in circle_page
    page = text(client.post(f"/my/circles/{circle.id}/ask", follow_redirects=True))
    assert "Thank you for asking" in page and "A counselor will answer soon" in page
    assert "You have asked already" in text(client.post(f"/my/circles/{circle.id}/ask", follow_redirects=True))


def test_a_student_answers_an_invitation_then_agrees(client, login_as, counselor, led, make_user):
    circle, _ = led
    student = make_user("student", grade=8)
    places.invite(circle, [student], counselor, utcnow())
    db.session.commit()
    login_as(student)
    page = text(client.get("/my/circles"))
    assert "You are invited to join" in page and f'action="/my/circles/{circle.id}/answer"' in page
    response = client.post(f"/my/circles/{circle.id}/answer", data={"answer": "yes"})
    assert response.status_code == 302 and response.location.endswith(f"/my/circles/{circle.id}/agreement")
    page = text(client.get(response.location))
    assert "What stays in the circle" in page and "What a leader must pass to a counselor" in page
    assert "not counselors" in page and "leave the circle at any time" in page and "I agree" in page
    assert "Agree first" in text(client.get("/my/circles"))
    page = text(client.post(f"/my/circles/{circle.id}/agreement", follow_redirects=True))
    assert "You are ready for the circle&#39;s sessions" in page
    assert "Agree first" not in text(client.get("/my/circles"))


def test_answering_without_an_invitation_is_a_message_not_an_error(client, login_as, led, make_user):
    circle, _ = led
    student = make_user("student", grade=8)
    db.session.commit()
    response = login_as(student).post(f"/my/circles/{circle.id}/answer", data={"answer": "yes"},
                                      follow_redirects=True)
    assert response.status_code == 200 and "There is no invitation to answer" in text(response)


def test_the_agreement_and_leaving_need_a_place(client, login_as, led, make_user):
    circle, _ = led
    student = make_user("student", grade=8)
    db.session.commit()
    login_as(student)
    assert client.get(f"/my/circles/{circle.id}/agreement").status_code == 404
    assert client.post(f"/my/circles/{circle.id}/leave").status_code == 404


def test_a_member_leaves_and_the_first_waiting_takes_the_place(client, login_as, counselor, led, make_user):
    circle, _ = led
    students = [make_user("student", grade=8) for _ in range(5)]
    for student in students:
        member(circle, counselor, student, agreed=False)
    login_as(students[4])
    assert "number 1" in text(client.get("/my/circles"))
    login_as(students[0])
    response = client.post(f"/my/circles/{circle.id}/leave", follow_redirects=True)
    assert "You have left “Exam stress”" in text(response)
    assert {p.student_id for p in queries.places(circle, PlaceStatus.MEMBER)} == {s.id for s in students[1:]}


def test_members_see_each_others_names_only_once_they_agreed(client, login_as, counselor, led, make_user):
    circle, _ = led
    agreed = make_user("student", grade=8, given_name="Ada")
    not_yet = make_user("student", grade=8, given_name="Bea")
    outsider = make_user("student", grade=8, given_name="Cy")
    member(circle, counselor, agreed)
    member(circle, counselor, not_yet, agreed=False)
    db.session.commit()
    assert "Bea" in text(login_as(agreed).get(f"/my/circles/{circle.id}"))
    assert "Ada" not in text(login_as(not_yet).get(f"/my/circles/{circle.id}"))
    assert "Ada" not in text(login_as(outsider).get(f"/my/circles/{circle.id}"))
    assert "Ada" not in text(login_as(outsider).get("/my/circles"))


def test_feedback_links_for_sessions_attended_and_logged_in_the_last_week(client, login_as, counselor, led, make_user):
    circle, _ = led
    student = make_user("student", grade=8)
    member(circle, counselor, student)
    recent = session_of(circle, utcnow() - timedelta(days=2), SessionStatus.HELD)
    old = session_of(circle, utcnow() - timedelta(days=8), SessionStatus.HELD)
    answered = session_of(circle, utcnow() - timedelta(days=1), SessionStatus.HELD)
    missed = session_of(circle, utcnow() - timedelta(days=3), SessionStatus.HELD)
    for s, present in ((recent, True), (old, True), (answered, True), (missed, False)):
        db.session.add(SessionAttendance(school_id=circle.school_id, session_id=s.id, student_id=student.id,
                                         present=present))
    db.session.add(FeedbackGiven(school_id=circle.school_id, session_id=answered.id, student_id=student.id))
    db.session.commit()
    page = text(login_as(student).get(f"/my/circles/{circle.id}"))
    assert f"/my/sessions/{recent.id}/feedback" in page
    for other in (old, answered, missed):
        assert f"/my/sessions/{other.id}/feedback" not in page


def test_open_workshops_of_the_students_grade(app, client, login_as, school, counselor, make_user):
    now = utcnow()
    mine = GroupSession(school_id=school.id, title="Mental health day", starts_at=now + timedelta(days=3),
                        minutes=60, grade_min=7, grade_max=9, capacity=30)
    seniors = GroupSession(school_id=school.id, title="Exam planning", starts_at=now + timedelta(days=3),
                           minutes=60, grade_min=11, grade_max=12, capacity=30)
    past = GroupSession(school_id=school.id, title="Last term's day", starts_at=now - timedelta(days=3),
                        minutes=60, grade_min=7, grade_max=9, capacity=30)
    db.session.add_all([mine, seniors, past])
    db.session.commit()
    student = make_user("student", grade=8)
    db.session.commit()
    with app.test_request_context():
        sign_up, cancel = (url_for(e, workshop_id=mine.id) for e in ("group_sessions.sign_up",
                                                                     "group_sessions.cancel_sign_up"))
    page = text(login_as(student).get("/my/circles"))
    assert "Mental health day" in page and f'action="{sign_up}"' in page
    assert "Exam planning" not in page and "Last term&#39;s day" not in page
    db.session.add(SessionAttendance(school_id=school.id, session_id=mine.id, student_id=student.id,
                                     signed_up_at=now))
    db.session.commit()
    page = text(client.get("/my/circles"))
    assert f'action="{cancel}"' in page and "You are signed up" in page


def test_students_see_circles_in_their_navigation(client, login_as, make_user):
    student = make_user("student", grade=8)
    db.session.commit()
    assert '<a href="/my/circles" aria-current="page">Circles</a>' in text(login_as(student).get("/my/circles"))


def test_a_student_waiting_for_their_familys_consent_is_told_so_not_offered_a_yes(client, login_as, school,
                                                                                   counselor, led, make_user):
    from schoolpeers.families import services as families
    from schoolpeers.families.consent import Rule

    families.save_policy(school, mentee_rule=Rule.OPT_IN, mentor_rule=Rule.NOT_REQUIRED,
                         younger_rule=Rule.NOT_REQUIRED, programme_text="")
    circle, _ = led
    student = make_user("student", grade=8)
    places.invite(circle, [student], counselor, utcnow())
    db.session.commit()
    for url in ("/my/circles", f"/my/circles/{circle.id}"):
        shown = text(login_as(student).get(url))
        assert "consent is needed before you can join" in shown and 'value="yes"' not in shown
        assert "No thanks" in shown
