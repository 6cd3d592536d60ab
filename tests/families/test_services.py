"""Guardians, the policy and families' answers, through the services and the database; matching
respects them."""
from datetime import date

import pytest
from sqlalchemy import select, update

from schoolpeers.extensions import db
from schoolpeers.families import services
from schoolpeers.families.consent import Rule, Standing
from schoolpeers.families.models import ConsentEvent, ConsentPolicy, ConsentRecordImmutable
from schoolpeers.matching import services as matching
from schoolpeers.mentors.statuses import MentorshipStatus
from tests.factories import make_mentor, make_request

TODAY = date.today()


def mentored(counselor, student):
    """The student's request matched with the one mentor there is, and approved."""
    mentorship = matching.match_single(make_request(student), counselor, TODAY)
    matching.approve(mentorship, counselor, TODAY)
    return mentorship


def set_policy(school, mentee=Rule.OPT_IN, mentor=Rule.OPT_OUT, younger=Rule.OPT_IN):
    services.save_policy(school, mentee_rule=mentee, mentor_rule=mentor, younger_rule=younger, programme_text="")


def test_a_new_school_asks_younger_students_families_by_default(school, make_user):
    db.session.delete(db.session.get(ConsentPolicy, school.id))  # the fixture's "not required"
    db.session.flush()
    policy = services.policy_for(school.id)
    assert (policy.mentee_rule, policy.mentor_rule, policy.younger_rule) == (Rule.OPT_OUT, Rule.OPT_OUT, Rule.OPT_IN)
    assert services.standing_of(make_user("student", grade=7), "mentee") == Standing.WAITING
    assert services.standing_of(make_user("student", grade=9), "mentee") == Standing.NOT_DECLINED


def test_the_rules_read_alone_are_the_policys_or_the_defaults(school):
    def rules_of_policy():
        policy = services.policy_for(school.id)
        return (policy.mentee_rule, policy.mentor_rule, policy.younger_rule)

    set_policy(school, mentee=Rule.OPT_IN, mentor=Rule.NOT_REQUIRED, younger=Rule.OPT_IN)
    assert tuple(services.rules_for(school.id)) == rules_of_policy() == (Rule.OPT_IN, Rule.NOT_REQUIRED, Rule.OPT_IN)
    db.session.delete(db.session.get(ConsentPolicy, school.id))
    db.session.flush()
    assert services.rules_for(school.id) == services.DEFAULT_RULES
    assert tuple(services.DEFAULT_RULES) == rules_of_policy()


def test_a_staff_contact_is_linked_to_the_student_and_removed_with_the_last_link(school, make_user):
    student = make_user("student", grade=7)
    guardian = services.add_guardian(student, given_name=" Ana ", family_name="Ruiz", relationship="parent",
                                     email="", phone="+44 20 7946 0000")
    assert [g.display_name for g in services.guardians_of(student)] == ["Ana Ruiz"]
    assert guardian.email is None and guardian.source == "staff"
    services.remove_guardian(student, guardian)
    assert services.guardians_of(student) == []
    with pytest.raises(services.ConsentError):
        services.add_guardian(student, given_name="A", family_name="B", relationship="neighbour", email=None,
                              phone=None)


def test_a_roster_contact_cannot_be_removed_by_staff(school, make_user):
    from schoolpeers.accounts.models import Guardian, GuardianStudent

    student = make_user("student", grade=7)
    guardian = Guardian(school_id=school.id, source="roster", roster_id="g1", relationship_kind="parent",
                        given_name="Sam", family_name="Lee", student_roster_ids=[])
    guardian.links = [GuardianStudent(school_id=school.id, student_id=student.id)]
    db.session.add(guardian)
    db.session.flush()
    with pytest.raises(services.ConsentError, match="school information system"):
        services.remove_guardian(student, guardian)


def test_answers_are_appended_and_never_changed(school, make_user, users):
    student = make_user("student", grade=7)
    set_policy(school)
    guardian = services.add_guardian(student, given_name="Ana", family_name="Ruiz", relationship="parent",
                                     email=None, phone=None)
    first = services.record_answer(student, guardian, decision="given", channel="paper", note="signed form",
                                   actor=users["counselor"])
    assert services.standing_of(student, "mentee") == Standing.GIVEN
    first.decision = "declined"
    with pytest.raises(ConsentRecordImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ConsentRecordImmutable):
        db.session.execute(update(ConsentEvent).values(decision="declined"))
    with pytest.raises(services.ConsentError):
        services.record_answer(student, None, decision="maybe", channel="paper", note="", actor=None)


def test_a_student_waiting_for_consent_is_not_matched_until_a_family_agrees(school, users, make_user):
    set_policy(school)
    student = make_user("student", grade=7)
    make_mentor(school, users["counselor"])
    request = make_request(student)
    assert matching.unproposed_requests(school.id) == []
    assert matching.match_single(request, users["counselor"], TODAY) is None
    assert matching.run_batch(school, users["counselor"], TODAY).proposed == []
    services.record_answer(student, None, decision="given", channel="phone", note="", actor=users["counselor"])
    assert matching.match_single(request, users["counselor"], TODAY) is not None


def test_a_mentor_whose_family_declined_is_not_proposed(school, users, make_user):
    set_policy(school, mentee=Rule.NOT_REQUIRED, mentor=Rule.OPT_OUT, younger=Rule.NOT_REQUIRED)
    mentor = make_mentor(school, users["counselor"])
    services.record_answer(mentor.user, None, decision="declined", channel="paper", note="", actor=None)
    request = make_request(make_user("student", grade=9))
    assert matching.ranked_mentors(request, TODAY) == []
    with pytest.raises(matching.MentorshipError, match="declined"):
        matching.choose_mentor(request, mentor, users["counselor"], TODAY)


