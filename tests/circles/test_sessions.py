"""Group sessions through the service: scheduling from a plan, cancelling, logging once held (attendance,
the mood round, worries and screened notes raising concerns), and workshops' places."""
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from schoolpeers.circles import circles, places, sessions
from schoolpeers.circles.models import CircleMember, GroupSession, MoodCount, SessionAttendance
from schoolpeers.circles.sessions import SessionData, SessionError, WorkshopData
from schoolpeers.extensions import db
from schoolpeers.families.models import ConsentPolicy
from schoolpeers.oversight import notify, risk
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import utcnow
from tests.circles.session_world import add_session, add_workshop, build_group, log, log_data
from tests.factories import UserFactory, make_mentor


@pytest.fixture
def group(school, users):
    return build_group(school, users["counselor"])


def place_of(student) -> CircleMember:
    return db.session.scalar(select(CircleMember).where(CircleMember.student_id == student.id))


def concerns() -> list[Concern]:
    return list(db.session.scalars(select(Concern).order_by(Concern.id)))


def refused(field_name: str, action, *args):
    with pytest.raises(SessionError) as caught:
        action(*args)
    db.session.rollback()
    assert caught.value.field == field_name, caught.value
    return str(caught.value)


# --- scheduling and cancelling -------------------------------------------------------------------

def schedule_data(group, **overrides) -> SessionData:
    return SessionData(**({"starts_at": utcnow() + timedelta(days=3), "minutes": 45, "plan_id": group.plan.id,
                           "place": "  Library,   room 2 "} | overrides))


def test_a_leader_schedules_a_session_from_a_plan(group):
    session = sessions.schedule(group.circle, schedule_data(group), group.leader, utcnow())
    db.session.commit()
    assert (session.title, session.plan_id, session.place, session.status) == (
        "Getting to know each other", group.plan.id, "Library, room 2", "scheduled")


@pytest.mark.parametrize(("overrides", "field_name"), [
    ({"starts_at": None}, "starts_at"),
    ({"starts_at": utcnow() - timedelta(minutes=1)}, "starts_at"),
    ({"starts_at": utcnow() + timedelta(days=400)}, "starts_at"),
    ({"minutes": 9}, "minutes"),
    ({"minutes": 241}, "minutes"),
    ({"place": "x" * 121}, "place"),
    ({"plan_id": None}, "plan_id"),
    ({"plan_id": 10**6}, "plan_id"),
])
def test_scheduling_refuses_bad_data(group, overrides, field_name):
    refused(field_name, sessions.schedule, group.circle, schedule_data(group, **overrides), group.leader, utcnow())
    assert db.session.scalar(select(func.count()).select_from(GroupSession)) == 0


def test_a_retired_plan_a_closed_circle_and_the_same_time_twice_are_refused(group):
    at = utcnow() + timedelta(days=2)
    sessions.schedule(group.circle, schedule_data(group, starts_at=at), group.counselor, utcnow())
    db.session.commit()
    assert "already has a session" in refused(
        "starts_at", sessions.schedule, group.circle, schedule_data(group, starts_at=at), group.leader, utcnow())
    group.plan.active = False
    db.session.commit()
    refused("plan_id", sessions.schedule, group.circle, schedule_data(group), group.leader, utcnow())
    group.plan.active, group.circle.status = True, "closed"
    db.session.commit()
    refused("circle", sessions.schedule, group.circle, schedule_data(group), group.leader, utcnow())


def test_only_the_circles_leaders_and_counselors_schedule(school, users, group):
    other_leader = make_mentor(school, users["counselor"]).user
    for outsider in (other_leader, group.members[0], users["staff"]):
        refused("starts_at", sessions.schedule, group.circle, schedule_data(group), outsider, utcnow())


def test_only_a_session_to_be_held_is_cancelled(group):
    session = add_session(group, starts_at=utcnow() + timedelta(days=1))
    sessions.cancel(session, group.leader)
    db.session.commit()
    assert session.status == "cancelled"
    refused("session", sessions.cancel, session, group.leader)
    held = add_session(group, status="held")
    refused("session", sessions.cancel, held, group.counselor)


