"""How a student's place in a circle may change (pure: statuses in, a status or a refusal out).

A place is asked for by the student or offered by a counselor's invitation; once both sides agree it
becomes a member's place if the circle has room, else a place on the waiting list, whose first
(the earliest placed) takes the next free place. A place that was declined or left may start again,
reusing its row. The services hold the circle's row lock while they apply these rules, so the room
they count is the room there is."""
from __future__ import annotations

from enum import StrEnum

from schoolpeers.circles.statuses import PlaceStatus

# Places still in the circle's life: asking, invited, waiting or a member.
LIVE = frozenset({PlaceStatus.ASKED, PlaceStatus.INVITED, PlaceStatus.WAITING, PlaceStatus.MEMBER})
LIVE_VALUES = sorted(map(str, LIVE))  # for a query's IN
# Places that count toward the circle's size or wait for it: both sides have agreed.
PLACED = frozenset({PlaceStatus.WAITING, PlaceStatus.MEMBER})


class Move(StrEnum):
    ASK = "ask"  # the student asks to join
    INVITE = "invite"  # a counselor invites the student
    ACCEPT = "accept"  # the other side says yes: a counselor to an ask, the student to an invitation
    REFUSE = "refuse"  # the other side says no
    LEAVE = "leave"  # the student leaves (or withdraws), or a counselor takes them out
    CLOSE = "close"  # the circle closes


class NotAllowed(ValueError):
    """The move does not apply to a place in this status; `reason` says which way, for the message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def may_start_again(status: PlaceStatus | str | None) -> bool:
    """No place yet, or one that ended: a new ask or invitation starts it again."""
    return status is None or status in (PlaceStatus.DECLINED, PlaceStatus.LEFT)


def placed_as(has_room: bool) -> PlaceStatus:
    return PlaceStatus.MEMBER if has_room else PlaceStatus.WAITING


def next_status(status: PlaceStatus | str | None, move: Move, *, has_room: bool = False) -> PlaceStatus:
    """The status a place moves to, or NotAllowed. `has_room`: whether the circle has a free place
    (it decides between member and waiting when a place is agreed)."""
    current = PlaceStatus(status) if status is not None else None
    if move in (Move.ASK, Move.INVITE):
        if not may_start_again(current):
            raise NotAllowed("has_place")
        return PlaceStatus.ASKED if move == Move.ASK else PlaceStatus.INVITED
    if move in (Move.ACCEPT, Move.REFUSE):
        if current not in (PlaceStatus.ASKED, PlaceStatus.INVITED):
            raise NotAllowed("nothing_to_answer")
        return placed_as(has_room) if move == Move.ACCEPT else PlaceStatus.DECLINED
    if current not in LIVE:
        raise NotAllowed("no_place")
    if move == Move.LEAVE:
        # An invitation left unanswered is a "no thanks"; anything else is leaving.
        return PlaceStatus.DECLINED if current == PlaceStatus.INVITED else PlaceStatus.LEFT
    # Closing: members leave; places still to come are declined.
    return PlaceStatus.LEFT if current == PlaceStatus.MEMBER else PlaceStatus.DECLINED


def has_room(capacity: int, members: int) -> bool:
    return members < capacity


def to_promote(capacity: int, members: int, waiting: int) -> int:
    """How many of the waiting list (from its first) take a place now."""
    return max(0, min(waiting, capacity - members))
