"""Circles and their leaders through the real services: what a circle may be, who may lead it, and
what closing it does."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from schoolpeers.accounts.topics import list_topics
from schoolpeers.circles import circles, places, queries
from schoolpeers.circles.models import Circle, CircleLeader, GroupSession
from schoolpeers.circles.statuses import CircleStatus, PlaceStatus, SessionStatus
from schoolpeers.extensions import db
from schoolpeers.families import services as families
from schoolpeers.families.consent import Rule
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import CIRCLE_LEADER_MODULE, TrainingCompletion, TrainingModule
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory, make_mentor


def data(school, counselor, **overrides) -> circles.CircleData:
    values = {"name": "Exam stress", "topic_id": list_topics(school)[0].id, "grade_min": 9, "grade_max": 11,
              "capacity": 6, "counselor_id": counselor.id, "about": "  Exams, and how to breathe.  "}
    values.update(overrides)
    return circles.CircleData(**values)


# --- the circle ----------------------------------------------------------------------------------

def test_a_counselor_creates_an_open_circle(school, counselor):
    circle = circles.save_circle(school, data(school, counselor, name="  Exam   stress "), counselor)
    assert (circle.name, circle.status, circle.about, circle.created_by_id) == (
        "Exam stress", CircleStatus.OPEN, "Exams, and how to breathe.", counselor.id)
    assert circle.school_id == school.id


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": "   "}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"topic_id": None}, "topic_id"),
    ({"topic_id": 10**6}, "topic_id"),
    ({"grade_min": 0}, "grade_min"),
    ({"grade_min": 5}, "grade_min"),  # the school's grades are 6 to 12
    ({"grade_max": 13}, "grade_max"),
    ({"grade_min": None}, "grade_min"),
    ({"grade_min": 11, "grade_max": 9}, "grade_max"),
    ({"capacity": 3}, "capacity"),
    ({"capacity": 11}, "capacity"),
    ({"capacity": None}, "capacity"),
    ({"counselor_id": None}, "counselor_id"),
    ({"about": "x" * 1001}, "about"),
])
def test_what_a_circle_cannot_be(school, counselor, overrides, field):
    with pytest.raises(circles.CircleError) as refused:
        circles.save_circle(school, data(school, counselor, **overrides), counselor)
    assert refused.value.field == field


def test_a_circle_is_for_grades_of_its_school_as_a_workshop_is(school, counselor):
    school.grade_min, school.grade_max = 1, 5
    with pytest.raises(circles.CircleError, match="from 1 to 5") as refused:
        circles.save_circle(school, data(school, counselor, grade_min=4, grade_max=6), counselor)
    assert refused.value.field == "grade_max"
    circle = circles.save_circle(school, data(school, counselor, grade_min=1, grade_max=3), counselor)
    assert (circle.grade_min, circle.grade_max) == (1, 3)


def test_the_supervising_counselor_is_an_active_counselor_of_the_school(school, other_school, users, make_user):
    counselor, gone = users["counselor"], make_user("counselor")
    gone.active = False
    for wrong in (users["staff"], users["student"], gone, UserFactory(other_school)("counselor")):
        with pytest.raises(circles.CircleError) as refused:
            circles.save_circle(school, data(school, counselor, counselor_id=wrong.id), counselor)
        assert refused.value.field == "counselor_id"


def test_a_topic_of_another_school_is_refused(school, other_school, counselor):
    with pytest.raises(circles.CircleError) as refused:
        circles.save_circle(school, data(school, counselor, topic_id=list_topics(other_school)[0].id), counselor)
    assert refused.value.field == "topic_id"


def test_names_are_unique_in_a_school_whatever_their_case(school, other_school, counselor):
    circles.save_circle(school, data(school, counselor), counselor)
    with pytest.raises(circles.CircleError, match="has this name"):
        circles.save_circle(school, data(school, counselor, name="EXAM STRESS"), counselor)
    other_counselor = UserFactory(other_school)("counselor")
    circles.save_circle(other_school, data(other_school, other_counselor), other_counselor)  # another school's


def test_a_circle_keeps_its_own_name_when_changed(school, counselor, make_circle):
    circle = make_circle(name="Friendships")
    circles.save_circle(school, data(school, counselor, name="friendships", capacity=8), counselor, circle)
    assert (circle.name, circle.capacity) == ("friendships", 8)


def test_capacity_never_goes_below_the_members_and_a_larger_one_lets_the_waiting_list_in(
        school, counselor, make_circle, make_user):
    circle = make_circle(capacity=5)
    students = [make_user("student", grade=9) for _ in range(7)]
    now = utcnow() - timedelta(hours=1)
    for n, student in enumerate(students):
        place, _ = places.ask_to_join(student, circle, now + timedelta(minutes=n))
        places.decide(place, True, counselor, now + timedelta(minutes=n))
    assert [places.waiting_position(p) for p in places_of(circle, PlaceStatus.WAITING)] == [1, 2]
    with pytest.raises(circles.CircleError, match="5 members") as refused:
        circles.save_circle(school, data(school, counselor, name=circle.name, capacity=4), counselor, circle)
    assert refused.value.field == "capacity"
    circles.save_circle(school, data(school, counselor, name=circle.name, capacity=6), counselor, circle)
    assert {p.student_id for p in places_of(circle, PlaceStatus.MEMBER)} == {s.id for s in students[:6]}
    assert [p.student_id for p in places_of(circle, PlaceStatus.WAITING)] == [students[6].id]


def test_a_change_of_grades_never_strands_a_student_with_a_place(school, counselor, make_circle, make_user):
    circle = make_circle(grade_min=6, grade_max=12)
    student = make_user("student", grade=10, given_name="Tariq", family_name="Noor")
    places.ask_to_join(student, circle, utcnow())
    with pytest.raises(circles.CircleError, match=r"Tariq Noor \(grade 10\)") as refused:
        circles.save_circle(school, data(school, counselor, name=circle.name, grade_min=6, grade_max=7),
                            counselor, circle)
    assert refused.value.field == "grade_min"
    circles.save_circle(school, data(school, counselor, name=circle.name, grade_min=9, grade_max=11), counselor,
                        circle)
    assert (circle.grade_min, circle.grade_max) == (9, 11)


def places_of(circle, *statuses):
    return queries.places(circle, *statuses)


def test_a_closed_circle_is_not_changed(school, counselor, make_circle):
    circle = make_circle()
    circles.close_circle(circle, counselor, utcnow())
    with pytest.raises(circles.CircleError, match="closed"):
        circles.save_circle(school, data(school, counselor, name=circle.name), counselor, circle)


# --- the circle-leader module ----------------------------------------------------------------------

def test_the_circle_leader_module_comes_after_the_mentoring_modules_once(school):
    module = circles.ensure_circle_leader_module(school.id)
    again = circles.ensure_circle_leader_module(school.id)
    modules = mentors.training_modules(school.id)
    assert module.id == again.id and modules[-1].id == module.id
    assert (module.name, module.purpose) == (CIRCLE_LEADER_MODULE[0], "circle_leader")
    assert [m.purpose for m in modules[:-1]] == ["mentoring"] * (len(modules) - 1) and len(modules) > 1


def test_creating_the_first_circle_creates_the_module(school, make_circle):
    assert circles.circle_leader_module(school.id) is None
    make_circle()
    assert circles.circle_leader_module(school.id) is not None


# --- who may lead -----------------------------------------------------------------------------------

def test_eligible_leaders_are_certified_mentors_trained_to_lead(school, counselor, make_leader, make_user):
    leader = make_leader()
    untrained = make_mentor(school, counselor)  # completes every module there is, the leader's too:
    db.session.execute(delete(TrainingCompletion).where(  # take the leader's module back
        TrainingCompletion.profile_id == untrained.id,
        TrainingCompletion.module_id == circles.circle_leader_module(school.id).id))
    uncertified = make_mentor(school, counselor, certified=False)
    expired = make_mentor(school, counselor)
    expired.certified_until = date.today() - timedelta(days=1)
    left = make_mentor(school, counselor)
    left.user.active = False
    make_user("student")
    db.session.flush()
    assert circles.eligible_leaders(school.id, today=date.today()) == [leader]
    assert uncertified.user not in circles.eligible_leaders(school.id)


def test_a_leader_needs_their_familys_consent_to_mentor(school, counselor, make_leader):
    leader = make_leader()
    families.save_policy(school, mentee_rule=Rule.NOT_REQUIRED, mentor_rule=Rule.OPT_IN, younger_rule=Rule.OPT_IN,
                         programme_text="")
    assert circles.eligible_leaders(school.id) == []
    families.record_answer(leader, None, decision="given", channel="paper", note="", actor=counselor)
    assert circles.eligible_leaders(school.id) == [leader]


def test_set_leaders_chooses_one_or_two_eligible_leaders(school, counselor, make_circle, make_leader, make_user):
    circle = make_circle()
    first, second, third = make_leader(), make_leader(), make_leader()
    assert circles.set_leaders(circle, [first.id, second.id], counselor) == (sorted([first.id, second.id]), [])
    assert circles.set_leaders(circle, [second.id, third.id], counselor) == ([third.id], [first.id])
    assert {link.leader_id for link in db.session.scalars(select(CircleLeader))} == {second.id, third.id}
    for ids, message in (([], "from 1 to 2"), ([first.id, second.id, third.id], "from 1 to 2"),
                         ([make_user("student").id], "from the list")):
        with pytest.raises(circles.CircleError, match=message):
            circles.set_leaders(circle, ids, counselor)


def test_a_student_with_a_place_cannot_lead_the_circle(school, counselor, make_circle, make_leader):
    circle = make_circle(grade_min=10, grade_max=10)
    leader = make_leader(grade=10)
    places.ask_to_join(leader, circle, utcnow())
    assert leader not in circles.eligible_leaders(school.id, circle)
    assert leader in circles.eligible_leaders(school.id)
    with pytest.raises(circles.CircleError, match="has a place|a place in this circle"):
        circles.set_leaders(circle, [leader.id], counselor)


def test_only_a_counselor_of_the_school_chooses_leaders(school, users, make_circle, make_leader):
    circle, leader = make_circle(), make_leader()
    with pytest.raises(circles.CircleError, match="counselor"):
        circles.set_leaders(circle, [leader.id], users["staff"])


# --- closing -------------------------------------------------------------------------------------------

def test_closing_ends_places_and_cancels_sessions_to_come(school, counselor, make_circle, make_leader, make_user):
    circle = make_circle(capacity=4)
    circles.set_leaders(circle, [make_leader().id], counselor)
    now = utcnow()
    students = [make_user("student", grade=9) for _ in range(7)]
    for student in students[:5]:  # four members, one waiting
        place, _ = places.ask_to_join(student, circle, now)
        places.decide(place, True, counselor, now)
    places.ask_to_join(students[5], circle, now)
    places.invite(circle, [students[6]], counselor, now)
    begun = session(circle, now - timedelta(minutes=10))
    to_come = session(circle, now + timedelta(days=2))
    held = session(circle, now - timedelta(days=3), status=SessionStatus.HELD)

    done = circles.close_circle(circle, counselor, now)

    assert done == {"members left": 4, "places declined": 3, "sessions cancelled": 1}
    assert circle.status == CircleStatus.CLOSED
    assert {p.status for p in places_of(circle, *PlaceStatus)} == {PlaceStatus.LEFT, PlaceStatus.DECLINED}
    assert (begun.status, to_come.status, held.status) == (
        SessionStatus.SCHEDULED, SessionStatus.CANCELLED, SessionStatus.HELD)
    assert db.session.scalar(select(CircleLeader.leader_id)) is not None  # its history keeps its leaders
    with pytest.raises(circles.CircleError, match="closed already"):
        circles.close_circle(circle, counselor, now)


def session(circle: Circle, starts_at, status=SessionStatus.SCHEDULED) -> GroupSession:
    record = GroupSession(school_id=circle.school_id, circle_id=circle.id, title="Session", starts_at=starts_at,
                          minutes=45, status=status)
    db.session.add(record)
    db.session.flush()
    return record


def test_every_module_query_is_of_the_school(school, other_school):
    circles.ensure_circle_leader_module(other_school.id)
    assert circles.circle_leader_module(school.id) is None
    assert db.session.scalar(select(TrainingModule.school_id).where(TrainingModule.purpose == "circle_leader")) == (
        other_school.id)