# --- logging -------------------------------------------------------------------------------------

def test_logging_writes_attendance_for_agreed_members_and_the_mood_round_without_names(group):
    session = add_session(group)
    maya, sam, ana = group.members
    assert log(group, session, present=[maya, sam], moods={4: 1, 5: 1, 1: 0}) == []
    rows = {row.student_id: row.present for row in db.session.scalars(select(SessionAttendance))}
    assert rows == {maya.id: True, sam.id: True, ana.id: False}  # the newcomer could not take part
    assert sessions.mood_round(session) == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    assert {column.key for column in inspect(MoodCount).columns} == {"school_id", "session_id", "mood", "taps"}
    assert (session.status, session.how_it_went, session.logged_by_id) == ("held", "well", group.leader.id)


def test_a_session_is_logged_once_and_not_before_it_starts(group):
    later = add_session(group, starts_at=utcnow() + timedelta(minutes=5))
    assert "once it has started" in refused("how_it_went", sessions.log_session, later, log_data(), group.leader,
                                            utcnow())
    session = add_session(group)
    log(group, session)
    assert "already logged" in refused("how_it_went", sessions.log_session, session, log_data(), group.leader,
                                       utcnow())
    cancelled = add_session(group, status="cancelled")
    refused("how_it_went", sessions.log_session, cancelled, log_data(), group.leader, utcnow())


def test_a_member_who_has_not_accepted_the_agreement_cannot_be_marked_present(group):
    session = add_session(group)
    message = refused(f"present_{group.newcomer.id}", sessions.log_session, session,
                      log_data(present=[group.newcomer]), group.leader, utcnow())
    assert "confidentiality agreement" in message and "Noor" in message
    assert session.status == "scheduled" and db.session.scalar(select(func.count()).select_from(SessionAttendance)) == 0


def test_the_mood_round_refuses_more_taps_than_people_present(group):
    session = add_session(group)
    maya, sam, _ = group.members
    message = refused(sessions.MOOD_ROUND, sessions.log_session, session,
                      log_data(present=[maya, sam], moods={3: 2, 4: 1}), group.leader, utcnow())
    assert "3 taps, but 2 people were there" in message
    refused("mood_2", sessions.log_session, session, log_data(present=[maya], moods={2: -1}), group.leader, utcnow())
    refused(sessions.MOOD_ROUND, sessions.log_session, session, log_data(moods={6: 0}), group.leader, utcnow())
    assert db.session.scalar(select(func.count()).select_from(MoodCount)) == 0


def test_log_data_is_checked(group):
    session = add_session(group)
    refused("how_it_went", sessions.log_session, session, log_data(how_it_went="great"), group.leader, utcnow())
    refused("notes", sessions.log_session, session, log_data(notes="x" * 4001), group.leader, utcnow())
    maya = group.members[0]
    refused(f"reason_{maya.id}", sessions.log_session, session, log_data(worries={maya: "y" * 201}), group.leader,
            utcnow())
    stranger = UserFactory(group.school)("student")
    refused("present", sessions.log_session, session, log_data(present=[stranger]), group.leader, utcnow())


# --- who a log is about: the members at the session, as they were then ------------------------------

def test_a_member_who_left_after_the_session_started_is_on_its_log_and_a_note_naming_them_is_about_them(group):
    session = add_session(group)  # began an hour ago
    maya = group.member("Maya")
    places.leave(place_of(maya), maya, utcnow())
    db.session.commit()
    assert maya in sessions.expected(session).listed
    (concern,) = log(group, session, present=[maya], worries={maya: ""},
                     notes="Maya Lopez said she wants to kill herself.")
    assert (concern.student_id, concern.severity) == (maya.id, "high")
    assert db.session.get(SessionAttendance, (session.id, maya.id)).present


