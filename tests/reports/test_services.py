"""Loading a school's data, building and protecting its lattice, and slicing reports from it."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import numpy as np
import pytest
from sqlalchemy import BigInteger, Integer, cast, event, literal, select

from schoolpeers.accounts.models import Topic
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn
from schoolpeers.reports import services
from schoolpeers.reports.lattice import grade_bands
from schoolpeers.reports.loading import (
    _INT4,
    _INT8,
    _grade_of,
    _packed_columns,
    _packed_meanwhile,
    _topic_words,
    load_checkins,
    load_concerns,
)
from schoolpeers.reports.privacy import MEASURES, CellStatus
from schoolpeers.reports.report import ReportParams, SchoolReport
from schoolpeers.reports.services import protected_lattice, report_secret, school_report
from schoolpeers.reports.trends import CHECKIN_COLUMNS, CONCERN_COLUMNS, WHOLE_SCHOOL
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
    if db.engine.dialect.name == "postgresql":  # big loads run on the driver's cursor, outside SQLAlchemy's events
        import psycopg

        copy, execute = psycopg.Cursor.copy, psycopg.Cursor.execute

        def counted_copy(cursor, statement, *args, **kwargs):
            counter.statements.append(str(statement))
            return copy(cursor, statement, *args, **kwargs)

        def counted_execute(cursor, statement, *args, binary=None, **kwargs):
            if binary:  # packed columns; SQLAlchemy's own statements never ask for binary results
                counter.statements.append(str(statement))
            return execute(cursor, statement, *args, binary=binary, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "copy", counted_copy)
        monkeypatch.setattr(psycopg.Cursor, "execute", counted_execute)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


def test_check_ins_load_with_grade_and_topics_only(small_school, school, count_queries):
    db.session.refresh(school)
    count_queries.statements.clear()
    frame = load_checkins(school, ALL_GRADES, None, None)
    # The school's topic names, then every check-in (on SQLite with its grade and topics); on
    # PostgreSQL the check-ins alone, and meanwhile the grades of the school's students and its topic links.
    topic_names, *reads = [statement for statement in count_queries.statements if "FROM" in statement]
    assert "FROM topics" in topic_names
    if db.engine.dialect.name == "postgresql":
        (checkins,), (grades,), (links,) = ([r for r in reads if f"FROM {table} " in r]
                                            for table in ("checkins", "users", "checkin_topics"))
        assert len(reads) == 3 and "users" not in checkins
    else:
        (checkins,) = reads
        assert "FROM checkins" in checkins and "checkin_topics" in checkins
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


def test_check_ins_carry_every_topic_of_a_school_with_many(programme, school):
    """Topics travel as bits of 64-bit words on PostgreSQL: a school's 65th topic and later ones too."""
    db.session.add_all(Topic(school_id=school.id, name=f"topic {i:02d}") for i in range(70))
    db.session.flush()
    students = programme.students(2, grade=9)
    programme.checkins(students[:1], MARCH, topics=("topic 00", "topic 63", "topic 64", "topic 69"))
    programme.checkins(students[1:], MARCH, topics=("topic 65",))
    frame = load_checkins(school, ALL_GRADES, None, None)
    assert sorted(tuple(sorted(t)) for t in frame["topics"]) == [
        ("topic 00", "topic 63", "topic 64", "topic 69"), ("topic 65",)]


def test_check_ins_not_yet_committed_are_loaded_too(programme, school):
    """A transaction that has written reads its check-ins itself (on PostgreSQL, a second connection
    would not see them)."""
    programme.checkins(programme.students(3, grade=9), MARCH, topics=("bullying",))
    frame = load_checkins(school, ALL_GRADES, None, None)
    assert len(frame) == 3 and frame["topics"].tolist() == [("bullying",)] * 3


