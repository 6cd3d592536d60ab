"""Circles and their leaders: a counselor sets a circle up (its topic, the grades it is open to, its
size, its supervising counselor), chooses one or two peer leaders from the certified mentors trained
to lead a circle, and closes it when it ends. Plain functions that flush; the view commits."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.circles.models import Circle, CircleLeader, CircleMember, GroupSession
from schoolpeers.circles.place_rules import LIVE, LIVE_VALUES, Move, next_status
from schoolpeers.circles.places import fill_from_waiting_list, lock_circle
from schoolpeers.circles.queries import member_count, places
from schoolpeers.circles.statuses import CIRCLE_SIZE, MAX_LEADERS, CircleStatus, PlaceStatus, SessionStatus
from schoolpeers.extensions import db
from schoolpeers.families.services import standings
from schoolpeers.mentors.models import CIRCLE_LEADER_MODULE, MentorProfile, TrainingCompletion, TrainingModule
from schoolpeers.mentors.services import ensure_training_modules
from schoolpeers.mentors.statuses import ACCEPTED
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import today_in, utcnow

MAX_NAME = 80
MAX_ABOUT = 1000
LEADER_PURPOSE = "circle_leader"


class CircleError(FieldRefusal):
    """A circle, or its leaders, that cannot be saved as asked."""


@dataclass(frozen=True)
class CircleData:
    name: str
    topic_id: int | None
    grade_min: int | None
    grade_max: int | None
    capacity: int | None
    counselor_id: int | None
    about: str = ""


# --- the circle ----------------------------------------------------------------------------------

def _tidy(text: str | None) -> str:
    return " ".join((text or "").split())


def _check(school: School, data: CircleData) -> tuple[str, str]:
    """The circle's name and words for students, once the data holds; a refusal names the field."""
    name, about = _tidy(data.name), (data.about or "").strip()
    if not name:
        raise CircleError("name", "Give the circle a name students will recognise.")
    if len(name) > MAX_NAME:
        raise CircleError("name", f"At most {MAX_NAME} characters.")
    if data.topic_id is None or db.session.scalar(select(Topic.id).where(
            Topic.school_id == school.id, Topic.id == data.topic_id)) is None:
        raise CircleError("topic_id", "Choose the circle's topic from your school's list.")
    low, high = school.grade_min, school.grade_max  # the school's own grades, as for a workshop
    for field, grade in (("grade_min", data.grade_min), ("grade_max", data.grade_max)):
        if grade is None or not low <= grade <= high:
            raise CircleError(field, f"Choose a grade of your school, from {low} to {high}.")
    if data.grade_min > data.grade_max:
        raise CircleError("grade_max", "The highest grade cannot be below the lowest.")
    if data.capacity is None or not CIRCLE_SIZE[0] <= data.capacity <= CIRCLE_SIZE[1]:
        raise CircleError("capacity", f"A circle is for {CIRCLE_SIZE[0]} to {CIRCLE_SIZE[1]} members.")
    if data.counselor_id is None or db.session.scalar(select(User.id).where(
            User.school_id == school.id, User.id == data.counselor_id, User.role == "counselor",
            User.active.is_(True))) is None:
        raise CircleError("counselor_id", "Choose the supervising counselor from your school's counselors.")
    if len(about) > MAX_ABOUT:
        raise CircleError("about", f"At most {MAX_ABOUT:,} characters.")
    return name, about


def counselors(school_id: int) -> list[User]:
    """Who may supervise a circle: the school's active counselors."""
    return list(db.session.scalars(select(User).where(
        User.school_id == school_id, User.role == "counselor", User.active.is_(True))
        .order_by(User.family_name, User.given_name, User.id)))


NAME_TAKEN = "Another circle of your school has this name: choose another."


