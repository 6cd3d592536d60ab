"""Students' places in circles: asking to join, invitations, a counselor's decision, the waiting list,
leaving, and the confidentiality agreement. Plain functions that flush; the view commits.

Every change to a circle's places first takes the circle's row lock (held until commit on PostgreSQL;
SQLite serialises writers) and reads the place again under it: two accepts for the last free place,
or a member leaving while another is accepted, happen one after the other, so a circle never holds
more members than its capacity and the waiting list moves up in order (first placed, first in).

Becoming a member or joining the waiting list needs the family's consent as for being mentored.
A student whose account is deactivated, or whose family's consent stops, leaves in the same
transaction (the receivers at the end)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select

from schoolpeers.accounts.models import User
from schoolpeers.circles.models import Circle, CircleLeader, CircleMember
from schoolpeers.circles.place_rules import (
    LIVE,
    LIVE_VALUES,
    PLACED,
    Move,
    NotAllowed,
    has_room,
    next_status,
    to_promote,
)
from schoolpeers.circles.queries import is_leader, member_count, place_of, places
from schoolpeers.circles.statuses import CircleStatus, PlaceStatus
from schoolpeers.extensions import db
from schoolpeers.families.services import standing_of
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import utcnow

CONSENT_NEEDED = "Your family's consent is needed first: ask a counselor."


class PlaceError(FieldRefusal):
    """A change to a place that cannot be made as asked."""


# --- the lock, and reading under it ----------------------------------------------------------------

def lock_circle(circle: Circle) -> Circle:
    """Hold the circle's row until commit, and read it afresh: every change to its places, its size
    or its leaders takes this lock first."""
    return db.session.scalar(
        select(Circle).where(Circle.school_id == circle.school_id, Circle.id == circle.id)
        .with_for_update().execution_options(populate_existing=True))


def _fresh(place: CircleMember) -> CircleMember:
    """The place as it is now (another request may have changed it before we held the lock)."""
    return db.session.scalar(
        select(CircleMember).where(CircleMember.school_id == place.school_id, CircleMember.id == place.id)
        .execution_options(populate_existing=True))


# --- what the rules need -----------------------------------------------------------------------

def _check_open(circle: Circle, field: str = "place") -> None:
    if circle.status != CircleStatus.OPEN:
        raise PlaceError(field, "This circle has closed.")


def _may_take_part(student: User) -> bool:
    return standing_of(student, "mentee").may_take_part


def _start(place: CircleMember | None, circle: Circle, student: User, status: PlaceStatus, now: datetime,
           decided_by: User | None) -> CircleMember:
    """A new place, or an ended one starting again (its row reused, its old answers cleared: a
    returning member agrees to the circle's agreement again)."""
    if place is None:
        place = CircleMember(school_id=circle.school_id, circle_id=circle.id, student_id=student.id)
        db.session.add(place)
    place.status, place.asked_at = status, now
    place.placed_at = place.agreed_at = place.left_at = None
    place.decided_by_id = decided_by.id if decided_by else None
    return place


def _take_place(place: CircleMember, circle: Circle, now: datetime) -> None:
    """Both sides agree: a member's place if the circle has room, else the end of the waiting list."""
    place.status = next_status(place.status, Move.ACCEPT, has_room=has_room(circle.capacity, member_count(circle)))
    place.placed_at = now


def fill_from_waiting_list(circle: Circle, now: datetime) -> list[CircleMember]:
    """The first of the waiting list take the places free now (the caller holds the circle's lock)."""
    waiting = places(circle, PlaceStatus.WAITING)
    promoted = waiting[:to_promote(circle.capacity, member_count(circle), len(waiting))]
    for place in promoted:
        place.status, place.placed_at = PlaceStatus.MEMBER, now  # a member since now
    db.session.flush()
    return promoted


def _leave(place: CircleMember, circle: Circle, actor: User | None, now: datetime) -> list[CircleMember]:
    """The place ends (the caller holds the lock); a member's free place goes to the waiting list."""
    was = place.status
    try:
        place.status = next_status(was, Move.LEAVE)
    except NotAllowed:
        raise PlaceError("place", "You are not in this circle at the moment.") from None
    place.left_at = now if place.status == PlaceStatus.LEFT else None
    if actor is not None and actor.id != place.student_id:
        place.decided_by_id = actor.id
    db.session.flush()
    return fill_from_waiting_list(circle, now) if was == PlaceStatus.MEMBER else []


# --- the student ---------------------------------------------------------------------------------

def ask_to_join(student: User, circle: Circle, now: datetime) -> tuple[CircleMember, bool]:
    """The student asks to join; a counselor decides. Asking again answers with the place they have
    (False: nothing new); after a "no" or leaving, a new ask starts their place again."""
    if student.role != "student" or student.school_id != circle.school_id:
        raise PlaceError("place", "Only students of the school can join its circles.")
    circle = lock_circle(circle)
    place = place_of(student, circle.id)
    if place is not None and place.status in LIVE:
        return place, False
    _check_open(circle)
    if not circle.open_to(student.grade):
        raise PlaceError("place", f"This circle is for grades {circle.grade_min} to {circle.grade_max}.")
    if is_leader(student, circle.id):
        raise PlaceError("place", "You lead this circle, so you cannot be a member of it too.")
    place = _start(place, circle, student, PlaceStatus.ASKED, now, None)
    db.session.flush()
    return place, True


def answer_invitation(place: CircleMember, accept: bool, now: datetime) -> CircleMember:
    """The student answers a counselor's invitation: yes takes a place (or the waiting list), no
    thanks declines it."""
    place = _settle(place, PlaceStatus.INVITED, accept, now, field="answer",
                    settled="There is no invitation to answer: look at your circles below.",
                    no_consent=CONSENT_NEEDED)
    db.session.flush()
    return place


def _settle(place: CircleMember, waiting_for: PlaceStatus, accept: bool, now: datetime, *, field: str,
            settled: str, no_consent: str) -> CircleMember:
    """An ask or an invitation answered, under the circle's lock: yes takes a member's place if there
    is room, else one on the waiting list (the family's consent allowing); no declines it. A place no
    longer `waiting_for` was answered already (`settled` says so)."""
    circle = lock_circle(place.circle)
    place = _fresh(place)
    if place.status != waiting_for:
        raise PlaceError(field, settled)
    if accept:
        _check_open(circle, field)
        if not _may_take_part(place.student):
            raise PlaceError(field, no_consent)
        _take_place(place, circle, now)
    else:
        place.status = next_status(place.status, Move.REFUSE)
    return place


def agree(place: CircleMember, now: datetime) -> bool:
    """The member accepts the circle's confidentiality agreement, once (before their first session).
    False when they had agreed already: the first time stays."""
    place = db.session.scalar(  # two presses at once: the first stays
        select(CircleMember).where(CircleMember.school_id == place.school_id, CircleMember.id == place.id)
        .with_for_update().execution_options(populate_existing=True))
    if place.status not in PLACED:
        raise PlaceError("place", "You can agree once you have a place in the circle.")
    if place.agreed_at is not None:
        return False
    place.agreed_at = now
    db.session.flush()
    return True


def leave(place: CircleMember, actor: User, now: datetime) -> list[CircleMember]:
    """The student leaves (or withdraws an ask, or the waiting list), or a counselor takes them out.
    Returns the places the waiting list moved up into the free place."""
    if actor.id != place.student_id and (actor.role != "counselor" or actor.school_id != place.school_id):
        raise PlaceError("place", "Only the student or a counselor can end a place in a circle.")
    circle = lock_circle(place.circle)
    return _leave(_fresh(place), circle, actor, now)


def waiting_position(place: CircleMember) -> int | None:
    """Where the place stands on the waiting list (1: next in), or None when it is not waiting."""
    if place.status != PlaceStatus.WAITING:
        return None
    order = [p.id for p in places(place.circle, PlaceStatus.WAITING)]
    return order.index(place.id) + 1 if place.id in order else None


# --- counselors --------------------------------------------------------------------------------

def _check_counselor(actor: User, school_id: int, field: str) -> None:
    if actor.role != "counselor" or actor.school_id != school_id:
        raise PlaceError(field, "Only a counselor of the school can do this.")


def invite(circle: Circle, students: Iterable[User], actor: User, now: datetime) -> tuple[list[CircleMember], int]:
    """A counselor invites students of the circle's grades; each answers on their page. Those who have
    a place already (asked, invited, waiting or a member) and the circle's leaders are skipped and
    counted. Returns the invitations and the number skipped."""
    _check_counselor(actor, circle.school_id, "students")
    chosen = {s.id: s for s in students}
    if not chosen:
        raise PlaceError("students", "Choose the students to invite.")
    if any(s.school_id != circle.school_id or s.role != "student" or not s.active or not circle.open_to(s.grade)
           for s in chosen.values()):
        raise PlaceError("students", f"Choose students of grades {circle.grade_min} to {circle.grade_max} "
                                     "from the list.")
    circle = lock_circle(circle)
    _check_open(circle, "students")
    existing = {p.student_id: p for p in db.session.scalars(
        select(CircleMember).where(CircleMember.school_id == circle.school_id, CircleMember.circle_id == circle.id,
                                   CircleMember.student_id.in_(list(chosen)))
        .execution_options(populate_existing=True))}
    leading = set(db.session.scalars(select(CircleLeader.leader_id).where(
        CircleLeader.school_id == circle.school_id, CircleLeader.circle_id == circle.id)))
    invited, skipped = [], 0
    for student_id in sorted(chosen):
        place = existing.get(student_id)
        if student_id in leading or place is not None and place.status in LIVE:
            skipped += 1
            continue
        invited.append(_start(place, circle, chosen[student_id], PlaceStatus.INVITED, now, actor))
    db.session.flush()
    return invited, skipped


def decide(place: CircleMember, accept: bool, actor: User, now: datetime) -> CircleMember:
    """A counselor answers a student's ask: yes gives a member's place if there is room, else a place
    on the waiting list; no declines it."""
    _check_counselor(actor, place.school_id, "action")
    place = _settle(place, PlaceStatus.ASKED, accept, now, field="action", settled="This ask was answered already.",
                    no_consent=f"{place.student.given_name}'s family's consent is needed first: see Families.")
    place.decided_by_id = actor.id
    db.session.flush()
    return place


# --- a student who leaves the school, or whose family's consent stops -------------------------------

def leave_every_circle(student: User, actor: User | None, now: datetime) -> int:
    """Every place the student has in a circle ends (the waiting lists move up); returns how many."""
    live = list(db.session.scalars(
        select(CircleMember).where(CircleMember.school_id == student.school_id,
                                   CircleMember.student_id == student.id,
                                   CircleMember.status.in_(LIVE_VALUES))
        .order_by(CircleMember.circle_id)))  # locks in one order everywhere: no deadlock between two leavers
    for place in live:
        circle = lock_circle(place.circle)
        _leave(_fresh(place), circle, actor, now)
    return len(live)


def stop_leading(student: User) -> int:
    """The student leads no circle any more (the circles stay, for a counselor to choose new leaders)."""
    result = db.session.execute(delete(CircleLeader).where(
        CircleLeader.school_id == student.school_id, CircleLeader.leader_id == student.id))
    db.session.flush()
    return result.rowcount or 0


def on_user_deactivated(user: User, actor: User | None = None) -> Counter:
    """The receiver of `accounts.signals.user_deactivated`: a student leaves every circle and stops leading."""
    done: Counter = Counter()
    if user.role == "student":
        done["circle places ended"] = leave_every_circle(user, actor, utcnow())
        done["circles no longer led"] = stop_leading(user)
    return +done


def on_consent_stopped(student: User, actor: User | None = None, roles: tuple[str, ...] = ()) -> Counter:
    """The receiver of `families.signals.consent_stopped`: without consent to be supported (the mentee
    role) the student leaves every circle; without consent to mentor, they stop leading."""
    done: Counter = Counter()
    if "mentee" in roles:
        done["circle places ended"] = leave_every_circle(student, actor, utcnow())
    if "mentor" in roles:
        done["circles no longer led"] = stop_leading(student)
    return +done
