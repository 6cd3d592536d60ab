"""Invitations are real iCalendar that calendars read: when and where, nothing else."""
from datetime import datetime, timezone

from icalendar import Calendar

from schoolpeers.notifications.invitations import invitation

START = datetime(2026, 12, 7, 12, 30, tzinfo=timezone.utc)


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_request_says_when_and_where():
    calendar, event = parse(invitation(uid="meeting-1@x", starts_at=START, minutes=30, place="Library",
                                       summary="Peer mentoring meeting", organizer="app@school.example",
                                       attendees=["a@x.example", "b@x.example"], sequence=0, stamp=START))
    assert str(calendar["method"]) == "REQUEST" and str(event["uid"]) == "meeting-1@x"
    assert event.decoded("dtstart") == START and (event.decoded("dtend") - START).seconds == 1800
    assert str(event["location"]) == "Library" and str(event["status"]) == "CONFIRMED"
    assert sorted(str(a) for a in event["attendee"]) == ["mailto:a@x.example", "mailto:b@x.example"]


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence():
    calendar, event = parse(invitation(uid="meeting-1@x", starts_at=START, minutes=30, place="",
                                       summary="Peer mentoring meeting", organizer="app@school.example",
                                       attendees=["a@x.example"], sequence=2, stamp=START, cancelled=True))
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 2 and "location" not in event
