"""Loading a school's report from the database, building and protecting it."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event

from schoolpeers.extensions import db
from schoolpeers.reports import services
from schoolpeers.reports.privacy import CellStatus
from schoolpeers.reports.services import ReportParams, grade_bands, load_checkins, load_concerns, school_report
from schoolpeers.reports.trends import ALL_PERIODS, CHECKIN_COLUMNS, CONCERN_COLUMNS, MEASURES, WHOLE_SCHOOL
from tests.factories import UserFactory, make_mentor
from tests.reports.conftest import APRIL, MARCH, SECRET_NAMES, SECRET_NOTE, SMALL_GROUP_MEAN, Programme

ALL_GRADES = frozenset(range(6, 13))
TODAY = date(2025, 4, 30)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)


@pytest.fixture
def count_queries(app, monkeypatch):
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    if db.engine.dialect.name == "postgresql":  # big loads run as COPY, outside SQLAlchemy's events
        import psycopg

        original = psycopg.Cursor.copy

        def counted_copy(cursor, statement, *args, **kwargs):
            counter.statements.append(str(statement))
            return original(cursor, statement, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "copy", counted_copy)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


def cell(report, measure, group, period, part="display"):
    return getattr(report.table, part).loc[(group, period), measure]


def test_check_ins_load_in_one_query_with_grade_and_topics_only(small_school, school, count_queries):
    db.session.refresh(school)
    count_queries.statements.clear()
    frame = load_checkins(school, ALL_GRADES, None, None)
    topic_names, checkins = count_queries.statements  # the school's topic names, then every check-in
    assert "FROM topics" in topic_names and "FROM checkins" in checkins
    assert list(frame.columns) == list(CHECKIN_COLUMNS)
    assert len(frame) == 6 + 6 + 2 + 6
    assert sorted(frame["grade"].unique()) == [7, 8]
    topics = {tuple(sorted(t)) if t else () for t in frame["topics"]}
    assert topics == {("exam stress",), ("exam stress", "friendships"), ("bullying",), ("friendships",)}
    assert frame["school_work"].isna().sum() == 14 and set(frame["school_work"].dropna()) == {2}
    text = frame.astype(str).to_string()
    assert SECRET_NOTE not in text and SECRET_NAMES[0] not in text


def test_check_ins_are_filtered_in_the_query(small_school, school):
    april = load_checkins(school, frozenset({8}), date(2025, 4, 1), date(2025, 4, 30))
    assert set(april["occurred_on"].dt.date) == {APRIL} and set(april["grade"]) == {8} and len(april) == 6


def test_a_check_in_without_topics_has_none(programme, school):
    programme.checkins(programme.students(1, grade=9), MARCH)
    assert load_checkins(school, ALL_GRADES, None, None)["topics"].tolist() == [None]


def test_concerns_load_in_one_query(small_school, school, count_queries):
    db.session.refresh(school)
    count_queries.statements.clear()
    frame = load_concerns(school, ALL_GRADES, None, None)
    assert len(count_queries.statements) == 1 and len(frame) == 1


def test_only_the_schools_own_rows_are_loaded(small_school, school, other_school):
    counselor = UserFactory(other_school)("counselor")
    elsewhere = Programme(other_school, make_mentor(other_school, counselor))
    students = elsewhere.students(5, grade=11)
    elsewhere.checkins(students, MARCH)
    elsewhere.concern(students[0], datetime(2025, 3, 6, tzinfo=timezone.utc))
    db.session.commit()
    assert 11 not in set(load_checkins(school, ALL_GRADES, None, None)["grade"])
    assert 11 not in set(load_concerns(school, ALL_GRADES, None, None)["grade"])
    assert set(load_checkins(other_school, ALL_GRADES, None, None)["grade"]) == {11}


def test_concerns_count_on_the_day_at_the_school(programme, school):
    school.timezone = "Europe/Berlin"
    student = programme.students(1, grade=7)[0]
    programme.concern(student, datetime(2025, 3, 31, 22, 30, tzinfo=timezone.utc), "medium")  # 00:30 on 1 April
    db.session.commit()
    frame = load_concerns(school, ALL_GRADES, None, None)
    assert list(frame.columns) == list(CONCERN_COLUMNS)
    assert frame["raised_on"].dt.date.tolist() == [date(2025, 4, 1)]
    assert frame["severity"].tolist() == ["medium"]
    assert load_concerns(school, ALL_GRADES, date(2025, 4, 1), date(2025, 4, 30))["severity"].tolist() == ["medium"]


def test_report_hides_the_small_group_and_its_complements(small_school, school):
    report = school_report(school, ReportParams("month", "grade"), TODAY)
    assert report.k == 5 and report.periods == ["2025-03", "2025-04"]
    assert report.groups == ["grade 7", "grade 8", WHOLE_SCHOOL]
    assert cell(report, "students", "grade 8", "2025-03") == "<5"
    assert cell(report, "students", "grade 8", "2025-03", "status") == CellStatus.FEW_STUDENTS
    assert cell(report, "wellbeing_mean", "grade 8", "2025-03") == "hidden"
    assert cell(report, "students", "grade 7", "2025-03", "status") == CellStatus.COMPLEMENTARY
    assert cell(report, "students", WHOLE_SCHOOL, ALL_PERIODS) == "14"
    exported = json.dumps(report.as_json(), allow_nan=False, ensure_ascii=False)
    assert SMALL_GROUP_MEAN not in exported and "≥95%" not in exported


def test_the_schools_k_is_used(small_school, school):
    school.min_group_size = 7
    db.session.commit()
    report = school_report(school, ReportParams("month", "grade"), TODAY)
    assert report.k == 7
    assert cell(report, "students", "grade 7", ALL_PERIODS) == "<7"
    assert ("few_students", "hidden to protect privacy: fewer than 7 students") in report.notes()


def test_filters_are_widened_to_whole_periods_and_described(small_school, school):
    params = ReportParams("month", "band", date(2025, 3, 10), date(2025, 4, 2), frozenset({8, 7}))
    report = school_report(school, params, TODAY)
    assert report.periods == ["2025-03", "2025-04"]
    assert report.groups == ["grades 6–8", WHOLE_SCHOOL]
    assert params.describe() == {"period": "month", "group": "band", "from": "2025-03-01", "to": "2025-04-30",
                                 "grades": "7, 8"}


def test_comparison_with_the_previous_term(small_school, school):
    report = school_report(school, ReportParams("month", "school"), date(2025, 4, 30))
    terms, rows = report.comparison()
    assert terms == ["2024-25 spring", "2024-25 summer"]
    [whole] = rows
    assert whole["group"] == WHOLE_SCHOOL
    assert whole["students"] == [("8", "shown"), ("12", "shown")]
    assert whole["change"] == pytest.approx(3.5 - 3.38)


def test_comparison_ends_with_the_term_of_the_date_filter(small_school, school):
    report = school_report(school, ReportParams("month", "grade", date_to=date(2025, 3, 20)), date(2025, 11, 1))
    assert report.comparison()[0] == ["2024-25 autumn", "2024-25 spring"]


def test_series_give_charts_protected_values_only(small_school, school):
    report = school_report(school, ReportParams("month", "grade"), TODAY)
    wellbeing = next(s for s in report.measures() if s.name == "wellbeing_mean")
    lines = {line.group: line for line in wellbeing.lines}
    assert wellbeing.periods == ["2025-03", "2025-04"]
    assert lines["grade 8"].values == [None, None]  # hidden, and its complement in April
    assert lines["grade 8"].display == ["hidden", "hidden", "2.62"]
    assert lines[WHOLE_SCHOOL].values == [3.38, 3.5]
    assert all(isinstance(v, float) for v in lines[WHOLE_SCHOOL].values)


def test_topics_and_trend(small_school, school):
    report = school_report(school, ReportParams("month", "grade"), TODAY)
    topics = report.topics_by_group()
    assert topics[WHOLE_SCHOOL] == [(1, "friendships", 12), (2, "exam stress", 6)]
    assert "bullying" not in json.dumps(report.as_json())  # two students: never listed
    assert dict((g, d) for g, d, _ in report.trends())[WHOLE_SCHOOL] == "not enough data"


def test_an_empty_school_has_an_empty_report(school):
    report = school_report(school, ReportParams("week", "band"), TODAY)
    assert not report.has_data() and report.periods == []
    students = next(m for m in report.as_json()["measures"] if m["name"] == "students")
    assert students["lines"] == [{"group": WHOLE_SCHOOL, "values": [], "display": ["<5"], "status": ["few_students"]}]


@pytest.mark.parametrize(("low", "high", "labels"), [
    (6, 12, ["grades 6–8", "grades 9–10", "grades 11–12"]),
    (1, 12, ["grades 1–5", "grades 6–8", "grades 9–10", "grades 11–12"]),
    (6, 13, ["grades 6–8", "grades 9–10", "grades 11–12", "grades 13–13"]),
])
def test_grade_bands_cover_the_schools_grades(low, high, labels):
    bands = grade_bands(low, high)
    assert [band.label for band in bands] == labels
    covered = {g for band in bands for g in range(band.first_grade, band.last_grade + 1)}
    assert set(range(low, high + 1)) <= covered


def test_measure_labels_cover_every_measure():
    assert set(services.MEASURE_LABELS) == set(MEASURES)