def save_circle(school: School, data: CircleData, actor: User, circle: Circle | None = None) -> Circle:
    """Create a circle (open, with no member yet), or change one. Its capacity never goes below the
    members it has; a larger one lets the first of the waiting list in."""
    name, about = _check(school, data)
    if circle is not None:
        circle = lock_circle(circle)  # members joining meanwhile are counted
        if circle.status != CircleStatus.OPEN:
            raise CircleError("name", "This circle has closed: it is kept as it was.")
        members = member_count(circle)
        if data.capacity < members:
            raise CircleError("capacity", f"The circle has {members} members: its capacity cannot be less.")
        outside = _placed_outside(circle, data.grade_min, data.grade_max)
        if outside:
            raise CircleError("grade_min", f"{len(outside)} of its students ({', '.join(outside[:3])}"
                                           f"{', …' if len(outside) > 3 else ''}) are in other grades: keep "
                                           "their grades in, or take them out of the circle first.")
    if db.session.scalar(select(Circle.id).where(
            Circle.school_id == school.id, func.lower(Circle.name) == name.lower(),
            Circle.id != (circle.id if circle is not None else 0))) is not None:
        raise CircleError("name", NAME_TAKEN)
    new = circle is None
    try:
        with db.session.begin_nested():  # a circle of the same name saved a moment ago
            if new:
                circle = Circle(school_id=school.id, created_by_id=actor.id, status=CircleStatus.OPEN)
                db.session.add(circle)
            circle.name, circle.topic_id, circle.about = name, data.topic_id, about
            circle.grade_min, circle.grade_max = data.grade_min, data.grade_max
            circle.capacity, circle.counselor_id = data.capacity, data.counselor_id
    except IntegrityError:
        raise CircleError("name", NAME_TAKEN) from None
    if new:
        ensure_circle_leader_module(school.id)  # so counselors can record the training its leaders need
    else:
        fill_from_waiting_list(circle, utcnow())
    db.session.flush()
    return circle


def _placed_outside(circle: Circle, low: int, high: int) -> list[str]:
    """The students with a place in the circle (members, waiting, asked, invited) whose grade the range
    leaves out: a change of grades never strands them."""
    return [f"{p.student.display_name} (grade {p.student.grade})" for p in places(circle, *LIVE)
            if p.student.grade is None or not low <= p.student.grade <= high]


def close_circle(circle: Circle, actor: User, now: datetime) -> Counter:
    """The circle ends: its members leave, places still waiting or to be answered are declined, and
    its sessions still to come are cancelled (one that has begun stays for its leader to log). The
    circle, its sessions and its leaders stay for its history and the reports."""
    circle = lock_circle(circle)
    if circle.status != CircleStatus.OPEN:
        raise CircleError("close", "This circle is closed already.")
    done: Counter = Counter()
    for place in places(circle, *LIVE):
        place.status = next_status(place.status, Move.CLOSE)
        if place.status == PlaceStatus.LEFT:
            place.left_at = now
            done["members left"] += 1
        else:
            place.decided_by_id = actor.id
            done["places declined"] += 1
    for session in db.session.scalars(select(GroupSession).where(
            GroupSession.school_id == circle.school_id, GroupSession.circle_id == circle.id,
            GroupSession.status == SessionStatus.SCHEDULED, GroupSession.starts_at > now)):
        session.status = SessionStatus.CANCELLED
        done["sessions cancelled"] += 1
    circle.status = CircleStatus.CLOSED
    db.session.flush()
    return done


# --- leaders -------------------------------------------------------------------------------------

def circle_leader_module(school_id: int) -> TrainingModule | None:
    """The school's module that trains circle leaders, if it has one (read only)."""
    return db.session.scalar(select(TrainingModule).where(
        TrainingModule.school_id == school_id, TrainingModule.purpose == LEADER_PURPOSE)
        .order_by(TrainingModule.position, TrainingModule.id).limit(1))


