"""Retention in an archived school: what was still open counts as ended on the archive day, so its
notes go once the school's retention period has passed since then, and not before."""
from datetime import timedelta

import pytest

from schoolpeers.extensions import db
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors.models import CheckIn
from schoolpeers.privacy.retention import purge_school
from schoolpeers.timeutil import utcnow
from tests.factories import make_request
from tests.privacy.conftest import worrying_checkin


@pytest.fixture
def open_records(school, mentorship, make_user):
    """An active mentorship with notes, and a request still waiting with a note."""
    checkin = worrying_checkin(mentorship, notes="He said home is hard.")
    waiting = make_request(make_user("student", grade=7), note="I would like someone to talk to.")
    school.retention_days = 30
    db.session.commit()
    return checkin, waiting


@pytest.mark.parametrize(("archived_days_ago", "removed"), [(None, False), (20, False), (40, True)])
def test_open_mentorships_and_requests_end_on_the_archive_day(school, open_records, archived_days_ago, removed):
    checkin, waiting = open_records
    if archived_days_ago is not None:
        school.archived_at = utcnow() - timedelta(days=archived_days_ago)
    dry = purge_school(school, utcnow(), dry_run=True)
    result = purge_school(school, utcnow())
    db.session.commit()
    db.session.expire_all()
    assert result.counts == dry.counts
    notes = db.session.get(CheckIn, checkin.id).notes, db.session.get(MentorRequest, waiting.id).note
    if removed:
        assert notes == (None, "") and result.counts["check-in notes"] == 1 and result.counts["request notes"] >= 1
    else:
        assert notes == ("He said home is hard.", "I would like someone to talk to.") and result.total == 0
