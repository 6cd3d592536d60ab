"""Circles under the privacy promises: a student's circles in "Download my data" (never the anonymous
feedback), what erasing a student removes, and session notes and comments past the retention period."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.topics import list_topics
from schoolpeers.circles import circles, places, queries
from schoolpeers.circles.models import (
    Circle,
    CircleLeader,
    CircleMember,
    FeedbackCount,
    FeedbackGiven,
    GroupSession,
    MoodCount,
    SessionAttendance,
    SessionComment,
)
from schoolpeers.extensions import db
from schoolpeers.oversight import services as oversight
from schoolpeers.oversight.append_only import REDACTED_ON_ERASURE
from schoolpeers.oversight.models import Concern
from schoolpeers.privacy import erasure
from schoolpeers.privacy.retention import purge_school
from schoolpeers.timeutil import utcnow
from tests.factories import make_mentor

LONG_AGO = utcnow() - timedelta(days=400)  # beyond the default retention period of 365 days


def add_circle(school, counselor, leader, member, *, name: str, when, status: str = "open") -> GroupSession:
    """A circle created at `when`, led by `leader` with `member`, and its session held then, with notes
    naming the member, a mood round and the member's anonymous feedback."""
    circle = Circle(school_id=school.id, name=name, topic_id=list_topics(school)[0].id, grade_min=7,
                    grade_max=9, capacity=8, counselor_id=counselor.id, status=status, created_at=when)
    circle.leader_links = [CircleLeader(school_id=school.id, leader_id=leader.id)]
    db.session.add(circle)
    db.session.flush()
    db.session.add(CircleMember(school_id=school.id, circle_id=circle.id, student_id=member.id, status="member",
                                asked_at=when, placed_at=when, agreed_at=when))
    session = GroupSession(school_id=school.id, circle_id=circle.id, title="When exams pile up", starts_at=when,
                           status="held", how_it_went="well", notes=f"{member.given_name} was quiet today.",
                           logged_by_id=leader.id, logged_at=when)
    db.session.add(session)
    db.session.flush()
    db.session.add_all([
        SessionAttendance(school_id=school.id, session_id=session.id, student_id=member.id, present=True),
        MoodCount(school_id=school.id, session_id=session.id, mood=4, taps=1),
        FeedbackCount(school_id=school.id, session_id=session.id, answer="helped", answers=1),
        SessionComment(id=f"{session.id:032x}", school_id=school.id, session_id=session.id,
                       comment="The breathing helped me."),
        FeedbackGiven(school_id=school.id, session_id=session.id, student_id=member.id)])
    db.session.flush()
    return session


def add_workshop(school, member, *, when, title: str, present) -> GroupSession:
    workshop = GroupSession(school_id=school.id, title=title, starts_at=when, grade_min=7, grade_max=12,
                            capacity=40, status="held" if present is not None else "scheduled",
                            notes="Good questions about sleep." if present is not None else "")
    db.session.add(workshop)
    db.session.flush()
    db.session.add(SessionAttendance(school_id=school.id, session_id=workshop.id, student_id=member.id,
                                     signed_up_at=when - timedelta(days=3), present=present))
    db.session.flush()
    return workshop


@pytest.fixture
def people(school, users, make_user):
    leader = make_mentor(school, users["counselor"], given_name="Ada").user
    member = make_user("student", grade=8, given_name="Noor")
    db.session.commit()
    return leader, member


@pytest.fixture
def circle_session(school, users, people):
    leader, member = people
    session = add_circle(school, users["counselor"], leader, member, name="Exam stress circle",
                         when=utcnow() - timedelta(days=2))
    db.session.commit()
    return session


def download(client, login_as, student) -> tuple[str, dict]:
    login_as(student)
    response = client.get("/account/my-data")
    assert response.status_code == 200
    return response.get_data(as_text=True), json.loads(response.data)


def test_my_data_holds_the_students_circles_sessions_and_workshops_but_no_feedback(
        client, login_as, school, people, circle_session):
    leader, member = people
    add_workshop(school, member, when=utcnow() - timedelta(days=5), title="Mental health day", present=True)
    add_workshop(school, member, when=utcnow() + timedelta(days=5), title="Sleep well", present=None)
    db.session.commit()
    body, data = download(client, login_as, member)
    circles = data["peer_support_circles"]
    [place] = circles["your_places"]
    assert (place["circle"], place["topic"], place["status"]) == ("Exam stress circle", list_topics(school)[0].name,
                                                                  "member")
    assert place["agreed_to_the_confidentiality_agreement_on"] and place["left_on"] is None
    assert circles["circles_you_led"] == []
    assert [(s["circle"], s["workshop"], s["you_were_there"]) for s in circles["sessions"]] == [
        (None, "Mental health day", True), ("Exam stress circle", None, True)]
    assert [(w["workshop"], w["status"]) for w in circles["workshops_you_signed_up_for"]] == [
        ("Mental health day", "held"), ("Sleep well", "scheduled")]
    for private in ("breathing helped", "helped", "was quiet", "Good questions", '"mood'):
        assert private not in body, private
    assert any("feedback after circle sessions" in line and "without any name" in line
               for line in data["not_included"])

    _, led = download(client, login_as, leader)
    assert led["peer_support_circles"]["circles_you_led"] == [
        {"circle": "Exam stress circle", "topic": list_topics(school)[0].name, "status": "open"}]
    assert led["peer_support_circles"]["your_places"] == []


