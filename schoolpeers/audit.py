"""The append-only audit trail: who did what to which record, when and from where.

Every feature writes through `record_event`; nothing in the app updates or deletes a row.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_school_at", "school_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
