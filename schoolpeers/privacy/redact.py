"""Removing free text while keeping the row: shared by retention and erasure.

Concerns and their events go through the one redaction the append-only guard allows
(`schoolpeers.oversight.append_only`): a fixed placeholder, and `redacted_at` set once.
"""
from __future__ import annotations

from datetime import datetime

from schoolpeers.mentors.models import CheckInRevision
from schoolpeers.oversight.append_only import REDACTION_PLACEHOLDERS
from schoolpeers.oversight.models import Concern, ConcernEvent

CHECKIN_TEXT_FIELDS = ("notes", "worry_reason")


def revision_has_text(previous: dict | None) -> bool:
    return any((previous or {}).get(key) for key in CHECKIN_TEXT_FIELDS)


def strip_revision(revision: CheckInRevision) -> None:
    """A new dict, not an edit in place: the JSON column notices only a new value."""
    revision.previous = {**(revision.previous or {}), **dict.fromkeys(CHECKIN_TEXT_FIELDS)}


def event_has_text(event: ConcernEvent) -> bool:
    return bool(event.note) and event.note not in REDACTION_PLACEHOLDERS


def redact_concern(concern: Concern, placeholder: str, now: datetime) -> None:
    concern.summary, concern.redacted_at = placeholder, now


def redact_concern_event(event: ConcernEvent, placeholder: str) -> None:
    if event_has_text(event):
        event.note = placeholder
