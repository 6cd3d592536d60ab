"""The group session a concern was raised from, as the concern pages name it: a circle's session (by
the circle's name) or an open workshop (by its title).

Read with a Core select on the circles' tables, by name, when a page asks: oversight imports nothing
of circles (circles depend on oversight), and a relationship by class name would need the circles'
models imported before the mappers are first configured, wherever oversight is used."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select

from schoolpeers.extensions import db


@dataclass(frozen=True)
class ConcernGroup:
    session_id: int
    title: str
    starts_at: datetime
    circle_name: str | None  # None: an open workshop

    @property
    def label(self) -> str:
        """Whom a worry about the group is about, in a few words."""
        return f"A circle: {self.circle_name}" if self.circle_name is not None else f"A workshop: {self.title}"


def groups_of(school_id: int, session_ids: Iterable[int | None]) -> dict[int, ConcernGroup]:
    """The school's group sessions of these ids (None ignored), by id, in one statement."""
    ids = sorted({session_id for session_id in session_ids if session_id is not None})
    if not ids:
        return {}
    sessions, circles = db.metadata.tables["group_sessions"], db.metadata.tables["circles"]
    rows = db.session.execute(
        select(sessions.c.id, sessions.c.title, sessions.c.starts_at, circles.c.name)
        .select_from(sessions.outerjoin(circles, and_(circles.c.school_id == sessions.c.school_id,
                                                      circles.c.id == sessions.c.circle_id)))
        .where(sessions.c.school_id == school_id, sessions.c.id.in_(ids)))
    return {row.id: ConcernGroup(row.id, row.title, row.starts_at, row.name) for row in rows}


def group_of(school_id: int, session_id: int | None) -> ConcernGroup | None:
    return groups_of(school_id, [session_id]).get(session_id) if session_id is not None else None
