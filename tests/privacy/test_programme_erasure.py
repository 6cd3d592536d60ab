"""Erasing a student and the programme's records: their words go in both modes; "delete" removes
their rows too, "unlink" keeps the numbers without a name (or under the anonymous record where the
people column may not be empty). Built on one record of each kind (tests/factories.py)."""
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.privacy import erasure
from schoolpeers.programme import models as programme
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory, one_of_each_record

P = programme


@pytest.fixture
def world(school, users):
    """one_of_each_record's people and ids, with the kinds it leaves out added (agreement, goal
    progress, closure, both exit surveys) and words in every text column."""
    people, ids = one_of_each_record(school, dict(users))
    m = db.session.get(Mentorship, ids["mentorship_id"])
    for model in (P.GoalProgress, P.Agreement, P.Closure, P.ExitSurvey):  # ours replace any the factory makes
        where = (P.GoalProgress.goal_id == ids["goal_id"] if model is P.GoalProgress
                 else model.mentorship_id == m.id)
        db.session.execute(delete(model).where(where))
    db.session.add_all([
        P.Agreement(school_id=school.id, mentorship_id=m.id, how_often="weekly", where="Library at lunch",
                    ground_rules="What we say stays here.", agreed_on=date.today()),
        P.GoalProgress(school_id=school.id, checkin_id=ids["checkin_id"], goal_id=ids["goal_id"], progress=2),
        P.Closure(school_id=school.id, mentorship_id=m.id, goodbye_message="Good luck in year 9!"),
        P.ExitSurvey(school_id=school.id, mentorship_id=m.id, side="mentee", respondent_id=m.mentee_id, got_on=5,
                     helped=5, recommend="yes", comment="Best thing this year."),
        P.ExitSurvey(school_id=school.id, mentorship_id=m.id, side="mentor", respondent_id=m.mentor_id, got_on=4,
                     helped=3, recommend="yes", comment="He talked about his dad a lot."),
    ])
    db.session.get(P.MentorFeeling, ids["feeling_id"]).note = "I worried about him all evening."
    db.session.get(P.Certificate, ids["certificate_id"]).citation = "For listening so well."
    db.session.commit()
    return people, ids


