"""Mentorships as a counselor's lists show them: with both people, read into records (see
`schoolpeers.records`), not as entities with their people loaded beside them."""
from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from schoolpeers.accounts.models import User
from schoolpeers.mentors.models import Mentorship

MENTEE, MENTOR = aliased(User, name="mentee"), aliased(User, name="mentor")


def with_both_people(statement: Select) -> Select:
    """The statement, over mentorships, joined to the mentee (as MENTEE) and the mentor (as MENTOR) by
    the relationships, which join on the school as well as the id."""
    return statement.join(Mentorship.mentee.of_type(MENTEE)).join(Mentorship.mentor.of_type(MENTOR))
