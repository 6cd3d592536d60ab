"""The append-only audit trail: who did what to which record, when and from where.

Every feature writes through `record_event`; nothing in the app updates or deletes a row, and
the session refuses to: an attempt raises `AuditTrailImmutable` before anything reaches the
database. (Plain SQL outside the ORM is not covered; only maintenance scripts use that.)
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_school_at", "school_id", "at"),
        # The audit log's filters, each newest first.
        Index("ix_audit_events_school_action_at", "school_id", "action", "at"),
        Index("ix_audit_events_school_record_type_at", "school_id", "record_type", "at"),
        Index("ix_audit_events_school_actor_at", "school_id", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # For reading the log; events are written with ids through `record_event`.
    actor: Mapped[User | None] = relationship(viewonly=True)


def record_event(
    action: str,
    *,
    school_id: int | None,
    actor_id: int | None = None,
    record_type: str | None = None,
    record_id: int | None = None,
    ip: str | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        school_id=school_id,
        actor_id=actor_id,
        record_type=record_type,
        record_id=record_id,
        ip=ip,
        detail=detail or {},
    )
    db.session.add(event)
    return event


class AuditTrailImmutable(RuntimeError):
    """An audit event was about to be changed or deleted."""


# Listening on the Session class covers every session: requests, the CLI and the tests.
@event.listens_for(Session, "before_flush")
def _refuse_changed_events(session: Session, flush_context, instances) -> None:
    if any(isinstance(obj, AuditEvent) for obj in session.deleted):
        raise AuditTrailImmutable("Audit events cannot be deleted.")
    # `dirty` also holds objects whose attributes were set to the values they already had.
    if any(isinstance(obj, AuditEvent) and session.is_modified(obj) for obj in session.dirty):
        raise AuditTrailImmutable("Audit events cannot be changed.")


# Append-only models and the error a bulk statement on them raises (see `refuse_bulk_changes`).
_BULK_REFUSED: dict[type, tuple[type[Exception], str]] = {}


def refuse_bulk_changes(*models: type, error: type[Exception], message: str) -> None:
    """Bulk `update()` and `delete()` bypass the flush and the mapper events that keep these models'
    rows append-only: one listener refuses them for every model registered here."""
    for model in models:
        _BULK_REFUSED[model] = (error, message)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_statements(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete:
        for mapper in state.all_mappers:
            if mapper.class_ in _BULK_REFUSED:
                error, message = _BULK_REFUSED[mapper.class_]
                raise error(message)


refuse_bulk_changes(AuditEvent, error=AuditTrailImmutable, message="Audit events cannot be changed or deleted.")
