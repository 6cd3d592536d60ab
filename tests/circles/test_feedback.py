"""Members' anonymous feedback through the service: once, by those who came, within a week of the log;
answers kept as counts and comments with no name and no time; a worrying comment reaches a counselor
as a concern for the group; a leader reads the counts only when nobody's answer can be told."""
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from schoolpeers.audit import AuditEvent
from schoolpeers.circles import feedback
from schoolpeers.circles.feedback import FeedbackError
from schoolpeers.circles.models import FeedbackCount, FeedbackGiven, SessionComment
from schoolpeers.extensions import db
from schoolpeers.oversight import risk
from schoolpeers.oversight.models import ConcernEvent
from schoolpeers.timeutil import as_utc, utcnow
from tests.circles.session_world import add_session, build_group, log


@pytest.fixture
def group(school, users):
    return build_group(school, users["counselor"])


@pytest.fixture
def held(group):
    """A session an hour old, logged with Maya and Sam present (Ana absent)."""
    session = add_session(group)
    log(group, session, present=[group.member("Maya"), group.member("Sam")])
    return session


def give(student, session, answer="helped", comment="", now=None):
    concern = feedback.give_feedback(student, session, answer, comment, now or utcnow())
    db.session.commit()
    return concern


def refused(field_name, student, session, answer="helped", comment="", now=None) -> str:
    with pytest.raises(FeedbackError) as caught:
        feedback.give_feedback(student, session, answer, comment, now or utcnow())
    db.session.rollback()
    assert caught.value.field == field_name
    return str(caught.value)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_feedback_is_kept_without_a_name_or_a_time(group, held):
    assert give(group.member("Maya"), held, "not_sure", "  More breathing please.  ") is None
    give(group.member("Sam"), held, "not_sure")
    (row,) = db.session.scalars(select(SessionComment))
    assert (row.comment, len(row.id)) == ("More breathing please.", 32)
    assert [(c.answer, c.answers) for c in db.session.scalars(select(FeedbackCount))] == [("not_sure", 2)]
    assert {c.key for c in inspect(SessionComment).columns} == {"id", "school_id", "session_id", "comment"}
    assert {c.key for c in inspect(FeedbackCount).columns} == {"school_id", "session_id", "answer", "answers"}
    assert {c.key for c in inspect(FeedbackGiven).columns} == {"school_id", "session_id", "student_id"}
    assert SessionComment.__table__.dialect_options["sqlite"]["with_rowid"] is False  # no order of writing
    assert count(AuditEvent) == 0


def test_a_member_answers_once(group, held):
    maya = group.member("Maya")
    give(maya, held)
    assert "already given" in refused("answer", maya, held, "didnt_help")
    assert db.session.scalar(select(FeedbackCount.answers)) == 1 and feedback.has_given(maya, held)


def test_only_members_who_came_answer_within_a_week(group, held):
    refused("answer", group.member("Ana"), held)  # absent
    refused("answer", group.newcomer, held)  # not on the list
    refused("answer", group.leader, held)  # led it: no member's place
    to_come = add_session(group, starts_at=utcnow() + timedelta(days=1))
    refused("answer", group.member("Maya"), to_come)
    week_later = as_utc(held.logged_at) + timedelta(days=7)
    assert "closed" in refused("answer", group.member("Maya"), held, now=week_later + timedelta(seconds=1))
    give(group.member("Maya"), held, now=week_later)


def test_the_answer_and_comment_are_checked(group, held):
    refused("answer", group.member("Maya"), held, "loved_it")
    refused("comment", group.member("Maya"), held, comment="x" * 1001)
    assert count(FeedbackGiven) == 0


def test_a_worrying_comment_raises_a_concern_for_the_group_that_names_nobody(group, held):
    concern = give(group.member("Sam"), held, "didnt_help", "honestly I want to kill myself")
    assert (concern.student_id, concern.group_session_id, concern.source, concern.severity, concern.raised_by_id) == (
        None, held.id, "circle_feedback", "high", None)
    assert "cannot be traced to a member" in concern.summary and "honestly" not in concern.summary
    assert concern.summary.startswith("In the circle Exam stress circle's session on ")
    assert [e.actor_id for e in db.session.scalars(select(ConcernEvent))] == [None]
    assert count(AuditEvent) == 0


def test_a_fault_in_screening_a_comment_still_reaches_a_counselor(group, held, monkeypatch):
    def broken(text, **_):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(risk, "screen_text", broken)
    concern = give(group.member("Sam"), held, "helped", "fine")
    assert (concern.student_id, concern.source, concern.severity) == (None, "screening_failed", "medium")


def test_counselors_read_everything_and_leaders_only_counts_nobody_can_be_told_from(school, users, group):
    session = add_session(group)
    log(group, session, present=group.members)
    maya, sam, ana = group.members
    give(maya, session, "helped", "Good one")
    give(sam, session, "helped")
    summary = feedback.feedback_summary(session)
    assert summary.counts == {"helped": 2, "not_sure": 0, "didnt_help": 0} and summary.comments == ["Good one"]
    closed = as_utc(session.logged_at) + timedelta(days=8)
    assert feedback.for_leader(summary, session, 2, closed) is None  # all alike: each answer is known
    give(ana, session, "didnt_help", "Too long")
    summary = feedback.feedback_summary(session)
    assert feedback.for_leader(summary, session, 2, utcnow()) is None  # still open: answers come one by one
    assert feedback.for_leader(summary, session, 5, closed) is None  # fewer than k answered
    for_leader = feedback.for_leader(summary, session, 3, closed)
    assert for_leader.counts == {"helped": 2, "not_sure": 0, "didnt_help": 1} and for_leader.comments == []


def test_two_first_answers_of_a_kind_are_both_counted(group, held, monkeypatch):
    maya, sam = group.member("Maya"), group.member("Sam")
    give(maya, held, "helped")
    db.session.execute(FeedbackCount.__table__.delete())  # as if Maya's first row were still being written
    db.session.commit()
    original = db.session.execute
    calls = []

    def first_increment_finds_nothing(statement, *args, **kwargs):
        result = original(statement, *args, **kwargs)
        if getattr(statement, "is_update", False) and not calls:
            calls.append(statement)
            db.session.add(FeedbackCount(school_id=held.school_id, session_id=held.id, answer="helped", answers=1))
            db.session.flush()  # the other request's row lands between this one's look and its insert
        return result

    monkeypatch.setattr(db.session, "execute", first_increment_finds_nothing)
    give(sam, held, "helped")
    assert db.session.scalar(select(FeedbackCount.answers)) == 2


def test_sessions_waiting_for_a_members_feedback(group, held):
    maya = group.member("Maya")
    assert feedback.awaiting_feedback(maya, utcnow()) == [held]
    assert feedback.awaiting_feedback(group.member("Ana"), utcnow()) == []
    give(maya, held)
    assert feedback.awaiting_feedback(maya, utcnow()) == []