def test_packed_columns_read_meanwhile_see_the_data_as_it_was_when_asked(programme, school):
    """The check-ins read on a second connection are those this transaction saw as loading began:
    one committed meanwhile by someone else is not among them, and what is read after it is newer."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a second connection reads the check-ins on PostgreSQL only")
    (first,) = programme.checkins(programme.students(1, grade=9), MARCH)
    db.session.commit()
    table = CheckIn.__table__
    row = db.session.execute(select(table).where(table.c.id == first.id)).mappings().one()
    another = {**{name: value for name, value in row.items() if name != "id"}, "occurred_on": APRIL}
    ids = select(CheckIn.id).where(CheckIn.school_id == school.id)
    with _packed_meanwhile(ids, [_INT4]) as before:
        with db.engine.begin() as elsewhere:
            elsewhere.execute(table.insert().values(another))
        after = _packed_columns(ids, [_INT4])
    assert len(before()[0]) == 1 and len(after[0]) == 2


def test_packed_columns_come_back_aligned_and_refuse_a_null(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the server packs the columns on PostgreSQL only")
    rows = select(literal(7), cast(literal(-2), BigInteger)).union_all(select(literal(-1), literal(2**40)))
    assert [list(c) for c in _packed_columns(rows, [_INT4, _INT8])] == [[7, -1], [-2, 2**40]]
    assert [list(c) for c in _packed_columns(select(literal(1)).where(literal(1) == 0), [_INT4])] == [[]]
    with pytest.raises(ValueError):  # a NULL would be left out of its column: the rows would not line up
        _packed_columns(select(literal(1), cast(literal(None), Integer)), [_INT4, _INT4])


def test_topic_links_become_bits_of_their_checkins_only():
    checkin_ids, topic_ids = np.array([30, 10, 20]), np.array([5, 9] + list(range(100, 170)))
    links = np.array([10, 10, 20, 99, 30, 30]), np.array([9, 169, 5, 5, 7, 100])
    words = _topic_words(checkin_ids, *links, topic_ids)
    # topic 169 is the school's 72nd: bit 7 of the second word. Check-in 99 is not loaded and topic 7
    # is not the school's: neither sets a bit.
    assert [list(word) for word in words] == [[1 << 2, 1 << 1, 1 << 0], [0, 1 << 7, 0]]
    assert [list(word) for word in _topic_words(checkin_ids, np.array([]), np.array([]), topic_ids)] == [[0] * 3] * 2


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


def report(school, today=TODAY, **choices) -> SchoolReport:
    protected = protected_lattice(school, report_secret("test secret", school))
    return school_report(school, protected, ReportParams(**choices), today)


def figures(report, measure, part="display") -> dict[str, list]:
    return {line.group: getattr(line, part) for line in report.series(measure).lines}


def test_the_report_is_a_slice_of_the_protected_lattice(clear_school, school):
    month = report(school)
    assert month.k == 5 and month.periods == ["2025-03", "2025-04"]
    assert month.groups == ["grade 7", "grade 8", "grade 9", WHOLE_SCHOOL]  # grades nobody is in: left out
    students = figures(month, "students")
    assert students["grade 9"] == ["hidden", "0"]
    assert abs(int(students[WHOLE_SCHOOL][0]) - 26) <= 2
    assert figures(month, "wellbeing_mean", "status")["grade 9"][0] == CellStatus.HIDDEN
    exported = json.dumps(month.as_json(), allow_nan=False, ensure_ascii=False)
    assert SMALL_GROUP_MEAN not in exported and "bullying" not in exported


def test_every_choice_reads_the_same_published_cells(clear_school, school):
    protected = protected_lattice(school, report_secret("test secret", school))
    by_grade = school_report(school, protected, ReportParams("month", "grade"), TODAY)
    by_band = school_report(school, protected, ReportParams("month", "band"), TODAY)
    one_band = school_report(school, protected, ReportParams("month", "grade", "6-8"), TODAY)
    whole = figures(by_grade, "checkins")[WHOLE_SCHOOL]
    assert figures(by_band, "checkins")[WHOLE_SCHOOL] == whole
    assert figures(by_band, "checkins")["grades 6–8"] == figures(one_band, "checkins")["grades 6–8"]
    assert figures(one_band, "checkins")["grade 8"] == figures(by_grade, "checkins")["grade 8"]
    assert one_band.groups == ["grade 7", "grade 8", "grades 6–8"]


def test_the_cell_keys_come_from_the_apps_secret_and_the_school(clear_school, school, other_school):
    assert report_secret("a", school) != report_secret("b", school)
    assert report_secret("a", school) != report_secret("a", other_school)
    assert len(report_secret("a", school)) == 64


def test_the_schools_k_is_used(clear_school, school):
    school.min_group_size = 13
    db.session.commit()
    month = report(school)
    assert month.k == 13
    assert figures(month, "students")["grade 8"][0] == "hidden"  # twelve students
    assert "fewer than 13 students" in dict(month.notes())["hidden"]


def test_dates_are_widened_to_whole_periods_and_described(clear_school, school):
    month = report(school, period="month", group="band", grades="6-8", date_from=date(2025, 3, 10),
                   date_to=date(2025, 4, 2))
    assert month.periods == ["2025-03", "2025-04"]
    assert month.groups == ["grades 6–8"]
    assert month.describe() == {"period": "month", "group": "band", "grades": "grades 6–8", "from": "2025-03-01",
                                "to": "2025-04-30", "checkins": "Mentors' check-ins"}
    assert report(school, date_from=date(2025, 4, 10)).periods == ["2025-04"]


def test_comparison_with_the_previous_term(clear_school, school):
    terms, rows = report(school, date(2025, 4, 30), group="school").comparison()
    assert terms == ["2024-25 spring", "2024-25 summer"]
    [whole] = rows
    assert whole["group"] == WHOLE_SCHOOL
    assert [status for _display, status in whole["students"]] == ["shown", "shown"]
    assert whole["change"] == pytest.approx(3.5 - 3.3)


def test_comparison_ends_with_the_term_of_the_date_filter(clear_school, school):
    assert report(school, date(2025, 11, 1), date_to=date(2025, 3, 20)).comparison()[0] == [
        "2024-25 autumn", "2024-25 spring"]


def test_summary_topics_and_concerns_are_the_published_year_and_terms(clear_school, school):
    month = report(school)
    assert month.summary_year()[0] == "2024-25"
    assert month.overall()["wellbeing_mean"] == ("3.4", "shown")
    topics = month.topics_by_group()
    assert [topic for _rank, topic, _students in topics[WHOLE_SCHOOL]] == ["exam stress", "friendships"]
    few = {"high": "fewer than 5", "medium": "fewer than 5", "low": "fewer than 5"}
    # Every term the report covers has its row: a term without concerns reads like one with a few.
    assert month.concerns() == [{"term": "2024-25 spring", **few}, {"term": "2024-25 summer", **few}]
    assert dict((g, d) for g, d, _ in month.trends())[WHOLE_SCHOOL] == "not enough data"


def test_an_empty_school_has_an_empty_report(school):
    empty = report(school, period="week", group="band")
    assert not empty.has_data() and empty.periods == [] and empty.concerns() == []
    students = next(m for m in empty.as_json()["measures"] if m["name"] == "students")
    assert all(line["values"] == [] for line in students["lines"])


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


def test_grade_choices_are_all_each_band_and_each_grade(school):
    values = [value for value, _label in services.grade_choices(school)]
    assert values == ["all", "6-8", "9-10", "11-12", *map(str, range(6, 13))]


def test_mentees_take_the_grade_of_the_student_they_are_or_none():
    """On PostgreSQL the grades are joined to the check-ins in memory: students in any order, a mentee
    who is not among them (out of the grades asked) gets -1, and no students at all leave every one out."""
    mentees = np.array([12, 5, 12, 40, 3])
    ids, grades = np.array([12, 3, 5]), np.array([9, 7, 8])
    assert _grade_of(mentees, ids, grades).tolist() == [9, 8, 9, -1, 7]
    assert _grade_of(mentees, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).tolist() == [-1] * 5
    assert _grade_of(np.array([], dtype=np.int64), ids, grades).tolist() == []
