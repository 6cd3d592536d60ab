"""The library's session plans: counselors write, edit and retire them, or load the starter plans;
a circle's session is scheduled from the active ones. Plain functions that flush; the view commits."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal
from schoolpeers.resources.models import PLAN_MINUTES, SessionPlan
from schoolpeers.resources.plan_starter import STARTER_PLANS

TITLE_LENGTH = (3, 120)
MAX_PART = 2000
MAX_SOURCE = 300
# The four parts of a session, in order, with what a missing one is called.
PARTS = {
    "opening_round": "the opening check-in round",
    "activity": "the topic activity",
    "coping_skill": "the coping skill",
    "closing_round": "the closing round",
}


class PlanError(FieldRefusal):
    """Bad session plan data."""


@dataclass
class PlanData:
    title: str
    opening_round: str
    activity: str
    coping_skill: str
    closing_round: str
    minutes: int | None
    topic_id: int | None = None  # None: any circle
    source: str = ""


def _validate(school: School, data: PlanData, plan: SessionPlan | None) -> None:
    title = data.title.strip()
    if not TITLE_LENGTH[0] <= len(title) <= TITLE_LENGTH[1]:
        raise PlanError("title", f"A title of {TITLE_LENGTH[0]} to {TITLE_LENGTH[1]} characters.")
    if data.topic_id is not None and db.session.scalar(
            select(Topic.id).where(Topic.school_id == school.id, Topic.id == data.topic_id)) is None:
        raise PlanError("topic_id", "Choose a topic from the school's list, or any circle.")
    if data.minutes is None or not PLAN_MINUTES[0] <= data.minutes <= PLAN_MINUTES[1]:
        raise PlanError("minutes", f"From {PLAN_MINUTES[0]} to {PLAN_MINUTES[1]} minutes.")
    for part, what in PARTS.items():
        text = getattr(data, part).strip()
        if not text or len(text) > MAX_PART:
            raise PlanError(part, f"Write {what}, in at most {MAX_PART:,} characters.")
    if len(data.source.strip()) > MAX_SOURCE:
        raise PlanError("source", f"At most {MAX_SOURCE} characters.")
    if _title_taken(school.id, title, plan):
        raise PlanError("title", "The library already has a session plan with this title.")


def _title_taken(school_id: int, title: str, plan: SessionPlan | None) -> bool:
    """Titles differing only in capitals are the same to a reader choosing from a list."""
    same = select(SessionPlan.id).where(SessionPlan.school_id == school_id,
                                        func.lower(SessionPlan.title) == title.lower())
    if plan is not None:
        same = same.where(SessionPlan.id != plan.id)
    return db.session.scalar(same.limit(1)) is not None


def _lock_plans_of(school: School) -> None:
    """The school's plans are written one at a time (a row lock on the school until commit, on
    PostgreSQL; SQLite serialises writers), so two requests cannot both find a title free. NO KEY
    UPDATE: rows that merely reference the school are not held up."""
    db.session.execute(select(School.id).where(School.id == school.id).with_for_update(key_share=True))


def save_plan(school: School, data: PlanData, author: User, plan: SessionPlan | None = None) -> SessionPlan:
    """Write a new session plan, or change one of the school's."""
    if plan is not None and plan.school_id != school.id:
        raise PlanError("title", "This session plan belongs to another school.")
    _lock_plans_of(school)
    _validate(school, data, plan)
    if plan is None:
        plan = SessionPlan(school_id=school.id, created_by_id=author.id)
        db.session.add(plan)
    plan.title, plan.topic_id, plan.minutes = data.title.strip(), data.topic_id, data.minutes
    for part in PARTS:
        setattr(plan, part, getattr(data, part).strip())
    plan.source = data.source.strip()
    db.session.flush()
    db.session.expire(plan, ["topic"])
    return plan


def set_active(plan: SessionPlan, active: bool) -> None:
    """Retire a plan (no new session is scheduled from it; sessions already planned keep it), or bring
    it back."""
    plan.active = active
    db.session.flush()


def _titles(school_id: int) -> set[str]:
    return {t.lower() for t in db.session.scalars(select(SessionPlan.title).where(SessionPlan.school_id == school_id))}


def starter_plans_missing(school_id: int) -> int:
    """How many starter plans the school does not have (by title, retired ones counting as had)."""
    have = _titles(school_id)
    return sum(starter.title.lower() not in have for starter in STARTER_PLANS)


def add_starter_plans(school: School, author: User) -> int:
    """Add the starter plans the school does not have yet (by title); returns how many. A plan's topic
    is the school's topic of its default name, or any circle where the school has no such topic."""
    _lock_plans_of(school)
    have = _titles(school.id)
    topics = {t.name.lower(): t.id for t in db.session.scalars(select(Topic).where(Topic.school_id == school.id))}
    added = 0
    for starter in STARTER_PLANS:
        if starter.title.lower() in have:
            continue
        save_plan(school, PlanData(
            title=starter.title, opening_round=starter.opening_round, activity=starter.activity,
            coping_skill=starter.coping_skill, closing_round=starter.closing, minutes=starter.minutes,
            topic_id=topics.get(starter.topic.lower()) if starter.topic else None, source=starter.source), author)
        added += 1
    return added


def plans_query(school_id: int, retired: bool = False) -> Select:
    """The school's active plans by title (for paging), or with retired=True its retired ones."""
    return (select(SessionPlan).options(selectinload(SessionPlan.topic))
            .where(SessionPlan.school_id == school_id, SessionPlan.active.is_(not retired))
            .order_by(SessionPlan.title, SessionPlan.id))


def plans_for_topic(school_id: int, topic_id: int | None) -> list[SessionPlan]:
    """The active plans to schedule a circle's session from: those for the circle's topic first, then
    those for any circle; plans for other topics are left out."""
    suits = SessionPlan.topic_id.is_(None)
    if topic_id is not None:
        suits = suits | (SessionPlan.topic_id == topic_id)
    return list(db.session.scalars(
        select(SessionPlan).options(selectinload(SessionPlan.topic))
        .where(SessionPlan.school_id == school_id, SessionPlan.active.is_(True), suits)
        .order_by(SessionPlan.topic_id.is_(None), SessionPlan.title, SessionPlan.id)))
