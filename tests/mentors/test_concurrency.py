"""Concurrent proposals on PostgreSQL: row locks and the partial unique index hold the invariants."""
from datetime import date

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors import services
from schoolpeers.mentors.models import MentorProfile, Mentorship
from tests.factories import make_mentor
from tests.parallel import all_at_once

pytestmark = pytest.mark.usefixtures("postgres_only")
THREADS = 8


@pytest.fixture
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set TEST_DATABASE_URL; .ci/run does)")


def propose(profile_id, mentee_id):
    profile, mentee = db.session.get(MentorProfile, profile_id), db.session.get(User, mentee_id)
    services.propose_mentorship(profile, mentee, score=50, explanation="race", parts=[], actor=None,
                                today=date.today())


def race(app, attempts, action=propose):
    """Run action(*args) for each attempt in its own thread, session and transaction, all at once."""
    def quietly(*args) -> None:  # only success or refusal counts here, not what the action returns
        action(*args)

    return all_at_once(app, quietly, attempts, refused=(services.MentorshipError,), timeout=30)


def open_count(**where):
    query = select(func.count()).select_from(Mentorship).where(Mentorship.status.in_(("proposed", "active")))
    for column, value in where.items():
        query = query.where(getattr(Mentorship, column) == value)
    return db.session.scalar(query)


def test_parallel_proposals_never_overfill_the_last_place(app, school, make_user):
    counselor = make_user("counselor")
    profile = make_mentor(school, counselor, capacity=1)
    mentees = [make_user("student", grade=8) for _ in range(THREADS)]
    db.session.commit()
    outcomes = race(app, [(profile.id, m.id) for m in mentees])
    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1)
    assert open_count(profile_id=profile.id) == 1


def test_parallel_proposals_never_give_a_mentee_two_mentors(app, school, make_user):
    counselor = make_user("counselor")
    profiles = [make_mentor(school, counselor) for _ in range(THREADS)]
    mentee = make_user("student", grade=8)
    db.session.commit()
    outcomes = race(app, [(p.id, mentee.id) for p in profiles])
    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1)
    assert open_count(mentee_id=mentee.id) == 1


def test_parallel_requests_leave_one_open_request(app, school, make_user):
    from schoolpeers.matching.models import MentorRequest
    from tests.factories import make_request

    student = make_user("student", grade=8)
    db.session.commit()
    outcomes = race(app, [(student.id,)] * THREADS, lambda sid: make_request(db.session.get(User, sid)))
    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1)
    assert db.session.scalar(select(func.count()).select_from(MentorRequest)) == 1


def test_two_counselors_approving_the_same_proposal_at_once(app, school, make_user):
    counselor = make_user("counselor")
    profile = make_mentor(school, counselor, capacity=1)
    mentee = make_user("student", grade=8)
    proposal = services.propose_mentorship(profile, mentee, score=50, explanation="x", parts=[], actor=None,
                                           today=date.today())
    db.session.commit()

    def approve(mentorship_id):
        mentorship = db.session.get(Mentorship, mentorship_id)
        services.approve_mentorship(mentorship, db.session.get(User, counselor.id), date.today())

    outcomes = race(app, [(proposal.id,)] * THREADS, approve)
    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1)
    db.session.refresh(proposal)
    assert proposal.status == "active" and [e.kind for e in proposal.events] == ["proposed", "approved"]
