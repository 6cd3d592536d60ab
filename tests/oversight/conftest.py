"""Fixtures for oversight: an active mentorship, and concerns about check-in notes."""
from datetime import date, timedelta

import pytest

from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors import checkins
from schoolpeers.oversight import services as oversight
from schoolpeers.timeutil import utcnow
from tests.factories import make_mentor, make_request


@pytest.fixture
def mentorship(school, users, make_user):
    """An active mentorship that began ten days ago; users["counselor"] approved it."""
    profile = make_mentor(school, users["counselor"], given_name="Amira")
    mentee = make_user("student", grade=8, given_name="Leo")
    m = matching.match_single(make_request(mentee), users["counselor"], date.today())
    matching.approve(m, users["counselor"], date.today() - timedelta(days=10))
    m.began_on = date.today() - timedelta(days=10)
    db.session.commit()
    assert profile.user_id == m.mentor_id
    return m


@pytest.fixture
def concern_on_notes(school, users, mentorship):
    """Makes a concern (raised by hand, so whatever screening says) about a new check-in of
    `mentorship` with the given notes; committed."""
    def make(notes: str | None, severity: str = "medium"):
        checkin, _ = checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
            date.today(), 20, "online", 4, notes=notes or ""), date.today())
        concern = oversight.raise_concern(school, mentorship.mentee, source="manual", severity=severity,
                                          summary="About the check-in.", raised_by=users["counselor"], now=utcnow(),
                                          mentorship_id=mentorship.id, checkin_id=checkin.id)
        db.session.commit()
        return concern

    return make
