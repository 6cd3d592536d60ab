from datetime import date

import pytest
from sqlalchemy import select

from schoolpeers.accounts.services import list_interests, set_interests
from schoolpeers.accounts.topics import list_topics
from schoolpeers.extensions import db
from schoolpeers.matching import services
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import Mentorship
from schoolpeers.mentors.services import MentorshipError
from tests.factories import UserFactory, make_mentor, make_request

TODAY = date.today()


@pytest.fixture
def counselor(make_user):
    return make_user("counselor")


def test_one_open_request_per_student(school, make_user):
    student = make_user("student", grade=7)
    make_request(student)
    with pytest.raises(MentorshipError, match="already an open request"):
        make_request(student)


@pytest.mark.parametrize("bad", ["other school topic", "unknown time", "long note", "staff member"])
def test_bad_requests_are_refused_and_nothing_is_written(school, other_school, make_user, bad):
    student = make_user("staff" if bad == "staff member" else "student", grade=7)
    kwargs = {
        "other school topic": {"topics": list_topics(other_school)[:1]},
        "unknown time": {"availability": ["sat-night"]},
        "long note": {"note": "x" * 1001},
        "staff member": {},
    }[bad]
    with pytest.raises(MentorshipError):
        make_request(student, **kwargs)
    assert db.session.scalar(select(MentorRequest.id)) is None


def test_counselor_of_another_school_cannot_request_for_a_student(school, other_school, make_user):
    student = make_user("student", grade=7)
    outsider = UserFactory(other_school)("counselor")
    with pytest.raises(MentorshipError, match="your own school"):
        make_request(student, created_by=outsider)


def test_batch_run_proposes_best_pairs_and_approval_matches(school, make_user, counselor):
    interests = list_interests(school.id)
    strong = make_mentor(school, counselor, grade=9, capacity=1)
    set_interests(strong.user, interests[:3])
    weak = make_mentor(school, counselor, grade=10, capacity=1)
    set_interests(weak.user, interests[10:13])
    mentee = make_user("student", grade=8)
    req = make_request(mentee, interests=interests[:3])
    result = services.run_batch(school, counselor, TODAY)
    assert len(result.proposed) == 1 and result.unmatched == 0
    proposal = result.proposed[0]
    assert proposal.profile_id == strong.id and proposal.status == "proposed"
    assert "3 shared interests" in proposal.explanation and "ideal step" in proposal.explanation
    assert req.mentorship_id == proposal.id and services.waiting_requests(school.id) == [req]
    services.approve(proposal, counselor, TODAY)
    assert req.status == "matched" and proposal.status == "active"
    assert services.run_batch(school, counselor, TODAY).proposed == []


def test_batch_run_leaves_students_waiting_when_mentors_are_full(school, make_user, counselor):
    make_mentor(school, counselor, capacity=1)
    for _ in range(3):
        make_request(make_user("student", grade=8))
    result = services.run_batch(school, counselor, TODAY)
    assert (len(result.proposed), result.unmatched) == (1, 2)


def test_auto_approve_setting(school, make_user, counselor):
    school.auto_approve_matches = True
    make_mentor(school, counselor)
    req = make_request(make_user("student", grade=8))
    result = services.run_batch(school, None, TODAY)
    assert result.approved == 1 and req.status == "matched"


def test_not_a_good_fit_reopens_the_request_and_never_repeats_the_pair(school, make_user, counselor):
    first = make_mentor(school, counselor, capacity=2)
    mentee = make_user("student", grade=8)
    req = make_request(mentee)
    proposal = services.run_batch(school, counselor, TODAY).proposed[0]
    services.approve(proposal, counselor, TODAY)
    services.end_mentorship(proposal, "not_a_good_fit", "we did not click", counselor)
    assert req.status == "open" and req.mentorship_id is None
    assert services.run_batch(school, counselor, TODAY).proposed == []
    second = make_mentor(school, counselor)
    again = services.run_batch(school, counselor, TODAY).proposed
    assert [m.profile_id for m in again] == [second.id] and first.id != second.id


def test_completed_mentorship_closes_the_request(school, make_user, counselor):
    make_mentor(school, counselor)
    req = make_request(make_user("student", grade=8))
    proposal = services.run_batch(school, counselor, TODAY).proposed[0]
    services.approve(proposal, counselor, TODAY)
    services.end_mentorship(proposal, "completed", "", counselor)
    assert req.status == "closed"


def test_reject_keeps_the_student_in_the_queue(school, make_user, counselor):
    make_mentor(school, counselor)
    other = make_mentor(school, counselor)
    req = make_request(make_user("student", grade=8))
    proposal = services.run_batch(school, counselor, TODAY).proposed[0]
    services.reject(proposal, counselor, "they are neighbours")
    assert req.status == "open" and req.mentorship_id is None
    retry = services.run_batch(school, counselor, TODAY).proposed
    assert retry[0].profile_id != proposal.profile_id and retry[0].profile_id in (other.id, proposal.profile_id)


def test_withdraw_cancels_a_waiting_proposal(school, make_user, counselor):
    profile = make_mentor(school, counselor)
    student = make_user("student", grade=8)
    req = make_request(student)
    proposal = services.match_single(req, counselor, TODAY)
    services.withdraw_request(req, student)
    assert req.status == "withdrawn" and proposal.status == "rejected"
    assert mentors.open_count(profile) == 0 and mentors.blocked_mentor_ids(student) == set()


