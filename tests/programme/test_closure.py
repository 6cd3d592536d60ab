"""The walk through a mentorship's ending: its rules on plain values, and the services on the records."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import CheckIn
from schoolpeers.oversight.models import Concern
from schoolpeers.programme import closure
from schoolpeers.programme.closure_rules import (
    ENDING_STAYS_OPEN,
    MAX_COMMENT,
    MAX_GOODBYE,
    ClosureError,
    SurveyAnswers,
    Walk,
    checked_goodbye,
    checked_survey,
    ending_open,
    first_open_day,
    has_contact_details,
)
from schoolpeers.programme.models import RECOMMEND, WHAT_HELPED, Closure, ExitSurvey, OutcomeMeasure
from schoolpeers.timeutil import utcnow
from tests.oversight.conftest import mentorship  # noqa: F401

TODAY = date.today()
GOOD = SurveyAnswers(got_on=4, helped=5, recommend="yes", what_helped=("talking", "listening"), comment=" Thanks ")
WARM = st.text(alphabet=st.characters(whitelist_categories=("L", "Zs"), max_codepoint=0x2FF) | st.sampled_from(
    list(",.!?'-♥😊")), min_size=1, max_size=MAX_GOODBYE + 40)


# --- the rules on plain values ---------------------------------------------------------------------

@given(WARM)
def test_a_goodbye_of_words_is_kept_trimmed_when_it_fits(text):
    message = text.strip()
    if not message or len(message) > MAX_GOODBYE or has_contact_details(message):
        with pytest.raises(ClosureError) as refused:
            checked_goodbye(text)
        assert refused.value.field == "message"
    else:
        assert checked_goodbye(text) == message


@pytest.mark.parametrize("text", [
    "Find me on https://example.org/me", "www.mypage.net", "mail me: leo.k@example.org", "I'm @leo_plays",
    "text me 07700 900 123", "call +44 (0)20 7946 0958", "my channel leoplays.com"])
def test_a_goodbye_with_a_way_to_keep_in_touch_outside_the_programme_is_refused(text):
    with pytest.raises(ClosureError, match="no links, email addresses, phone numbers"):
        checked_goodbye("It was great meeting you. " + text)


@pytest.mark.parametrize("text", [
    "Good luck in the 2025-2026 school year!", "You went from 3 to 7 friends. Proud of you.",
    "Meet you at 12:30 in room 4? No, that was last time :)", "See you around school. You did great.",
    "Remember: ask for help @ any time"])
def test_ordinary_words_and_numbers_are_not_taken_for_contact_details(text):
    assert checked_goodbye(text) == text


def test_a_goodbye_may_be_as_long_as_the_limit_and_not_longer():
    assert checked_goodbye("a" * MAX_GOODBYE) == "a" * MAX_GOODBYE
    with pytest.raises(ClosureError, match="At most 1,000 characters: you wrote 1,001"):
        checked_goodbye("a" * (MAX_GOODBYE + 1))
    with pytest.raises(ClosureError, match="Write a few words"):
        checked_goodbye(" \n ")


SCORES = st.one_of(st.integers(-3, 8), st.none(), st.booleans())


@given(got_on=SCORES, helped=SCORES, recommend=st.sampled_from([*RECOMMEND, "maybe", None]),
       helped_keys=st.lists(st.sampled_from([*WHAT_HELPED, "money"]), max_size=8),
       comment=st.text(max_size=MAX_COMMENT + 5))
def test_survey_answers_are_kept_only_when_every_answer_is_one_of_the_choices(got_on, helped, recommend, helped_keys,
                                                                           comment):
    answers = SurveyAnswers(got_on, helped, recommend, tuple(helped_keys), comment)

    def scale_ok(value):
        return type(value) is int and 1 <= value <= 5

    valid = (scale_ok(got_on) and scale_ok(helped) and recommend in RECOMMEND and set(helped_keys) <= set(WHAT_HELPED)
             and len(comment.strip()) <= MAX_COMMENT)
    if not valid:
        with pytest.raises(ClosureError):
            checked_survey(answers, RECOMMEND, WHAT_HELPED)
        return
    kept = checked_survey(answers, RECOMMEND, WHAT_HELPED)
    assert kept.what_helped == tuple(key for key in WHAT_HELPED if key in helped_keys)  # list order, once each
    assert kept.comment == comment.strip() and (kept.got_on, kept.helped, kept.recommend) == (got_on, helped, recommend)
    assert checked_survey(kept, RECOMMEND, WHAT_HELPED) == kept


def test_a_wrong_survey_answer_is_refused_next_to_its_field():
    for wrong, field in ((GOOD.__class__(0, 3, "yes"), "got_on"), (GOOD.__class__(3, 6, "yes"), "helped"),
                         (GOOD.__class__(3, 3, "perhaps"), "recommend"),
                         (GOOD.__class__(3, 3, "no", ("money",)), "what_helped"),
                         (GOOD.__class__(3, 3, "no", (), "x" * (MAX_COMMENT + 1)), "comment")):
        with pytest.raises(ClosureError) as refused:
            checked_survey(wrong, RECOMMEND, WHAT_HELPED)
        assert refused.value.field == field


@given(st.booleans(), st.booleans(), st.booleans())
def test_the_mentors_next_step_is_the_first_one_not_done(meeting, goodbye, survey):
    walk = Walk(meeting=meeting, goodbye=goodbye, mentor_survey=survey)
    expected = next((step for step, done in (("meeting", meeting), ("goodbye", goodbye), ("survey", survey))
                     if not done), None)
    assert walk.mentor_next() == expected
    assert walk.done == meeting + goodbye + survey


@given(st.integers(-5, 400))
def test_the_mentees_ending_page_stays_open_for_thirty_days_after_the_end(days_ago):
    ended = TODAY - timedelta(days=days_ago)
    assert ending_open(True, None, TODAY)
    assert not ending_open(False, None, TODAY)
    assert ending_open(False, ended, TODAY) == (days_ago <= ENDING_STAYS_OPEN)
    assert ending_open(False, ended, TODAY) == (ended >= first_open_day(TODAY))


# --- the services --------------------------------------------------------------------------------------

def begun(mentorship, counselor):  # noqa: F811
    c = closure.begin_closure(mentorship, counselor, utcnow())
    db.session.commit()
    return c


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_counselor_begins_an_ending_once_and_only_for_an_active_mentorship(users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    assert (c.mentorship_id, c.begun_by_id, c.school_id) == (mentorship.id, users["counselor"].id, mentorship.school_id)
    with pytest.raises(ClosureError, match="planned already"):
        closure.begin_closure(mentorship, users["counselor"], utcnow())
    db.session.rollback()
    mentors.close_mentorship(mentorship, "completed", "", users["counselor"])
    db.session.delete(c)
    db.session.commit()
    with pytest.raises(ClosureError, match="Only an active mentorship"):
        closure.begin_closure(mentorship, users["counselor"], utcnow())


def test_the_closing_meeting_is_a_check_in_screened_like_any_other(users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    data = checkins.CheckInData(TODAY, 30, "in_person", 1,
                                notes="Last meeting. They said they want to kill themselves.")
    checkin, severity = closure.log_closing_meeting(c, mentorship.mentor, data, TODAY)
    db.session.commit()
    assert c.closing_checkin_id == checkin.id and checkin.mentorship_id == mentorship.id
    assert severity == "high"
    assert db.session.scalar(select(Concern.checkin_id).where(Concern.checkin_id == checkin.id)) == checkin.id
    with pytest.raises(checkins.CheckInError, match="logged already"):
        closure.log_closing_meeting(c, mentorship.mentor, data, TODAY)
    db.session.rollback()
    assert count(CheckIn) == 1


def test_a_refused_closing_meeting_leaves_no_check_in(users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    with pytest.raises(checkins.CheckInError, match="future"):
        closure.log_closing_meeting(c, mentorship.mentor, checkins.CheckInData(
            TODAY + timedelta(days=1), 30, "in_person", 4), TODAY)
    db.session.rollback()
    assert count(CheckIn) == 0 and db.session.get(Closure, c.id).closing_checkin_id is None


def test_a_meeting_logged_meanwhile_by_another_request_is_not_overwritten(users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    first, _ = closure.log_closing_meeting(c, mentorship.mentor, checkins.CheckInData(TODAY, 30, "online", 4), TODAY)
    db.session.commit()
    stale = db.session.get(Closure, c.id)
    set_committed_value(stale, "closing_checkin_id", None)  # as loaded by a request before the first committed
    with pytest.raises(checkins.CheckInError, match="logged already"):
        closure.log_closing_meeting(stale, mentorship.mentor, checkins.CheckInData(TODAY, 20, "online", 4), TODAY)
    db.session.rollback()
    assert db.session.get(Closure, c.id).closing_checkin_id == first.id and count(CheckIn) == 1


def test_the_goodbye_is_written_once_by_the_mentor_only(users, mentorship, make_user):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    with pytest.raises(ClosureError, match="own mentor"):
        closure.write_goodbye(c, make_user("student"), "Bye!", utcnow())
    with pytest.raises(ClosureError, match="own mentor"):
        closure.write_goodbye(c, mentorship.mentee, "Bye!", utcnow())
    closure.write_goodbye(c, mentorship.mentor, "  It was lovely meeting you, Leo.  ", utcnow())
    db.session.commit()
    assert c.goodbye_message == "It was lovely meeting you, Leo." and c.goodbye_written_at is not None
    with pytest.raises(ClosureError, match="sent already"):
        closure.write_goodbye(c, mentorship.mentor, "Another one", utcnow())
    db.session.rollback()
    assert db.session.get(Closure, c.id).goodbye_message == "It was lovely meeting you, Leo."


def test_each_side_answers_once_and_the_database_holds_one_per_side(users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    survey = closure.answer_as_mentor(c, mentorship.mentor, GOOD, utcnow())
    db.session.commit()
    assert (survey.side, survey.respondent_id, survey.what_helped, survey.comment) == (
        "mentor", mentorship.mentor_id, ["listening", "talking"], "Thanks")
    with pytest.raises(ClosureError, match="answered these questions already"):
        closure.answer_as_mentor(c, mentorship.mentor, GOOD, utcnow())
    db.session.rollback()
    with pytest.raises(ClosureError, match="for the mentee"):
        closure.answer_as_mentee(c, mentorship.mentor, GOOD, TODAY, utcnow())
    closure.answer_as_mentee(c, mentorship.mentee, GOOD, TODAY, utcnow())
    db.session.commit()
    assert set(closure.surveys_of(c)) == {"mentor", "mentee"}
    with pytest.raises(IntegrityError):  # the database itself keeps one per side
        with db.session.begin_nested():
            db.session.add(ExitSurvey(school_id=c.school_id, mentorship_id=c.mentorship_id, side="mentee",
                                      respondent_id=mentorship.mentee_id, got_on=1, helped=1, recommend="no"))
    db.session.rollback()
    assert count(ExitSurvey) == 2


def test_the_mentor_cannot_take_steps_once_the_mentorship_ended_and_the_mentee_has_thirty_days(
        users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    mentors.close_mentorship(mentorship, "completed", "", users["counselor"])
    db.session.commit()
    with pytest.raises(ClosureError, match="ended already"):
        closure.write_goodbye(c, mentorship.mentor, "Bye!", utcnow())
    with pytest.raises(ClosureError, match="ended already"):
        closure.answer_as_mentor(c, mentorship.mentor, GOOD, utcnow())
    db.session.rollback()
    assert closure.mentee_closure(mentorship.mentee, TODAY).id == c.id
    later = TODAY + timedelta(days=ENDING_STAYS_OPEN + 1)
    assert closure.mentee_closure(mentorship.mentee, later) is None
    with pytest.raises(ClosureError, match="closed"):
        closure.answer_as_mentee(c, mentorship.mentee, GOOD, later, utcnow())
    db.session.rollback()
    closure.answer_as_mentee(c, mentorship.mentee, GOOD, TODAY, utcnow())
    db.session.commit()
    assert closure.walk_of(c) == Walk(mentee_survey=True)


def test_the_walk_reads_every_step_including_the_end_questionnaire(users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    closure.log_closing_meeting(c, mentorship.mentor, checkins.CheckInData(TODAY, 30, "online", 4), TODAY)
    closure.write_goodbye(c, mentorship.mentor, "Good luck!", utcnow())
    closure.answer_as_mentor(c, mentorship.mentor, GOOD, utcnow())
    closure.answer_as_mentee(c, mentorship.mentee, GOOD, TODAY, utcnow())
    db.session.add(OutcomeMeasure(school_id=c.school_id, mentee_id=mentorship.mentee_id, mentorship_id=mentorship.id,
                                  occasion="start", scale="who5", answers=[3] * 5, score=60, answered_on=TODAY))
    db.session.commit()
    assert closure.walk_of(c) == Walk(True, True, True, True, False)  # the start questionnaire is not the end's
    db.session.add(OutcomeMeasure(school_id=c.school_id, mentee_id=mentorship.mentee_id, mentorship_id=mentorship.id,
                                  occasion="end", scale="who5", answers=[4] * 5, score=80, answered_on=TODAY))
    db.session.commit()
    assert closure.walk_of(c) == Walk(True, True, True, True, True) and closure.walk_of(c).done == 5


def texts(student, today=TODAY) -> list[str]:
    return [p.text for p in closure.closing_prompts(student, today)]


def test_prompts_lead_each_side_through_their_steps(users, mentorship):  # noqa: F811
    mentor, mentee = mentorship.mentor, mentorship.mentee
    assert texts(mentor) == [] and texts(mentee) == []
    c = begun(mentorship, users["counselor"])
    assert texts(mentor) == ["Your mentoring with Leo is ending: plan your closing meeting"]
    assert texts(mentee) == ["Your mentoring is coming to an end: a few questions for you"]
    closure.log_closing_meeting(c, mentor, checkins.CheckInData(TODAY, 30, "online", 4), TODAY)
    db.session.commit()
    assert texts(mentor) == ["Your mentoring with Leo is ending: write your goodbye"]
    closure.write_goodbye(c, mentor, "Good luck!", utcnow())
    db.session.commit()
    assert texts(mentor) == ["Your mentoring with Leo is ending: answer a few questions"]
    assert texts(mentee) == ["Amira left you a goodbye message",
                             "Your mentoring is coming to an end: a few questions for you"]
    closure.answer_as_mentor(c, mentor, GOOD, utcnow())
    closure.answer_as_mentee(c, mentee, GOOD, TODAY, utcnow())
    closure.read_goodbye(c, mentee, utcnow())
    db.session.commit()
    assert texts(mentor) == [] and texts(mentee) == []


def test_the_home_page_prompt_goes_away_when_the_mentorship_has_ended_long_ago(users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    closure.write_goodbye(c, mentorship.mentor, "Good luck!", utcnow())
    mentors.close_mentorship(mentorship, "completed", "", users["counselor"])
    db.session.commit()
    assert texts(mentorship.mentor) == []  # nothing more to do as a mentor once it ended
    assert len(texts(mentorship.mentee)) == 2
    assert texts(mentorship.mentee, TODAY + timedelta(days=ENDING_STAYS_OPEN + 1)) == []
    assert [g.id for g in closure.goodbyes_for(mentorship.mentee)] == [c.id]  # kept for good


def test_nothing_of_another_school_is_read(users, mentorship, other_school):  # noqa: F811
    from tests.factories import UserFactory

    begun(mentorship, users["counselor"])
    stranger = UserFactory(other_school)("student")
    db.session.commit()
    assert texts(stranger) == [] and closure.goodbyes_for(stranger) == []
    assert closure.mentee_closure(stranger, TODAY) is None and closure.mentor_endings(stranger) == []
    with pytest.raises(ClosureError):
        closure.begin_closure(mentorship, UserFactory(other_school)("counselor"), utcnow())


def test_an_ending_for_safeguarding_is_the_counselors_the_mentee_is_not_walked_through_it(
        users, mentorship):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    closure.write_goodbye(c, mentorship.mentor, "See you around!", utcnow())
    mentors.close_mentorship(mentorship, "safeguarding", "", users["counselor"])
    db.session.commit()
    assert closure.mentee_closure(mentorship.mentee, TODAY) is None
    assert closure.goodbyes_for(mentorship.mentee) == []
    assert closure.closing_prompts(mentorship.mentee, TODAY) == []
    with pytest.raises(ClosureError, match="closed"):
        closure.answer_as_mentee(c, mentorship.mentee, GOOD, TODAY, utcnow())


def test_a_counselor_withholds_a_goodbye_and_the_mentee_no_longer_sees_it(users, mentorship, make_user):  # noqa: F811
    c = begun(mentorship, users["counselor"])
    closure.write_goodbye(c, mentorship.mentor, "See you around!", utcnow())
    db.session.commit()
    assert closure.goodbyes_for(mentorship.mentee) == [c]
    with pytest.raises(ClosureError, match="Only a counselor"):
        closure.withhold_goodbye(c, make_user("staff"), utcnow())
    assert closure.withhold_goodbye(c, users["counselor"], utcnow())
    db.session.commit()
    assert not closure.withhold_goodbye(c, users["counselor"], utcnow())  # the first decision stays
    assert c.goodbye_message == "See you around!" and c.goodbye_for_mentee is None
    assert closure.goodbyes_for(mentorship.mentee) == []
    assert "closure.mentee_ending" not in {p.endpoint for p in closure.closing_prompts(mentorship.mentee, TODAY)
                                           if "goodbye" in p.text}
    assert closure.walk_of(c).goodbye  # the mentor's step is done all the same