def test_who_left_or_joined_before_the_session_is_not_on_its_log_but_notes_naming_them_still_are_about_them(
        group):
    sam = group.member("Sam")
    places.leave(place_of(sam), sam, utcnow())
    db.session.commit()
    session = add_session(group, starts_at=utcnow())
    late = UserFactory(group.school)("student", given_name="Omar", family_name="Farouk", grade=8)
    place, _ = places.ask_to_join(late, group.circle, utcnow())
    places.decide(place, True, group.counselor, utcnow())
    places.agree(place, utcnow())
    db.session.commit()
    people = sessions.expected(session)
    assert sam not in people.everyone and late not in people.everyone
    assert {sam, late} <= set(people.nameable)
    refused("present", sessions.log_session, session, log_data(present=[sam]), group.leader, utcnow())
    (concern,) = log(group, session, notes="Sam Green's friend told me Sam wants to kill himself.")
    assert concern.student_id == sam.id and "about the group" not in concern.summary


def test_a_member_who_agreed_only_after_the_session_started_could_not_take_part_in_it(group):
    session = add_session(group)
    places.agree(place_of(group.newcomer), utcnow())
    db.session.commit()
    assert group.newcomer in sessions.expected(session).not_agreed
    refused(f"present_{group.newcomer.id}", sessions.log_session, session, log_data(present=[group.newcomer]),
            group.leader, utcnow())


def test_after_the_circle_closes_a_session_that_had_begun_still_lists_its_members(group):
    begun = add_session(group)
    to_come = add_session(group, starts_at=utcnow() + timedelta(days=2))
    circles.close_circle(group.circle, group.counselor, utcnow())
    db.session.commit()
    assert to_come.status == "cancelled"
    people = sessions.expected(begun)
    assert set(people.listed) == set(group.members) and people.not_agreed == [group.newcomer]
    maya, sam, _ = group.members
    assert log(group, begun, present=[maya, sam]) == []
    assert {row.student_id: row.present for row in db.session.scalars(select(SessionAttendance))} == {
        maya.id: True, sam.id: True, group.member("Ana").id: False}


def test_a_leader_of_another_circle_cannot_log_it(school, users, group):
    other = build_group(school, users["counselor"], name="Friendships circle", plan_title="Friends")
    session = add_session(group)
    refused("how_it_went", sessions.log_session, session, log_data(), other.leader, utcnow())


# --- what a log raises ---------------------------------------------------------------------------

def test_a_worry_about_a_member_raises_a_concern_about_that_student(group):
    session = add_session(group)
    maya = group.member("Maya")
    (concern,) = log(group, session, present=[maya], worries={maya: "  very   quiet today "})
    assert (concern.student_id, concern.source, concern.severity, concern.group_session_id) == (
        maya.id, "circle_worry", "medium", session.id)
    assert concern.summary.startswith("In the circle Exam stress circle's session on ")
    assert concern.summary.endswith("Leader's words: very quiet today")
    assert concern.raised_by_id == group.leader.id and concern.ack_due_at is None  # plain words stay medium
    assert db.session.get(SessionAttendance, (session.id, maya.id)).worried


def test_a_worry_whose_words_are_high_raises_a_high_concern_mailed_once_committed(group, smtp_inbox):
    session = add_session(group)
    ana = group.member("Ana")
    (concern,) = log(group, session, present=[ana], worries={ana: "She said she wants to kill herself tonight"})
    assert (concern.student_id, concern.source, concern.severity) == (ana.id, "circle_worry", "high")
    assert concern.ack_due_at is not None  # a high concern must be acknowledged in time
    assert not smtp_inbox.messages
    notify.on_group_session_committed(group.school.id, session.id)
    assert smtp_inbox.messages, "counselors are mailed about the high concern"
    assert all(b"tonight" not in m.content and b"Ana" not in m.content for m in smtp_inbox.messages)


