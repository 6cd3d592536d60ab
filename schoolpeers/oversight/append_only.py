"""Concerns are never edited or deleted through the app: only their status moves, with an event.

Mapper events refuse any delete, any change to a concern event, and any change to a concern's
facts, whatever code tries it.

One change is sanctioned: redaction, when the retention period has passed or a student's data is
erased on request. A concern's summary may be replaced by one of the fixed placeholders below, in
the same flush that sets `redacted_at` for the first time; a concern event's note may be replaced
by a placeholder and nothing else. The facts that safeguarding needs (who, when, source, severity,
outcome) never change.

Counselors' screening marks hold no free text and are never changed or deleted at all: a later
judgement is a new mark.
"""
from __future__ import annotations

from sqlalchemy import event, inspect, select

from schoolpeers.audit import refuse_bulk_changes
from schoolpeers.oversight.models import Concern, ConcernEvent, ScreeningMark
from schoolpeers.oversight.statuses import ConcernStatus

# What may move on a concern, always together with a new ConcernEvent.
CONCERN_STATUS_FIELDS = frozenset({"status", "acknowledged_at", "resolved_at", "outcome", "escalated_at"})
REDACTED_AFTER_RETENTION = "[removed after the retention period]"
REDACTED_ON_ERASURE = "[removed on erasure request]"
REDACTION_PLACEHOLDERS = frozenset({REDACTED_AFTER_RETENTION, REDACTED_ON_ERASURE})


class AppendOnlyError(RuntimeError):
    pass


def _changed(target) -> set[str]:
    state = inspect(target)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _new_value(target, key: str):
    added = inspect(target).attrs[key].history.added
    return added[0] if added else None


@event.listens_for(ConcernEvent, "before_update")
def _refuse_event_update(_mapper, _connection, target) -> None:
    if _changed(target) - {"actor"} == {"note"} and _new_value(target, "note") in REDACTION_PLACEHOLDERS:
        return  # the one sanctioned change: redaction of the note
    raise AppendOnlyError("Concern events are append-only; add a new event instead.")


@event.listens_for(ScreeningMark, "before_update")
def _refuse_mark_update(_mapper, _connection, target) -> None:
    if _changed(target):  # anything at all, the counselor included
        raise AppendOnlyError("Screening marks are append-only; mark the concern again instead.")


@event.listens_for(ScreeningMark, "before_delete")
@event.listens_for(ConcernEvent, "before_delete")
@event.listens_for(Concern, "before_delete")
def _refuse_delete(_mapper, _connection, target) -> None:
    raise AppendOnlyError(f"{type(target).__name__} rows are never deleted.")




def _is_sanctioned_redaction(connection, target, facts: set[str]) -> bool:
    """Summary to a placeholder together with a first `redacted_at`; read from the database, since
    the loaded value may have expired and a redaction happens once."""
    if facts != {"summary", "redacted_at"} or _new_value(target, "summary") not in REDACTION_PLACEHOLDERS:
        return False
    if _new_value(target, "redacted_at") is None:
        return False
    stored = connection.execute(select(Concern.redacted_at).where(Concern.id == target.id)).scalar_one()
    return stored is None


@event.listens_for(Concern, "before_update")
def _refuse_fact_change(_mapper, connection, target) -> None:
    facts = _changed(target) - CONCERN_STATUS_FIELDS - {"events", "student", "checkin"}
    if facts and not _is_sanctioned_redaction(connection, target, facts):
        raise AppendOnlyError(f"A concern's facts never change ({', '.join(sorted(facts))}); add a note instead.")
    history = inspect(target).attrs.status.history
    if history.deleted and ConcernStatus(history.added[0]).rank < ConcernStatus(history.deleted[0]).rank:
        raise AppendOnlyError("A concern's status only moves forward: open, acknowledged, resolved.")


# Bulk `update()`/`delete()` skip the mapper events above, so they are stopped too.
refuse_bulk_changes(Concern, ConcernEvent, ScreeningMark, error=AppendOnlyError,
                    message="Concerns, their events and screening marks are changed only through their services.")
