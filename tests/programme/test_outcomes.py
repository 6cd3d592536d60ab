"""The well-being questionnaire: when it is due, what saving it does (score, grade, a concern for a
very low score), the mentee's page, the home prompt, and the outcomes report's pages."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors import services as mentor_services
from schoolpeers.oversight.models import Concern
from schoolpeers.programme import outcomes
from schoolpeers.programme.models import Closure, ExitSurvey, Goal, OutcomeMeasure, OutcomeRelease
from schoolpeers.programme.steps import steps_for
from schoolpeers.reports.trends import DEFAULT_TERMS
from schoolpeers.timeutil import in_zone, utcnow
from tests.factories import UserFactory, make_mentor, make_request
from tests.oversight.conftest import mentorship as active_mentorship  # noqa: F401  (the `mentorship` fixture)

TODAY = date(2026, 11, 16)  # far from the end of teaching (15 July unless the school says otherwise)


def due_of(student, today=TODAY):
    return [(d.mentorship.id, d.occasion) for d in outcomes.questionnaires_due(student, today)]


def measure(m, occasion, score, on, grade=8):
    db.session.add(OutcomeMeasure(school_id=m.school_id, mentee_id=m.mentee_id, mentorship_id=m.id, occasion=occasion,
                                  scale="who5", answers=[score // 20] * 5, score=score, grade=grade, answered_on=on))
    db.session.flush()


def test_the_start_is_due_in_the_first_thirty_days_only(mentorship):
    mentorship.began_on = TODAY - timedelta(days=30)
    assert due_of(mentorship.mentee) == [(mentorship.id, "start")]
    mentorship.began_on = TODAY - timedelta(days=31)
    assert due_of(mentorship.mentee) == []  # a later answer is not a baseline


def test_the_end_is_due_once_the_ending_is_begun_but_not_within_four_weeks_of_the_start(mentorship, users):
    measure(mentorship, "start", 60, TODAY - timedelta(days=27))
    db.session.add(Closure(school_id=mentorship.school_id, mentorship_id=mentorship.id,
                           begun_by_id=users["counselor"].id))
    db.session.flush()
    assert due_of(mentorship.mentee) == []
    assert due_of(mentorship.mentee, TODAY + timedelta(days=1)) == [(mentorship.id, "end")]


def test_teaching_ends_on_the_schools_last_day_of_teaching_in_todays_school_year(school):
    assert (school.teaching_ends_month, school.teaching_ends_day) == (7, 15)
    for today in (date(2025, 9, 1), date(2026, 1, 15), date(2026, 7, 15), date(2026, 8, 31)):
        assert DEFAULT_TERMS.year_containing(today).end == date(2026, 8, 31)  # the school year 2025-26
        assert outcomes.teaching_ends(school, today) == date(2026, 7, 15)
    assert outcomes.teaching_ends(school, date(2026, 9, 1)) == date(2027, 7, 15)
    school.teaching_ends_month, school.teaching_ends_day = 6, 24
    assert outcomes.teaching_ends(school, date(2025, 10, 1)) == date(2026, 6, 24)
    school.teaching_ends_month, school.teaching_ends_day = 12, 18  # a day from September on: the year's first
    assert outcomes.teaching_ends(school, date(2026, 3, 1)) == date(2025, 12, 18)


def test_the_end_is_due_in_the_last_thirty_days_of_teaching_not_in_the_holidays(mentorship):
    mentee, end = mentorship.mentee, [(mentorship.id, "end")]
    measure(mentorship, "start", 60, date(2026, 3, 2))
    last = date(2026, 7, 15)  # the default last day of teaching
    assert due_of(mentee, last - timedelta(days=31)) == []
    assert due_of(mentee, last - timedelta(days=30)) == end
    assert due_of(mentee, last) == end
    assert due_of(mentee, last + timedelta(days=1)) == []  # the summer holidays
    assert due_of(mentee, date(2026, 8, 31)) == []
    mentee.school.teaching_ends_month, mentee.school.teaching_ends_day = 6, 24
    db.session.flush()
    assert due_of(mentee, date(2026, 5, 24)) == []
    assert due_of(mentee, date(2026, 5, 25)) == end
    assert due_of(mentee, date(2026, 6, 24)) == end
    assert due_of(mentee, date(2026, 6, 25)) == []


def test_the_database_refuses_a_last_day_of_teaching_no_year_has(school):
    for month, day in ((6, 31), (2, 30), (2, 29), (13, 1), (7, 0)):
        school.teaching_ends_month, school.teaching_ends_day = month, day
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    school.teaching_ends_month, school.teaching_ends_day = 2, 28
    db.session.flush()


def test_after_the_mentorship_ended_the_end_is_due_for_thirty_days_with_a_start_answer(mentorship, users):
    mentee = mentorship.mentee
    mentor_services.close_mentorship(mentorship, "completed", "", users["counselor"])
    today = utcnow().date()
    assert due_of(mentee, today) == []  # no start answer: an end alone pairs with nothing
    measure(mentorship, "start", 60, today - timedelta(days=40))
    assert due_of(mentee, today) == [(mentorship.id, "end")]
    assert due_of(mentee, today + timedelta(days=31)) == []
    measure(mentorship, "end", 60, today)
    assert due_of(mentee, today) == []


def test_nothing_is_due_for_a_student_without_a_mentor_or_for_an_adult(users):
    assert due_of(users["student"]) == []
    assert due_of(users["counselor"]) == []


def test_answers_are_saved_with_score_grade_and_day(mentorship):
    mentee = mentorship.mentee
    saved, concern = outcomes.record_answers(mentee, mentorship.id, "start", ["5", "4", "3", "2", "1"], date.today(),
                                             utcnow())
    assert (saved.score, saved.answers, saved.grade, saved.scale, saved.answered_on) == (
        60, [5, 4, 3, 2, 1], 8, "who5", date.today())
    assert concern is None
    with pytest.raises(outcomes.QuestionnaireError) as refused:
        outcomes.record_answers(mentee, mentorship.id, "start", [5] * 5, date.today(), utcnow())
    assert refused.value.field == "due"


def test_a_wrong_answer_is_refused_next_to_its_question(mentorship):
    with pytest.raises(outcomes.QuestionnaireError) as refused:
        outcomes.record_answers(mentorship.mentee, mentorship.id, "start", [5, 5, 9, 5, 5], date.today(), utcnow())
    assert refused.value.field == "item_3"


def test_a_very_low_score_raises_a_concern_with_the_score_not_the_answers(mentorship):
    saved, concern = outcomes.record_answers(mentorship.mentee, mentorship.id, "start", [2, 2, 1, 1, 1],
                                             date.today(), utcnow())
    assert concern.source == "low_questionnaire" and concern.severity == "medium"
    assert concern.student_id == mentorship.mentee_id and concern.mentorship_id == mentorship.id
    assert "WHO-5" in concern.summary and "28 of 100" in concern.summary
    assert "[2, 2, 1, 1, 1]" not in concern.summary and "Some of the time" not in concern.summary


def test_the_page_asks_each_question_and_saves_in_one_go(client, login_as, mentorship):
    login_as(mentorship.mentee)
    page = client.get("/me/questionnaire").get_data(as_text=True)
    assert "A few questions about the last two weeks" in page and "I woke up feeling fresh and rested" in page
    assert "More than half of the time" in page and "Topp" in page and "without permission" in page
    form = {"mentorship": str(mentorship.id), "occasion": "start", **{f"item_{n}": "1" for n in range(1, 6)}}
    del form["item_4"]
    page = client.post("/me/questionnaire", data=form).get_data(as_text=True)
    assert "Choose the words closest" in page
    assert db.session.scalar(select(OutcomeMeasure.id)) is None
    form["item_4"] = "0"
    response = client.post("/me/questionnaire", data=form, follow_redirects=True)
    assert "a school counselor will find you" in response.get_data(as_text=True)
    saved = db.session.scalar(select(OutcomeMeasure))
    assert saved.score == 16 and saved.mentee_id == mentorship.mentee_id
    assert db.session.scalar(select(Concern.source)) == "low_questionnaire"
    assert "no questions waiting" in client.get("/me/questionnaire").get_data(as_text=True)


def test_the_home_page_prompts_while_the_questionnaire_waits(client, login_as, mentorship):
    prompt = "A few questions about how you&#39;ve been (2 minutes)"
    assert outcomes.PROMPT in [p.text for p in steps_for(mentorship.mentee, date.today())]
    assert prompt in login_as(mentorship.mentee).get("/").get_data(as_text=True)
    outcomes.record_answers(mentorship.mentee, mentorship.id, "start", [3] * 5, date.today(), utcnow())
    db.session.commit()
    assert prompt not in client.get("/").get_data(as_text=True)
    assert outcomes.PROMPT not in [p.text for p in steps_for(mentorship.mentor, date.today())]


# --- the outcomes report ---------------------------------------------------------------------------


def a_day_of_last_school_year(school):
    """A day in June of the school year before this one: that year has ended at the school."""
    this_year = DEFAULT_TERMS.year_containing(in_zone(utcnow(), school.timezone).date())
    return date(this_year.start.year, 6, 15)


def make_pairs(school, users, make_user, day, count=7, first=0):
    """`count` pairs of grade 7 mentees (+10 each, goals in friendships) whose answers and exit surveys
    are of `day`."""
    today = utcnow().date()
    made = []
    for n in range(first, first + count):
        mentor = make_mentor(school, users["counselor"], given_name=f"Mentor{n}")
        mentee = make_user("student", grade=7)
        m = matching.match_single(make_request(mentee), users["counselor"], today)
        matching.approve(m, users["counselor"], today)
        assert m.mentor_id == mentor.user_id
        measure(m, "start", 40 + n, day - timedelta(days=60), grade=7)
        measure(m, "end", 50 + n, day, grade=7)
        db.session.add(Goal(school_id=school.id, mentorship_id=m.id, position=1, area="friendships", wording="x"))
        db.session.add(ExitSurvey(school_id=school.id, mentorship_id=m.id, side="mentee", respondent_id=mentee.id,
                                  got_on=4, helped=5, recommend="yes", what_helped=["listening"],
                                  created_at=datetime.combine(day, time(12), timezone.utc)))
        made.append(m)
    db.session.commit()
    return made


@pytest.fixture
def year_of_pairs(school, users, make_user):
    """Seven pairs whose end answers fall in the last school year, which has ended."""
    return make_pairs(school, users, make_user, a_day_of_last_school_year(school))


def releases():
    return list(db.session.scalars(select(OutcomeRelease)))


def test_the_report_shows_paired_change_and_satisfaction(client, login_as, users, year_of_pairs):
    page = login_as(users["staff"]).get("/reports/outcomes").get_data(as_text=True)
    assert "43.0" in page and "53.0" in page and "+10.0" in page  # means of 40..46 and 50..56
    assert "hidden" in page  # grades 9-10 and 11-12 are empty; the mentors' side answered nothing
    assert "4.0" in page and "≥95%" in page  # got on; everyone would recommend
    assert "Topp" in page
    csv = login_as(users["counselor"]).get("/reports/outcomes.csv")
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "all,All grades," in text and ",43.0,53.0,+10.0" in text
    assert "goal area,Friendships and getting on with people," in text and "Mentees," in text


def test_an_ended_year_is_published_once_and_stored(client, login_as, users, school, year_of_pairs):
    login_as(users["staff"])
    first = client.get("/reports/outcomes").get_data(as_text=True)
    [release] = releases()
    year = DEFAULT_TERMS.year_containing(a_day_of_last_school_year(school))
    assert (release.school_id, release.year_start, release.year_end, release.k) == (
        school.id, year.start, year.end, school.min_group_size)
    assert release.content["scale"] == "who5"
    assert release.content["change"]["total"]["change"] == "+10.0"
    assert client.get("/reports/outcomes").get_data(as_text=True) == first
    assert len(releases()) == 1


def test_later_answers_and_erasures_do_not_change_a_published_year(client, login_as, users, school, make_user,
                                                                   year_of_pairs):
    login_as(users["staff"])
    page = client.get("/reports/outcomes").get_data(as_text=True)
    csv = client.get("/reports/outcomes.csv").get_data(as_text=True)
    # One more pair of the same year, then the end answer of another erased: live figures would move.
    make_pairs(school, users, make_user, a_day_of_last_school_year(school), count=1, first=30)
    db.session.delete(db.session.scalar(select(OutcomeMeasure).where(
        OutcomeMeasure.mentorship_id == year_of_pairs[0].id, OutcomeMeasure.occasion == "end")))
    db.session.commit()
    live = outcomes.outcomes_report(school, DEFAULT_TERMS.year_containing(a_day_of_last_school_year(school)),
                                    b"x").change.total
    assert live.start != "43.0"  # what a recomputed report would show now
    assert client.get("/reports/outcomes").get_data(as_text=True) == page
    assert client.get("/reports/outcomes.csv").get_data(as_text=True) == csv
    assert len(releases()) == 1


def test_the_csv_serves_the_stored_release(client, login_as, users, year_of_pairs):
    login_as(users["counselor"]).get("/reports/outcomes")
    [release] = releases()
    content = dict(release.content)
    content["change"] = {**content["change"], "total": {**content["change"]["total"], "change": "+7.5"}}
    release.content = content
    db.session.commit()
    text = client.get("/reports/outcomes.csv").get_data(as_text=True)
    assert "all,All grades," in text and ",43.0,53.0,+7.5" in text and "+10.0" not in text.split("\n")[1]


def test_the_current_year_is_not_published(client, login_as, users, school, make_user):
    make_pairs(school, users, make_user, utcnow().date())
    login_as(users["staff"])
    page = client.get("/reports/outcomes").get_data(as_text=True)
    assert "has not ended yet" in page and "never change" in page and "single out a student" in page
    assert "+10.0" not in page and "53.0" not in page and "Download CSV" not in page
    csv = client.get("/reports/outcomes.csv")
    assert csv.status_code == 302 and csv.mimetype != "text/csv"
    assert releases() == []


def test_a_school_under_differential_privacy_publishes_no_outcomes(client, login_as, users, school, year_of_pairs):
    school.report_protection = "differential_privacy"
    db.session.commit()
    login_as(users["staff"])
    page = client.get("/reports/outcomes").get_data(as_text=True)
    assert "differential privacy" in page and "privacy budget" in page
    assert "+10.0" not in page and "Download CSV" not in page
    assert client.get("/reports/outcomes.csv").status_code == 302
    assert releases() == []


def test_a_small_year_is_hidden_on_the_page_and_in_the_csv(client, login_as, users, year_of_pairs):
    for m in year_of_pairs[:3]:
        db.session.delete(db.session.scalar(select(OutcomeMeasure).where(
            OutcomeMeasure.mentorship_id == m.id, OutcomeMeasure.occasion == "end")))
    db.session.commit()
    text = login_as(users["staff"]).get("/reports/outcomes.csv").get_data(as_text=True)
    assert "+10.0" not in text and "all,All grades,hidden,hidden,hidden,hidden" in text


def test_the_report_is_of_the_signed_in_school_and_a_chosen_year(client, login_as, other_school, year_of_pairs):
    outsider = UserFactory(other_school)("staff")
    db.session.commit()
    page = login_as(outsider).get("/reports/outcomes").get_data(as_text=True)
    assert "+10.0" not in page
    assert "+10.0" not in login_as(outsider).get("/reports/outcomes?year=1999-00").get_data(as_text=True)


@pytest.mark.parametrize("odd", ["²", "-1", "9" * 40, "", " ", "1e3", "٣"])
def test_an_odd_mentorship_in_the_questionnaire_is_refused_plainly(client, login_as, mentorship, odd):
    login_as(mentorship.mentee)
    form = {"mentorship": odd, "occasion": "start", **{f"item_{n}": "3" for n in range(1, 6)}}
    response = client.post("/me/questionnaire", data=form)
    assert response.status_code == 302
    assert outcomes.NOT_WAITING.replace("'", "&#39;") in client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(OutcomeMeasure.id)) is None
