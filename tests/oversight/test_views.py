
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.oversight import services
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory

COUNSELOR_PAGES = [
    ("GET", "/oversight"),
    ("GET", "/oversight/concerns/{concern}"),
    ("POST", "/oversight/concerns/{concern}/acknowledge"),
    ("POST", "/oversight/concerns/{concern}/note"),
    ("POST", "/oversight/concerns/{concern}/resolve"),
    ("GET", "/oversight/students/{student}"),
    ("POST", "/oversight/students/{student}/concerns"),
]


@pytest.fixture
def concern(school, users):
    made = services.raise_concern(school, users["student"], source="manual", severity="high",
                                  summary="Seemed very low today", raised_by=users["counselor"], now=utcnow())
    db.session.commit()
    return made


def call(client, method, url, data=None):
    return client.get(url) if method == "GET" else client.post(url, data=data or {})


@pytest.mark.parametrize(("method", "url"), COUNSELOR_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "student", "staff", "admin", "counselor", "other school"])
def test_only_this_schools_counselors(client, users, concern, other_school, login_as, method, url, role):
    if role == "other school":
        login_as(UserFactory(other_school)("counselor"))
        db.session.commit()
    elif role != "anonymous":
        login_as(users[role])
    response = call(client, method, url.format(concern=concern.id, student=users["student"].id))
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role in ("student", "staff", "admin"):
        assert response.status_code == 403
    elif role == "other school":
        assert response.status_code == (200 if url == "/oversight" else 404)
        assert b"Seemed very low" not in response.data and users["student"].family_name.encode() not in response.data
    else:
        assert response.status_code in (200, 302)


def test_banner_on_every_page_until_acknowledged(client, users, concern, login_as):
    login_as(users["counselor"])
    for page in ("/", "/matching", "/mentors"):
        assert b"1 urgent concern" in client.get(page).data
    client.post(f"/oversight/concerns/{concern.id}/acknowledge")
    assert b"urgent concern" not in client.get("/").data
    login_as(users["staff"])
    assert b"urgent concern" not in client.get("/").data


def test_the_banner_opens_the_concern_when_there_is_one_and_the_dashboard_when_there_are_more(
        client, users, concern, school, login_as):
    login_as(users["counselor"])
    assert f'<a href="/oversight/concerns/{concern.id}">1 urgent concern' in client.get("/").get_data(as_text=True)
    services.raise_concern(school, users["student"], source="manual", severity="high", summary="Another",
                           raised_by=users["counselor"], now=utcnow())
    db.session.commit()
    for page in ("/", "/oversight"):  # the dashboard counts them itself
        assert '<a href="/oversight">2 urgent concerns' in client.get(page).get_data(as_text=True)


def test_reading_a_concern_or_a_timeline_is_audited(client, users, concern, login_as):
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}")
    assert b"Seemed very low" in page.data
    client.get(f"/oversight/students/{users['student'].id}")
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["concern.read", "student.timeline.read"]


def test_acknowledge_note_and_resolve(client, users, concern, login_as):
    login_as(users["counselor"])
    client.post(f"/oversight/concerns/{concern.id}/acknowledge")
    empty = client.post(f"/oversight/concerns/{concern.id}/note", data={"note": ""}, follow_redirects=True)
    assert b"Write the note first" in empty.data
    client.post(f"/oversight/concerns/{concern.id}/note", data={"note": "Called home."})
    no_outcome = client.post(f"/oversight/concerns/{concern.id}/resolve", data={"outcome": "x", "note": "n"},
                             follow_redirects=True)
    assert b"Not a valid choice" in no_outcome.data or b"not a valid choice" in no_outcome.data
    client.post(f"/oversight/concerns/{concern.id}/resolve", data={"outcome": "referred_external",
                                                                   "note": "CAMHS referral made."})
    db.session.refresh(concern)
    assert concern.status == "resolved" and [e.kind for e in concern.events] == [
        "raised", "acknowledged", "note", "resolved"]
    again = client.post(f"/oversight/concerns/{concern.id}/acknowledge", follow_redirects=True)
    assert b"already resolved" in again.data


def test_student_presses_talk_to_a_counselor(client, users, login_as):
    login_as(users["student"])
    assert b"I want to talk to a counselor" in client.get("/talk-to-a-counselor").data
    sent = client.post("/talk-to-a-counselor")
    assert b"A counselor will find you soon" in sent.data
    [concern] = db.session.scalars(select(Concern)).all()
    assert concern.source == "mentee_request" and concern.student_id == users["student"].id
    login_as(users["staff"])
    assert client.post("/talk-to-a-counselor").status_code == 403


def test_counselor_raises_a_concern_by_hand(client, users, login_as):
    login_as(users["counselor"])
    bad = client.post(f"/oversight/students/{users['student'].id}/concerns", data={"severity": "extreme"},
                      follow_redirects=True)
    assert b"Choose a severity" in bad.data
    client.post(f"/oversight/students/{users['student'].id}/concerns",
                data={"severity": "medium", "summary": "Friends mentioned he skips lunch."})
    assert db.session.scalar(select(Concern.source)) == "manual"


def test_times_are_shown_at_the_school_with_its_zone_named(client, users, school, login_as):
    """Stored in UTC; read as the school's clocks show it (04:30 UTC on 15 January is 23:30 the day
    before in New York)."""
    school.timezone = "America/New_York"
    made = services.raise_concern(school, users["student"], source="manual", severity="high", summary="Low",
                                  raised_by=users["counselor"], now=datetime(2024, 1, 15, 4, 30, tzinfo=timezone.utc))
    db.session.commit()
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{made.id}").get_data(as_text=True)
    assert "14 January 2024 23:30 EST" in page and "UTC" not in page
    assert "14 Jan 23:30 EST" in client.get("/oversight").get_data(as_text=True)


@pytest.mark.parametrize("note", ["", "   "])
def test_resolving_without_saying_what_was_done_marks_that_field(client, users, concern, login_as, note):
    login_as(users["counselor"])
    page = client.post(f"/oversight/concerns/{concern.id}/resolve",
                       data={"outcome": "support_given", "note": note}).get_data(as_text=True)
    field = page.split('<div class="field has-error">')[1].split("</div>")[0]
    assert 'id="resolve-note"' in field and 'aria-invalid="true"' in field and "Say what was done." in field
    assert db.session.get(Concern, concern.id).status != "resolved"


def test_a_check_in_with_several_findings_is_one_concern_with_its_reasons(client, users, login_as, mentorship):
    from datetime import date

    from schoolpeers.mentors import checkins

    checkin, severity = checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
        date.today(), 20, "online", 1, notes="He said he wants to kill himself and has stopped eating."), date.today())
    db.session.commit()
    [record] = db.session.scalars(select(Concern).where(Concern.checkin_id == checkin.id))
    assert severity == record.severity == "high"
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{record.id}").get_data(as_text=True)
    reasons = page.split('<ul class="reasons">')[1].split("</ul>")[0]
    assert reasons.count("<li>") >= 2 and "Well-being rated 1" in reasons and "Risk language" in reasons
