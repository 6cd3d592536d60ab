"""A mentor arranges the pair's next meeting; both get an invitation by mail and see it at home."""
from datetime import timedelta, timezone

import pytest
from sqlalchemy import func, select

from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.matching.services import request_of
from schoolpeers.mentors.services import profile_for
from schoolpeers.notifications import meetings
from schoolpeers.notifications.models import Meeting
from schoolpeers.outbox import OutboxMail
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory


@pytest.fixture
def pair(mentorship):
    """The mentorship, with both free on Monday and Wednesday lunchtimes."""
    profile_for(mentorship.mentor).availability = ["mon-lunch", "wed-lunch", "fri-after"]
    request_of(mentorship).availability = ["wed-lunch", "mon-lunch"]
    db.session.commit()
    return mentorship


def mails():
    return db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "meeting").order_by(OutboxMail.id)).all()


def test_options_are_the_shared_slots_of_the_next_fortnight(pair):
    times = meetings.options(pair, utcnow())
    assert len(times) == 4 and {t.strftime("%a %H:%M") for t in times} == {"Mon 12:30", "Wed 12:30"}


def test_proposing_queues_an_invitation_to_each_and_moving_keeps_the_meeting(pair):
    now = utcnow()
    first, second = meetings.options(pair, now)[:2]
    meeting, ids = meetings.propose(pair, pair.mentor, first, 30, "  Library,   room 4 ", now)
    assert meeting.place == "Library, room 4" and len(ids) == 2
    assert {m.to_address for m in mails()} == {pair.mentor.email, pair.mentee.email}
    assert all("BEGIN:VCALENDAR" in m.calendar and "SEQUENCE:0" in m.calendar for m in mails())
    for mail in mails():  # each invitation names its own recipient, never the other person's address
        other = ({pair.mentor.email, pair.mentee.email} - {mail.to_address}).pop()
        assert mail.to_address in mail.calendar and other not in mail.calendar
    moved, _ = meetings.propose(pair, pair.mentor, second, 45, "", now)
    assert moved.id == meeting.id and moved.sequence == 1
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
    assert meetings.upcoming_for(pair.mentee, now) == [moved] == meetings.upcoming_for(pair.mentor, now)


@pytest.mark.parametrize(("shift", "minutes", "field"), [
    (timedelta(hours=-1), 30, "starts_at"), (timedelta(days=30), 30, "starts_at"), (timedelta(days=1), 5, "minutes"),
])
def test_bad_times_are_refused(pair, shift, minutes, field):
    with pytest.raises(meetings.MeetingError) as refused:
        meetings.propose(pair, pair.mentor, utcnow() + shift, minutes, "", utcnow())
    assert refused.value.field == field and not mails()


def test_only_the_pairs_mentor_proposes(pair, make_user):
    with pytest.raises(meetings.MeetingError):
        meetings.propose(pair, pair.mentee, utcnow() + timedelta(days=1), 30, "", utcnow())


def test_cancelling_tells_both_and_leaves_nothing_upcoming(pair):
    now = utcnow()
    meeting, _ = meetings.propose(pair, pair.mentor, meetings.options(pair, now)[0], 30, "", now)
    assert len(meetings.cancel(meeting, pair.mentor, now)) == 2
    assert "METHOD:CANCEL" in mails()[-1].calendar and meetings.upcoming_for(pair.mentee, now) == []
    with pytest.raises(meetings.MeetingError):
        meetings.cancel(meeting, pair.mentor, now)


def test_the_mentor_arranges_it_on_the_page_and_both_get_the_ics(client, pair, login_as, smtp_inbox):
    login_as(pair.mentor)
    page = client.get(f"/mentor/mentorships/{pair.id}/meeting")
    assert page.status_code == 200 and "12:30" in page.get_data(as_text=True)
    choice = meetings.options(pair, utcnow())[0]
    response = client.post(f"/mentor/mentorships/{pair.id}/meeting", data={
        "starts_at": choice.astimezone(timezone.utc).isoformat(), "minutes": "30", "place": "Library"})
    assert response.status_code == 302
    assert len(smtp_inbox.messages) == 2
    assert all(b"text/calendar" in m.content and b"invite.ics" in m.content for m in smtp_inbox.messages)
    assert "Meeting Leo" in client.get("/").get_data(as_text=True)
    login_as(pair.mentee)
    assert "Meeting Amira" in client.get("/").get_data(as_text=True)


def test_a_time_not_offered_is_refused_next_to_the_field(client, pair, login_as):
    login_as(pair.mentor)
    response = client.post(f"/mentor/mentorships/{pair.id}/meeting", data={
        "starts_at": "2020-01-01T12:30:00+00:00", "minutes": "30"})
    assert response.status_code == 200 and b"Not a valid choice" in response.data and not mails()


def test_nobody_else_arranges_or_cancels(client, pair, login_as, users, other_school):
    meeting, _ = meetings.propose(pair, pair.mentor, meetings.options(pair, utcnow())[0], 30, "", utcnow())
    db.session.commit()
    for who in (pair.mentee, users["counselor"], UserFactory(other_school)("student")):
        login_as(who)
        assert client.get(f"/mentor/mentorships/{pair.id}/meeting").status_code in (403, 404)
        assert client.post(f"/mentor/meetings/{meeting.id}/cancel").status_code in (403, 404)
    db.session.refresh(meeting)
    assert meeting.cancelled_at is None


def test_ending_the_mentorship_cancels_its_coming_meeting(pair, users):
    meeting, _ = meetings.propose(pair, pair.mentor, meetings.options(pair, utcnow())[0], 30, "", utcnow())
    matching.end_mentorship(pair, "completed", "", users["counselor"])
    assert meeting.cancelled_at is not None and meeting.sequence == 1
    cancellations = [m for m in mails() if "METHOD:CANCEL" in m.calendar]
    assert {m.to_address for m in cancellations} == {pair.mentor.email, pair.mentee.email}
    assert all("completed" not in m.body for m in cancellations)
