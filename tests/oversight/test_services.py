from datetime import date, timedelta

import pytest
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.oversight import risk, services
from schoolpeers.oversight.append_only import AppendOnlyError
from schoolpeers.oversight.models import Concern, ConcernEvent
from schoolpeers.timeutil import utcnow


def high_concern(school, student, now=None):
    return services.raise_concern(school, student, source="manual", severity="high", summary="worried",
                                  raised_by=None, now=now or utcnow())


def test_lifecycle_with_history(school, users):
    counselor, student = users["counselor"], users["student"]
    concern = high_concern(school, student)
    assert concern.ack_due_at == concern.created_at + timedelta(minutes=school.ack_deadline_minutes)
    services.acknowledge(concern, counselor, utcnow())
    with pytest.raises(services.ConcernError, match="already acknowledged"):
        services.acknowledge(concern, counselor, utcnow())
    services.add_note(concern, counselor, "Spoke with the student at lunch.")
    with pytest.raises(services.ConcernError, match="outcome"):
        services.resolve(concern, counselor, "fixed", "done", utcnow())
    with pytest.raises(services.ConcernError, match="note is required"):
        services.resolve(concern, counselor, "support_given", "  ", utcnow())
    services.resolve(concern, counselor, "support_given", "Weekly check-ins with the counselor.", utcnow())
    assert concern.status == "resolved" and concern.outcome == "support_given"
    assert [e.kind for e in concern.events] == ["raised", "acknowledged", "note", "resolved"]


def test_concerns_are_append_only(school, users):
    concern = high_concern(school, users["student"])
    db.session.commit()
    concern.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalar(select(ConcernEvent))
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(Concern)))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(Concern.summary)) == "worried"


def test_student_button_does_not_duplicate(school, users):
    first = services.ask_for_counselor(users["student"], utcnow())
    again = services.ask_for_counselor(users["student"], utcnow())
    assert first.id == again.id and first.severity == "medium" and first.source == "mentee_request"
    with pytest.raises(services.ConcernError):
        services.ask_for_counselor(users["staff"], utcnow())


def test_open_concerns_overdue_first_then_severity(school, users, make_user):
    now = utcnow()
    low = services.raise_concern(school, make_user("student"), source="manual", severity="low", summary="l",
                                 raised_by=None, now=now)
    fresh_high = high_concern(school, make_user("student"), now)
    old_high = high_concern(school, make_user("student"), now - timedelta(hours=2))
    assert services.open_concerns(school.id, now) == [old_high, fresh_high, low]
    overdue = services.acknowledgement_overdue
    assert overdue(old_high, now) and not overdue(fresh_high, now)


def test_the_dashboards_lists_are_of_the_school_asked_call_after_call(school, other_school, users, make_user,
                                                                      mentorship):
    """Built once, the lists' statements take each call's school and moment: nothing of one call
    carries over to the next."""
    from tests.factories import UserFactory

    now = utcnow()
    ours = high_concern(school, make_user("student"), now - timedelta(hours=2))
    theirs = high_concern(other_school, UserFactory(other_school)("student"), now)
    listed = lambda school_id, at: [c.id for c in db.session.scalars(  # noqa: E731
        services.open_concerns_list_query(school_id, at))]
    assert listed(school.id, now) == [ours.id] and listed(other_school.id, now) == [theirs.id]
    assert listed(school.id, now - timedelta(days=1)) == [ours.id]
    overdue = lambda school_id, cadence: [m.id for m, _last in db.session.execute(  # noqa: E731
        services.overdue_mentorships_query(school_id, date.today(), cadence))]
    assert overdue(school.id, 5) == [mentorship.id] and overdue(other_school.id, 5) == []
    assert overdue(school.id, 14) == []  # ten days silent: within a fortnight's cadence


def test_escalation_after_the_deadline_with_a_controlled_clock(school, users):
    raised_at = utcnow()
    concern = high_concern(school, users["student"], raised_at)
    assert services.escalate_overdue(raised_at + timedelta(minutes=59)) == []
    later = raised_at + timedelta(minutes=61)
    assert services.escalate_overdue(later) == [concern]
    assert services.escalate_overdue(later + timedelta(minutes=5)) == []  # idempotent
    assert concern.escalated_at == later and concern.events[-1].kind == "escalated"
    services.acknowledge(concern, users["counselor"], later)
    assert services.escalate_overdue(later + timedelta(hours=1)) == []


