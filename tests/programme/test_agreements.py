"""The agreement a pair write down at their first meeting: what it must say, a change asking the mentee
to agree again, the mentee agreeing what they read, and the steps on each student's home page."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.programme import agreements, goals, steps
from schoolpeers.programme.agreements import AgreementData, AgreementError, MenteeAgreementError, prompts_for
from schoolpeers.programme.goal_rules import GoalRefusal, GoalText
from schoolpeers.programme.models import Agreement
from schoolpeers.timeutil import utcnow
from tests.factories import make_mentor, make_request


def data(**overrides) -> AgreementData:
    values = {"how_often": "fortnightly", "where": "The library at lunch", "ground_rules": "We are on time.",
              "goals": [GoalText("friendships", "Talk to someone new each week")], "mentor_agreed": True}
    return AgreementData(**(values | overrides))


def save(mentorship, now=None, **overrides):
    saved = agreements.save_agreement(mentorship, mentorship.mentor, data(**overrides), now or utcnow(),
                                      date.today())
    db.session.commit()
    return saved


def test_the_mentor_writes_it_down_with_goals(mentorship):
    agreement, changed = save(mentorship, goals=[GoalText("friendships", "Talk to someone new"), GoalText(),
                                                 GoalText("school_work", "Hand homework in on time")])
    assert changed and agreement.mentor_agreed_at is not None and agreement.mentee_agreed_at is None
    assert agreement.agreed_on == date.today() and agreement.where == "The library at lunch"
    assert [(g.position, g.area) for g in goals.goals_of(mentorship)] == [(1, "friendships"), (3, "school_work")]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"how_often": "daily"}, "how_often"), ({"where": "   "}, "where"), ({"where": "x" * 201}, "where"),
    ({"ground_rules": "x" * 2001}, "ground_rules"), ({"goals": []}, "area_1"),
    ({"mentor_agreed": False}, "mentor_agreed"),
])
def test_what_an_agreement_must_say(mentorship, overrides, field):
    with pytest.raises((AgreementError, GoalRefusal)) as refused:
        agreements.save_agreement(mentorship, mentorship.mentor, data(**overrides), utcnow(), date.today())
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 0


def test_only_the_pairs_mentor_and_only_while_active(mentorship, users, make_user):
    with pytest.raises(AgreementError, match="your own mentees"):
        agreements.save_agreement(mentorship, make_user("student"), data(), utcnow(), date.today())
    matching.end_mentorship(mentorship, "completed", "", users["counselor"])
    db.session.commit()
    with pytest.raises(AgreementError, match="not active"):
        agreements.save_agreement(mentorship, mentorship.mentor, data(), utcnow(), date.today())


def test_a_change_asks_the_mentee_to_agree_again_and_no_change_keeps_both(mentorship):
    agreement, _ = save(mentorship)
    agreements.agree_as_mentee(mentorship.mentee, agreements.version_of(agreement), utcnow())
    db.session.commit()
    agreed_at = agreement.mentee_agreed_at
    assert agreed_at is not None
    _, changed = save(mentorship, where="The  library at lunch")  # the same words, spaced differently
    assert not changed and agreement.mentee_agreed_at == agreed_at
    for overrides in ({"how_often": "weekly"}, {"ground_rules": "We listen."},
                      {"goals": [GoalText("friendships", "Talk to two new people")]},
                      {"goals": [GoalText("friendships", "Talk to two new people"), GoalText("home", "Cook")]}):
        agreements.agree_as_mentee(mentorship.mentee, agreements.version_of(agreement), utcnow())
        db.session.commit()
        later = utcnow() + timedelta(seconds=1)
        _, changed = save(mentorship, now=later, **overrides)
        assert changed and agreement.mentee_agreed_at is None, overrides
        assert agreement.mentor_agreed_at is not None


def test_the_mentee_agrees_the_version_they_read(mentorship, make_user):
    with pytest.raises(MenteeAgreementError, match="no agreement"):
        agreements.agree_as_mentee(mentorship.mentee, "", utcnow())
    agreement, _ = save(mentorship)
    read = agreements.version_of(agreement)
    save(mentorship, now=utcnow() + timedelta(minutes=1), where="Room 4")
    with pytest.raises(MenteeAgreementError, match="changed the agreement"):
        agreements.agree_as_mentee(mentorship.mentee, read, utcnow())
    agreements.agree_as_mentee(mentorship.mentee, agreements.version_of(agreement), utcnow())
    db.session.commit()
    assert agreement.mentee_agreed_at is not None
    with pytest.raises(MenteeAgreementError, match="do not have a mentor"):
        agreements.agree_as_mentee(make_user("student"), read, utcnow())


def test_home_page_steps_for_the_mentor_and_the_mentee(mentorship, school, users, make_user):
    mentor, mentee = mentorship.mentor, mentorship.mentee
    # The mentor takes on a second mentee: each pair without an agreement is a step.
    second = matching.match_single(make_request(make_user("student", grade=7, given_name="Noor")), users["counselor"],
                                   date.today())
    matching.approve(second, users["counselor"], date.today())
    db.session.commit()
    assert second.mentor_id == mentor.id
    assert [(p.text, p.values) for p in prompts_for(mentor, date.today())] == [
        ("Write down your agreement and goals with Leo", {"mentorship_id": mentorship.id}),
        ("Write down your agreement and goals with Noor", {"mentorship_id": second.id})]
    assert prompts_for(mentee, date.today()) == []
    agreement, _ = save(mentorship)
    assert [p.text for p in prompts_for(mentor, date.today())] == ["Write down your agreement and goals with Noor"]
    assert [(p.text, p.endpoint) for p in prompts_for(mentee, date.today())] == [
        ("Read your mentoring agreement and agree to it", "goals.mentee_agreement")]
    agreements.agree_as_mentee(mentee, agreements.version_of(agreement), utcnow())
    db.session.commit()
    assert prompts_for(mentee, date.today()) == []
    # Another school's mentor with a pair of their own sees only their own.
    assert prompts_for(users["student"], date.today()) == []


def test_a_mentor_who_is_also_a_mentee_sees_both_steps(mentorship, school, users):
    older = make_mentor(school, users["counselor"], grade=12, given_name="Sam")
    as_mentee = matching.match_single(make_request(mentorship.mentor), users["counselor"], date.today())
    matching.approve(as_mentee, users["counselor"], date.today())
    db.session.commit()
    assert as_mentee.mentor_id == older.user_id
    agreements.save_agreement(as_mentee, older.user, data(), utcnow(), date.today())
    db.session.commit()
    assert [p.endpoint for p in prompts_for(mentorship.mentor, date.today())] == [
        "goals.agreement", "goals.mentee_agreement"]
    # The home page's list carries them, beside the other parts' steps.
    assert {"goals.agreement", "goals.mentee_agreement"} <= {
        p.endpoint for p in steps.steps_for(mentorship.mentor, date.today())}
