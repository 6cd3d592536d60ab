from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts.topics import list_topics
from schoolpeers.extensions import db
from schoolpeers.mentors import services
from schoolpeers.mentors.models import BlockedPair, Mentorship
from schoolpeers.mentors.services import MentorshipError
from schoolpeers.timeutil import today_in
from tests.factories import UserFactory, make_mentor

TODAY = date.today()


@pytest.fixture
def counselor(make_user):
    return make_user("counselor")


def propose(profile, mentee, score=80):
    return services.propose_mentorship(profile, mentee, score=score, explanation="fits", parts=[],
                                       actor=None, today=TODAY)


@pytest.mark.parametrize(("day", "end"), [
    (date(2026, 9, 1), date(2027, 8, 31)), (date(2026, 11, 22), date(2027, 8, 31)),
    (date(2027, 3, 1), date(2027, 8, 31)), (date(2027, 8, 31), date(2027, 8, 31)),
])
def test_training_is_valid_for_one_school_year(day, end):
    assert services.school_year_end(day) == end


def test_application_training_and_certification(school, make_user, counselor):
    student = make_user("student", grade=11)
    profile = services.apply_to_mentor(student, bio="hi", motivation="help", capacity=2,
                                       topics=list_topics(school)[:2], availability=["tue-lunch"])
    assert profile.status == "applied" and [t.name for t in profile.topics]
    with pytest.raises(MentorshipError, match="already applied"):
        services.apply_to_mentor(student, bio="", motivation="", capacity=1, topics=[], availability=[])
    with pytest.raises(MentorshipError, match="Accept the application"):
        services.certify(profile, counselor, TODAY)
    services.decide_application(profile, True, counselor)
    modules = services.training_modules(school.id)
    assert len(modules) == 4
    services.record_completion(profile, modules[0], TODAY, counselor)
    services.record_completion(profile, modules[0], TODAY, counselor)  # twice changes nothing
    with pytest.raises(MentorshipError, match="Training is not complete: Confidentiality"):
        services.certify(profile, counselor, TODAY)
    for module in modules[1:]:
        services.record_completion(profile, module, TODAY, counselor)
    services.certify(profile, counselor, TODAY)
    assert profile.certified_until == services.school_year_end(TODAY)
    assert services.matchable_profiles(school.id, TODAY) == [profile]


def test_an_accepted_application_keeps_the_day_it_was_accepted(school, make_user, counselor):
    def application():
        return services.apply_to_mentor(make_user("student", grade=11), bio="", motivation="", capacity=1,
                                        topics=[], availability=[])

    accepted, declined, later = application(), application(), application()
    services.decide_application(accepted, True, counselor, date(2026, 3, 2))
    services.decide_application(declined, False, counselor, date(2026, 3, 2))
    assert (accepted.accepted_on, declined.accepted_on) == (date(2026, 3, 2), None)
    services.decide_application(later, True, counselor)  # today, at the school
    assert later.accepted_on == today_in(school.timezone)


@pytest.mark.parametrize(("capacity", "slots", "message"), [
    (0, [], "between 1 and 5"), (6, [], "between 1 and 5"), (2, ["sun-midnight"], "times from the list"),
])
def test_application_values_are_checked(make_user, capacity, slots, message):
    with pytest.raises(MentorshipError, match=message):
        services.apply_to_mentor(make_user("student"), bio="", motivation="", capacity=capacity, topics=[],
                                 availability=slots)


def test_only_students_apply(make_user):
    with pytest.raises(MentorshipError, match="Only students"):
        services.apply_to_mentor(make_user("staff"), bio="", motivation="", capacity=1, topics=[], availability=[])


def test_expiring_and_unmatchable_mentors(school, counselor):
    soon = make_mentor(school, counselor)
    soon.certified_until = TODAY + timedelta(days=10)
    later = make_mentor(school, counselor)
    paused = make_mentor(school, counselor)
    services.set_paused(paused, True)
    expired = make_mentor(school, counselor)
    expired.certified_until = TODAY - timedelta(days=1)
    make_mentor(school, counselor, certified=False)
    assert services.expiring_soon(school.id, TODAY) == [soon]
    assert services.matchable_profiles(school.id, TODAY) == [soon, later]


def test_proposal_checks_every_rule(school, other_school, make_user, counselor):
    profile = make_mentor(school, counselor, capacity=1)
    mentee = make_user("student", grade=8)
    assert "themselves" in services.why_not_pair(profile, profile.user, TODAY)
    outsider = UserFactory(other_school)("student")
    assert "same school" in services.why_not_pair(profile, outsider, TODAY)
    services.block_pair(school.id, profile.user_id, mentee.id, counselor)
    assert "blocked" in services.why_not_pair(profile, mentee, TODAY)
    other = make_user("student", grade=8)
    propose(profile, other)
    third = make_user("student", grade=8)
    with pytest.raises(MentorshipError, match="no free place"):
        propose(profile, third)


