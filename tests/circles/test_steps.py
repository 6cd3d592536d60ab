"""The steps circles put on a student's home page: an invitation, an agreement, feedback to give, a
session to log; nothing for a student with no circle."""
from datetime import timedelta

from schoolpeers.circles.models import CircleMember
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow
from tests.circles.session_world import add_session, build_group, log


def test_a_student_with_no_circle_has_no_step(client, school, users, login_as):
    login_as(users["student"])
    page = client.get("/").get_data(as_text=True)
    assert "/my/circles/" not in page and "/my/sessions/" not in page and "/sessions/" not in page


def test_a_newcomer_is_asked_to_agree_and_an_invited_student_to_answer(client, school, users, login_as):
    group = build_group(school, users["counselor"])
    db.session.add(CircleMember(school_id=school.id, circle_id=group.circle.id, student_id=users["student"].id,
                                status="invited", asked_at=utcnow()))
    db.session.commit()
    login_as(group.newcomer)
    page = client.get("/").get_data(as_text=True)
    assert f"/my/circles/{group.circle.id}/agreement" in page and "agree before your first session" in page
    login_as(users["student"])
    page = client.get("/").get_data(as_text=True)
    assert "You are invited to join the circle Exam stress circle" in page


def test_the_leader_is_reminded_to_log_and_members_who_came_to_say_how_it_was(client, school, users, login_as):
    group = build_group(school, users["counselor"])
    session = add_session(group)
    add_session(group, starts_at=utcnow() - timedelta(days=20))  # too long ago to remind
    login_as(group.leader)
    page = client.get("/").get_data(as_text=True)
    assert page.count("/log\"") == 1 and f"/sessions/{session.id}/log" in page
    log(group, session, present=group.members[:2])
    page = client.get("/").get_data(as_text=True)
    assert f"/sessions/{session.id}/log" not in page
    login_as(group.members[0])
    assert f"/my/sessions/{session.id}/feedback" in client.get("/").get_data(as_text=True)
    login_as(group.members[2])  # absent: nothing to say
    assert f"/my/sessions/{session.id}/feedback" not in client.get("/").get_data(as_text=True)
