"""Meeting invitations as iCalendar (RFC 5545) files, built with the icalendar library.

An invitation says when and where, and nothing else: never a note, a rating or a concern. The same
UID with a higher SEQUENCE moves a meeting; METHOD:CANCEL with STATUS:CANCELLED takes it away.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT = "-//schoolpeers//peer mentoring//EN"


def invitation(*, uid: str, starts_at: datetime, minutes: int, place: str, summary: str, organizer: str,
               attendees: list[str], sequence: int, stamp: datetime, cancelled: bool = False) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=minutes))
    event.add("summary", summary)
    if place:
        event.add("location", place)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event["organizer"] = vCalAddress(f"mailto:{organizer}")
    for address in attendees:
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
