"""Concerns are never edited or deleted through the app: only their status moves, with an event.

Mapper events refuse any delete, any change to a concern event, and any change to a concern's
facts, whatever code tries it.
"""
from __future__ import annotations

from sqlalchemy import event, inspect

from schoolpeers.oversight.models import Concern, ConcernEvent

# What may move on a concern, always together with a new ConcernEvent.
CONCERN_STATUS_FIELDS = frozenset({"status", "acknowledged_at", "resolved_at", "outcome", "escalated_at"})


class AppendOnlyError(RuntimeError):
    pass


def _changed(target) -> set[str]:
    state = inspect(target)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


@event.listens_for(ConcernEvent, "before_update")
def _refuse_event_update(_mapper, _connection, target) -> None:
    raise AppendOnlyError("Concern events are append-only; add a new event instead.")


@event.listens_for(ConcernEvent, "before_delete")
@event.listens_for(Concern, "before_delete")
def _refuse_delete(_mapper, _connection, target) -> None:
    raise AppendOnlyError(f"{type(target).__name__} rows are never deleted.")


@event.listens_for(Concern, "before_update")
def _refuse_fact_change(_mapper, _connection, target) -> None:
    facts = _changed(target) - CONCERN_STATUS_FIELDS - {"events", "student"}
    if facts:
        raise AppendOnlyError(f"A concern's facts never change ({', '.join(sorted(facts))}); add a note instead.")
