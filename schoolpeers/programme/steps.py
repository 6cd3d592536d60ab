"""What the programme asks of a student now (as a mentee or as a mentor), for their home page:
each part of the cycle adds the steps waiting for them."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Exists, and_, bindparam, or_, select

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


def steps_for(student: User, today: date, may_wait: tuple[bool, ...] | None = None) -> list[Prompt]:
    """Every step the programme is waiting for from this student, most pressing part first.
    `may_wait`: the values of `WHAT_MAY_WAIT`, when the caller asked them with its own facts."""
    if may_wait is None:
        may_wait = tuple(map(bool, db.session.execute(select(*WHAT_MAY_WAIT), may_wait_values(student, today)).one()))
    agreement_missing, ending_begun, as_mentee, agreement_waits, ending_waits, certified = may_wait
    steps = [*agreements.prompts_for(student, today, as_mentor=agreement_missing, as_mentee=agreement_waits),
             *closure.closing_prompts(student, today, as_mentor=ending_begun, as_mentee=ending_waits)]
    if as_mentee:
        steps += outcomes.questionnaire_prompts(student, today)
    if certified:
        steps.append(certificates.NEW_CERTIFICATE)
    return steps


def _what_may_wait(school_id, student_id, ended_since, ending_since, certified_since) -> tuple[Exists, ...]:
    as_mentee = select(Mentorship.id).where(
        Mentorship.school_id == school_id, Mentorship.mentee_id == student_id,
        or_(Mentorship.status == MentorshipStatus.ACTIVE,
            and_(Mentorship.status == MentorshipStatus.CLOSED, Mentorship.ended_at >= ended_since))).exists()
    return (agreements.without_agreement_of(select(Mentorship.id), school_id, student_id).exists(),
            closure.mentor_ending_begun(school_id, student_id),
            as_mentee,
            agreements.waiting_for_mentee(school_id, student_id).exists(),
            closure.mentee_ending_waits(school_id, student_id, ending_since),
            certificates.new_certificates(school_id, student_id, certified_since).exists())


#: As a mentor, whether a pair of theirs has no agreement yet, and whether an ending is begun; as a
#: mentee, whether a mentorship of theirs may have steps (active, or ended lately: the questionnaire),
#: an agreement waits for them to agree, and an ending for them to walk through; whether a new
#: certificate waits. Conditions asked in one statement, so the home page of a student the programme
#: has nothing for (most of a school) asks no more, and each part is asked only of a student it may
#: hold something for. Built once, with the values of `may_wait_values`, as every visit to a
#: student's home page asks them (building it cost more than running it).
WHAT_MAY_WAIT = _what_may_wait(*map(bindparam, ("school_id", "student_id", "ended_since", "ending_since",
                                                 "certified_since")))


def may_wait_values(student: User, today: date) -> dict:
    timezone = student.school.timezone
    return {"school_id": student.school_id, "student_id": student.id,
            "ended_since": start_of_day(today - AFTER_AN_END, timezone),
            "ending_since": closure.ending_open_since(today, timezone),
            "certified_since": certificates.new_since(today)}
