"""Group sessions: a circle's sessions (scheduled from a plan in the library, cancelled, logged once
held) and open workshops (created by counselors, signed up for by students of their grades).

Logging writes attendance, how it went, the notes and the anonymous mood round, and raises the
concerns they show in the same transaction (`session_concerns`). What two requests could race on is
locked: the session row when it is logged or cancelled, the circle row when a session is scheduled,
the workshop row when a student signs up. Plain functions that flush; the view commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import School, User
from schoolpeers.circles import session_concerns
from schoolpeers.circles.models import Circle, CircleMember, GroupSession, MoodCount, SessionAttendance
from schoolpeers.circles.queries import is_leader, places
from schoolpeers.circles.statuses import HOW_IT_WENT, MOODS, CircleStatus, PlaceStatus, SessionStatus
from schoolpeers.extensions import db
from schoolpeers.families.services import standing_of
from schoolpeers.oversight.models import Concern
from schoolpeers.refusals import FieldRefusal
from schoolpeers.resources.models import SessionPlan
from schoolpeers.timeutil import as_utc

MINUTES = (10, 240)
MAX_PLACE = 120
MAX_TITLE = 120
MAX_ABOUT = 1000
MAX_NOTES = 4000
MAX_REASON = 200
WORKSHOP_CAPACITY = (1, 500)
PLAN_AHEAD = timedelta(days=365)
MOOD_ROUND = "moods"  # the field a refusal of the mood round as a whole names


class SessionError(FieldRefusal):
    """A group session, or a place at a workshop, that cannot be as asked."""


@dataclass
class SessionData:
    """A circle's session to schedule; `starts_at` in UTC."""

    starts_at: datetime | None
    minutes: int | None
    plan_id: int | None
    place: str = ""


@dataclass
class WorkshopData:
    title: str
    starts_at: datetime | None
    minutes: int | None
    grade_min: int | None
    grade_max: int | None
    capacity: int | None
    about: str = ""
    place: str = ""


@dataclass
class LogData:
    """What the runner says once a session is held: who came (student ids), whom they are worried
    about (student id -> their few words, maybe none), and how many tapped each face."""

    how_it_went: str | None
    notes: str = ""
    present: set[int] = field(default_factory=set)
    worries: dict[int, str] = field(default_factory=dict)
    moods: dict[int, int | None] = field(default_factory=dict)


# --- who runs a session --------------------------------------------------------------------------

def may_run(session_or_circle: GroupSession | Circle, user: User) -> bool:
    """Counselors run every circle's sessions and the workshops; a peer leader, their circle's."""
    if user.school_id != session_or_circle.school_id:
        return False
    if user.role == "counselor":
        return True
    circle_id = session_or_circle.id if isinstance(session_or_circle, Circle) else session_or_circle.circle_id
    return user.role == "student" and is_leader(user, circle_id)


def _check_runner(record: GroupSession | Circle, actor: User, field_name: str) -> None:
    if not may_run(record, actor):
        raise SessionError(field_name, "Only the circle's leaders and the counselors run its sessions.")


def _lock(session: GroupSession) -> str:
    """The session's status as of now, its row locked until commit (PostgreSQL; SQLite serialises
    writers): a session is logged once, and never while it is being cancelled."""
    return db.session.scalar(select(GroupSession.status).where(
        GroupSession.school_id == session.school_id, GroupSession.id == session.id).with_for_update())


def _when(starts_at: datetime | None, now: datetime, field_name: str = "starts_at") -> datetime:
    if starts_at is None:
        raise SessionError(field_name, "Choose the day and the time.")
    starts_at = as_utc(starts_at)
    if starts_at <= now:
        raise SessionError(field_name, "Choose a time to come.")
    if starts_at > now + PLAN_AHEAD:
        raise SessionError(field_name, "Choose a time within a year from now.")
    return starts_at


def _minutes(minutes: int | None) -> int:
    if minutes is None or not MINUTES[0] <= minutes <= MINUTES[1]:
        raise SessionError("minutes", f"From {MINUTES[0]} to {MINUTES[1]} minutes.")
    return minutes


def _one_line(text: str | None, limit: int, field_name: str) -> str:
    text = " ".join((text or "").split())
    if len(text) > limit:
        raise SessionError(field_name, f"At most {limit} characters.")
    return text


# --- a circle's sessions -------------------------------------------------------------------------

