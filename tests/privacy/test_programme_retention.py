"""Retention and the programme: the words of a mentorship that ended long ago go with its notes, and
a mentor's notes on how they felt go by their own age; numbers, dates and areas stay for reports."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn
from schoolpeers.privacy.retention import purge_school
from schoolpeers.programme import models as programme
from schoolpeers.programme.personal_data import RETENTION_KINDS
from schoolpeers.timeutil import utcnow
from tests.privacy.conftest import LONG_AGO, programme_records, worrying_checkin


@pytest.fixture
def old_and_recent(mentorship, old_mentorship, users):
    """Programme records of the mentorship that closed 400 days ago (written then), and of the active
    one (written now). The active one is made first: the old one's mentor would be free for it."""
    old_checkin = db.session.scalar(select(CheckIn).where(CheckIn.mentorship_id == old_mentorship.id))
    old = programme_records(old_mentorship, old_checkin, users["counselor"], when=LONG_AGO)
    recent = programme_records(mentorship, worrying_checkin(mentorship, notes="Fine today."), users["counselor"])
    db.session.commit()
    return old, recent


def test_the_words_of_an_old_mentorship_go_and_its_numbers_stay(school, old_and_recent):
    old, _ = old_and_recent
    result = purge_school(school, utcnow())
    db.session.commit()
    db.session.expire_all()
    assert {kind: result.counts[kind] for kind in RETENTION_KINDS} == {
        "agreements": 1, "goal wordings": 2, "goodbye messages": 1, "exit-survey comments": 2,
        "mentors' notes on how they felt": 1}
    agreement = old["agreement"]
    assert (agreement.where, agreement.ground_rules) == ("", "")
    assert (agreement.how_often, agreement.agreed_on, agreement.mentee_agreed_at is not None) == (
        "weekly", LONG_AGO.date(), True)
    assert [(g.area, g.wording) for g in old["goals"]] == [("friendships", ""), ("school_work", "")]
    assert sorted(db.session.scalars(select(programme.GoalProgress.progress).join(
        programme.Goal, programme.Goal.id == programme.GoalProgress.goal_id).where(
        programme.Goal.mentorship_id == old["agreement"].mentorship_id))) == [1, 3]
    assert (old["closure"].goodbye_message, old["closure"].goodbye_written_at is not None) == (None, True)
    for survey, numbers in ((old["mentee_survey"], (5, 4, "yes")), (old["mentor_survey"], (4, 4, "not_sure"))):
        assert survey.comment is None and (survey.got_on, survey.helped, survey.recommend) == numbers
    assert (old["feeling"].note, old["feeling"].feeling) == (None, "bit_hard")
    assert (old["start"].score, old["end"].score) == (36, 68) and old["end"].mentee_id is not None
    assert old["certificate"].citation == "For patient, kind listening every week."  # the mentor's to keep


def test_the_active_mentorships_words_and_recent_feelings_stay(school, old_and_recent):
    _, recent = old_and_recent
    purge_school(school, utcnow())
    db.session.commit()
    db.session.expire_all()
    assert recent["agreement"].where == "Library, Tuesday lunch"
    assert [g.wording for g in recent["goals"]] == ["Sit with someone new at lunch", "Hand in maths homework on time"]
    assert recent["closure"].goodbye_message and recent["mentee_survey"].comment and recent["mentor_survey"].comment
    assert recent["feeling"].note == "I did not know what to say when she cried."


def test_a_feeling_waiting_for_a_counselor_keeps_its_note_until_seen(school, users, old_and_recent):
    old, _ = old_and_recent
    feeling = old["feeling"]
    feeling.feeling, feeling.wants_to_talk = "hard", True
    db.session.commit()
    assert purge_school(school, utcnow()).counts["mentors' notes on how they felt"] == 0
    db.session.commit()
    assert feeling.note == "I did not know what to say when she cried."
    feeling.seen_at, feeling.seen_by_id = utcnow(), users["counselor"].id
    db.session.commit()
    assert purge_school(school, utcnow()).counts["mentors' notes on how they felt"] == 1
    db.session.commit()
    assert feeling.note is None


def test_a_feeling_goes_by_its_own_age_whatever_its_mentorship(school, old_and_recent):
    _, recent = old_and_recent
    recent["feeling"].created_at = utcnow() - timedelta(days=school.retention_days + 1)
    db.session.commit()
    assert purge_school(school, utcnow()).counts["mentors' notes on how they felt"] == 2
    db.session.commit()
    assert recent["feeling"].note is None and recent["agreement"].where == "Library, Tuesday lunch"


def test_the_dry_run_counts_what_the_real_run_removes_and_a_second_run_finds_nothing(school, old_and_recent):
    dry = purge_school(school, utcnow(), dry_run=True)
    db.session.rollback()
    assert sum(dry.counts[kind] for kind in RETENTION_KINDS) == 7
    real = purge_school(school, utcnow())
    db.session.commit()
    assert real.counts == dry.counts
    assert purge_school(school, utcnow()).total == 0


def test_the_command_reports_the_programmes_kinds(runner, school, old_and_recent):
    result = runner.invoke(args=["retention", "purge", "--school", school.slug])
    assert result.exit_code == 0, result.output
    assert "2 goal wordings" in result.output and "1 goodbye messages" in result.output
