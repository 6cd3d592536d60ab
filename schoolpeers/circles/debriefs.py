"""Debriefs: a counselor's supervision session with a circle's peer leaders. A debrief is recorded as
a supervision session (`programme.supervision`) with its circle, so it counts like any other toward
a leader's supervision; only the circle's leaders can be recorded at it. Plain functions that flush;
the view commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from schoolpeers.accounts.models import School, User
from schoolpeers.circles import queries
from schoolpeers.circles.models import Circle
from schoolpeers.extensions import db
from schoolpeers.programme import supervision
from schoolpeers.programme.models import SupervisionSession

DEFAULT_THEMES = ("circle_sessions",)


@dataclass
class DebriefData:
    held_on: date | None
    minutes: int | None
    themes: list[str] = field(default_factory=list)
    leader_ids: list[int] = field(default_factory=list)


def kind_for(leader_ids: list[int]) -> str:
    """A debrief with one leader is a one-to-one session; with both, a group one."""
    return "one_to_one" if len(set(leader_ids)) == 1 else "group"


def record_debrief(circle: Circle, data: DebriefData, counselor: User, today: date) -> SupervisionSession:
    """The counselor's debrief with the leaders of `circle` who came. Refusals name the form's field."""
    leader_ids = [leader.id for leader in queries.leaders(circle)]
    session_data = supervision.SessionData(held_on=data.held_on, kind=kind_for(data.leader_ids),
                                           minutes=data.minutes, themes=list(data.themes),
                                           attendee_ids=list(data.leader_ids))
    school = db.session.get(School, circle.school_id)
    return supervision.record_session(school, session_data, counselor, today, circle_id=circle.id,
                                      leader_ids=leader_ids)


def debriefs_of(circle: Circle) -> list[SupervisionSession]:
    """The circle's debriefs, newest first."""
    return list(db.session.scalars(
        select(SupervisionSession).where(SupervisionSession.school_id == circle.school_id,
                                         SupervisionSession.circle_id == circle.id)
        .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())))
