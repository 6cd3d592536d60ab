from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.mentors.models import CheckIn, MenteeFeedback
from schoolpeers.oversight.models import Concern
from tests.factories import UserFactory

MENTOR_PAGES = [
    ("GET", "/mentor/mentorships/{m}/checkin"),
    ("POST", "/mentor/mentorships/{m}/checkin"),
    ("GET", "/mentor/mentorships/{m}"),
    ("GET", "/mentor/checkins/{c}/edit"),
    ("POST", "/mentor/checkins/{c}/edit"),
]


def form(**overrides):
    values = {"occurred_on": date.today().isoformat(), "duration_minutes": "30", "mode": "in_person",
              "wellbeing": "4", "notes": ""}
    values.update(overrides)
    return values


@pytest.fixture
def checkin(mentorship):
    made, _ = checkins.log_checkin(mentorship, mentorship.mentor,
                                   checkins.CheckInData(date.today(), 20, "online", 4, notes="private words"),
                                   date.today())
    db.session.commit()
    return made


@pytest.mark.parametrize(("method", "url"), MENTOR_PAGES)
@pytest.mark.parametrize("who", ["anonymous", "mentee", "another student", "counselor", "staff", "admin",
                                 "other school"])
def test_only_the_mentor_reaches_their_checkins(client, users, mentorship, checkin, other_school, login_as,
                                                make_user, method, url, who):
    target = url.format(m=mentorship.id, c=checkin.id)
    people = {"mentee": mentorship.mentee, "another student": make_user("student"),
              "other school": UserFactory(other_school)("student")}
    db.session.commit()
    if who != "anonymous":
        login_as(people.get(who) or users[who])
    response = client.get(target) if method == "GET" else client.post(target, data=form())
    if who == "anonymous":
        assert response.status_code == 302
    elif who in ("counselor", "staff", "admin"):
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert b"private words" not in response.data
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_mentor_logs_a_checkin_in_two_taps(client, mentorship, login_as):
    login_as(mentorship.mentor)
    page = client.get("/mentor/mentees")
    assert b"Log a check-in" in page.data and b"Leo" in page.data
    done = client.post(f"/mentor/mentorships/{mentorship.id}/checkin", data=form())
    assert done.status_code == 302
    assert db.session.scalar(select(CheckIn.wellbeing)) == 4


def test_errors_show_next_to_fields_and_nothing_is_saved(client, mentorship, login_as):
    login_as(mentorship.mentor)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    page = client.post(f"/mentor/mentorships/{mentorship.id}/checkin",
                       data=form(occurred_on=tomorrow, duration_minutes="500", wellbeing=""))
    assert page.status_code == 200
    assert b'id="duration_minutes-error"' in page.data and b'id="wellbeing-error"' in page.data
    future = client.post(f"/mentor/mentorships/{mentorship.id}/checkin", data=form(occurred_on=tomorrow))
    assert b"cannot be in the future" in future.data
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_a_failure_while_screening_saves_nothing_and_says_so(client, mentorship, login_as, monkeypatch):
    from schoolpeers.oversight import services

    monkeypatch.setattr(services, "screen_checkin", lambda *a, **k: 1 / 0)
    login_as(mentorship.mentor)
    page = client.post(f"/mentor/mentorships/{mentorship.id}/checkin", data=form(notes="I want to die"))
    assert b"was NOT saved" in page.data
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 0


def test_high_concern_shows_what_to_do_now_with_the_crisis_contact(client, mentorship, login_as, school):
    school.crisis_contact = "Ms Rivera, room 12, or call 116 123."
    db.session.commit()
    login_as(mentorship.mentor)
    page = client.post(f"/mentor/mentorships/{mentorship.id}/checkin",
                       data=form(wellbeing="1", worried="y", worry_severity="high", worry_reason="talked about dying"))
    assert page.status_code == 302 and "/what-to-do-now?checkin=" in page.location  # a refresh logs nothing twice
    steps = client.get(page.location)
    assert b"Tell a counselor in person today" in steps.data and b"116 123" in steps.data


def test_mentor_reads_and_corrects_own_checkin(client, mentorship, checkin, login_as):
    login_as(mentorship.mentor)
    listing = client.get(f"/mentor/mentorships/{mentorship.id}")
    assert b"private words" in listing.data and b"Correct" in listing.data
    client.post(f"/mentor/checkins/{checkin.id}/edit", data=form(wellbeing="3", notes="better words"))
    db.session.refresh(checkin)
    assert checkin.notes == "better words" and len(checkin.revisions) == 1
    checkin.created_at = checkin.created_at - timedelta(hours=25)
    db.session.commit()
    late = client.get(f"/mentor/checkins/{checkin.id}/edit", follow_redirects=True)
    assert b"24 hours only" in late.data


def test_mentee_feedback_page(client, mentorship, login_as, users):
    login_as(mentorship.mentee)
    assert b"How is it going with Amira" in client.get("/feedback").data
    client.post("/feedback", data={"rating": "not_a_good_fit", "comment": "never turns up"})
    assert db.session.scalar(select(MenteeFeedback.rating)) == "not_a_good_fit"
    login_as(users["counselor"])
    assert b"never turns up" in client.get("/oversight").data
    login_as(users["student"])
    assert b"once you have a mentor" in client.get("/feedback", follow_redirects=True).data


def test_an_ended_mentorship_closes_the_mentors_access(client, mentorship, checkin, login_as, users):
    from schoolpeers.matching import services as matching

    matching.end_mentorship(mentorship, "safeguarding", "", users["counselor"])
    db.session.commit()
    login_as(mentorship.mentor)
    for url in (f"/mentor/mentorships/{mentorship.id}", f"/mentor/checkins/{checkin.id}/edit",
                f"/mentor/mentorships/{mentorship.id}/checkin"):
        response = client.get(url)
        assert response.status_code == 404 and b"private words" not in response.data


def test_a_failing_mail_never_makes_a_saved_checkin_look_lost(client, mentorship, login_as, monkeypatch):
    from schoolpeers.oversight import notify

    monkeypatch.setattr(notify, "notify_counselors", lambda concerns: 1 / 0)
    login_as(mentorship.mentor)
    page = client.post(f"/mentor/mentorships/{mentorship.id}/checkin", data=form(notes="I want to die"),
                       follow_redirects=True)
    assert b"What to do now" in page.data
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


@pytest.mark.parametrize("status", ["active", "paused"])
def test_the_mentors_own_pages_keep_my_mentees_in_the_navigation(client, mentorship, checkin, login_as, status):
    # These pages know the mentor's profile from the mentorship: the navigation must agree with it.
    mentorship.profile.status = status
    db.session.commit()
    login_as(mentorship.mentor)
    for url in (f"/mentor/mentorships/{mentorship.id}/checkin", f"/mentor/mentorships/{mentorship.id}",
                f"/mentor/mentorships/{mentorship.id}/what-to-do-now?checkin={checkin.id}", "/mentor/mentees"):
        page = client.get(url).get_data(as_text=True)
        assert '<li><a href="/mentor/mentees"' in page, url
