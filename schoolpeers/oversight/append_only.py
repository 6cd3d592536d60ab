"""Concerns are never edited or deleted through the app: only their status moves, with an event.

Mapper events refuse any delete, any change to a concern event, and any change to a concern's
facts, whatever code tries it.
"""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

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


STATUS_ORDER = {"open": 0, "acknowledged": 1, "resolved": 2}


@event.listens_for(Concern, "before_update")
def _refuse_fact_change(_mapper, _connection, target) -> None:
    facts = _changed(target) - CONCERN_STATUS_FIELDS - {"events", "student", "checkin"}
    if facts:
        raise AppendOnlyError(f"A concern's facts never change ({', '.join(sorted(facts))}); add a note instead.")
    history = inspect(target).attrs.status.history
    if history.deleted and STATUS_ORDER[history.added[0]] < STATUS_ORDER[history.deleted[0]]:
        raise AppendOnlyError("A concern's status only moves forward: open, acknowledged, resolved.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_statements(state: ORMExecuteState) -> None:
    """Bulk `update()`/`delete()` skip the mapper events above, so they are stopped here."""
    if (state.is_update or state.is_delete) and any(
            m.class_ in (Concern, ConcernEvent) for m in state.all_mappers):
        raise AppendOnlyError("Concerns and their events are changed only through their services.")
