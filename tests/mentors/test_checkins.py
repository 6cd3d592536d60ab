from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.topics import list_topics
from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.mentors.checkins import CheckInData, CheckInError
from schoolpeers.mentors.models import CheckIn, CheckInRevision
from schoolpeers.mentors.signals import checkin_saved
from schoolpeers.oversight import risk
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import utcnow

TODAY = date.today()


def data(**overrides) -> CheckInData:
    values = {"occurred_on": TODAY, "duration_minutes": 30, "mode": "in_person", "wellbeing": 4}
    values.update(overrides)
    return CheckInData(**values)


def log(mentorship, **overrides):
    return checkins.log_checkin(mentorship, mentorship.mentor, data(**overrides), TODAY)


def concerns():
    return list(db.session.scalars(select(Concern).order_by(Concern.id)))


@pytest.mark.parametrize(("overrides", "field"), [
    ({"occurred_on": TODAY + timedelta(days=1)}, "occurred_on"),
    ({"occurred_on": TODAY - timedelta(days=11)}, "occurred_on"),
    ({"duration_minutes": 4}, "duration_minutes"),
    ({"duration_minutes": 181}, "duration_minutes"),
    ({"wellbeing": 6}, "wellbeing"),
    ({"mode": "carrier pigeon"}, "mode"),
    ({"notes": "x" * 4001}, "notes"),
    ({"worried": True, "worry_severity": "high"}, "worry_reason"),
    ({"worried": True, "worry_reason": "quiet"}, "worry_severity"),
    ({"domains": {"home": 9}}, "home"),
])
def test_bad_checkins_are_refused_next_to_the_field(mentorship, overrides, field):
    with pytest.raises(CheckInError) as refused:
        log(mentorship, **overrides)
    assert refused.value.field == field


def test_only_the_mentor_of_an_active_mentorship_logs(mentorship, make_user):
    with pytest.raises(CheckInError, match="your own mentees"):
        checkins.log_checkin(mentorship, make_user("student"), data(), TODAY)
    mentorship.status = "closed"
    with pytest.raises(CheckInError, match="not active"):
        log(mentorship)


def test_a_calm_checkin_raises_nothing(mentorship, school):
    checkin, severity = log(mentorship, notes="We talked about football and the maths test.",
                            topics=list_topics(school)[:2])
    assert severity is None and concerns() == [] and len(checkin.topics) == 2


def test_alarming_notes_raise_a_high_concern_in_the_same_transaction(mentorship):
    checkin, severity = log(mentorship, notes="She said she doesn't want to be here anymore.", wellbeing=2)
    assert severity == "high"
    [concern] = concerns()
    assert concern.checkin_id == checkin.id and concern.student_id == mentorship.mentee_id
    assert concern.source == "risk_language" and concern.ack_due_at is not None
    assert "She said" not in concern.summary  # the counselor opens the check-in for the words


def test_rules_on_top_of_the_words(mentorship):
    for rating in (4, 5, 4):
        log(mentorship, wellbeing=rating)
    _checkin, severity = log(mentorship, wellbeing=2)
    assert severity == "medium" and [c.source for c in concerns()] == ["wellbeing_drop"]
    _checkin, severity = log(mentorship, wellbeing=1, worried=True, worry_severity="medium", worry_reason="withdrawn")
    assert severity == "high"
    # One check-in, one concern: each finding is a reason, the most urgent first and deciding it.
    second = [c for c in concerns() if c.checkin_id == _checkin.id]
    assert len(second) == 1 and second[0].severity == "high" and second[0].source == "low_wellbeing"
    reasons = second[0].summary.splitlines()
    assert len(reasons) >= 2 and any("withdrawn" in reason for reason in reasons)


def test_screening_failure_saves_neither(mentorship, monkeypatch):
    from schoolpeers.oversight import services

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "screen_checkin", broken)
    with pytest.raises(RuntimeError):
        log(mentorship, notes="I want to die")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert concerns() == []


def test_logging_refuses_without_screening_connected(mentorship):
    from schoolpeers.oversight.services import on_checkin_saved

    checkin_saved.disconnect(on_checkin_saved)
    try:
        with pytest.raises(RuntimeError, match="unscreened"):
            log(mentorship)
    finally:
        checkin_saved.connect(on_checkin_saved)
    db.session.rollback()


def test_corrections_keep_history_and_never_remove_concerns(mentorship):
    checkin, _ = log(mentorship, notes="He said he wants to kill himself.", wellbeing=3)
    assert len(concerns()) == 1
    severity = checkins.correct_checkin(checkin, mentorship.mentor, data(notes="Typo, all fine.", wellbeing=4),
                                        utcnow(), TODAY)
    assert severity is None and len(concerns()) == 1
    assert checkin.notes == "Typo, all fine." and checkin.revisions[0].previous["notes"].startswith("He said")
    severity = checkins.correct_checkin(checkin, mentorship.mentor, data(wellbeing=1), utcnow(), TODAY)
    assert severity == "high" and len(concerns()) == 2
    assert db.session.scalar(select(func.count()).select_from(CheckInRevision)) == 2


def test_corrections_only_by_the_author_within_24_hours(mentorship, make_user):
    checkin, _ = log(mentorship)
    with pytest.raises(CheckInError, match="24 hours"):
        checkins.correct_checkin(checkin, make_user("student"), data(), utcnow(), TODAY)
    with pytest.raises(CheckInError, match="24 hours"):
        checkins.correct_checkin(checkin, mentorship.mentor, data(), utcnow() + timedelta(hours=25), TODAY)


def test_my_mentees_shows_when_a_checkin_is_due(mentorship, school):
    [line] = checkins.mentees_overview(mentorship.mentor, TODAY, 14)
    assert line.last_checkin_on is None and not line.due
    [line] = checkins.mentees_overview(mentorship.mentor, TODAY + timedelta(days=5), 14)
    assert line.due
    log(mentorship)
    [line] = checkins.mentees_overview(mentorship.mentor, TODAY + timedelta(days=5), 14)
    assert line.last_checkin_on == TODAY and not line.due


def test_feedback_from_the_mentee(mentorship, make_user):
    feedback = checkins.add_feedback(mentorship.mentee, "not_a_good_fit", "we never meet")
    assert feedback.mentorship_id == mentorship.id
    [listed] = checkins.recent_not_a_good_fit(mentorship.school_id, utcnow() - timedelta(days=1))
    assert (listed.id, listed.comment) == (feedback.id, "we never meet")
    assert (listed.mentee.display_name, listed.mentor.display_name) == (
        mentorship.mentee.display_name, mentorship.mentor.display_name)
    with pytest.raises(CheckInError):
        checkins.add_feedback(make_user("student"), "okay", "")
    with pytest.raises(CheckInError):
        checkins.add_feedback(mentorship.mentee, "amazing", "")


def test_a_fault_in_screening_never_loses_the_checkin(mentorship, monkeypatch):
    def broken(text, **options):
        raise RuntimeError("screening broke")

    monkeypatch.setattr(risk, "screen_text", broken)
    checkin, highest = log(mentorship, notes="she said something I did not understand")
    db.session.commit()
    assert db.session.get(CheckIn, checkin.id).notes == "she said something I did not understand"
    (concern,) = concerns()
    assert (concern.source, concern.severity, concern.checkin_id) == ("screening_failed", "medium", checkin.id)
    assert "could not be screened automatically" in concern.summary and highest == "medium"
