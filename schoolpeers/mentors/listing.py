"""Mentorships as a counselor's lists show them: with both people, read into records (see
`schoolpeers.records`), not as entities with their people loaded beside them."""
from __future__ import annotations

from sqlalchemy import Select, and_
from sqlalchemy.orm import aliased

from schoolpeers.accounts.models import User
from schoolpeers.mentors.models import Mentorship

MENTEE, MENTOR = aliased(User, name="mentee"), aliased(User, name="mentor")


def with_both_people(statement: Select) -> Select:
    """The statement, over mentorships, joined to the mentee (as MENTEE) and the mentor (as MENTOR),
    each in the mentorship's school."""
    return (statement
            .join(MENTEE, and_(MENTEE.school_id == Mentorship.school_id, MENTEE.id == Mentorship.mentee_id))
            .join(MENTOR, and_(MENTOR.school_id == Mentorship.school_id, MENTOR.id == Mentorship.mentor_id)))