def test_a_fault_in_screening_a_worrys_words_still_raises_it_as_medium(group, monkeypatch):
    screen = risk.screen_text

    def broken_on_the_worry(text, **options):
        if "tonight" in (text or ""):
            raise RuntimeError("model file missing")
        return screen(text, **options)

    monkeypatch.setattr(risk, "screen_text", broken_on_the_worry)
    session = add_session(group)
    ana = group.member("Ana")
    (concern,) = log(group, session, present=[ana], worries={ana: "She said she wants to kill herself tonight"})
    assert (concern.student_id, concern.source, concern.severity) == (ana.id, "circle_worry", "medium")


def test_a_worry_in_the_notes_about_a_named_member_raises_a_concern_about_them(group):
    session = add_session(group)
    maya = group.member("Maya")
    notes = "We did the breathing after football. Maya's been saying she wants to kill herself."
    (concern,) = log(group, session, present=group.members, notes=notes)
    assert (concern.student_id, concern.source, concern.severity) == (maya.id, "circle_notes", "high")
    assert "Risk language" in concern.summary and "football" not in concern.summary
    assert concern.ack_due_at is not None  # a high concern must be acknowledged in time


def test_a_worry_about_the_group_raises_a_concern_for_the_circle_with_no_student(group):
    session = add_session(group)
    (concern,) = log(group, session, present=group.members,
                     notes="A few of them said they want to die when exams come.")
    assert (concern.student_id, concern.group_session_id, concern.source) == (None, session.id, "circle_notes")
    assert "about the group" in concern.summary


def test_a_pronoun_follows_the_member_named_just_before(group):
    session = add_session(group)
    (concern,) = log(group, session, present=group.members,
                     notes="Sam Green was quiet all session.\nHe told me he wants to die.")
    assert concern.student_id == group.member("Sam").id


def test_a_name_inside_another_word_is_not_a_mention(group):
    session = add_session(group)
    (concern,) = log(group, session, present=group.members, notes="Samantha from another class wants to die.")
    assert concern.student_id is None


def test_a_members_worry_and_the_notes_about_them_make_one_concern(group):
    session = add_session(group)
    ana = group.member("Ana")
    (concern,) = log(group, session, present=[ana], worries={ana: ""},
                     notes="Ana said she wants to hurt herself.")
    assert (concern.student_id, concern.severity) == (ana.id, "high")
    first, second = concern.summary.splitlines()
    assert "Risk language" in first and second.endswith("The leader is worried about this member.")


def test_a_screening_fault_still_raises_a_concern(group, monkeypatch):
    def broken(text, **_):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(risk, "screen_text", broken)
    session = add_session(group)
    (concern,) = log(group, session, present=group.members, notes="Quiet session.")
    assert (concern.student_id, concern.source, concern.severity) == (None, "screening_failed", "medium")
    assert "could not be screened" in concern.summary


def test_calm_notes_raise_nothing(group):
    session = add_session(group)
    assert log(group, session, present=group.members, notes="We practised slow breathing. Good energy.") == []
    assert concerns() == []


# --- workshops -----------------------------------------------------------------------------------

def workshop_data(**overrides) -> WorkshopData:
    return WorkshopData(**({"title": "Mental health day", "starts_at": utcnow() + timedelta(days=4), "minutes": 90,
                            "grade_min": 7, "grade_max": 9, "capacity": 40, "about": "Open to all.",
                            "place": "Hall"} | overrides))


def test_a_counselor_sets_up_a_workshop(school, users):
    workshop = sessions.create_workshop(school, workshop_data(), users["counselor"], utcnow())
    db.session.commit()
    assert workshop.is_workshop and (workshop.grade_min, workshop.grade_max, workshop.capacity) == (7, 9, 40)


