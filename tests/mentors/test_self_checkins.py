"""A mentee's own check-in: saved and screened together, its words for counselors only."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from schoolpeers.extensions import db
from schoolpeers.mentors import self_checkins
from schoolpeers.mentors.models import SelfCheckIn
from schoolpeers.mentors.self_checkins import SelfCheckInData, SelfCheckInError, record_self_checkin
from schoolpeers.mentors.signals import self_checkin_saved
from schoolpeers.oversight.models import Concern
from tests.factories import UserFactory


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_calm_check_in_is_saved_without_a_concern(mentorship):
    entry, severity = record_self_checkin(mentorship.mentee, SelfCheckInData(4, {"sleep_energy": 2}), date.today())
    db.session.commit()
    assert severity is None and entry.mentorship_id == mentorship.id and entry.sleep_energy == 2
    assert count(Concern) == 0


def test_worrying_words_raise_a_concern_in_the_same_transaction(mentorship):
    entry, severity = record_self_checkin(
        mentorship.mentee, SelfCheckInData(3, note="i keep thinking about killing myself"), date.today())
    concern = db.session.scalar(select(Concern))
    assert severity == "high" and concern.self_checkin_id == entry.id and concern.checkin_id is None
    assert concern.summary.startswith("In the student's own check-in:")
    assert "killing myself" not in concern.summary  # the lexicon's phrases, not the student's words
    db.session.rollback()
    assert count(SelfCheckIn) == 0 and count(Concern) == 0  # one transaction: neither stays alone


def test_the_lowest_face_and_a_sharp_drop_are_findings(mentorship):
    for rating in (5, 5, 5):
        record_self_checkin(mentorship.mentee, SelfCheckInData(rating), date.today())
    _, severity = record_self_checkin(mentorship.mentee, SelfCheckInData(2), date.today())
    assert severity is not None
    _, lowest = record_self_checkin(mentorship.mentee, SelfCheckInData(1), date.today())
    assert lowest == "high"


def test_asking_for_a_counselor_raises_one_request(mentorship):
    for _ in range(2):
        entry, severity = record_self_checkin(mentorship.mentee, SelfCheckInData(4, wants_counselor=True),
                                              date.today())
    requests = db.session.scalars(select(Concern).where(Concern.source == "mentee_request")).all()
    assert severity == "medium" and len(requests) == 1  # pressed twice, asked once


@pytest.mark.parametrize(("data", "field"), [
    (SelfCheckInData(0), "wellbeing"), (SelfCheckInData(6), "wellbeing"),
    (SelfCheckInData(3, {"home": 9}), "home"), (SelfCheckInData(3, {"pets": 2}), "pets"),
    (SelfCheckInData(3, note="x" * 2001), "note"),
])
def test_bad_answers_are_refused_next_to_their_field(mentorship, data, field):
    with pytest.raises(SelfCheckInError) as refused:
        record_self_checkin(mentorship.mentee, data, date.today())
    assert refused.value.field == field and count(SelfCheckIn) == 0


def test_only_a_student_with_a_mentor_checks_in(mentorship, make_user):
    loner = make_user("student")
    assert not self_checkins.may_check_in(loner) and self_checkins.may_check_in(mentorship.mentee)
    with pytest.raises(SelfCheckInError):
        record_self_checkin(loner, SelfCheckInData(3), date.today())
    with pytest.raises(SelfCheckInError):  # a mentor has no mentor of their own here
        record_self_checkin(mentorship.mentor, SelfCheckInData(3), date.today())


def test_nothing_is_saved_unscreened(mentorship, monkeypatch):
    monkeypatch.setattr(self_checkin_saved, "receivers", {})
    with pytest.raises(RuntimeError):
        record_self_checkin(mentorship.mentee, SelfCheckInData(3, note="hello"), date.today())


def test_due_once_a_cadence_period(mentorship):
    today = date.today()
    assert self_checkins.is_due(None, today, 14)
    entry, _ = record_self_checkin(mentorship.mentee, SelfCheckInData(3), today - timedelta(days=13))
    assert not self_checkins.is_due(entry, today, 14)
    assert self_checkins.is_due(entry, today + timedelta(days=1), 14)


def test_latest_faces_are_per_mentee_and_per_school(mentorship, other_school):
    record_self_checkin(mentorship.mentee, SelfCheckInData(2), date.today())
    latest, _ = record_self_checkin(mentorship.mentee, SelfCheckInData(5), date.today())
    assert self_checkins.latest_self_ratings(mentorship.school_id, [mentorship.mentee_id]) == {
        mentorship.mentee_id: latest}
    assert self_checkins.latest_self_ratings(other_school.id, [mentorship.mentee_id]) == {}
    assert self_checkins.latest_self_ratings(mentorship.school_id, []) == {}


# --- pages ---------------------------------------------------------------------------------------

def test_a_mentee_checks_in_on_the_page(client, mentorship, login_as, smtp_inbox, users):
    login_as(mentorship.mentee)
    assert b"How am I doing? Check in" in client.get("/").data
    page = client.get("/me/checkin")
    assert page.status_code == 200 and b"How are you feeling today?" in page.data
    response = client.post("/me/checkin", data={"wellbeing": "1", "note": "i want to die",
                                                "wants_counselor": "y"})
    assert response.status_code == 302 and "/me/checkin/done" in response.location
    done = client.get(response.location)
    assert b"A school counselor will read this" in done.data
    assert count(SelfCheckIn) == 1 and count(Concern) == 2
    assert smtp_inbox.messages, "counselors are mailed about the high concern"
    assert all(b"i want to die" not in m.content for m in smtp_inbox.messages)


def test_mistakes_show_next_to_the_field(client, mentorship, login_as):
    login_as(mentorship.mentee)
    response = client.post("/me/checkin", data={"note": "x" * 2001})
    assert response.status_code == 200
    assert b"Choose one of the five faces." in response.data and count(SelfCheckIn) == 0


def test_a_student_without_a_mentor_is_sent_home(client, make_user, login_as):
    login_as(make_user("student"))
    response = client.post("/me/checkin", data={"wellbeing": "3"})
    assert response.status_code == 302 and count(SelfCheckIn) == 0


def test_the_words_are_for_counselors_and_the_face_for_mentors_where_allowed(client, mentorship, login_as,
                                                                              school, users):
    entry, _ = record_self_checkin(mentorship.mentee, SelfCheckInData(2, note="secret words about home",
                                                                     wants_counselor=True), date.today())
    db.session.commit()
    login_as(mentorship.mentor)
    assert "own check-in" not in client.get("/mentor/mentees").get_data(as_text=True)
    school.mentor_sees_self_rating = True
    db.session.commit()
    page = client.get("/mentor/mentees").get_data(as_text=True)
    assert "own check-in" in page and "Low" in page and "secret words" not in page
    concern = db.session.scalar(select(Concern).where(Concern.self_checkin_id == entry.id))
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert "The student's own check-in" in page and "secret words about home" in page
    assert "secret words about home" in client.get(f"/oversight/students/{mentorship.mentee_id}").get_data(
        as_text=True)


def test_another_schools_counselor_never_sees_it(client, mentorship, login_as, other_school):
    entry, _ = record_self_checkin(mentorship.mentee, SelfCheckInData(1, note="private"), date.today())
    db.session.commit()
    concern = db.session.scalar(select(Concern).where(Concern.self_checkin_id == entry.id))
    login_as(UserFactory(other_school)("counselor"))
    assert client.get(f"/oversight/concerns/{concern.id}").status_code == 404


def test_the_setting_is_an_admins_choice(client, school, users, login_as):
    login_as(users["admin"])
    page = client.get("/admin/settings")
    assert b"Mentors see the face their mentee chose" in page.data
