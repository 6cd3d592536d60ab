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
