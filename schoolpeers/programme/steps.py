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
from schoolpeers.programme.models import Certificate
from schoolpeers.programme.prompts import Prompt
from schoolpeers.timeutil import start_of_day

# The longest a part waits for a student after their mentorship ended (the ending's page, the
# questionnaire after it), with a day to spare for the school's time zone.
AFTER_AN_END = timedelta(days=max(ENDING_STAYS_OPEN, outcomes.ENDED_WITHIN.days) + 1)


def steps_for(student: User, today: date) -> list[Prompt]:
    """Every step the programme is waiting for from this student, most pressing part first."""
    if not _may_wait_for(student, today):
        return []
    return [*agreements.prompts_for(student, today), *closure.closing_prompts(student, today),
            *outcomes.questionnaire_prompts(student, today), *certificates.certificate_prompts(student, today)]


def _may_wait_for(student: User, today: date) -> bool:
    """Whether any part could wait for the student: each needs an active mentorship of theirs (either
    side), one ended lately or a new certificate. One statement, so the home page of a student the
    programme has nothing for (most of a school) asks no more."""
    ended_since = start_of_day(today - AFTER_AN_END, student.school.timezone)
    mentoring = select(Mentorship.id).where(
        Mentorship.school_id == student.school_id,
        or_(Mentorship.mentor_id == student.id, Mentorship.mentee_id == student.id),
        or_(Mentorship.status == MentorshipStatus.ACTIVE,
            and_(Mentorship.status == MentorshipStatus.CLOSED, Mentorship.ended_at >= ended_since)))
    certified = select(Certificate.id).where(
        Certificate.school_id == student.school_id, Certificate.mentor_id == student.id,
        Certificate.issued_on >= today - certificates.NEW_CERTIFICATE_SHOWN)
    return bool(db.session.scalar(select(mentoring.exists() | certified.exists())))
