"""A mentor's own short check after a check-in: how it was for them, whether they would like to talk
to a counselor about it, and a few words about themselves (never about their mentee).

One answer per check-in. Answering again changes it while the check-in itself can be corrected (24
hours), as long as no counselor has read it yet: what a counselor acted on stays as they read it, and
the mentor is asked to talk to them instead. "This was hard for me" or asking to talk reaches the
counselors (they read these rows, newest unseen first). Plain functions that flush; the view commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors.checkins import lock_pair
from schoolpeers.mentors.models import CheckIn
from schoolpeers.programme.goal_rules import tidy
from schoolpeers.programme.goals import may_add_after
from schoolpeers.programme.models import MENTOR_FEELINGS, MentorFeeling
from schoolpeers.refusals import FieldRefusal

MAX_NOTE = 500


class FeelingError(FieldRefusal):
    """A mentor's own check that cannot be saved as asked."""


@dataclass(frozen=True)
class FeelingAnswer:
    """What the mentor said about themselves; everything may be left out."""

    feeling: str | None = None
    wants_to_talk: bool = False
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.feeling and not self.wants_to_talk and not tidy(self.note)


def feeling_for(checkin: CheckIn) -> MentorFeeling | None:
    """The mentor's own answer given with this check-in, if any."""
    return db.session.scalar(select(MentorFeeling).where(
        MentorFeeling.school_id == checkin.school_id, MentorFeeling.checkin_id == checkin.id))


def record_feeling(checkin: CheckIn, mentor: User, answer: FeelingAnswer, now: datetime) -> MentorFeeling | None:
    """Save the mentor's answer for this check-in (None when they answered nothing and had not before).
    An empty answer leaves an earlier one as it was."""
    lock_pair(checkin.mentorship)
    existing = feeling_for(checkin)
    if answer.empty:
        return existing
    if not may_add_after(checkin, mentor, now):
        raise FeelingError("feeling", "This can be answered by the check-in's mentor for 24 hours after it. "
                                      "If something is on your mind, talk to a counselor.")
    feeling = answer.feeling or (existing.feeling if existing else None)
    if feeling is None:
        raise FeelingError("feeling", "Choose how this check-in was for you, so the counselor knows.")
    if feeling not in MENTOR_FEELINGS:
        raise FeelingError("feeling", "Choose one of the answers.")
    note = (answer.note or "").strip()
    if len(note) > MAX_NOTE:
        raise FeelingError("note", f"At most {MAX_NOTE} characters.")
    values = {"feeling": feeling, "wants_to_talk": bool(answer.wants_to_talk), "note": note or None}
    if existing is None:
        existing = MentorFeeling(school_id=checkin.school_id, mentor_id=mentor.id, checkin_id=checkin.id,
                                 created_at=now, **values)
        db.session.add(existing)
    elif any(getattr(existing, name) != value for name, value in values.items()):
        if existing.seen_at is not None:
            raise FeelingError("feeling", "A counselor has already read what you said. If you would like to add "
                                          "something, talk to them: they are glad to hear from you.")
        if existing.needs_counselor and not (feeling == "hard" or values["wants_to_talk"]):
            # Once it waits for a counselor it stays waiting: taking it back must not drop it from their list.
            raise FeelingError("feeling", "A counselor will come and talk to you about this check-in. If things "
                                          "feel better now, you can tell them then.")
        for name, value in values.items():
            setattr(existing, name, value)
    db.session.flush()
    return existing