def test_withdrawal_ends_the_mentorship_the_same_day(school, users, make_user):
    set_policy(school)
    student = make_user("student", grade=7)
    services.record_answer(student, None, decision="given", channel="paper", note="", actor=None)
    make_mentor(school, users["counselor"])
    mentorship = mentored(users["counselor"], student)
    services.record_answer(student, None, decision="withdrawn", channel="phone", note="", actor=users["counselor"])
    assert mentorship.status == MentorshipStatus.CLOSED and mentorship.end_reason == "consent_withdrawn"
    assert matching.request_of(mentorship).status == "closed"
    assert len(db.session.scalars(select(ConsentEvent)).all()) == 2


def test_a_mentors_withdrawal_sends_the_mentee_back_to_the_queue(school, users, make_user):
    set_policy(school, mentee=Rule.NOT_REQUIRED, mentor=Rule.OPT_OUT, younger=Rule.NOT_REQUIRED)
    profile = make_mentor(school, users["counselor"])
    mentorship = mentored(users["counselor"], make_user("student", grade=9))
    services.record_answer(profile.user, None, decision="withdrawn", channel="paper", note="", actor=None)
    assert mentorship.status == MentorshipStatus.CLOSED and mentorship.end_reason == "consent_withdrawn"
    assert matching.request_of(mentorship) is None or matching.request_of(mentorship).status == "open"


def test_families_are_told_the_mentors_first_name_when_mentoring_begins_and_ends(school, users, make_user):
    from schoolpeers.outbox import OutboxMail

    set_policy(school, mentee=Rule.OPT_OUT)
    student = make_user("student", grade=9, given_name="Mia")
    services.add_guardian(student, given_name="Ana", family_name="Ruiz", relationship="parent",
                          email="ana@example.org", phone=None)
    services.add_guardian(student, given_name="Bo", family_name="Ruiz", relationship="parent", email=None,
                          phone="0123 456")
    profile = make_mentor(school, users["counselor"], given_name="Jonah", family_name="Mensah")
    mentorship = mentored(users["counselor"], student)
    matching.end_mentorship(mentorship, "completed", "private reason", users["counselor"])
    mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [(m.kind, m.to_address) for m in mails] == [("family_matched", "ana@example.org"),
                                                       ("family_ended", "ana@example.org")]
    assert "Jonah" in mails[0].body and "Mensah" not in mails[0].body and "Mia" in mails[0].subject
    assert "private reason" not in mails[1].body and profile.user.given_name in mails[1].body


def test_on_withdrawal_the_mentor_and_counselors_are_told_without_the_reason(school, users, make_user):
    from schoolpeers.outbox import OutboxMail

    set_policy(school)
    student = make_user("student", grade=7)
    services.record_answer(student, None, decision="given", channel="paper", note="", actor=None)
    make_mentor(school, users["counselor"])
    mentorship = mentored(users["counselor"], student)
    services.record_answer(student, None, decision="withdrawn", channel="phone", note="moving away", actor=None)
    mails = {m.to_address: m for m in db.session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "mentorship_ended"))}
    to_mentor = mails[mentorship.mentor.email]
    assert "consent" not in to_mentor.body.lower() and "family" not in to_mentor.body.lower()
    assert student.given_name in to_mentor.body
    to_counselor = mails[users["counselor"].email]
    assert student.given_name not in to_counselor.body and f"/oversight/students/{student.id}" in to_counselor.body


def test_a_no_ends_a_mentorship_begun_before_the_school_asked_for_consent(school, users, make_user):
    student = make_user("student", grade=7)
    make_mentor(school, users["counselor"])
    mentorship = mentored(users["counselor"], student)  # not required yet
    set_policy(school)  # now opt-in: the student is waiting, the mentorship goes on until the family answers
    assert services.standing_of(student, "mentee") == Standing.WAITING and mentorship.status == "active"
    services.record_answer(student, None, decision="declined", channel="phone", note="", actor=None)
    assert mentorship.status == MentorshipStatus.CLOSED and mentorship.end_reason == "consent_withdrawn"


def test_families_are_not_told_where_consent_is_not_asked_or_after_a_safeguarding_ending(school, users, make_user):
    from schoolpeers.outbox import OutboxMail

    student = make_user("student", grade=11)  # the fixture's school asks no consent
    services.add_guardian(student, given_name="Ana", family_name="Ruiz", relationship="parent",
                          email="ana@example.org", phone=None)
    make_mentor(school, users["counselor"], grade=12)
    mentorship = mentored(users["counselor"], student)
    assert db.session.scalar(select(OutboxMail)) is None
    set_policy(school, mentee=Rule.OPT_OUT)
    matching.end_mentorship(mentorship, "safeguarding", "", users["counselor"])
    assert db.session.scalar(select(OutboxMail)) is None


def test_a_proposal_made_before_the_school_asked_for_consent_waits_for_it(school, users, make_user):
    student = make_user("student", grade=7)
    make_mentor(school, users["counselor"])
    proposal = matching.match_single(make_request(student), users["counselor"], TODAY)  # not required yet
    set_policy(school)
    with pytest.raises(matching.MentorshipError, match="waiting for consent"):
        matching.approve(proposal, users["counselor"], TODAY)
    services.record_answer(student, None, decision="given", channel="paper", note="", actor=None)
    matching.approve(proposal, users["counselor"], TODAY)
    assert proposal.status == "active"
