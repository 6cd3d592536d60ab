"""Where a circle, a place in it and a group session stand: one spelling of each (pure; stored as
text, with CHECK constraints on the models)."""
from __future__ import annotations

from enum import StrEnum


class CircleStatus(StrEnum):
    OPEN = "open"  # meeting, and taking members while it has room
    CLOSED = "closed"  # finished: kept for its history and the reports


class PlaceStatus(StrEnum):
    """A student's place in a circle."""

    ASKED = "asked"  # the student asked to join; a counselor decides
    INVITED = "invited"  # a counselor invited them; the student answers
    WAITING = "waiting"  # agreed on both sides, the circle is full: first come, first placed
    MEMBER = "member"
    DECLINED = "declined"  # a counselor said no, or the student said no thanks
    LEFT = "left"  # left, or was taken out of the circle


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"  # logged by its leader (attendance, how it went, the mood round)
    CANCELLED = "cancelled"


# A place that counts toward the circle's size, and those still being decided.
PENDING = (PlaceStatus.ASKED, PlaceStatus.INVITED)
# How a session went, in its leader's words; members' one-tap feedback; the mood round's faces.
HOW_IT_WENT = {"well": "It went well", "mixed": "Some of it worked", "hard": "It was hard"}
FEEDBACK_ANSWERS = {"helped": "It helped", "not_sure": "Not sure", "didnt_help": "It didn't help"}
MOODS = {1: "😢", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}
MOOD_WORDS = {1: "Very low", 2: "Low", 3: "Okay", 4: "Good", 5: "Very good"}
CIRCLE_SIZE = (4, 10)  # members a circle is for; a circle meets from its minimum
MAX_LEADERS = 2
