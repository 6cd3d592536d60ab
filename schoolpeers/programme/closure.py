"""The walk through a mentorship's ending: a counselor begins it; the mentor logs a closing meeting
(a check-in, screened like any other), writes a goodbye message the mentee keeps and answers a few
questions; the mentee answers theirs. The counselor still ends the mentorship with a reason, as
before (`mentors.services.close_mentorship`); what was done stays readable afterwards.

Plain functions that flush; the view commits. The rules on plain values are in `closure_rules`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Exists, Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.programme.closure_rules import (
    ClosureError,
    SurveyAnswers,
    Walk,
    checked_goodbye,
    checked_survey,
    ending_open,
    first_open_day,
)
from schoolpeers.programme.models import RECOMMEND, WHAT_HELPED, Closure, ExitSurvey, OutcomeMeasure
from schoolpeers.programme.prompts import Prompt
from schoolpeers.timeutil import in_zone, start_of_day

ANSWERED = "You have answered these questions already. Thank you!"


def closure_of(mentorship: Mentorship) -> Closure | None:
    return db.session.scalar(select(Closure).where(
        Closure.school_id == mentorship.school_id, Closure.mentorship_id == mentorship.id))


def begin_closure(mentorship: Mentorship, counselor: User, now: datetime) -> Closure:
    """Begin the walk through an active mentorship's ending; once per mentorship."""
    if mentorship.school_id != counselor.school_id:
        raise ClosureError("mentorship", "This mentorship is not of your school.")
    if checkins.lock_pair(mentorship) != MentorshipStatus.ACTIVE:
        raise ClosureError("mentorship", "Only an active mentorship's ending can be planned.")
    if closure_of(mentorship) is not None:
        raise ClosureError("mentorship", "The ending of this mentorship is planned already.")
    closure = Closure(school_id=mentorship.school_id, mentorship_id=mentorship.id, begun_by_id=counselor.id,
                      begun_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(closure)
    except IntegrityError:  # begun by another counselor at the same moment
        raise ClosureError("mentorship", "The ending of this mentorship is planned already.") from None
    return closure


def surveys_of(closure: Closure) -> dict[str, ExitSurvey]:
    """The exit surveys answered for the closure's mentorship, by side."""
    return {survey.side: survey for survey in db.session.scalars(select(ExitSurvey).where(
        ExitSurvey.school_id == closure.school_id, ExitSurvey.mentorship_id == closure.mentorship_id))}


def end_questionnaire_answered(closure: Closure) -> bool:
    """Whether the mentee answered the well-being questionnaire at the end of this mentorship."""
    return db.session.scalar(select(OutcomeMeasure.id).where(
        OutcomeMeasure.school_id == closure.school_id, OutcomeMeasure.mentorship_id == closure.mentorship_id,
        OutcomeMeasure.occasion == "end").limit(1)) is not None


def walk_of(closure: Closure, surveys: dict[str, ExitSurvey] | None = None) -> Walk:
    surveys = surveys_of(closure) if surveys is None else surveys
    return Walk(meeting=closure.closing_checkin_id is not None, goodbye=closure.goodbye_written_at is not None,
                mentor_survey="mentor" in surveys, mentee_survey="mentee" in surveys,
                end_questionnaire=end_questionnaire_answered(closure))


def closing_meeting(closure: Closure) -> CheckIn | None:
    if closure.closing_checkin_id is None:
        return None
    return db.session.scalar(select(CheckIn).where(
        CheckIn.school_id == closure.school_id, CheckIn.id == closure.closing_checkin_id))


# --- the mentor's steps ----------------------------------------------------------------------------

def _mentors_own(closure: Closure, mentor: User, field: str) -> Mentorship:
    mentorship = closure.mentorship
    if mentorship.mentor_id != mentor.id or closure.school_id != mentor.school_id:
        raise ClosureError(field, "Only the mentee's own mentor can do this.")
    if checkins.lock_pair(mentorship) != MentorshipStatus.ACTIVE:
        raise ClosureError(field, "This mentorship has ended already.")
    return mentorship


def log_closing_meeting(closure: Closure, mentor: User, data: checkins.CheckInData,
                        today: date) -> tuple[CheckIn, str | None]:
    """Log the closing meeting: a check-in like any other (validated and screened for concerns in the
    same transaction), kept as the closure's; returns it with the highest severity raised."""
    if closure.closing_checkin_id is not None:
        raise checkins.CheckInError("occurred_on", "The closing meeting is logged already.")
    checkin, severity = checkins.log_checkin(closure.mentorship, mentor, data, today)  # locks the pair
    logged = db.session.scalar(select(Closure.closing_checkin_id).where(
        Closure.school_id == closure.school_id, Closure.id == closure.id))
    if logged is not None:  # logged by a request that finished while this one waited for the lock
        raise checkins.CheckInError("occurred_on", "The closing meeting is logged already.")
    closure.closing_checkin_id = checkin.id
    db.session.flush()
    return checkin, severity


def write_goodbye(closure: Closure, mentor: User, text: str | None, now: datetime) -> Closure:
    """The mentor's goodbye message; written once, then it is the mentee's to keep."""
    _mentors_own(closure, mentor, "message")
    message = checked_goodbye(text)
    written = db.session.execute(
        update(Closure).where(Closure.school_id == closure.school_id, Closure.id == closure.id,
                              Closure.goodbye_message.is_(None))
        .values(goodbye_message=message, goodbye_written_at=now).execution_options(synchronize_session=False))
    if written.rowcount != 1:
        raise ClosureError("message", "Your goodbye message is sent already.")
    db.session.refresh(closure)
    return closure


def withhold_goodbye(closure: Closure, counselor: User, now: datetime) -> bool:
    """A counselor keeps the goodbye message from the mentee (it stays for counselors to read).
    Returns False when it was withheld already (the first counselor's decision stays)."""
    if closure.school_id != counselor.school_id or counselor.role != "counselor":
        raise ClosureError("mentorship", "Only a counselor of the school can withhold a goodbye message.")
    if closure.goodbye_message is None:
        raise ClosureError("mentorship", "There is no goodbye message to withhold.")
    withheld = db.session.execute(
        update(Closure).where(Closure.school_id == closure.school_id, Closure.id == closure.id,
                              Closure.goodbye_withheld_at.is_(None))
        .values(goodbye_withheld_at=now, goodbye_withheld_by_id=counselor.id)
        .execution_options(synchronize_session=False))
    db.session.refresh(closure)
    return withheld.rowcount == 1


def _answer(closure: Closure, side: str, respondent: User, answers: SurveyAnswers, now: datetime) -> ExitSurvey:
    cleaned = checked_survey(answers, RECOMMEND, WHAT_HELPED)
    existing = db.session.scalar(select(ExitSurvey.id).where(
        ExitSurvey.school_id == closure.school_id, ExitSurvey.mentorship_id == closure.mentorship_id,
        ExitSurvey.side == side))
    if existing is not None:
        raise ClosureError("got_on", ANSWERED)
    survey = ExitSurvey(school_id=closure.school_id, mentorship_id=closure.mentorship_id, side=side,
                        respondent_id=respondent.id, got_on=cleaned.got_on, helped=cleaned.helped,
                        recommend=cleaned.recommend, what_helped=list(cleaned.what_helped),
                        comment=cleaned.comment or None, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(survey)
    except IntegrityError:  # the same side answered at the same moment
        raise ClosureError("got_on", ANSWERED) from None
    return survey


def answer_as_mentor(closure: Closure, mentor: User, answers: SurveyAnswers, now: datetime) -> ExitSurvey:
    """The mentor's exit survey, while the mentorship is active; once."""
    _mentors_own(closure, mentor, "got_on")
    return _answer(closure, "mentor", mentor, answers, now)


def answer_as_mentee(closure: Closure, mentee: User, answers: SurveyAnswers, today: date,
                     now: datetime) -> ExitSurvey:
    """The mentee's exit survey, while their ending page is open; once."""
    mentorship = closure.mentorship
    if mentorship.mentee_id != mentee.id or closure.school_id != mentee.school_id:
        raise ClosureError("got_on", "These questions are for the mentee.")
    status = checkins.lock_pair(mentorship)
    open_now = ending_open(status == MentorshipStatus.ACTIVE, ended_on(mentorship, mentee.school.timezone), today)
    if mentorship.end_reason == "safeguarding" or not open_now:
        raise ClosureError("got_on", "These questions have closed. Thank you all the same!")
    return _answer(closure, "mentee", mentee, answers, now)


# --- what each student sees ------------------------------------------------------------------------

def ended_on(mentorship: Mentorship, timezone_name: str) -> date | None:
    """The day the mentorship ended, at its school."""
    if mentorship.ended_at is None:
        return None
    return in_zone(mentorship.ended_at, timezone_name).date()


def _with_pair(statement):
    return statement.join(Mentorship, (Mentorship.school_id == Closure.school_id)
                          & (Mentorship.id == Closure.mentorship_id)).options(
        contains_eager(Closure.mentorship).joinedload(Mentorship.mentor),
        contains_eager(Closure.mentorship).joinedload(Mentorship.mentee))


# A mentorship a counselor ended for safeguarding reasons is theirs to close with the student: the
# mentee is not walked through its ending, and its goodbye message is not shown to them.
NOT_ENDED_FOR_SAFEGUARDING = or_(Mentorship.end_reason.is_(None), Mentorship.end_reason != "safeguarding")


def mentee_closure(student: User, today: date) -> Closure | None:
    """The ending the student is walking through as a mentee: their active mentorship's, or one that
    ended in the last `ENDING_STAYS_OPEN` days (the newest)."""
    since = ending_open_since(today, student.school.timezone)
    return db.session.scalars(_mentee_closures(_with_pair(select(Closure)), student.school_id, student.id, since)
                              .order_by(Closure.begun_at.desc(), Closure.id.desc()).limit(1)).unique().first()


def ending_open_since(today: date, timezone_name: str) -> datetime:
    """The earliest end of a mentorship whose ending is still open to walk through today."""
    return start_of_day(first_open_day(today), timezone_name)


def mentee_ending_waits(school_id, mentee_id, since) -> Exists:
    """Whether `mentee_closure` would find one (`since`: `ending_open_since`), as a condition (the home
    page asks it with its other facts)."""
    statement = select(Closure.id).join(Mentorship, (Mentorship.school_id == Closure.school_id)
                                        & (Mentorship.id == Closure.mentorship_id))
    return _mentee_closures(statement, school_id, mentee_id, since).exists()


def _mentee_closures(statement: Select, school_id, mentee_id, since) -> Select:
    return statement.where(
        Closure.school_id == school_id, Mentorship.mentee_id == mentee_id, NOT_ENDED_FOR_SAFEGUARDING,
        (Mentorship.status == MentorshipStatus.ACTIVE)
        | ((Mentorship.status == MentorshipStatus.CLOSED) & (Mentorship.ended_at >= since)))


def mentor_closure(mentorship: Mentorship) -> Closure | None:
    """The closure of a mentor's mentorship, with the pair loaded."""
    return db.session.scalars(_with_pair(select(Closure)).where(
        Closure.school_id == mentorship.school_id, Closure.mentorship_id == mentorship.id)).unique().first()


def read_goodbye(closure: Closure, mentee: User, now: datetime) -> None:
    """The mentee has the goodbye message in front of them: the home page stops pointing to it."""
    if (closure.mentorship.mentee_id == mentee.id and closure.goodbye_for_mentee is not None
            and closure.goodbye_read_at is None):
        closure.goodbye_read_at = now
        db.session.flush()


def goodbyes_for(student: User) -> list[Closure]:
    """Every goodbye message the student received as a mentee, newest first (a student has had a
    handful of mentors at most, so the list is not paged)."""
    return list(db.session.scalars(_with_pair(select(Closure)).where(
        Closure.school_id == student.school_id, Mentorship.mentee_id == student.id,
        Closure.goodbye_message.is_not(None), Closure.goodbye_withheld_at.is_(None), NOT_ENDED_FOR_SAFEGUARDING)
        .order_by(Closure.goodbye_written_at.desc(), Closure.id.desc())).unique())


@dataclass(frozen=True)
class MentorEnding:
    closure: Closure
    next_step: str | None


def mentor_endings(mentor: User) -> list[MentorEnding]:
    """The mentor's active mentorships whose ending is begun, each with the mentor's next step."""
    closures = list(db.session.scalars(_mentor_closures(_with_pair(select(Closure)), mentor.school_id, mentor.id)
                                       .order_by(Closure.begun_at, Closure.id)).unique())
    if not closures:
        return []
    answered = set(db.session.scalars(select(ExitSurvey.mentorship_id).where(
        ExitSurvey.school_id == mentor.school_id, ExitSurvey.side == "mentor",
        ExitSurvey.mentorship_id.in_([c.mentorship_id for c in closures]))))
    return [MentorEnding(c, Walk(meeting=c.closing_checkin_id is not None, goodbye=c.goodbye_written_at is not None,
                                 mentor_survey=c.mentorship_id in answered).mentor_next()) for c in closures]


def mentor_ending_begun(school_id, mentor_id) -> Exists:
    """Whether `mentor_endings` would find one, as a condition (the home page asks it with its other facts)."""
    statement = select(Closure.id).join(Mentorship, (Mentorship.school_id == Closure.school_id)
                                        & (Mentorship.id == Closure.mentorship_id))
    return _mentor_closures(statement, school_id, mentor_id).exists()


def _mentor_closures(statement: Select, school_id, mentor_id) -> Select:
    return statement.where(Closure.school_id == school_id, Mentorship.mentor_id == mentor_id,
                           Mentorship.status == MentorshipStatus.ACTIVE)


MENTOR_STEPS = {
    "meeting": "plan your closing meeting",
    "goodbye": "write your goodbye",
    "survey": "answer a few questions",
}


def closing_prompts(student: User, today: date, *, as_mentor: bool = True, as_mentee: bool = True) -> list[Prompt]:
    """The steps of an ending waiting for the student, as a mentor and as a mentee (a side known to
    hold nothing is not asked)."""
    endings = mentor_endings(student) if as_mentor else []
    found = [Prompt(f"Your mentoring with {e.closure.mentorship.mentee.given_name} is ending: "
                    f"{MENTOR_STEPS[e.next_step]}", "closure.mentor_closing",
                    {"mentorship_id": e.closure.mentorship_id})
             for e in endings if e.next_step]
    closure = mentee_closure(student, today) if as_mentee else None
    if closure is not None:
        if closure.goodbye_for_mentee is not None and closure.goodbye_read_at is None:
            found.append(Prompt(f"{closure.mentorship.mentor.given_name} left you a goodbye message",
                                "closure.mentee_ending"))
        answered = db.session.scalar(select(ExitSurvey.id).where(
            ExitSurvey.school_id == closure.school_id, ExitSurvey.mentorship_id == closure.mentorship_id,
            ExitSurvey.side == "mentee"))
        if answered is None:
            found.append(Prompt("Your mentoring is coming to an end: a few questions for you",
                                "closure.mentee_ending"))
    return found