def schedule(circle: Circle, data: SessionData, actor: User, now: datetime) -> GroupSession:
    """A session of the circle from one of the library's active plans (its title is the plan's).
    The circle's sessions are scheduled one at a time (its row locked until commit), so the same
    form sent twice does not schedule the session twice."""
    _check_runner(circle, actor, "starts_at")
    locked_status = db.session.scalar(select(Circle.status).where(
        Circle.school_id == circle.school_id, Circle.id == circle.id).with_for_update(key_share=True))
    if locked_status != CircleStatus.OPEN:
        raise SessionError("circle", "This circle is closed: it has no more sessions.")
    starts_at = _when(data.starts_at, now)
    minutes = _minutes(data.minutes)
    place = _one_line(data.place, MAX_PLACE, "place")
    plan = None if data.plan_id is None else db.session.scalar(select(SessionPlan).where(
        SessionPlan.school_id == circle.school_id, SessionPlan.id == data.plan_id, SessionPlan.active.is_(True)))
    if plan is None:
        raise SessionError("plan_id", "Choose one of the library's session plans.")
    if db.session.scalar(select(GroupSession.id).where(
            GroupSession.school_id == circle.school_id, GroupSession.circle_id == circle.id,
            GroupSession.starts_at == starts_at, GroupSession.status != SessionStatus.CANCELLED).limit(1)):
        raise SessionError("starts_at", "The circle already has a session at that time.")
    session = GroupSession(school_id=circle.school_id, circle_id=circle.id, plan_id=plan.id, title=plan.title,
                           starts_at=starts_at, minutes=minutes, place=place, created_by_id=actor.id)
    db.session.add(session)
    db.session.flush()
    return session


def cancel(session: GroupSession, actor: User) -> None:
    """Call off a session still to be held (a circle's, or a workshop)."""
    _check_runner(session, actor, "session")
    if _lock(session) != SessionStatus.SCHEDULED:
        raise SessionError("session", "Only a session still to be held can be cancelled.")
    session.status = SessionStatus.CANCELLED
    db.session.flush()


# --- logging a held session ----------------------------------------------------------------------

@dataclass(frozen=True)
class Expected:
    """Who a session's log is about: `listed` may be marked present (a circle's members at the session
    who had accepted its agreement; a workshop's sign-ups), `not_agreed` were members then who had not
    accepted the confidentiality agreement, and `others` the circle's other members and former members,
    whom the notes may still name."""

    listed: list[User]
    not_agreed: list[User]
    others: list[User] = field(default_factory=list)

    @property
    def everyone(self) -> list[User]:
        return [*self.listed, *self.not_agreed]

    @property
    def nameable(self) -> list[User]:
        """Whom a finding in the notes may be about: everyone who was ever a member of the circle."""
        return [*self.everyone, *self.others]


def member_at(place: CircleMember, when: datetime) -> bool:
    """Whether the place was a member's at `when`: placed by then, and still a member or left after.
    (A member's `placed_at` is when they became one: moving up from the waiting list sets it again.)"""
    if place.placed_at is None or as_utc(place.placed_at) > when:
        return False
    if place.status == PlaceStatus.MEMBER:
        return True
    return place.status == PlaceStatus.LEFT and place.left_at is not None and as_utc(place.left_at) > when


def agreed_by(place: CircleMember, when: datetime) -> bool:
    return place.agreed_at is not None and as_utc(place.agreed_at) <= when


def _circle_of(session: GroupSession) -> Circle:
    return db.session.scalar(select(Circle).where(
        Circle.school_id == session.school_id, Circle.id == session.circle_id))


def expected(session: GroupSession) -> Expected:
    """The people of a session's log: the circle's members when the session started, as they were then
    (one who has left since, or whose circle has closed since, is still on it; one who joined since is
    not), of whom those who had accepted its agreement take part; or those signed up for a workshop."""
    if session.is_workshop:
        return Expected(list(db.session.scalars(
            select(User).join(SessionAttendance, (SessionAttendance.student_id == User.id)
                              & (SessionAttendance.school_id == User.school_id))
            .where(SessionAttendance.school_id == session.school_id, SessionAttendance.session_id == session.id)
            .order_by(User.family_name, User.given_name, User.id))), [])
    starts_at = as_utc(session.starts_at)
    ever = places(_circle_of(session), PlaceStatus.MEMBER, PlaceStatus.LEFT)
    then = [p for p in ever if member_at(p, starts_at)]
    return Expected([p.student for p in then if agreed_by(p, starts_at)],
                    [p.student for p in then if not agreed_by(p, starts_at)],
                    [p.student for p in ever if not member_at(p, starts_at)])


