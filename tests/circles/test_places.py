"""Students' places in circles through the real services: asking, invitations, decisions, the waiting
list, leaving, the agreement, family consent, and students who leave the school."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from schoolpeers.accounts import services as accounts
from schoolpeers.circles import circles, places, queries
from schoolpeers.circles.models import Circle, CircleLeader
from schoolpeers.circles.statuses import PlaceStatus
from schoolpeers.extensions import db
from schoolpeers.families import services as families
from schoolpeers.families.consent import Rule
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory

NOW = utcnow()


def later(minutes: int):
    return NOW + timedelta(minutes=minutes)


def statuses(circle) -> dict[int, str]:
    return {p.student_id: p.status for p in queries.places(circle, *PlaceStatus)}


def join(circle, student, counselor, at=NOW):
    place, _ = places.ask_to_join(student, circle, at)
    return places.decide(place, True, counselor, at)


def set_policy(school, mentee=Rule.NOT_REQUIRED, mentor=Rule.NOT_REQUIRED):
    families.save_policy(school, mentee_rule=mentee, mentor_rule=mentor, younger_rule=Rule.NOT_REQUIRED,
                         programme_text="")


# --- asking ---------------------------------------------------------------------------------------

def test_a_student_asks_and_a_counselor_accepts(counselor, make_circle, make_user):
    circle, student = make_circle(), make_user("student", grade=8)
    place, new = places.ask_to_join(student, circle, NOW)
    assert new and place.status == PlaceStatus.ASKED and place.placed_at is None
    decided = places.decide(place, True, counselor, later(1))
    assert (decided.status, decided.decided_by_id, decided.placed_at is not None) == (PlaceStatus.MEMBER,
                                                                                      counselor.id, True)


def test_asking_twice_answers_with_the_place_they_have(counselor, make_circle, make_user):
    circle, student = make_circle(), make_user("student", grade=8)
    first, _ = places.ask_to_join(student, circle, NOW)
    again, new = places.ask_to_join(student, circle, later(1))
    assert (again.id, new, again.status) == (first.id, False, PlaceStatus.ASKED)
    places.decide(first, True, counselor, later(2))
    assert places.ask_to_join(student, circle, later(3))[0].status == PlaceStatus.MEMBER


def test_after_a_no_or_leaving_a_new_ask_reuses_the_place(counselor, make_circle, make_user):
    circle, student = make_circle(), make_user("student", grade=8)
    place, _ = places.ask_to_join(student, circle, NOW)
    places.decide(place, False, counselor, later(1))
    again, new = places.ask_to_join(student, circle, later(2))
    assert (again.id, new, again.status, again.decided_by_id) == (place.id, True, PlaceStatus.ASKED, None)
    places.decide(again, True, counselor, later(3))
    places.agree(again, later(4))
    places.leave(again, student, later(5))
    back, _ = places.ask_to_join(student, circle, later(6))
    assert (back.id, back.status, back.agreed_at, back.left_at) == (place.id, PlaceStatus.ASKED, None, None)


@pytest.mark.parametrize("grade", [5, 13, None])
def test_only_students_of_the_circles_grades_may_ask(make_circle, make_user, grade):
    circle = make_circle(grade_min=6, grade_max=12)
    with pytest.raises(places.PlaceError, match="grades 6 to 12"):
        places.ask_to_join(make_user("student", grade=grade), circle, NOW)


def test_a_closed_circle_takes_no_ask(counselor, make_circle, make_user):
    circle = make_circle()
    circles.close_circle(circle, counselor, NOW)
    with pytest.raises(places.PlaceError, match="closed"):
        places.ask_to_join(make_user("student", grade=8), circle, NOW)


def test_a_leader_cannot_ask_to_join_their_circle(counselor, make_circle, make_leader):
    circle, leader = make_circle(), make_leader()
    circles.set_leaders(circle, [leader.id], counselor)
    with pytest.raises(places.PlaceError, match="You lead this circle"):
        places.ask_to_join(leader, circle, NOW)


def test_a_student_of_another_school_cannot_ask(other_school, make_circle):
    with pytest.raises(places.PlaceError):
        places.ask_to_join(UserFactory(other_school)("student", grade=8), make_circle(), NOW)


# --- invitations ----------------------------------------------------------------------------------

def test_invitations_skip_and_count_those_with_a_place_and_the_leaders(counselor, make_circle, make_leader,
                                                                         make_user):
    circle, leader = make_circle(), make_leader()
    circles.set_leaders(circle, [leader.id], counselor)
    member, asking, left, new = (make_user("student", grade=8) for _ in range(4))
    join(circle, member, counselor)
    places.ask_to_join(asking, circle, NOW)
    places.leave(join(circle, left, counselor), left, NOW)
    invited, skipped = places.invite(circle, [member, asking, left, new, leader], counselor, later(1))
    assert sorted(p.student_id for p in invited) == sorted([left.id, new.id])
    assert skipped == 3
    assert all(p.status == PlaceStatus.INVITED and p.decided_by_id == counselor.id for p in invited)


def test_only_students_of_the_grades_are_invited(counselor, make_circle, make_user):
    circle = make_circle(grade_min=9, grade_max=10)
    for wrong in (make_user("student", grade=8), make_user("staff")):
        with pytest.raises(places.PlaceError) as refused:
            places.invite(circle, [wrong], counselor, NOW)
        assert refused.value.field == "students"
    with pytest.raises(places.PlaceError, match="Choose the students"):
        places.invite(circle, [], counselor, NOW)


def test_an_invitation_is_answered_by_the_student(counselor, make_circle, make_user):
    circle = make_circle()
    yes, no = make_user("student", grade=8), make_user("student", grade=8)
    (to_yes, to_no), _ = places.invite(circle, [yes, no], counselor, NOW)
    assert places.answer_invitation(to_yes, True, later(1)).status == PlaceStatus.MEMBER
    assert places.answer_invitation(to_no, False, later(1)).status == PlaceStatus.DECLINED
    with pytest.raises(places.PlaceError, match="no invitation"):
        places.answer_invitation(to_no, True, later(2))


def test_a_counselor_decides_only_asks(counselor, users, make_circle, make_user):
    circle = make_circle()
    for not_a_counselor in (users["staff"], make_user("student", grade=8)):
        with pytest.raises(places.PlaceError, match="Only a counselor"):
            places.invite(circle, [make_user("student", grade=8)], not_a_counselor, NOW)
    (invited,), _ = places.invite(circle, [make_user("student", grade=8)], counselor, NOW)
    with pytest.raises(places.PlaceError, match="answered already"):
        places.decide(invited, True, counselor, NOW)
    place, _ = places.ask_to_join(make_user("student", grade=8), circle, NOW)
    with pytest.raises(places.PlaceError, match="Only a counselor"):
        places.decide(place, True, users["staff"], NOW)
    places.decide(place, False, counselor, NOW)
    with pytest.raises(places.PlaceError, match="answered already"):
        places.decide(place, True, counselor, NOW)


# --- capacity and the waiting list ------------------------------------------------------------------

def test_a_full_circle_puts_students_on_its_waiting_list_first_come_first_placed(counselor, make_circle,
                                                                                  make_user):
    circle = make_circle(capacity=4)
    members = [make_user("student", grade=8) for _ in range(4)]
    for n, student in enumerate(members):
        join(circle, student, counselor, later(n))
    # Asked in one order, placed on the list in another: the list follows who was placed first.
    late_asker, early_asker = make_user("student", grade=8), make_user("student", grade=8)
    late_place, _ = places.ask_to_join(late_asker, circle, later(10))
    early_place, _ = places.ask_to_join(early_asker, circle, later(11))
    places.decide(early_place, True, counselor, later(12))
    places.decide(late_place, True, counselor, later(13))
    assert (places.waiting_position(early_place), places.waiting_position(late_place)) == (1, 2)
    assert queries.member_count(circle) == 4

    moved_up = places.leave(queries.places(circle, PlaceStatus.MEMBER)[0], counselor, later(20))
    assert [p.student_id for p in moved_up] == [early_asker.id]
    assert statuses(circle)[early_asker.id] == PlaceStatus.MEMBER
    assert places.waiting_position(late_place) == 1
    assert queries.member_count(circle) == 4


def test_leaving_the_waiting_list_lets_nobody_in(counselor, make_circle, make_user):
    circle = make_circle(capacity=4)
    for n in range(4):
        join(circle, make_user("student", grade=8), counselor, later(n))
    first, second = make_user("student", grade=8), make_user("student", grade=8)
    first_place = join(circle, first, counselor, later(5))
    second_place = join(circle, second, counselor, later(6))
    assert places.leave(first_place, first, later(7)) == []
    assert (statuses(circle)[first.id], places.waiting_position(second_place)) == (PlaceStatus.LEFT, 1)


def test_only_the_student_or_a_counselor_ends_a_place(counselor, users, make_circle, make_user):
    circle = make_circle()
    place = join(circle, make_user("student", grade=8), counselor)
    for someone in (make_user("student", grade=8), users["staff"]):
        with pytest.raises(places.PlaceError, match="Only the student or a counselor"):
            places.leave(place, someone, NOW)
    places.leave(place, counselor, NOW)
    assert (place.status, place.decided_by_id) == (PlaceStatus.LEFT, counselor.id)
    with pytest.raises(places.PlaceError, match="not in this circle"):
        places.leave(place, counselor, NOW)


def test_every_place_change_takes_the_circles_row_lock_first(counselor, make_circle, make_user):
    circle = make_circle()
    student = make_user("student", grade=8)
    locks = []

    @event.listens_for(db.session, "do_orm_execute")
    def note_locks(state):
        if state.is_select and state.statement._for_update_arg is not None:
            locks.append(state.bind_arguments["mapper"].class_.__name__ if "mapper" in state.bind_arguments else "?")

    try:
        place, _ = places.ask_to_join(student, circle, NOW)
        places.decide(place, True, counselor, NOW)
        places.leave(place, student, NOW)
        places.invite(circle, [student], counselor, NOW)
        places.answer_invitation(place, True, NOW)
    finally:
        event.remove(db.session, "do_orm_execute", note_locks)
    assert locks == ["Circle"] * 5


# --- the agreement -------------------------------------------------------------------------------------

def test_a_member_agrees_once(counselor, make_circle, make_user):
    circle, student = make_circle(), make_user("student", grade=8)
    place, _ = places.ask_to_join(student, circle, NOW)
    with pytest.raises(places.PlaceError, match="once you have a place"):
        places.agree(place, NOW)
    places.decide(place, True, counselor, NOW)
    assert places.agree(place, later(1)) is True
    assert places.agree(place, later(2)) is False
    assert place.agreed_at.replace(tzinfo=None) == later(1).replace(tzinfo=None)
    assert [m.student_id for m in queries.members(circle, agreed_only=True)] == [student.id]


# --- family consent ---------------------------------------------------------------------------------------

def test_becoming_a_member_needs_the_familys_consent(school, counselor, make_circle, make_user):
    set_policy(school, mentee=Rule.OPT_IN)
    circle = make_circle()
    asking, invited = make_user("student", grade=8), make_user("student", grade=8)
    place, _ = places.ask_to_join(asking, circle, NOW)  # asking needs none: the counselor sees it's needed
    with pytest.raises(places.PlaceError, match=f"{asking.given_name}'s family's consent is needed first"):
        places.decide(place, True, counselor, NOW)
    (invitation,), _ = places.invite(circle, [invited], counselor, NOW)
    with pytest.raises(places.PlaceError) as refused:
        places.answer_invitation(invitation, True, NOW)
    assert str(refused.value) == "Your family's consent is needed first: ask a counselor."
    families.record_answer(invited, None, decision="given", channel="paper", note="", actor=counselor)
    assert places.answer_invitation(invitation, True, NOW).status == PlaceStatus.MEMBER


def test_a_familys_no_to_support_ends_the_students_places_and_the_list_moves_up(school, counselor, make_circle,
                                                                                 make_user):
    set_policy(school, mentee=Rule.OPT_OUT)
    circle = make_circle(capacity=4)
    members = [make_user("student", grade=8) for _ in range(4)]
    for n, student in enumerate(members):
        join(circle, student, counselor, later(n))
    waiting = make_user("student", grade=8)
    join(circle, waiting, counselor, later(5))
    families.record_answer(members[0], None, decision="declined", channel="paper", note="", actor=counselor)
    assert statuses(circle)[members[0].id] == PlaceStatus.LEFT
    assert statuses(circle)[waiting.id] == PlaceStatus.MEMBER


def test_a_familys_no_to_mentoring_ends_leading_but_not_a_place_elsewhere(school, counselor, make_circle,
                                                                          make_leader):
    set_policy(school, mentor=Rule.OPT_OUT)
    led, joined = make_circle(), make_circle(grade_min=10, grade_max=10)
    leader = make_leader(grade=10)
    circles.set_leaders(led, [leader.id], counselor)
    join(joined, leader, counselor)
    families.record_answer(leader, None, decision="withdrawn", channel="phone", note="", actor=counselor)
    assert db.session.scalar(select(CircleLeader).where(CircleLeader.leader_id == leader.id)) is None
    assert statuses(joined)[leader.id] == PlaceStatus.MEMBER


# --- students who leave the school --------------------------------------------------------------------

def test_a_deactivated_student_leaves_every_circle_and_stops_leading(school, users, counselor, make_circle,
                                                                      make_leader, make_user):
    first, second, third = make_circle(capacity=4), make_circle(grade_min=10, grade_max=10), make_circle()
    leader = make_leader(grade=10)
    circles.set_leaders(first, [leader.id], counselor)
    for n in range(4):
        join(third, make_user("student", grade=8), counselor, later(n))
    waiting = make_user("student", grade=8)
    join(third, waiting, counselor, later(5))
    student = queries.places(third, PlaceStatus.MEMBER)[0].student
    join(second, leader, counselor)
    accounts.set_active(student, False, acting_user=users["admin"])
    accounts.set_active(leader, False, acting_user=users["admin"])
    assert statuses(third)[student.id] == PlaceStatus.LEFT
    assert statuses(third)[waiting.id] == PlaceStatus.MEMBER
    assert statuses(second)[leader.id] == PlaceStatus.LEFT
    assert db.session.scalar(select(CircleLeader).where(CircleLeader.circle_id == first.id)) is None
    assert db.session.get(Circle, first.id).status == "open"  # a counselor chooses new leaders