def test_a_mentee_never_gets_two_open_mentorships(school, make_user, counselor):
    first, second = make_mentor(school, counselor), make_mentor(school, counselor)
    mentee = make_user("student", grade=8)
    propose(first, mentee)
    with pytest.raises(MentorshipError, match="already has a mentor or a proposal"):
        propose(second, mentee)
    assert services.open_count(second) == 0


@pytest.mark.parametrize("mentee", ["of another school", "the mentor"])
def test_database_refuses_pairs_across_schools_and_with_oneself(school, other_school, counselor, mentee):
    profile = make_mentor(school, counselor)
    outsider = UserFactory(other_school)("student")
    db.session.commit()
    mentee_id = outsider.id if mentee == "of another school" else profile.user_id
    db.session.add(Mentorship(school_id=school.id, profile_id=profile.id, mentor_id=profile.user_id,
                              mentee_id=mentee_id, status="proposed", score=50, explanation="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_approve_rechecks_what_changed_since_the_proposal(school, make_user, counselor):
    profile = make_mentor(school, counselor)
    mentee = make_user("student", grade=8)
    mentorship = propose(profile, mentee)
    services.set_paused(profile, True)
    with pytest.raises(MentorshipError, match="not an active mentor.*Reject this proposal"):
        services.approve_mentorship(mentorship, counselor, TODAY)
    services.set_paused(profile, False)
    mentee.active = False
    with pytest.raises(MentorshipError, match="no longer active"):
        services.approve_mentorship(mentorship, counselor, TODAY)
    mentee.active = True
    services.approve_mentorship(mentorship, counselor, TODAY)
    assert mentorship.status == "active" and mentorship.began_on == TODAY
    with pytest.raises(MentorshipError, match="already active"):
        services.approve_mentorship(mentorship, counselor, TODAY)
    assert [e.kind for e in mentorship.events] == ["proposed", "approved"]


def test_reject_and_not_a_good_fit_block_the_pair(school, make_user, counselor):
    profile = make_mentor(school, counselor)
    mentee, other = make_user("student", grade=8), make_user("student", grade=8)
    services.reject_mentorship(propose(profile, mentee), counselor, "siblings")
    m = propose(profile, other)
    services.approve_mentorship(m, counselor, TODAY)
    with pytest.raises(MentorshipError, match="Choose a reason"):
        services.close_mentorship(m, "bored", "", counselor)
    services.close_mentorship(m, "not_a_good_fit", "did not click", counselor)
    blocked = {(b.mentee_id, b.reason) for b in db.session.query(BlockedPair)}
    assert blocked == {(mentee.id, "rejected"), (other.id, "not_a_good_fit")}
    assert [e.kind for e in m.events] == ["proposed", "approved", "closed"]
    assert m.events[-1].reason == "not_a_good_fit"


def test_capacity_cannot_drop_below_current_mentees(school, make_user, counselor):
    profile = make_mentor(school, counselor, capacity=2)
    propose(profile, make_user("student", grade=8))
    propose(profile, make_user("student", grade=8))
    with pytest.raises(MentorshipError, match="more mentees than that"):
        services.update_profile(profile, bio="x", capacity=1, topics=[], availability=[])


def test_ask_for_change_is_for_the_mentee_only(school, make_user, counselor):
    profile = make_mentor(school, counselor)
    mentee = make_user("student", grade=8)
    m = propose(profile, mentee)
    services.approve_mentorship(m, counselor, TODAY)
    with pytest.raises(MentorshipError):
        services.ask_for_change(m, profile.user, "swap")
    services.ask_for_change(m, mentee, "we never meet")
    assert m.events[-1].kind == "change_requested"


def test_certificate_is_valid_one_school_year_at_most(school, counselor):
    profile = make_mentor(school, counselor, certified=False)
    for module in services.training_modules(school.id):
        services.record_completion(profile, module, TODAY, counselor)
    with pytest.raises(MentorshipError, match="one school year"):
        services.certify(profile, counselor, TODAY, services.school_year_end(TODAY) + timedelta(days=1))


def test_approving_uses_the_same_capacity_rule_as_proposing(school, make_user, counselor):
    """One rule (why_not_pair): a proposal's own place is not counted against the mentor when it is
    approved, so the last free place can be approved, and a place taken meanwhile cannot."""
    profile = make_mentor(school, counselor, capacity=1)
    last_place = propose(profile, make_user("student", grade=8))
    services.approve_mentorship(last_place, counselor, TODAY)
    assert last_place.status == "active"
    profile.capacity = 2
    waiting = propose(profile, make_user("student", grade=8))
    profile.capacity = 1  # lowered after the proposal: its place is gone
    with pytest.raises(MentorshipError, match="no free place .* Reject this proposal"):
        services.approve_mentorship(waiting, counselor, TODAY)
