"""What the programme asks of a student now (as a mentee or as a mentor), for their home page:
each part of the cycle adds the steps waiting for them."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, or_, select

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import Mentorship
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.programme import agreements, certificates, closure, outcomes
from schoolpeers.programme.closure_rules import ENDING_STAYS_OPEN
from schoolpeers.programme.prompts import Prompt
from schoolpeers.timeutil import start_of_day

# The longest a part waits for a student after their mentorship ended (the ending's page, the
# questionnaire after it), with a day to spare for the school's time zone.
AFTER_AN_END = timedelta(days=max(ENDING_STAYS_OPEN, outcomes.ENDED_WITHIN.days) + 1)


def steps_for(student: User, today: date) -> list[Prompt]:
    """Every step the programme is waiting for from this student, most pressing part first."""
    as_mentor, as_mentee, certified = _what_may_wait(student, today)
    steps = []
    if as_mentor or as_mentee:
        sides = {"as_mentor": as_mentor, "as_mentee": as_mentee}
        steps += [*agreements.prompts_for(student, today, **sides), *closure.closing_prompts(student, today, **sides)]
    if as_mentee:
        steps += outcomes.questionnaire_prompts(student, today)
    if certified:
        steps.append(certificates.NEW_CERTIFICATE)
    return steps


def _what_may_wait(student: User, today: date) -> tuple[bool, bool, bool]:
    """Whether a mentorship of theirs as a mentor, and one as a mentee, may have steps (active, or ended
    lately), and whether a new certificate waits: one statement, so the home page of a student the
    programme has nothing for (most of a school) asks no more, and each side's steps are asked only of
    a student on that side."""
    ended_since = start_of_day(today - AFTER_AN_END, student.school.timezone)

    def mentoring(side):
        return select(Mentorship.id).where(
            Mentorship.school_id == student.school_id, side == student.id,
            or_(Mentorship.status == MentorshipStatus.ACTIVE,
                and_(Mentorship.status == MentorshipStatus.CLOSED, Mentorship.ended_at >= ended_since))).exists()

    found = db.session.execute(select(mentoring(Mentorship.mentor_id), mentoring(Mentorship.mentee_id),
                                      certificates.new_certificates(student, today).exists())).one()
    return bool(found[0]), bool(found[1]), bool(found[2])
