import json

from sqlalchemy import select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.oversight import services as oversight
from schoolpeers.timeutil import utcnow


def download(client, login_as, student):
    login_as(student)
    response = client.get("/account/my-data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="schoolpeers-my-data-')
    return response, json.loads(response.data)


def test_a_mentee_gets_everything_held_about_them_but_not_others_notes(client, login_as, old_mentorship, users):
    noor = old_mentorship.mentee
    oversight.ask_for_counselor(noor, utcnow())
    db.session.commit()
    response, data = download(client, login_as, noor)
    assert data["profile"]["given_name"] == "Noor" and data["profile"]["grade"] == 7
    assert data["profile"]["languages"] == ["arabic"] and data["profile"]["gender"] == "f"
    assert [r["note"] for r in data["mentor_requests"]] == ["I am new and a bit lonely."]
    [mentorship] = data["mentorships"]
    assert mentorship["mentor"] == "Mira" and mentorship["status"] == "closed"
    [checkin] = mentorship["checkins"]
    assert checkin["wellbeing"] == 2 and checkin["minutes"] == 30
    assert mentorship["feedback_you_gave"][0]["comment"] == "Mira is kind but we are always rushed."
    assert [c["status"] for c in data["asked_to_talk_to_a_counselor"]] == ["open"]
    assert [(c["wellbeing"], c["note"]) for c in data["your_own_checkins"]] == [(3, "Exams are a lot right now.")]
    assert data["mentor_profile"] is None and data["not_included"]
    body = response.get_data(as_text=True)
    for private in ("wants to die", "feels low", "Crying", "Spoke to Noor", '"worr', "Weekly talks", '"notes"'):
        assert private not in body, private
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.my_data")).all()
    assert event.actor_id == noor.id


def test_a_mentor_gets_their_profile_and_training_without_their_mentees(client, login_as, mentorship):
    _, data = download(client, login_as, mentorship.mentor)
    profile = data["mentor_profile"]
    assert profile["bio"] == "I like football." and profile["motivation"] == "To help."
    assert profile["training"] and all(t["module"] and t["completed_on"] for t in profile["training"])
    assert [m["status"] for m in profile["mentorships"]] == ["active"]
    assert "Leo" not in json.dumps(data) and data["mentorships"] == []


def test_the_students_home_page_links_to_it(client, login_as, users):
    login_as(users["student"])
    assert b'href="/account/my-data"' in client.get("/").data
