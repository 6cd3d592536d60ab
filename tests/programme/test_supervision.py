"""Supervision's rules: recording and correcting sessions, who is overdue, and mentors' own checks
that wait for a counselor."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import MentorProfile
from schoolpeers.overview.counts import dashboard_counts
from schoolpeers.programme import supervision
from schoolpeers.programme.models import MentorFeeling, SupervisionAttendance, SupervisionSession
from schoolpeers.programme.supervision import SessionData, SupervisionError
from schoolpeers.timeutil import today_in, utcnow
from tests.factories import make_mentor


@pytest.fixture
def today(school):
    return today_in(school.timezone)


@pytest.fixture
def two_mentors(school, users):
    first = make_mentor(school, users["counselor"], given_name="Amira", family_name="Aziz")
    second = make_mentor(school, users["counselor"], given_name="Ben", family_name="Brook")
    db.session.commit()
    return first, second


def data(day, attendees, **overrides) -> SessionData:
    values = {"held_on": day, "kind": "group", "minutes": 45, "themes": ["self_care", "boundaries"],
              "attendee_ids": [p.user_id for p in attendees]}
    return SessionData(**(values | overrides))


def record(school, counselor, held_on, attendees, **overrides) -> SupervisionSession:
    session = supervision.record_session(school, data(held_on, attendees, **overrides), counselor, held_on)
    db.session.commit()
    return session


def test_a_session_keeps_who_came_and_its_themes_in_the_list_order(school, users, two_mentors, today):
    first, second = two_mentors
    session = record(school, users["counselor"], today, two_mentors)
    assert session.themes == ["boundaries", "self_care"]  # the list's order, whatever the order ticked
    assert supervision.attendee_ids(session) == sorted([first.user_id, second.user_id])
    assert session.recorded_by_id == users["counselor"].id
    names = supervision.attendees_by_session(school.id, [session.id])[session.id]
    assert [u.given_name for u in names] == ["Amira", "Ben"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"held_on": None}, "held_on"),
    ({"kind": "lecture"}, "kind"),
    ({"minutes": 9}, "minutes"),
    ({"minutes": 241}, "minutes"),
    ({"minutes": None}, "minutes"),
    ({"themes": []}, "themes"),
    ({"themes": ["what Leo said"]}, "themes"),
    ({"attendee_ids": []}, "attendees"),
    ({"kind": "one_to_one"}, "attendees"),  # two mentors ticked
])
def test_bad_sessions_are_refused_beside_the_field(school, users, two_mentors, today, overrides, field):
    with pytest.raises(SupervisionError) as refused:
        supervision.record_session(school, data(today, two_mentors, **overrides), users["counselor"], today)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(SupervisionSession.id)) is None


def test_a_session_is_recorded_once_held_never_ahead_nor_years_back(school, users, two_mentors, today):
    for day in (today + timedelta(days=1), today - timedelta(days=400)):
        with pytest.raises(SupervisionError) as refused:
            supervision.record_session(school, data(day, two_mentors), users["counselor"], today)
        assert refused.value.field == "held_on"
    one = record(school, users["counselor"], today, two_mentors[:1], kind="one_to_one", minutes=10)
    assert one.kind == "one_to_one" and one.minutes == 10


def test_the_same_session_sent_twice_is_refused_and_nothing_of_it_is_written(school, users, two_mentors, today):
    first, second = two_mentors
    counselor = users["counselor"]
    kept = record(school, counselor, today, two_mentors)
    with pytest.raises(SupervisionError) as refused:  # the attendees in another order: the same mentors
        supervision.record_session(school, data(today, [second, first], themes=["listening"]), counselor, today)
    assert refused.value.field == "held_on" and "recorded already" in str(refused.value)
    db.session.rollback()
    assert db.session.scalars(select(SupervisionSession.id)).all() == [kept.id]
    assert len(db.session.scalars(select(SupervisionAttendance.mentor_id)).all()) == 2
    # Another day, length, kind or set of mentors is another session.
    record(school, counselor, today - timedelta(days=1), two_mentors)
    record(school, counselor, today, two_mentors, minutes=60)
    record(school, counselor, today, [first])
    record(school, counselor, today, [first], kind="one_to_one")
    record(school, counselor, today, [first, second, make_mentor(school, counselor)])
    assert len(db.session.scalars(select(SupervisionSession.id)).all()) == 6


def test_a_session_of_another_school_is_no_reason_to_refuse(school, other_school, users, make_user, today):
    mine = make_mentor(school, users["counselor"])
    theirs = make_mentor(other_school, make_user("counselor"))
    db.session.commit()
    session = SupervisionSession(school_id=other_school.id, held_on=today, kind="group", minutes=45,
                                 themes=["listening"])
    session.attendance = [SupervisionAttendance(school_id=other_school.id, mentor_id=theirs.user_id)]
    db.session.add(session)
    db.session.commit()
    assert record(school, users["counselor"], today, [mine]).school_id == school.id


def test_only_the_schools_accepted_mentors_with_an_account_can_attend(school, other_school, users, make_user,
                                                                      two_mentors, today):
    first, second = two_mentors
    plain_student = make_user("student", grade=10)
    applicant = mentors.apply_to_mentor(make_user("student", grade=11), bio="", motivation="", capacity=1,
                                        topics=[], availability=[])
    elsewhere = make_mentor(other_school, make_user("counselor"))
    mentors.set_paused(second, True)  # paused: still a mentor, may still have mentees
    db.session.commit()
    eligible = {u.id for u in supervision.eligible_mentors(school.id)}
    assert eligible == {first.user_id, second.user_id}
    for outsider in (plain_student.id, applicant.user_id, elsewhere.user_id):
        with pytest.raises(SupervisionError) as refused:
            supervision.record_session(school, data(today, [first], attendee_ids=[first.user_id, outsider]),
                                       users["counselor"], today)
        assert refused.value.field == "attendees"
        db.session.rollback()
    first.user.active = False  # left the school
    db.session.commit()
    assert {u.id for u in supervision.eligible_mentors(school.id)} == {second.user_id}


def test_a_correction_changes_who_came_and_themes_and_keeps_someone_who_has_left(school, users, make_user,
                                                                                  two_mentors, today):
    first, second = two_mentors
    session = record(school, users["counselor"], today - timedelta(days=3), [first])
    first.user.active = False  # has left since; the record of that day still names them
    third = make_mentor(school, users["counselor"])
    db.session.commit()
    supervision.correct_session(session, ["endings"], [first.user_id, second.user_id, third.user_id])
    db.session.commit()
    assert supervision.attendee_ids(session) == sorted([first.user_id, second.user_id, third.user_id])
    assert session.themes == ["endings"]
    supervision.correct_session(session, ["endings"], [second.user_id])
    db.session.commit()
    assert db.session.scalars(select(SupervisionAttendance.mentor_id)).all() == [second.user_id]
    # Someone who has left can be kept, never added back.
    with pytest.raises(SupervisionError):
        supervision.correct_session(session, ["endings"], [second.user_id, first.user_id])
    db.session.rollback()


def test_a_one_to_one_session_stays_with_one_mentor_when_corrected(school, users, two_mentors, today):
    first, second = two_mentors
    session = record(school, users["counselor"], today, [first], kind="one_to_one")
    with pytest.raises(SupervisionError) as refused:
        supervision.correct_session(session, ["listening"], [first.user_id, second.user_id])
    assert refused.value.field == "attendees"
    db.session.rollback()
    with pytest.raises(SupervisionError) as refused:
        supervision.correct_session(session, [], [first.user_id])
    assert refused.value.field == "themes"


# --- who is overdue ------------------------------------------------------------------------------

def became_mentor(profile: MentorProfile, days_ago: int) -> None:
    """Accepted `days_ago` days ago, having applied a month before."""
    profile.accepted_on = today_in(profile.user.school.timezone) - timedelta(days=days_ago)
    profile.created_at = utcnow() - timedelta(days=days_ago + 30)


def overdue_names(school, today) -> list[str]:
    return [p.user.given_name for p, _last in supervision.overdue_mentors(school.id, today)]


def test_overdue_counts_from_the_last_session_attended(school, users, today):
    counselor = users["counselor"]
    on_time = make_mentor(school, counselor, given_name="OnTime")
    late = make_mentor(school, counselor, given_name="Late")
    for profile in (on_time, late):
        became_mentor(profile, 400)
    db.session.commit()
    assert school.supervision_every_days == 42
    record(school, counselor, today - timedelta(days=42), [on_time])
    record(school, counselor, today - timedelta(days=43), [late])
    record(school, counselor, today - timedelta(days=90), [on_time, late])  # an older one changes nothing
    assert overdue_names(school, today) == ["Late"]
    assert [last for _p, last in supervision.overdue_mentors(school.id, today)] == [today - timedelta(days=43)]
    assert overdue_names(school, today + timedelta(days=1)) == ["Late", "OnTime"]  # longest waiting first
    school.supervision_every_days = 60
    db.session.commit()
    assert overdue_names(school, today) == []


def test_a_mentor_never_supervised_is_overdue_once_a_mentor_for_longer_than_the_period(school, users, today):
    counselor = users["counselor"]
    new, old = make_mentor(school, counselor, given_name="New"), make_mentor(school, counselor, given_name="Old")
    became_mentor(new, 41)
    became_mentor(old, 43)
    db.session.commit()
    assert overdue_names(school, today) == ["Old"]
    record(school, counselor, today, [old])
    assert overdue_names(school, today) == []


def test_a_mentor_never_supervised_counts_from_the_day_they_were_accepted(school, users, make_user, today):
    counselor = users["counselor"]
    assert school.supervision_every_days == 42
    applicant = mentors.apply_to_mentor(make_user("student", grade=11, given_name="Recent"), bio="", motivation="",
                                        capacity=1, topics=[], availability=[])
    applicant.created_at = utcnow() - timedelta(days=200)  # applied long ago, accepted today
    mentors.decide_application(applicant, True, counselor, today)
    earlier = make_mentor(school, counselor, given_name="Earlier")
    earlier.created_at = utcnow() - timedelta(days=200)
    earlier.accepted_on = today - timedelta(days=60)
    db.session.commit()
    assert applicant.accepted_on == today
    assert overdue_names(school, today) == ["Earlier"]
    assert overdue_names(school, today + timedelta(days=42)) == ["Earlier"]
    assert overdue_names(school, today + timedelta(days=43)) == ["Earlier", "Recent"]  # longest waiting first


def test_a_mentor_accepted_before_the_day_was_kept_counts_from_their_application(school, users, today):
    counselor = users["counselor"]
    kept_before, recent_before = (make_mentor(school, counselor, given_name=name) for name in ("Old", "New"))
    for profile, days in ((kept_before, 43), (recent_before, 41)):
        profile.accepted_on, profile.created_at = None, utcnow() - timedelta(days=days)
    accepted = make_mentor(school, counselor, given_name="Accepted")
    became_mentor(accepted, 50)
    db.session.commit()
    assert overdue_names(school, today) == ["Old", "Accepted"]  # no day of acceptance: waited longest


def test_only_mentors_who_can_have_mentees_are_overdue(school, other_school, users, make_user, today):
    counselor = users["counselor"]
    paused = make_mentor(school, counselor, given_name="Paused")
    left = make_mentor(school, counselor, given_name="Left")
    applicant = mentors.apply_to_mentor(make_user("student", grade=11, given_name="Applicant"), bio="",
                                        motivation="", capacity=1, topics=[], availability=[])
    declined = mentors.apply_to_mentor(make_user("student", grade=11, given_name="Declined"), bio="",
                                       motivation="", capacity=1, topics=[], availability=[])
    mentors.decide_application(declined, False, counselor)
    elsewhere = make_mentor(other_school, make_user("counselor"), given_name="Elsewhere")
    mentors.set_paused(paused, True)
    left.user.active = False
    for profile in (paused, left, applicant, declined, elsewhere):
        became_mentor(profile, 100)
    db.session.commit()
    assert overdue_names(school, today) == ["Paused"]
    cutoffs = supervision.overdue_cutoffs(school, today)
    assert db.session.scalar(supervision.overdue_count_query(school.id, **cutoffs)) == 1


def test_a_session_of_another_school_does_not_count(school, other_school, users, make_user, today):
    mentor = make_mentor(school, users["counselor"], given_name="Amira")
    became_mentor(mentor, 100)
    foreign = SupervisionSession(school_id=other_school.id, held_on=today, kind="group", minutes=30,
                                 themes=["listening"])
    db.session.add(foreign)
    db.session.commit()
    assert overdue_names(school, today) == ["Amira"]


# --- mentors' own checks -------------------------------------------------------------------------

def feeling(school, mentor_id, kind="hard", wants_to_talk=False, minutes_ago=0, **values) -> MentorFeeling:
    row = MentorFeeling(school_id=school.id, mentor_id=mentor_id, feeling=kind, wants_to_talk=wants_to_talk,
                        created_at=utcnow() - timedelta(minutes=minutes_ago), **values)
    db.session.add(row)
    db.session.commit()
    return row


def test_checks_that_need_a_counselor_wait_oldest_first_until_seen(school, other_school, users, make_user):
    mentor = make_mentor(school, users["counselor"]).user
    hard = feeling(school, mentor.id, "hard", minutes_ago=5)
    talk = feeling(school, mentor.id, "fine", wants_to_talk=True, minutes_ago=50)
    feeling(school, mentor.id, "fine")
    feeling(school, mentor.id, "bit_hard")
    feeling(school, mentor.id, "hard", seen_at=utcnow(), seen_by_id=users["counselor"].id)
    feeling(other_school, make_mentor(other_school, make_user("counselor")).user_id, "hard")
    waiting = db.session.scalars(supervision.waiting_feelings_query(school.id)).all()
    assert [f.id for f in waiting] == [talk.id, hard.id]
    assert db.session.scalar(supervision.waiting_feelings_count_query(school.id)) == 2

    now = datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
    assert supervision.mark_seen(hard, users["counselor"], now) is True
    db.session.commit()
    second = make_user("counselor")
    assert supervision.mark_seen(hard, second, now + timedelta(hours=1)) is False  # the first one stays
    assert hard.seen_by_id == users["counselor"].id
    assert [f.id for f in db.session.scalars(supervision.waiting_feelings_query(school.id))] == [talk.id]


def test_the_dashboard_counts_come_in_its_one_statement(school, users, today):
    mentor = make_mentor(school, users["counselor"])
    became_mentor(mentor, 100)
    feeling(school, mentor.user_id, "hard")
    counts = dashboard_counts(school.id, utcnow(), today)
    assert (counts.supervision_overdue, counts.feelings_waiting) == (1, 1)
    record(school, users["counselor"], today, [mentor])
    assert dashboard_counts(school.id, utcnow(), today).supervision_overdue == 0
