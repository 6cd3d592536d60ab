"""Supervision's pages: a counselor records and corrects sessions, sees who is overdue and the mentors
who found a check-in hard; the dashboard, the counselor's home and the school settings show it."""
from datetime import timedelta

from sqlalchemy import select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.programme import supervision
from schoolpeers.programme.models import MentorFeeling, SupervisionSession
from schoolpeers.timeutil import today_in, utcnow
from tests.factories import make_mentor


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def form(today, *mentor_ids, **overrides):
    values = {"held_on": today.isoformat(), "kind": "group", "minutes": "50", "themes": ["listening", "self_care"],
              "attendees": [str(i) for i in mentor_ids]}
    return values | overrides


def old_mentor(school, counselor, **names):
    profile = make_mentor(school, counselor, **names)
    profile.created_at = utcnow() - timedelta(days=200)
    profile.accepted_on = today_in(school.timezone) - timedelta(days=190)
    db.session.commit()
    return profile


def test_a_counselor_records_a_session_and_sees_it_listed(client, school, users, login_as):
    today = today_in(school.timezone)
    amira = old_mentor(school, users["counselor"], given_name="Amira", family_name="Aziz")
    ben = old_mentor(school, users["counselor"], given_name="Ben", family_name="Brook")
    login_as(users["counselor"])
    page = client.get("/supervision").get_data(as_text=True)
    assert "Overdue for supervision (2)" in page and "Amira Aziz" in page and "no session yet" in page
    new_page = client.get("/supervision/new").get_data(as_text=True)
    assert "Amira Aziz" in new_page and "Ben Brook" in new_page and "Safeguarding refresher" in new_page
    response = client.post("/supervision/new", data=form(today, amira.user_id, ben.user_id), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "recorded." in page
    assert "Sessions (1)" in page and "Listening skills, Looking after yourself" in page
    assert "Amira Aziz, Ben Brook" in page and "Every mentor has had supervision recently." in page
    session = db.session.scalar(select(SupervisionSession))
    assert (session.minutes, session.kind) == (50, "group")
    assert "supervision.record" in actions()


def test_mistakes_show_beside_their_field_and_nothing_is_saved(client, school, users, login_as):
    today = today_in(school.timezone)
    amira, ben = (make_mentor(school, users["counselor"]) for _ in range(2))
    db.session.commit()
    login_as(users["counselor"])
    response = client.post("/supervision/new", data=form(today, amira.user_id, ben.user_id, kind="one_to_one"))
    assert response.status_code == 400
    assert 'id="attendees-error"' in response.get_data(as_text=True)
    assert "exactly one mentor" in response.get_data(as_text=True)
    response = client.post("/supervision/new", data=form(today + timedelta(days=1), amira.user_id))
    assert response.status_code == 400 and 'id="held_on-error"' in response.get_data(as_text=True)
    response = client.post("/supervision/new", data=form(today, amira.user_id, minutes="500"))
    assert response.status_code == 400 and 'id="minutes-error"' in response.get_data(as_text=True)
    response = client.post("/supervision/new", data=form(today, amira.user_id, themes=["Leo's family"]))
    assert response.status_code == 400 and 'id="themes-error"' in response.get_data(as_text=True)
    response = client.post("/supervision/new", data=form(today, amira.user_id, themes=[]))
    assert response.status_code == 400 and "at least one theme" in response.get_data(as_text=True)
    assert db.session.scalar(select(SupervisionSession.id)) is None


def test_a_session_sent_twice_is_recorded_once(client, school, users, login_as):
    today = today_in(school.timezone)
    amira, ben = (make_mentor(school, users["counselor"]) for _ in range(2))
    db.session.commit()
    login_as(users["counselor"])
    assert client.post("/supervision/new", data=form(today, amira.user_id, ben.user_id)).status_code == 302
    again = client.post("/supervision/new", data=form(today, ben.user_id, amira.user_id))
    page = again.get_data(as_text=True)
    assert again.status_code == 400 and 'id="held_on-error"' in page and "recorded already" in page
    assert len(db.session.scalars(select(SupervisionSession.id)).all()) == 1
    assert actions().count("supervision.record") == 1


def test_the_form_offers_no_free_text(client, school, users, login_as):
    make_mentor(school, users["counselor"])
    db.session.commit()
    login_as(users["counselor"])
    page = client.get("/supervision/new").get_data(as_text=True)
    assert "<textarea" not in page and 'type="text"' not in page


def test_a_counselor_corrects_who_came_and_the_themes(client, school, users, login_as):
    today = today_in(school.timezone)
    amira = make_mentor(school, users["counselor"], given_name="Amira")
    ben = make_mentor(school, users["counselor"], given_name="Ben")
    db.session.commit()
    login_as(users["counselor"])
    client.post("/supervision/new", data=form(today, amira.user_id))
    session = db.session.scalar(select(SupervisionSession))
    page = client.get(f"/supervision/{session.id}").get_data(as_text=True)
    assert "Listening skills" in page and "Amira" in page
    response = client.post(f"/supervision/{session.id}",
                           data={"themes": ["endings"], "attendees": [str(amira.user_id), str(ben.user_id)]})
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.themes == ["endings"]
    assert supervision.attendee_ids(session) == sorted([amira.user_id, ben.user_id])
    assert actions()[-1] == "supervision.correct"
    response = client.post(f"/supervision/{session.id}", data={"themes": ["endings"], "attendees": []})
    assert response.status_code == 400 and "Tick the mentors who came." in response.get_data(as_text=True)


def test_a_session_of_another_school_is_not_found(client, school, other_school, users, login_as):
    foreign = SupervisionSession(school_id=other_school.id, held_on=today_in(school.timezone), kind="group",
                                 minutes=30, themes=["listening"])
    db.session.add(foreign)
    db.session.commit()
    login_as(users["counselor"])
    assert client.get(f"/supervision/{foreign.id}").status_code == 404
    assert client.post(f"/supervision/{foreign.id}", data={"themes": ["listening"]}).status_code == 404


def test_a_mentor_who_found_it_hard_waits_until_a_counselor_has_seen_it(client, school, users, login_as):
    mentor = make_mentor(school, users["counselor"], given_name="Amira").user
    row = MentorFeeling(school_id=school.id, mentor_id=mentor.id, feeling="hard", wants_to_talk=True,
                        note="I keep thinking about it at night.")
    db.session.add(row)
    db.session.commit()
    login_as(users["counselor"])
    page = client.get("/supervision").get_data(as_text=True)
    assert "This was hard for me" in page and "wants to talk" in page and "I keep thinking about it" in page
    home = client.get("/").get_data(as_text=True)
    assert "that mentors found hard, waiting for you" in home
    dashboard = client.get("/oversight").get_data(as_text=True)
    assert "1 check-in that mentors found hard, waiting for you" in dashboard
    response = client.post(f"/supervision/feelings/{row.id}/seen", follow_redirects=True)
    assert "Marked as seen" in response.get_data(as_text=True)
    db.session.refresh(row)
    assert row.seen_by_id == users["counselor"].id and row.seen_at is not None
    assert "supervision.feeling_seen" in actions()
    assert "No mentor is waiting for you." in client.get("/supervision").get_data(as_text=True)
    client.post(f"/supervision/feelings/{row.id}/seen")
    assert actions().count("supervision.feeling_seen") == 1  # seen once, recorded once


def test_dashboard_and_home_show_mentors_overdue(client, school, users, login_as):
    old_mentor(school, users["counselor"])
    login_as(users["counselor"])
    assert "1 mentor overdue for supervision" in client.get("/oversight").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "overdue for supervision" in home and "Nothing needs your attention" not in home
    assert 'href="/supervision"' in home


def test_the_admin_sets_how_often_mentors_need_supervision(client, school, users, login_as):
    login_as(users["admin"])
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="supervision_every_days"' in page and 'value="42"' in page
    values = {"name": school.name, "timezone": "UTC", "grade_min": 6, "grade_max": 12, "weight_grade": 30,
              "weight_interests": 30, "weight_topics": 25, "weight_language": 5, "weight_availability": 10,
              "min_group_size": 5, "checkin_cadence_days": 14, "ack_deadline_minutes": 60, "retention_days": 365,
              "designated_lead_id": 0}
    refused = client.post("/admin/settings", data=values | {"supervision_every_days": 5})
    assert refused.status_code == 200 and "Choose from 7 to 365 days." in refused.get_data(as_text=True)
    db.session.refresh(school)
    assert school.supervision_every_days == 42
    assert client.post("/admin/settings", data=values | {"supervision_every_days": 28}).status_code == 302
    db.session.refresh(school)
    assert school.supervision_every_days == 28
    assert client.post("/admin/settings", data=values).status_code == 302  # left out: kept
    db.session.refresh(school)
    assert school.supervision_every_days == 28


def test_counselors_find_supervision_in_their_menu(client, school, users, login_as):
    login_as(users["counselor"])
    assert 'href="/supervision"' in client.get("/mentors").get_data(as_text=True)
    login_as(users["staff"])
    assert 'href="/supervision"' not in client.get("/").get_data(as_text=True)


def test_mentors_are_listed_with_their_grade_so_namesakes_are_told_apart(client, school, users, login_as):
    make_mentor(school, users["counselor"], grade=10, given_name="Grace", family_name="Lopez")
    make_mentor(school, users["counselor"], grade=12, given_name="Grace", family_name="Lopez")
    make_mentor(school, users["counselor"], grade=11, given_name="Omar", family_name="Ali")
    db.session.commit()
    login_as(users["counselor"])
    page = client.get("/supervision/new").get_data(as_text=True)
    assert "Grace Lopez (grade 10)" in page and "Grace Lopez (grade 12)" in page
    assert "Omar Ali (grade 11)" in page