def test_manual_choice_replaces_the_proposal_and_refuses_ineligible_mentors(school, make_user, counselor):
    best = make_mentor(school, counselor, grade=9)
    other = make_mentor(school, counselor, grade=11)
    too_young = make_mentor(school, counselor, grade=7)
    req = make_request(make_user("student", grade=8))
    ranked = services.ranked_mentors(req, TODAY)
    assert {p.id for p, _ in ranked} == {best.id, other.id}
    first = services.match_single(req, counselor, TODAY)
    chosen = services.choose_mentor(req, other, counselor, TODAY)
    assert first.status == "rejected" and chosen.profile_id == other.id and req.mentorship_id == chosen.id
    with pytest.raises(MentorshipError):
        services.choose_mentor(req, too_young, counselor, TODAY)


def test_approving_an_infeasible_proposal_changes_nothing(school, make_user, counselor):
    profile = make_mentor(school, counselor)
    req = make_request(make_user("student", grade=8))
    proposal = services.match_single(req, counselor, TODAY)
    profile.user.active = False
    with pytest.raises(MentorshipError, match="no longer active. Reject this proposal"):
        services.approve(proposal, counselor, TODAY)
    assert proposal.status == "proposed" and req.status == "open"


def test_preferences_are_hard_constraints(school, make_user, counselor):
    profile = make_mentor(school, counselor)
    profile.user.languages, profile.user.gender = ["english"], "male"
    student = make_user("student", grade=8)
    student.gender = "female"
    req = make_request(student, language="polish")
    assert services.ranked_mentors(req, TODAY) == []
    other = make_request(make_user("student", grade=8), same_gender=True)
    assert services.ranked_mentors(other, TODAY) == []


def test_inputs_are_loaded_in_a_few_queries(school, make_user, counselor, app):
    from sqlalchemy import event

    for _ in range(5):
        make_mentor(school, counselor)
    for _ in range(10):
        make_request(make_user("student", grade=8))
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        services.run_batch(school, counselor, TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # loading is a fixed handful of queries; proposing locks and checks each new pair
    assert len(selects) < 12 + 10 * 8
    assert db.session.scalar(select(Mentorship.id).where(Mentorship.status == "proposed")) is not None


def test_inactive_requesters_are_left_out_of_a_run(school, make_user, counselor):
    make_mentor(school, counselor)
    gone = make_user("student", grade=8)
    make_request(gone)
    gone.active = False
    stays = make_user("student", grade=8)
    make_request(stays)
    result = services.run_batch(school, counselor, TODAY)
    assert [m.mentee_id for m in result.proposed] == [stays.id]


def test_empty_school_runs_cleanly(school, counselor):
    result = services.run_batch(school, counselor, TODAY)
    assert (result.proposed, result.unmatched) == ([], 0)


def test_blocking_rejects_the_waiting_proposal_and_approval_rechecks(school, make_user, counselor):
    profile = make_mentor(school, counselor)
    mentee = make_user("student", grade=8)
    proposal = services.match_single(make_request(mentee), counselor, TODAY)
    mentors.block_pair(school.id, profile.user_id, mentee.id, counselor)
    assert proposal.status == "rejected"
    with pytest.raises(MentorshipError):
        services.approve(proposal, counselor, TODAY)


def test_the_matching_pages_lists_load_what_they_show_in_one_statement_each(school, other_school, make_user, counselor):
    """The queue and the proposals, as the matching page lists them: each in one statement (no
    person loaded later, one by one), and of the school asked for only, call after call."""
    from sqlalchemy import event

    make_mentor(school, counselor, capacity=1)
    proposed, waiting = make_user("student", grade=8), make_user("student", grade=7)
    make_request(proposed)
    services.run_batch(school, counselor, TODAY)
    make_request(waiting)
    outsider = UserFactory(other_school)("student", grade=8)
    make_request(outsider)
    db.session.commit()
    school_id, other_id = school.id, other_school.id
    names = [proposed.display_name, waiting.display_name]
    proposed_id, waiting_id, outsider_id = proposed.id, waiting.id, outsider.id
    db.session.expunge_all()  # nothing found in the identity map by chance
    statements = []
    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        queue = db.session.scalars(services.queue_page_query(school_id)).all()
        shown = [(r.student.display_name, r.student.grade, r.student.birth_date, r.created_at, r.proposal_status)
                 for r in queue]
        proposals = db.session.scalars(services.proposals_page_query(school_id)).all()
        pairs = [(m.mentee.display_name, m.mentee.grade, m.mentor.display_name, m.mentor.grade, m.score,
                  m.explanation) for m in proposals]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 2
    assert [name for name, *_ in shown] == names
    assert [r.student.id for r in queue] == [proposed_id, waiting_id]
    assert shown[0][-1] == "proposed" and shown[1][-1] is None
    assert [mentee for mentee, *_ in pairs] == names[:1]
    assert pairs[0][4] > 0 and pairs[0][5]
    other_queue = db.session.scalars(services.queue_page_query(other_id)).all()
    assert [r.student.id for r in other_queue] == [outsider_id]