def _check_log(data: LogData, people: Expected) -> None:
    if data.how_it_went not in HOW_IT_WENT:
        raise SessionError("how_it_went", "Say how it went.")
    if len(data.notes or "") > MAX_NOTES:
        raise SessionError("notes", f"Notes can be at most {MAX_NOTES:,} characters.")
    listed = {person.id for person in people.listed}
    for person in people.not_agreed:
        if person.id in data.present:
            raise SessionError(f"present_{person.id}", (
                f"{person.given_name} had not accepted the circle's confidentiality agreement before this "
                "session, so they could not take part in it. They can read and accept it under Circles."))
    if not data.present <= listed:
        raise SessionError("present", "Tick only people on the list.")
    for student_id, reason in data.worries.items():
        if student_id not in listed:
            raise SessionError("present", "Say you are worried only about people on the list.")
        if len(" ".join((reason or "").split())) > MAX_REASON:
            raise SessionError(f"reason_{student_id}", f"At most {MAX_REASON} characters: the notes hold more.")
    _check_moods(data.moods, len(data.present))


def _check_moods(moods: dict[int, int | None], present: int) -> None:
    for mood, taps in moods.items():
        if mood not in MOODS:
            raise SessionError(MOOD_ROUND, "Count the taps on the five faces.")
        if taps is None or taps < 0:
            raise SessionError(f"mood_{mood}", "How many tapped this face: 0 or more.")
    total = sum(taps or 0 for taps in moods.values())
    if total > present:
        people = "1 person was" if present == 1 else f"{present} people were"
        raise SessionError(MOOD_ROUND, f"{total} taps, but {people} there: each person taps one face at most.")


def log_session(session: GroupSession, data: LogData, actor: User, now: datetime) -> list[Concern]:
    """Log a held session once, and raise the concerns it shows (returned); a workshop is logged by a
    counselor. Members who had not accepted the circle's agreement when it started cannot be marked present."""
    _check_runner(session, actor, "how_it_went")
    status = _lock(session)
    if status == SessionStatus.HELD:
        raise SessionError("how_it_went", "This session is already logged.")
    if status == SessionStatus.CANCELLED:
        raise SessionError("how_it_went", "This session was cancelled.")
    if now < as_utc(session.starts_at):
        raise SessionError("how_it_went", "A session is logged once it has started.")
    people = expected(session)
    _check_log(data, people)
    rows = {row.student_id: row for row in db.session.scalars(select(SessionAttendance).where(
        SessionAttendance.school_id == session.school_id, SessionAttendance.session_id == session.id))}
    for person in people.listed:
        row = rows.get(person.id)
        if row is None:
            row = SessionAttendance(school_id=session.school_id, session_id=session.id, student_id=person.id)
            db.session.add(row)
        row.present, row.worried = person.id in data.present, person.id in data.worries
    db.session.add_all(MoodCount(school_id=session.school_id, session_id=session.id, mood=mood, taps=taps)
                       for mood, taps in sorted(data.moods.items()) if taps)
    session.status, session.how_it_went = SessionStatus.HELD, data.how_it_went
    session.notes = (data.notes or "").strip()
    session.logged_by_id, session.logged_at = actor.id, now
    db.session.flush()
    worries = {student_id: " ".join((reason or "").split()) for student_id, reason in data.worries.items()}
    return session_concerns.raise_for_log(session, people.nameable, worries, actor, now)


def mood_round(session: GroupSession) -> dict[int, int]:
    """Taps per face (every face, 0 where nobody tapped it)."""
    counts = dict(db.session.execute(select(MoodCount.mood, MoodCount.taps).where(
        MoodCount.school_id == session.school_id, MoodCount.session_id == session.id)).all())
    return {mood: counts.get(mood, 0) for mood in MOODS}


def attendance(session: GroupSession) -> list[SessionAttendance]:
    """The session's attendance rows with their students, by name."""
    return list(db.session.scalars(
        select(SessionAttendance).options(joinedload(SessionAttendance.student))
        .join(User, (User.id == SessionAttendance.student_id) & (User.school_id == SessionAttendance.school_id))
        .where(SessionAttendance.school_id == session.school_id, SessionAttendance.session_id == session.id)
        .order_by(User.family_name, User.given_name, User.id)))


# --- workshops -----------------------------------------------------------------------------------