def test_overdue_checkins_raise_one_low_concern(mentorship, school, users):
    assert services.raise_overdue_checkins(utcnow()) == []  # began 10 days ago; the cadence is 14
    now = utcnow() + timedelta(days=5)
    first = services.raise_overdue_checkins(now)
    assert [(c.source, c.severity, c.mentorship_id) for c in first] == [("overdue", "low", mentorship.id)]
    assert services.raise_overdue_checkins(now) == []  # idempotent
    met = checkins.CheckInData(occurred_on=date.today(), duration_minutes=20, mode="online", wellbeing=4)
    checkins.log_checkin(mentorship, mentorship.mentor, met, date.today())
    services.resolve(first[0], users["counselor"], "no_further_action", "They met today.", now)
    assert services.raise_overdue_checkins(now) == []


@pytest.mark.parametrize("silent_days", [13, 14, 15])
@pytest.mark.parametrize("checked_in", [False, True])
def test_the_overdue_query_and_the_overdue_rule_agree_on_the_boundary(mentorship, silent_days, checked_in):
    """`risk.is_overdue` (the rule) and `overdue_mentorships_query` (the dashboard's SQL) count the
    same days: on day `cadence` a check-in is still on time, the day after it is overdue."""
    today, cadence = date.today(), 14
    mentorship.began_on = today - timedelta(days=silent_days + (3 if checked_in else 0))
    last = today - timedelta(days=silent_days) if checked_in else None
    if checked_in:
        checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
            occurred_on=last, duration_minutes=20, mode="online", wellbeing=4), today)
    listed = [m.id for m, _last in db.session.execute(
        services.overdue_mentorships_query(mentorship.school_id, today, cadence))]
    assert (mentorship.id in listed) == risk.is_overdue(mentorship.began_on, last, today, cadence)
    assert (mentorship.id in listed) == (silent_days > cadence)


def test_bulk_statements_and_backward_status_are_refused(school, users):
    from sqlalchemy import delete, update

    concern = high_concern(school, users["student"])
    services.acknowledge(concern, users["counselor"], utcnow())
    db.session.commit()
    for statement in (update(Concern).values(summary="x"), delete(ConcernEvent)):
        with pytest.raises(AppendOnlyError):
            db.session.execute(statement)
        db.session.rollback()
    concern.status = "open"
    with pytest.raises(AppendOnlyError, match="only moves forward"):
        db.session.flush()
    db.session.rollback()


def test_a_correction_raises_new_findings_even_after_a_resolved_one(mentorship, users):
    checkin, _ = checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(
        date.today(), 20, "online", 3, notes="He said he wants to die."), date.today())
    [first] = db.session.scalars(select(Concern)).all()
    services.resolve(first, users["counselor"], "support_given", "Talked it through.", utcnow())
    severity = checkins.correct_checkin(checkin, mentorship.mentor, checkins.CheckInData(
        date.today(), 20, "online", 3, notes="His dad hits him and he wants to kill himself."), utcnow(), date.today())
    assert severity == "high" and len(db.session.scalars(select(Concern)).all()) == 2


def test_a_resolved_overdue_concern_is_not_raised_again_for_the_same_silence(mentorship, users):
    later = utcnow() + timedelta(days=5)
    [overdue] = services.raise_overdue_checkins(later)
    services.resolve(overdue, users["counselor"], "no_further_action", "Mentor is ill this week.", later)
    assert services.raise_overdue_checkins(later + timedelta(minutes=1)) == []


def test_the_overdue_page_chosen_before_its_people_are_joined_is_a_slice_of_the_list(school, users, make_user):
    from schoolpeers.matching import services as matching
    from tests.factories import make_mentor, make_request

    today = date.today()
    make_mentor(school, users["counselor"], capacity=3)
    make_mentor(school, users["counselor"], capacity=2)
    for days_silent in (30, 20, 40, 25, 3):
        m = matching.match_single(make_request(make_user("student", grade=8)), users["counselor"], today)
        matching.approve(m, users["counselor"], today)
        m.began_on = today - timedelta(days=days_silent)
    db.session.commit()
    whole = [tuple(row) for row in db.session.execute(services.overdue_mentorships_query(school.id, today, 14))]
    assert [m.began_on for m, _last in whole] == [today - timedelta(days=d) for d in (40, 30, 25, 20)]
    for number in (1, 2, 3):
        page = services.overdue_mentorships_page(school.id, today, 14, number, 2)
        expected = whole[2 * (number - 1):2 * number]
        assert [(m.id, last) for m, last in page.rows] == [(m.id, last) for m, last in expected]
        assert page.total == 4
        assert [(m.mentee.display_name, m.mentor.display_name) for m in page.items] == [
            (m.mentee.display_name, m.mentor.display_name) for m, _ in expected]
    assert services.overdue_mentorships_page(school.id, today, 60, 1, 2).total == 0
