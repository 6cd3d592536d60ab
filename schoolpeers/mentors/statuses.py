"""Where a mentor and a mentorship stand: one spelling of each status (pure; stored as text, with
CHECK constraints on the models)."""
from __future__ import annotations

from enum import StrEnum


class ProfileStatus(StrEnum):
    APPLIED = "applied"  # waiting for a counselor's decision
    ACTIVE = "active"  # accepted: may be matched
    PAUSED = "paused"  # accepted, taking no new mentee for now
    DECLINED = "declined"


class MentorshipStatus(StrEnum):
    PROPOSED = "proposed"  # waiting for a counselor's approval
    ACTIVE = "active"
    CLOSED = "closed"
    REJECTED = "rejected"


ACCEPTED = (ProfileStatus.ACTIVE, ProfileStatus.PAUSED)  # mentors, whether or not taking mentees now
OPEN = (MentorshipStatus.PROPOSED, MentorshipStatus.ACTIVE)  # holds a mentor's place and a mentee's
BEGUN = (MentorshipStatus.ACTIVE, MentorshipStatus.CLOSED)  # mentorships that happened
