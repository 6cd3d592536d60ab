"""The same supervision session or certificate sent twice at once, on PostgreSQL: the school's row lock
and the certificates' unique constraint let one through and refuse the other, whole."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import MentorProfile
from schoolpeers.programme import certificates, supervision
from schoolpeers.programme.models import Certificate, SupervisionAttendance, SupervisionSession
from schoolpeers.timeutil import today_in
from tests.factories import make_mentor
from tests.parallel import all_at_once

THREADS = 6


@pytest.fixture(autouse=True)
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL row locks and real parallel transactions (set TEST_DATABASE_URL)")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_session_sent_twice_at_once_is_recorded_once(app, school, users):
    mentors = [make_mentor(school, users["counselor"]) for _ in range(2)]
    db.session.commit()
    today = today_in(school.timezone)
    school_id, counselor_id, mentor_ids = school.id, users["counselor"].id, [p.user_id for p in mentors]

    def record() -> None:
        supervision.record_session(db.session.get(School, school_id), supervision.SessionData(
            today, "group", 45, ["listening"], mentor_ids), db.session.get(User, counselor_id), today)

    outcomes = all_at_once(app, record, [()] * THREADS, refused=(supervision.SupervisionError,), timeout=30)
    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1)
    assert (count(SupervisionSession), count(SupervisionAttendance)) == (1, 2)


def test_a_certificate_issued_twice_at_once_is_issued_once(app, school, users):
    profile = make_mentor(school, users["counselor"])
    db.session.commit()
    today = today_in(school.timezone)
    profile_id, counselor_id = profile.id, users["counselor"].id

    def issue() -> None:
        certificates.issue_certificate(db.session.get(MentorProfile, profile_id), db.session.get(User, counselor_id),
                                       today - timedelta(days=7), today, "", today)

    outcomes = all_at_once(app, issue, [()] * THREADS, refused=(certificates.CertificateError,), timeout=30)
    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1)
    assert count(Certificate) == 1
