"""The programme's records under the privacy promises: which of their words the retention period
clears, and what erasing a student removes. ("Download my data" shapes them in
`schoolpeers.privacy.my_data`.)

Their free text: the agreement's place and ground rules, a goal's wording, the goodbye message,
exit-survey comments, a mentor's note on how they felt, a certificate's citation. Removing it keeps
the row with its numbers, dates and areas, for reports.

Erasing a student: their words go in both erasure modes, and the words about them (their
mentorships' agreement, goals, goodbye message and both sides' exit-survey comments; a mentor's note
on how a check-in with them felt). Then, per table:

- goals, goal progress, agreement and closure of their mentorships as mentee: kept without text
  ("unlink"), deleted ("delete");
- outcome measures (their questionnaires): kept with `mentee_id` emptied, the mentorship and the
  grade carrying what the report needs ("unlink"), deleted ("delete");
- exit surveys they wrote, and as a mentor their feelings, supervision attendance and
  certificates: kept under the anonymous record without text ("unlink"), deleted ("delete").

The people columns of that last group are NOT NULL parts of a same-school key to `users`: they can
only point at the anonymous record, which keeps the student's id and school, or go with their row.
The mentor's exit survey about a mentorship with the student is the mentor's own record and stays,
without its comment; the agreement and goals of mentorships the student led as mentor are their
mentee's, and stay as they are. Supervision sessions are the counselor's record: only the student's
attendance goes.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, not_, or_, select, update

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.programme.models import (
    Agreement,
    Certificate,
    Closure,
    ExitSurvey,
    Goal,
    GoalProgress,
    MentorFeeling,
    OutcomeMeasure,
    SupervisionAttendance,
)

# Each table's free-text columns, and the values that remove them.
AGREEMENT_TEXT = {"where": "", "ground_rules": ""}
GOAL_TEXT = {"wording": ""}
GOODBYE_TEXT = {"goodbye_message": None}
SURVEY_TEXT = {"comment": None}
FEELING_TEXT = {"note": None}
CITATION_TEXT = {"citation": ""}

RETENTION_KINDS = ("agreements", "goal wordings", "goodbye messages", "exit-survey comments",
                   "mentors' notes on how they felt")


def _holds_text(model, values: dict):
    """Rows of `model` with any of these columns not yet at their removed value."""
    conditions = []
    for name, removed in values.items():
        column = getattr(model, name)
        conditions.append(column.is_not(None) if removed is None else and_(column.is_not(None), column != removed))
    return or_(*conditions)


def _waiting_for_a_counselor():
    """A "hard" feeling or a wish to talk that no counselor has marked seen yet."""
    return and_(MentorFeeling.seen_at.is_(None),
                or_(MentorFeeling.feeling == "hard", MentorFeeling.wants_to_talk.is_(True)))


# --- retention -----------------------------------------------------------------------------------

def texts_past_retention(school_id: int, ended_mentorships, cutoff: datetime) -> dict[str, tuple[type, object, dict]]:
    """Kind -> (model, the rows whose text is past the period, the values that remove it), for the
    retention run's bulk updates. `ended_mentorships` selects the ids of mentorships that ended
    before `cutoff`. A mentor's note on how they felt goes by its own age, except while it still
    waits for a counselor (as a concern keeps its text until it is resolved)."""
    def ended(model):
        return and_(model.school_id == school_id, model.mentorship_id.in_(ended_mentorships))

    return {
        "agreements": (Agreement, and_(ended(Agreement), _holds_text(Agreement, AGREEMENT_TEXT)), AGREEMENT_TEXT),
        "goal wordings": (Goal, and_(ended(Goal), _holds_text(Goal, GOAL_TEXT)), GOAL_TEXT),
        "goodbye messages": (Closure, and_(ended(Closure), _holds_text(Closure, GOODBYE_TEXT)), GOODBYE_TEXT),
        "exit-survey comments": (ExitSurvey, and_(ended(ExitSurvey), _holds_text(ExitSurvey, SURVEY_TEXT)),
                                 SURVEY_TEXT),
        "mentors' notes on how they felt": (MentorFeeling, and_(
            MentorFeeling.school_id == school_id, MentorFeeling.created_at < cutoff,
            _holds_text(MentorFeeling, FEELING_TEXT), not_(_waiting_for_a_counselor())), FEELING_TEXT),
    }


# --- erasure -------------------------------------------------------------------------------------

def _update(model, where, values: dict) -> int:
    return db.session.execute(update(model).where(where).values(**values)
                              .execution_options(synchronize_session="fetch")).rowcount


def _delete(model, where) -> int:
    return db.session.execute(delete(model).where(where).execution_options(synchronize_session="fetch")).rowcount


def forget_student(student: User, *, delete_rows: bool) -> dict[str, int]:
    """Remove the student's programme data (see the module's list); counts by kind. Runs before
    the check-ins about the student are deleted, while a mentor's feeling still points to its
    check-in. Flushes through bulk statements; the caller commits."""
    school_id, student_id = student.school_id, student.id
    as_mentee = select(Mentorship.id).where(Mentorship.school_id == school_id, Mentorship.mentee_id == student_id)
    as_mentor = select(Mentorship.id).where(Mentorship.school_id == school_id, Mentorship.mentor_id == student_id)
    checkins_about = select(CheckIn.id).where(CheckIn.school_id == school_id, CheckIn.mentee_id == student_id)

    def mentee_of(model):
        return and_(model.school_id == school_id, model.mentorship_id.in_(as_mentee))

    text = 0
    for model, rows, values in (
            (Agreement, mentee_of(Agreement), AGREEMENT_TEXT),
            (Goal, mentee_of(Goal), GOAL_TEXT),
            (Closure, and_(Closure.school_id == school_id, or_(Closure.mentorship_id.in_(as_mentee),
                                                               Closure.mentorship_id.in_(as_mentor))), GOODBYE_TEXT),
            (ExitSurvey, and_(ExitSurvey.school_id == school_id, or_(ExitSurvey.mentorship_id.in_(as_mentee),
                                                                     ExitSurvey.respondent_id == student_id)),
             SURVEY_TEXT),
            (MentorFeeling, and_(MentorFeeling.school_id == school_id, or_(
                MentorFeeling.mentor_id == student_id, MentorFeeling.checkin_id.in_(checkins_about))), FEELING_TEXT),
            (Certificate, and_(Certificate.school_id == school_id, Certificate.mentor_id == student_id),
             CITATION_TEXT)):
        text += _update(model, and_(rows, _holds_text(model, values)), values)
    counts = {"programme records cleared of text": text}
    measures = and_(OutcomeMeasure.school_id == school_id,
                    or_(OutcomeMeasure.mentee_id == student_id, OutcomeMeasure.mentorship_id.in_(as_mentee)))
    if not delete_rows:
        counts["questionnaires kept without name"] = _update(
            OutcomeMeasure, and_(measures, OutcomeMeasure.mentee_id.is_not(None)), {"mentee_id": None})
        return counts
    goals = select(Goal.id).where(mentee_of(Goal))
    counts["goal progress deleted"] = _delete(GoalProgress, and_(GoalProgress.school_id == school_id,
                                                                 GoalProgress.goal_id.in_(goals)))
    for kind, model, rows in (
            ("goals deleted", Goal, mentee_of(Goal)),
            ("agreements deleted", Agreement, mentee_of(Agreement)),
            ("closures deleted", Closure, mentee_of(Closure)),
            ("questionnaires deleted", OutcomeMeasure, measures),
            ("exit surveys deleted", ExitSurvey, and_(ExitSurvey.school_id == school_id,
                                                      ExitSurvey.respondent_id == student_id)),
            ("mentor feelings deleted", MentorFeeling, and_(MentorFeeling.school_id == school_id,
                                                            MentorFeeling.mentor_id == student_id)),
            ("supervision attendance deleted", SupervisionAttendance, and_(
                SupervisionAttendance.school_id == school_id, SupervisionAttendance.mentor_id == student_id)),
            ("certificates deleted", Certificate, and_(Certificate.school_id == school_id,
                                                       Certificate.mentor_id == student_id))):
        counts[kind] = _delete(model, rows)
    return counts