def ensure_circle_leader_module(school_id: int) -> TrainingModule | None:
    """The school's module that trains circle leaders, created after the others when it is missing.
    The mentoring modules come first: a school's only module must never be the extra one (with none
    for mentoring, certification would need no training at all)."""
    module = circle_leader_module(school_id)
    if module is not None:
        return module
    modules = ensure_training_modules(school_id)
    name, description = CIRCLE_LEADER_MODULE
    try:
        with db.session.begin_nested():
            db.session.add(TrainingModule(school_id=school_id, name=name, description=description,
                                          position=max((m.position for m in modules), default=-1) + 1,
                                          purpose=LEADER_PURPOSE))
    except IntegrityError:
        pass  # another request created it a moment ago (or a module of that name exists already)
    return circle_leader_module(school_id)


def _live_place_holders(circle: Circle) -> set[int]:
    return set(db.session.scalars(select(CircleMember.student_id).where(
        CircleMember.school_id == circle.school_id, CircleMember.circle_id == circle.id,
        CircleMember.status.in_(LIVE_VALUES))))


def eligible_leaders(school_id: int, circle: Circle | None = None, today: date | None = None) -> list[User]:
    """Who may lead a circle: active students with an accepted mentor profile, certified today, who
    completed a circle-leader module, and whose family's consent lets them mentor; for `circle`, not
    those with a place in it (a leader is not a member too)."""
    if today is None:
        today = today_in(db.session.get(School, school_id).timezone)
    trained = (select(TrainingCompletion.profile_id)
               .join(TrainingModule, and_(TrainingModule.id == TrainingCompletion.module_id,
                                          TrainingModule.school_id == TrainingCompletion.school_id))
               .where(TrainingCompletion.school_id == school_id, TrainingModule.purpose == LEADER_PURPOSE))
    rows = db.session.execute(
        select(User, MentorProfile)
        .join(MentorProfile, and_(MentorProfile.user_id == User.id, MentorProfile.school_id == User.school_id))
        .where(User.school_id == school_id, User.role == "student", User.active.is_(True),
               MentorProfile.status.in_(ACCEPTED), MentorProfile.id.in_(trained))
        .order_by(User.family_name, User.given_name, User.id)).all()
    candidates = [user for user, profile in rows if profile.is_certified_on(today)]
    if circle is not None:
        members = _live_place_holders(circle)
        candidates = [user for user in candidates if user.id not in members]
    consent = standings(school_id, candidates, "mentor") if candidates else {}
    return [user for user in candidates if consent[user.id].may_take_part]


def set_leaders(circle: Circle, leader_ids: Iterable[int], actor: User) -> tuple[list[int], list[int]]:
    """Choose the circle's one or two peer leaders. Returns the ids of leaders added and removed."""
    ids = set(leader_ids)
    if not 1 <= len(ids) <= MAX_LEADERS:
        raise CircleError("leaders", f"Choose from 1 to {MAX_LEADERS} leaders.")
    if actor.role != "counselor" or actor.school_id != circle.school_id:
        raise CircleError("leaders", "Only a counselor of the school chooses a circle's leaders.")
    circle = lock_circle(circle)
    if circle.status != CircleStatus.OPEN:
        raise CircleError("leaders", "This circle has closed.")
    if ids & _live_place_holders(circle):
        raise CircleError("leaders", "A student with a place in this circle cannot lead it too.")
    if not ids <= {user.id for user in eligible_leaders(circle.school_id, circle)}:
        raise CircleError("leaders", "Choose leaders from the list: certified mentors who completed the "
                                     "circle-leader training and whose family agrees.")
    current = {link.leader_id: link for link in db.session.scalars(select(CircleLeader).where(
        CircleLeader.school_id == circle.school_id, CircleLeader.circle_id == circle.id))}
    removed = sorted(set(current) - ids)
    added = sorted(ids - set(current))
    for leader_id in removed:
        db.session.delete(current[leader_id])
    db.session.add_all(CircleLeader(school_id=circle.school_id, circle_id=circle.id, leader_id=leader_id)
                       for leader_id in added)
    db.session.flush()
    db.session.expire(circle, ["leader_links"])
    return added, removed