def create_workshop(school: School, data: WorkshopData, actor: User, now: datetime) -> GroupSession:
    """A one-off open session (a mental-health day) for the students of some grades, with its places."""
    if actor.role != "counselor" or actor.school_id != school.id:
        raise SessionError("title", "Counselors set up workshops.")
    title = _one_line(data.title, MAX_TITLE, "title")
    if not title:
        raise SessionError("title", "Give the workshop a title.")
    about = (data.about or "").strip()
    if len(about) > MAX_ABOUT:
        raise SessionError("about", f"At most {MAX_ABOUT:,} characters.")
    starts_at = _when(data.starts_at, now)
    minutes = _minutes(data.minutes)
    place = _one_line(data.place, MAX_PLACE, "place")
    for name, grade in (("grade_min", data.grade_min), ("grade_max", data.grade_max)):
        if grade is None or not school.grade_min <= grade <= school.grade_max:
            raise SessionError(name, f"A grade from {school.grade_min} to {school.grade_max}.")
    if data.grade_min > data.grade_max:
        raise SessionError("grade_max", "The last grade comes after the first.")
    if data.capacity is None or not WORKSHOP_CAPACITY[0] <= data.capacity <= WORKSHOP_CAPACITY[1]:
        raise SessionError("capacity", f"From {WORKSHOP_CAPACITY[0]} to {WORKSHOP_CAPACITY[1]} places.")
    workshop = GroupSession(school_id=school.id, title=title, about=about, starts_at=starts_at, minutes=minutes,
                            place=place, grade_min=data.grade_min, grade_max=data.grade_max,
                            capacity=data.capacity, created_by_id=actor.id)
    db.session.add(workshop)
    db.session.flush()
    return workshop


def signed_up_count(workshop: GroupSession) -> int:
    return db.session.scalar(select(func.count()).select_from(SessionAttendance).where(
        SessionAttendance.school_id == workshop.school_id, SessionAttendance.session_id == workshop.id)) or 0


def place_at(student: User, workshop: GroupSession) -> SessionAttendance | None:
    return db.session.scalar(select(SessionAttendance).where(
        SessionAttendance.school_id == student.school_id, SessionAttendance.session_id == workshop.id,
        SessionAttendance.student_id == student.id))


def sign_up(student: User, workshop: GroupSession, now: datetime) -> SessionAttendance:
    """A place at a workshop for a student of its grades whose family's consent allows it, while it
    has room and has not started; signing up twice keeps the one place. The workshop's row is locked
    until commit, so two students cannot take its last place at once."""
    if student.role != "student" or student.school_id != workshop.school_id or not workshop.is_workshop:
        raise SessionError("workshop", "Workshops are for the school's students.")
    if _lock(workshop) != SessionStatus.SCHEDULED:
        raise SessionError("workshop", "This workshop is not taking place.")
    existing = place_at(student, workshop)
    if existing is not None:
        return existing
    if now >= as_utc(workshop.starts_at):
        raise SessionError("workshop", "This workshop has started: signing up is closed.")
    if student.grade is None or not workshop.grade_min <= student.grade <= workshop.grade_max:
        raise SessionError("workshop", f"This workshop is for grades {workshop.grade_min} to {workshop.grade_max}.")
    if not standing_of(student, "mentee").may_take_part:
        raise SessionError("workshop", "Your family's consent is needed first. A counselor can tell you more.")
    if signed_up_count(workshop) >= workshop.capacity:
        raise SessionError("workshop", "Sorry, this workshop is full.")
    place = SessionAttendance(school_id=workshop.school_id, session_id=workshop.id, student_id=student.id,
                              signed_up_at=now)
    db.session.add(place)
    db.session.flush()
    return place


def cancel_sign_up(student: User, workshop: GroupSession, now: datetime) -> None:
    """Give a place back, before the workshop starts."""
    _lock(workshop)
    place = place_at(student, workshop)
    if place is None or not workshop.is_workshop:
        raise SessionError("workshop", "You are not signed up for this workshop.")
    if now >= as_utc(workshop.starts_at):
        raise SessionError("workshop", "This workshop has started already.")
    db.session.delete(place)
    db.session.flush()


def workshops_query(school_id: int, now: datetime, *, past: bool) -> Select:
    """The school's workshops to come (soonest first) or past (latest first), each with how many
    signed up (for paging: rows of workshop and count)."""
    count = (select(func.count()).select_from(SessionAttendance)
             .where(SessionAttendance.school_id == GroupSession.school_id,
                    SessionAttendance.session_id == GroupSession.id)
             .correlate(GroupSession).scalar_subquery())
    query = select(GroupSession, count.label("signed_up")).where(
        GroupSession.school_id == school_id, GroupSession.circle_id.is_(None))
    if past:
        return query.where(GroupSession.starts_at < now).order_by(GroupSession.starts_at.desc(), GroupSession.id.desc())
    return query.where(GroupSession.starts_at >= now).order_by(GroupSession.starts_at, GroupSession.id)