def test_erasure_deletes_places_attendance_and_feedback_marks_and_keeps_the_leaders_notes(
        school, users, people, circle_session):
    leader, member = people
    worry = oversight.raise_concern(school, member, source="circle_worry", severity="medium",
                                    summary="Noor seemed very low.", raised_by=leader, now=utcnow(),
                                    group_session_id=circle_session.id)
    db.session.commit()
    result = erasure.erase_student(member, reason="Family's request", actor=users["admin"], now=utcnow())
    db.session.commit()
    db.session.expire_all()
    assert {kind: result.counts[kind] for kind in (
        "circle places deleted", "circle leader links deleted", "group session attendance deleted",
        "feedback marks deleted")} == {"circle places deleted": 1, "circle leader links deleted": 0,
                                       "group session attendance deleted": 1, "feedback marks deleted": 1}
    for model in (CircleMember, SessionAttendance, FeedbackGiven):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    # The anonymous answer and the mood round stay, and so do the leader's notes (their record).
    assert db.session.scalar(select(FeedbackCount.answers)) == 1
    assert db.session.scalar(select(MoodCount.taps)) == 1
    assert db.session.get(GroupSession, circle_session.id).notes == "Noor was quiet today."
    assert db.session.get(Concern, worry.id).summary == REDACTED_ON_ERASURE

    leader_erased = erasure.erase_student(leader, reason="Moved away", actor=users["admin"], now=utcnow())
    db.session.commit()
    assert leader_erased.counts["circle leader links deleted"] == 1
    assert db.session.scalar(select(func.count()).select_from(CircleLeader)) == 0


def test_erasing_a_member_of_a_full_circle_lets_the_first_waiting_student_in(school, users, make_user):
    counselor = users["counselor"]
    circle = circles.save_circle(school, circles.CircleData(
        name="Exam stress circle", topic_id=list_topics(school)[0].id, grade_min=7, grade_max=9, capacity=4,
        counselor_id=counselor.id), counselor)
    students = [make_user("student", grade=8) for _ in range(5)]
    for student in students:
        place, _ = places.ask_to_join(student, circle, utcnow())
        places.decide(place, True, counselor, utcnow())
    db.session.commit()
    *members, waiting = students
    assert [len(queries.places(circle, status)) for status in ("member", "waiting")] == [4, 1]

    result = erasure.erase_student(members[0], reason="Family's request", actor=users["admin"], now=utcnow())
    db.session.commit()
    db.session.expire_all()
    assert result.counts["circle places deleted"] == 1
    status = dict(db.session.execute(select(CircleMember.student_id, CircleMember.status)).all())
    assert status == {**{m.id: "member" for m in members[1:]}, waiting.id: "member"}


def test_retention_clears_notes_and_comments_of_ended_circles_and_old_workshops(school, users, people):
    leader, member = people
    counselor = users["counselor"]
    ended = add_circle(school, counselor, leader, member, name="Ended long ago", when=LONG_AGO, status="closed")
    open_one = add_circle(school, counselor, leader, member, name="Still meeting", when=LONG_AGO)
    closed_lately = add_circle(school, counselor, leader, member, name="Met this year", when=LONG_AGO,
                               status="closed")
    recent = GroupSession(school_id=school.id, circle_id=closed_lately.circle_id, title="Our last session",
                          starts_at=utcnow() - timedelta(days=30), status="held", notes="Goodbyes.")
    old_workshop = add_workshop(school, member, when=LONG_AGO, title="Old workshop", present=True)
    new_workshop = add_workshop(school, member, when=utcnow() - timedelta(days=3), title="New workshop", present=True)
    db.session.add(recent)
    db.session.commit()

    dry = purge_school(school, utcnow(), dry_run=True)
    assert (dry.counts["group session notes"], dry.counts["anonymous session comments"]) == (2, 1)
    db.session.rollback()
    real = purge_school(school, utcnow())
    db.session.commit()
    assert real.counts == dry.counts
    assert purge_school(school, utcnow()).total == 0
    db.session.expire_all()
    notes = {s.id: s.notes for s in db.session.scalars(select(GroupSession))}
    assert notes[ended.id] == notes[old_workshop.id] == ""
    assert notes[open_one.id] and notes[closed_lately.id] and notes[recent.id] and notes[new_workshop.id]
    comments = dict(db.session.execute(select(SessionComment.session_id, SessionComment.comment)).all())
    assert comments[ended.id] == "" and comments[open_one.id] and comments[closed_lately.id]
    # The numbers stay for the reports.
    kept = db.session.get(GroupSession, ended.id)
    assert (kept.status, kept.how_it_went) == ("held", "well")
    assert db.session.scalar(select(FeedbackCount.answers).where(FeedbackCount.session_id == ended.id)) == 1
    assert db.session.scalar(select(MoodCount.taps).where(MoodCount.session_id == ended.id)) == 1
