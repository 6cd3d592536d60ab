"""A student with a history: a mentorship closed long ago (with notes, a correction, feedback and a
resolved concern), and the active mentorship of the shared oversight fixture."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors import checkins
from schoolpeers.mentors.self_checkins import SelfCheckInData, record_self_checkin
from schoolpeers.oversight import services as oversight
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import utcnow
from tests.factories import make_mentor, make_request
from tests.oversight.conftest import mentorship  # noqa: F401  (shared fixture)

LONG_AGO = utcnow() - timedelta(days=400)  # beyond the default retention period of 365 days


def worrying_checkin(active, **overrides):
    values = {"notes": "She said she wants to die.", "worried": True, "worry_reason": "Crying at lunch",
              "worry_severity": "high"}
    values.update(overrides)
    checkin, _ = checkins.log_checkin(active, active.mentor, checkins.CheckInData(
        date.today(), 30, "in_person", 2, topics=[], **values), date.today())
    return checkin


@pytest.fixture
def old_mentorship(school, users, make_user):
    """Closed 400 days ago; every kind of free text, and a concern resolved as long ago."""
    counselor = users["counselor"]
    profile = make_mentor(school, counselor, given_name="Mira")
    mentee = make_user("student", grade=7, given_name="Noor")
    mentee.gender, mentee.languages = "f", ["arabic"]
    request = make_request(mentee, note="I am new and a bit lonely.")
    m = matching.match_single(request, counselor, date.today())
    matching.approve(m, counselor, date.today())
    checkin = worrying_checkin(m)
    checkins.correct_checkin(checkin, profile.user, checkins.CheckInData(
        date.today(), 30, "in_person", 2, notes="She said she feels low.", worried=True,
        worry_reason="Crying at lunch again", worry_severity="high"), utcnow(), date.today())
    checkins.add_feedback(mentee, "okay", "Mira is kind but we are always rushed.")
    record_self_checkin(mentee, SelfCheckInData(3, note="Exams are a lot right now."), date.today())
    for concern in db.session.scalars(select(Concern).where(Concern.student_id == mentee.id)).all():
        oversight.add_note(concern, counselor, "Spoke to Noor's mother.")
        oversight.resolve(concern, counselor, "support_given", "Weekly talks with Noor.", LONG_AGO)
    matching.end_mentorship(m, "completed", "Noor settled in well.", counselor)
    m.ended_at = request.closed_at = LONG_AGO
    db.session.commit()
    return m


def programme_records(pair, checkin, counselor, *, when=None) -> dict:
    """Every programme record around the mentorship `pair`, each with its words: the agreement, two goals with
    progress at `checkin`, the questionnaire at start and end, both exit surveys, the closure with a
    goodbye message, the mentor's feeling after `checkin`, a supervision session the mentor attended
    and a certificate. `when` dates the records written at a time (default now). Flushed."""
    from schoolpeers.programme import models as programme

    when = when or utcnow()
    school_id, mentor_id, mentee_id = pair.school_id, pair.mentor_id, pair.mentee_id
    goals = [programme.Goal(school_id=school_id, mentorship_id=pair.id, position=1, area="friendships",
                            wording="Sit with someone new at lunch", created_at=when),
             programme.Goal(school_id=school_id, mentorship_id=pair.id, position=2, area="school_work",
                            wording="Hand in maths homework on time", created_at=when)]
    session = programme.SupervisionSession(school_id=school_id, held_on=when.date(), kind="group", minutes=45,
                                           themes=["boundaries", "self_care"], recorded_by_id=counselor.id)
    session.attendance = [programme.SupervisionAttendance(school_id=school_id, mentor_id=mentor_id)]
    records = {
        "agreement": programme.Agreement(
            school_id=school_id, mentorship_id=pair.id, how_often="weekly", where="Library, Tuesday lunch",
            ground_rules="We keep what we say between us, unless someone is unsafe.", agreed_on=when.date(),
            mentor_agreed_at=when, mentee_agreed_at=when, created_at=when),
        "closure": programme.Closure(
            school_id=school_id, mentorship_id=pair.id, begun_by_id=counselor.id, begun_at=when,
            closing_checkin_id=checkin.id, goodbye_message="You were brave all year. Keep going!",
            goodbye_written_at=when),
        "mentee_survey": programme.ExitSurvey(
            school_id=school_id, mentorship_id=pair.id, side="mentee", respondent_id=mentee_id, got_on=5,
            helped=4, recommend="yes", what_helped=["listening", "ideas"], comment="Mira made Tuesdays better.",
            created_at=when),
        "mentor_survey": programme.ExitSurvey(
            school_id=school_id, mentorship_id=pair.id, side="mentor", respondent_id=mentor_id, got_on=4,
            helped=4, recommend="not_sure", what_helped=["talking"], comment="Noor opened up after Easter.",
            created_at=when),
        "start": programme.OutcomeMeasure(
            school_id=school_id, mentee_id=mentee_id, mentorship_id=pair.id, occasion="start", scale="who5",
            answers=[2, 2, 1, 2, 2], score=36, grade=pair.mentee.grade, answered_on=when.date()),
        "end": programme.OutcomeMeasure(
            school_id=school_id, mentee_id=mentee_id, mentorship_id=pair.id, occasion="end", scale="who5",
            answers=[4, 3, 3, 4, 3], score=68, grade=pair.mentee.grade, answered_on=when.date()),
        "feeling": programme.MentorFeeling(
            school_id=school_id, mentor_id=mentor_id, checkin_id=checkin.id, feeling="bit_hard",
            note="I did not know what to say when she cried.", created_at=when),
        "session": session,
        "certificate": programme.Certificate(
            school_id=school_id, mentor_id=mentor_id, issued_by_id=counselor.id, issued_on=when.date(),
            period_from=when.date(), period_to=when.date(), checkin_minutes=30, training_minutes=120,
            supervision_minutes=45, citation="For patient, kind listening every week."),
    }
    db.session.add_all([*goals, *records.values()])
    db.session.flush()
    db.session.add_all([programme.GoalProgress(school_id=school_id, checkin_id=checkin.id, goal_id=goals[0].id,
                                               progress=3),
                        programme.GoalProgress(school_id=school_id, checkin_id=checkin.id, goal_id=goals[1].id,
                                               progress=1)])
    db.session.flush()
    return {**records, "goals": goals}