@pytest.mark.parametrize(("overrides", "field_name"), [
    ({"title": "  "}, "title"), ({"title": "t" * 121}, "title"), ({"about": "a" * 1001}, "about"),
    ({"starts_at": utcnow() - timedelta(hours=1)}, "starts_at"), ({"minutes": 300}, "minutes"),
    ({"grade_min": 2}, "grade_min"), ({"grade_max": 13}, "grade_max"), ({"grade_min": 9, "grade_max": 8}, "grade_max"),
    ({"capacity": 0}, "capacity"), ({"capacity": 501}, "capacity"), ({"grade_min": None}, "grade_min"),
])
def test_workshop_data_is_checked(school, users, overrides, field_name):
    refused(field_name, sessions.create_workshop, school, workshop_data(**overrides), users["counselor"], utcnow())


def test_only_counselors_set_up_workshops(school, users):
    refused("title", sessions.create_workshop, school, workshop_data(), users["staff"], utcnow())


def test_a_workshops_capacity_holds(school, users):
    workshop = add_workshop(school, users["counselor"], capacity=2)
    make = UserFactory(school)
    first, second, third = (make("student", grade=8) for _ in range(3))
    for student in (first, second):
        sessions.sign_up(student, workshop, utcnow())
        db.session.commit()
    assert "full" in refused("workshop", sessions.sign_up, third, workshop, utcnow())
    assert sessions.sign_up(first, workshop, utcnow()).student_id == first.id  # twice: the same place
    assert sessions.signed_up_count(workshop) == 2
    sessions.cancel_sign_up(second, workshop, utcnow())
    sessions.sign_up(third, workshop, utcnow())
    db.session.commit()
    assert sessions.signed_up_count(workshop) == 2


def test_signing_up_needs_the_grade_a_place_before_it_starts_and_the_familys_consent(school, users):
    student = UserFactory(school)("student", grade=8)
    refused("workshop", sessions.sign_up, student, add_workshop(school, users["counselor"], grades=(10, 12)), utcnow())
    started = add_workshop(school, users["counselor"], starts_at=utcnow() - timedelta(minutes=1))
    refused("workshop", sessions.sign_up, student, started, utcnow())
    cancelled = add_workshop(school, users["counselor"])
    cancelled.status = "cancelled"
    db.session.commit()
    refused("workshop", sessions.sign_up, student, cancelled, utcnow())
    db.session.get(ConsentPolicy, school.id).mentee_rule = "opt_in"
    db.session.commit()
    assert "consent" in refused("workshop", sessions.sign_up, student, add_workshop(school, users["counselor"]),
                                utcnow())


def test_a_place_is_given_back_only_before_the_workshop_starts(school, users):
    student = UserFactory(school)("student", grade=8)
    workshop = add_workshop(school, users["counselor"], starts_at=utcnow() + timedelta(minutes=10),
                            signed_up=(student,))
    refused("workshop", sessions.cancel_sign_up, users["student"], workshop, utcnow())
    refused("workshop", sessions.cancel_sign_up, student, workshop, utcnow() + timedelta(minutes=11))
    sessions.cancel_sign_up(student, workshop, utcnow())
    db.session.commit()
    assert sessions.place_at(student, workshop) is None


def test_a_counselor_logs_a_workshop_for_those_who_signed_up(school, users):
    came, stayed_away = (UserFactory(school)("student", grade=8, given_name=name) for name in ("Iris", "Omar"))
    workshop = add_workshop(school, users["counselor"], starts_at=utcnow() - timedelta(hours=2),
                            signed_up=(came, stayed_away))
    raised = sessions.log_session(workshop, log_data(present=[came], moods={5: 1},
                                                     notes="Iris said she wants to die."), users["counselor"],
                                  utcnow())
    db.session.commit()
    assert [(c.student_id, c.source) for c in raised] == [(came.id, "circle_notes")]
    assert raised[0].summary.startswith("In the workshop Mental health day on ")
    assert {r.student_id: r.present for r in sessions.attendance(workshop)} == {came.id: True, stayed_away.id: False}


def test_a_peer_leader_cannot_log_a_workshop(school, users, group):
    workshop = add_workshop(school, users["counselor"], starts_at=utcnow() - timedelta(hours=2))
    refused("how_it_went", sessions.log_session, workshop, log_data(), group.leader, utcnow())
