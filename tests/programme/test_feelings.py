"""A mentor's own check after a check-in: one per check-in, changed within the day until a counselor
has read it, and "this was hard for me" or asking to talk marked for counselors."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.programme import feelings
from schoolpeers.programme.feelings import FeelingAnswer, FeelingError
from schoolpeers.programme.models import MentorFeeling
from schoolpeers.timeutil import utcnow


@pytest.fixture
def checkin(mentorship):
    saved, _ = checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
        date.today(), 20, "online", 4), date.today())
    db.session.commit()
    return saved


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(MentorFeeling))


def test_a_hard_check_in_is_kept_for_counselors_about_the_mentor_only(checkin, mentorship):
    saved = feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("hard", False, "  Tired today. "),
                                    utcnow())
    db.session.commit()
    assert (saved.mentor_id, saved.checkin_id, saved.school_id) == (mentorship.mentor_id, checkin.id,
                                                                    mentorship.school_id)
    assert saved.feeling == "hard" and saved.note == "Tired today." and saved.needs_counselor
    assert feelings.feeling_for(checkin) == saved


def test_fine_needs_nobody_unless_the_mentor_asks_to_talk(checkin, mentorship):
    saved = feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("fine"), utcnow())
    assert not saved.needs_counselor and saved.note is None
    saved = feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("bit_hard", True), utcnow())
    assert saved.needs_counselor and count() == 1  # answering again changes the one answer


def test_nothing_answered_saves_nothing_and_keeps_an_earlier_answer(checkin, mentorship):
    assert feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer(None, False, "  "), utcnow()) is None
    assert count() == 0
    saved = feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("hard", True), utcnow())
    assert feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer(), utcnow()) is saved
    assert saved.feeling == "hard" and saved.wants_to_talk


def test_asking_to_talk_keeps_the_earlier_feeling_and_needs_one_the_first_time(checkin, mentorship):
    with pytest.raises(FeelingError, match="Choose how this check-in was") as refused:
        feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer(None, True), utcnow())
    assert refused.value.field == "feeling"
    feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("bit_hard"), utcnow())
    saved = feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer(None, True), utcnow())
    assert saved.feeling == "bit_hard" and saved.wants_to_talk


@pytest.mark.parametrize(("answer", "field"), [
    (FeelingAnswer("awful"), "feeling"), (FeelingAnswer("fine", note="x" * 501), "note")])
def test_what_an_answer_must_be(checkin, mentorship, answer, field):
    with pytest.raises(FeelingError) as refused:
        feelings.record_feeling(checkin, mentorship.mentor, answer, utcnow())
    assert refused.value.field == field


def test_only_the_check_ins_mentor_within_a_day(checkin, mentorship, make_user):
    with pytest.raises(FeelingError, match="24 hours"):
        feelings.record_feeling(checkin, make_user("student"), FeelingAnswer("fine"), utcnow())
    with pytest.raises(FeelingError, match="24 hours"):
        feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("hard"), utcnow() + timedelta(hours=25))
    assert count() == 0


def test_once_a_counselor_has_read_it_it_stays_as_they_read_it(checkin, mentorship, users):
    saved = feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("hard", True, "Upset"), utcnow())
    saved.seen_by_id, saved.seen_at = users["counselor"].id, utcnow()
    db.session.commit()
    with pytest.raises(FeelingError, match="already read"):
        feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("fine"), utcnow())
    db.session.rollback()
    # The same answer again changes nothing, so it is not refused.
    assert feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("hard", True, "Upset"), utcnow()) == saved
    assert saved.feeling == "hard"


def test_once_it_waits_for_a_counselor_it_cannot_be_taken_back(checkin, mentorship):
    feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("hard", True, "Rough one."), utcnow())
    db.session.commit()
    for answer in (FeelingAnswer("fine"), FeelingAnswer("bit_hard", False)):
        with pytest.raises(FeelingError, match="A counselor will come and talk to you") as refused:
            feelings.record_feeling(checkin, mentorship.mentor, answer, utcnow())
        assert refused.value.field == "feeling"
        db.session.rollback()
    # Still waiting; adding to it (a note, or keeping it hard without the wish to talk) is fine.
    saved = feelings.record_feeling(checkin, mentorship.mentor, FeelingAnswer("hard", False, "Better now."), utcnow())
    assert saved.needs_counselor and saved.note == "Better now."