def erase(student, admin, school, mode):
    school.erasure_mode = mode
    db.session.commit()
    result = erasure.erase_student(student, reason="Family's request", actor=admin, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    return result


def rows(model, **where):
    return db.session.scalars(select(model).filter_by(**where)).all()


def pointing_at(user_id: int) -> dict[str, int]:
    """How many programme rows name the user, table by table."""
    as_mentee = select(Mentorship.id).where(Mentorship.mentee_id == user_id)
    counts = {
        "goals": select(P.Goal).where(P.Goal.mentorship_id.in_(as_mentee)),
        "agreements": select(P.Agreement).where(P.Agreement.mentorship_id.in_(as_mentee)),
        "closures": select(P.Closure).where(P.Closure.mentorship_id.in_(as_mentee)),
        "outcome measures": select(P.OutcomeMeasure).where(P.OutcomeMeasure.mentee_id == user_id),
        "exit surveys": select(P.ExitSurvey).where(P.ExitSurvey.respondent_id == user_id),
        "mentor feelings": select(P.MentorFeeling).where(P.MentorFeeling.mentor_id == user_id),
        "supervision attendance": select(P.SupervisionAttendance).where(P.SupervisionAttendance.mentor_id == user_id),
        "certificates": select(P.Certificate).where(P.Certificate.mentor_id == user_id),
    }
    return {table: db.session.scalar(select(func.count()).select_from(query.subquery()))
            for table, query in counts.items()}


def texts() -> set[str]:
    """Every programme text still held."""
    found = set()
    for column in (P.Agreement.where, P.Agreement.ground_rules, P.Goal.wording, P.Closure.goodbye_message,
                   P.ExitSurvey.comment, P.MentorFeeling.note, P.Certificate.citation):
        found |= {v for v in db.session.scalars(select(column)) if v}
    return found


ALL_TEXT = {"Library at lunch", "What we say stays here.", "Talk to someone new each week", "Good luck in year 9!",
            "Best thing this year.", "He talked about his dad a lot.", "I worried about him all evening.",
            "For listening so well."}


def test_the_fixture_holds_every_kind_of_text(world):
    assert texts() == ALL_TEXT
    people, _ = world
    assert all(pointing_at(people["student"].id)[t] for t in ("goals", "agreements", "closures", "outcome measures",
                                                               "exit surveys"))
    assert all(pointing_at(people["mentor"].id)[t] for t in ("exit surveys", "mentor feelings",
                                                              "supervision attendance", "certificates"))


def test_unlink_keeps_the_mentees_numbers_without_words_or_name(world, users, school):
    people, ids = world
    mentee = people["student"]
    result = erase(mentee, users["admin"], school, "unlink")
    # Everything about the mentee goes, also the mentor's words about them; the mentor's citation stays.
    assert texts() == {"For listening so well."}
    # agreement, goal, closure, both surveys, the mentor's feeling after their check-in
    assert result.counts["programme records cleared of text"] == 6
    assert result.counts["questionnaires kept without name"] == 1
    [goal] = rows(P.Goal)
    assert (goal.area, goal.wording) == ("friendships", "")
    assert [p.progress for p in rows(P.GoalProgress)] == [2]
    [agreement] = rows(P.Agreement)
    assert agreement.how_often == "weekly" and agreement.agreed_on == date.today()
    [measure] = rows(P.OutcomeMeasure)
    assert (measure.mentee_id, measure.mentorship_id, measure.score, measure.grade) == (
        None, ids["mentorship_id"], 60, mentee.grade)
    assert sorted((s.side, s.got_on, s.respondent_id) for s in rows(P.ExitSurvey)) == [
        ("mentee", 5, mentee.id), ("mentor", 4, people["mentor"].id)]  # the mentee's, under the anonymous record
    feeling = db.session.get(P.MentorFeeling, ids["feeling_id"])
    assert (feeling.feeling, feeling.checkin_id, feeling.note) == ("hard", ids["checkin_id"], None)
    assert pointing_at(mentee.id) == {"goals": 1, "agreements": 1, "closures": 1, "outcome measures": 0,
                                      "exit surveys": 1, "mentor feelings": 0, "supervision attendance": 0,
                                      "certificates": 0}


def test_delete_removes_the_mentees_rows_and_keeps_the_mentors_own(world, users, school):
    people, ids = world
    mentee, mentor = people["student"], people["mentor"]
    result = erase(mentee, users["admin"], school, "delete")
    assert set(pointing_at(mentee.id).values()) == {0}
    assert rows(P.Goal) == rows(P.GoalProgress) == rows(P.Agreement) == rows(P.Closure) == []
    assert rows(P.OutcomeMeasure) == []
    assert {k: result.counts[k] for k in ("goals deleted", "goal progress deleted", "agreements deleted",
                                          "closures deleted", "questionnaires deleted", "exit surveys deleted")} == {
        "goals deleted": 1, "goal progress deleted": 1, "agreements deleted": 1, "closures deleted": 1,
        "questionnaires deleted": 1, "exit surveys deleted": 1}
    assert db.session.get(CheckIn, ids["checkin_id"]) is None  # no concern pointed to it
    # The mentor's own records stay: their survey without its words about the mentee, and their
    # feeling, now pointing to no check-in, without its note.
    [survey] = rows(P.ExitSurvey)
    assert (survey.side, survey.respondent_id, survey.got_on, survey.comment) == ("mentor", mentor.id, 4, None)
    feeling = db.session.get(P.MentorFeeling, ids["feeling_id"])
    assert (feeling.mentor_id, feeling.checkin_id, feeling.note) == (mentor.id, None, None)
    assert rows(P.SupervisionAttendance, mentor_id=mentor.id) and rows(P.Certificate, mentor_id=mentor.id)
    assert texts() == {"For listening so well."}


def test_unlink_keeps_a_mentors_records_under_the_anonymous_record_without_words(world, users, school):
    people, ids = world
    mentor, mentee = people["mentor"], people["student"]
    result = erase(mentor, users["admin"], school, "unlink")
    # The mentee's own words and the pair's plans stay: they are the mentee's record.
    assert texts() == {"Library at lunch", "What we say stays here.", "Talk to someone new each week",
                       "Best thing this year."}
    # the goodbye message, their survey's comment, their feeling's note, their certificate's citation
    assert result.counts["programme records cleared of text"] == 4
    assert pointing_at(mentor.id) == {"goals": 0, "agreements": 0, "closures": 0, "outcome measures": 0,
                                      "exit surveys": 1, "mentor feelings": 1, "supervision attendance": 1,
                                      "certificates": 1}
    assert db.session.get(P.Certificate, ids["certificate_id"]).supervision_minutes == 45
    assert db.session.get(P.MentorFeeling, ids["feeling_id"]).feeling == "hard"
    [measure] = rows(P.OutcomeMeasure)
    assert measure.mentee_id == mentee.id  # the mentee's, untouched
    assert db.session.get(type(mentor), mentor.id).given_name == "Erased"


def test_delete_removes_a_mentors_own_rows_and_keeps_the_session_and_the_mentees(world, users, school):
    people, ids = world
    mentor, mentee = people["mentor"], people["student"]
    result = erase(mentor, users["admin"], school, "delete")
    assert set(pointing_at(mentor.id).values()) == {0}
    assert {k: result.counts[k] for k in ("mentor feelings deleted", "supervision attendance deleted",
                                          "certificates deleted", "exit surveys deleted")} == {
        "mentor feelings deleted": 1, "supervision attendance deleted": 1, "certificates deleted": 1,
        "exit surveys deleted": 1}
    [session] = rows(P.SupervisionSession)
    assert session.id == ids["session_id"] and session.minutes == 45 and session.attendance == []
    assert pointing_at(mentee.id)["goals"] == 1 and rows(P.GoalProgress) and rows(P.Agreement)
    assert [s.side for s in rows(P.ExitSurvey)] == ["mentee"]
    [closure] = rows(P.Closure)
    assert closure.goodbye_message is None  # the erased mentor's words


def test_another_schools_records_are_untouched(world, users, school, other_school):
    make = UserFactory(other_school)
    other_people = {"counselor": make("counselor"), "student": make("student"), "admin": make("admin")}
    db.session.commit()
    other, other_ids = one_of_each_record(other_school, other_people)
    db.session.get(P.Goal, other_ids["goal_id"]).wording = "Their own goal"
    db.session.commit()
    erase(world[0]["student"], users["admin"], school, "delete")
    erase(world[0]["mentor"], users["admin"], school, "delete")
    assert db.session.get(P.Goal, other_ids["goal_id"]).wording == "Their own goal"
    assert pointing_at(other["mentor"].id)["certificates"] == 1
    assert db.session.get(P.OutcomeMeasure, other_ids["measure_id"]).mentee_id == other["student"].id


def test_the_admins_page_erases_a_student_with_every_record_and_audits_the_counts(client, login_as, world, users):
    people, _ = world
    mentee = people["student"]
    login_as(users["admin"])
    response = client.post(f"/admin/users/{mentee.id}/erase",
                           data={"reason": "Family's request", "confirm_username": mentee.username})
    assert response.status_code == 302
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.erase")).all()
    assert event.detail["counts"]["programme records cleared of text"] == 6
    assert event.detail["counts"]["questionnaires kept without name"] == 1
