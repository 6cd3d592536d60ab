"""The aggregation core of well-being reports: periods, groups, exact measures, topics and trends."""

from __future__ import annotations

import ast
import math
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolpeers.reports import trends
from schoolpeers.reports.trends import (
    ALL_PERIODS,
    CELL,
    CHECKIN_COLUMNS,
    CONCERN_COLUMNS,
    DOMAINS,
    MEASURES,
    WHOLE_SCHOOL,
    ReportFilter,
    Term,
    TermCalendar,
    build_report,
    compare_with_previous_term,
    group_label,
    least_squares_slope,
    period_slot,
    top_topics,
    trend_direction,
)


def checkin(mentee: int, grade: int, day: date, wellbeing: int, topics: tuple[str, ...] = (), **domains: int) -> dict:
    return {
        "mentee_key": mentee,
        "grade": grade,
        "occurred_on": day,
        "wellbeing": wellbeing,
        **{domain: domains.get(domain) for domain in DOMAINS},
        "topics": list(topics),
    }


def checkins(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(CHECKIN_COLUMNS))


def concerns(*rows: tuple[int, int, date, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(CONCERN_COLUMNS))


NO_CONCERNS = concerns()
MARCH, APRIL = date(2026, 3, 2), date(2026, 4, 7)

# Grade 7 in March: students 1–3, four check-ins; grade 8 in March: student 4; grade 7 in April: student 1.
SMALL_SCHOOL = checkins(
    checkin(1, 7, MARCH, 2, ("exams", "sleep"), school_work=3),
    checkin(1, 7, MARCH + timedelta(days=9), 4, ("exams",)),
    checkin(2, 7, MARCH, 5, ("exams",), school_work=4),
    checkin(3, 7, MARCH, 1, ("friends",)),
    checkin(4, 8, MARCH, 3),
    checkin(1, 7, APRIL, 5),
)
SMALL_CONCERNS = concerns((1, 7, MARCH, "high"), (1, 7, MARCH + timedelta(days=18), "high"), (2, 7, MARCH, "low"))


def test_pure_cores_import_only_the_standard_library_pandas_and_numpy():
    for module in ("trends.py", "privacy.py"):
        tree = ast.parse((Path(trends.__file__).parent / module).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        for name in imported:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names | {"numpy", "pandas"} or name == "schoolpeers.reports.trends", name


@pytest.mark.parametrize(
    ("day", "period", "label"),
    [
        (date(2026, 2, 10), "week", "2026-W07"),
        (date(2024, 12, 30), "week", "2025-W01"),  # ISO: the week belongs to the year of its Thursday
        (date(2027, 1, 1), "week", "2026-W53"),
        (date(2026, 3, 31), "month", "2026-03"),
        (date(2025, 8, 31), "term", "2024-25 summer"),
        (date(2025, 9, 1), "term", "2025-26 autumn"),
        (date(2025, 12, 31), "term", "2025-26 autumn"),
        (date(2026, 1, 1), "term", "2025-26 spring"),
        (date(2026, 3, 31), "term", "2025-26 spring"),
        (date(2026, 4, 1), "term", "2025-26 summer"),
        (date(2099, 12, 1), "term", "2099-00 autumn"),
    ],
)
def test_period_labels(day, period, label):
    assert period_slot(day, period).label == label


@pytest.mark.parametrize(
    ("day", "period", "start", "end"),
    [
        (date(2026, 2, 12), "week", date(2026, 2, 9), date(2026, 2, 15)),
        (date(2024, 2, 10), "month", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2025, 10, 5), "term", date(2025, 9, 1), date(2025, 12, 31)),
        (date(2026, 2, 5), "term", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 5, 5), "term", date(2026, 4, 1), date(2026, 8, 31)),
    ],
)
def test_period_bounds(day, period, start, end):
    slot = period_slot(day, period)
    assert (slot.start, slot.end) == (start, end)


def test_term_boundaries_are_a_parameter():
    semesters = TermCalendar((Term("fall", 8, 15), Term("spring", 1, 10)))
    assert period_slot(date(2025, 8, 14), "term", semesters).label == "2024-25 spring"
    fall = period_slot(date(2025, 8, 15), "term", semesters)
    assert (fall.label, fall.start, fall.end) == ("2025-26 fall", date(2025, 8, 15), date(2026, 1, 9))
    assert period_slot(date(2026, 1, 10), "term", semesters).label == "2025-26 spring"


@pytest.mark.parametrize(
    "terms",
    [
        (),
        (Term("a", 9), Term("b", 4), Term("c", 1)),  # not in school-year order
        (Term("a", 9), Term("a", 1)),
        (Term("a", 9), Term("b", 2, 29)),
    ],
)
def test_invalid_term_calendars_are_refused(terms):
    with pytest.raises(ValueError):
        TermCalendar(terms)


@pytest.mark.parametrize(
    ("grade", "group", "label"),
    [
        (7, "grade", "grade 7"),
        (6, "band", "grades 6–8"),
        (8, "band", "grades 6–8"),
        (9, "band", "grades 9–10"),
        (12, "band", "grades 11–12"),
        (10, "school", WHOLE_SCHOOL),
    ],
)
def test_group_labels(grade, group, label):
    assert group_label(grade, group) == label


def test_a_grade_outside_every_band_is_an_error():
    with pytest.raises(ValueError, match="grade 5"):
        build_report(checkins(checkin(1, 5, MARCH, 3)), NO_CONCERNS, period="month", group="band")


def test_measures_by_grade_and_month():
    report = build_report(SMALL_SCHOOL, SMALL_CONCERNS, period="month", group="grade")
    values, students = report.values, report.students

    assert list(values.index.levels[0]) == ["grade 7", "grade 8", WHOLE_SCHOOL]
    assert list(values.index.levels[1]) == ["2026-03", "2026-04", ALL_PERIODS]
    assert list(values.columns) == list(MEASURES) == list(students.columns)

    march7 = values.loc[("grade 7", "2026-03")]
    assert (march7["students"], march7["checkins"]) == (3, 4)
    assert march7["wellbeing_mean"] == 3.0
    assert march7["low_share"] == 0.5
    assert march7["school_work_mean"] == 3.5 and students.loc[("grade 7", "2026-03"), "school_work_mean"] == 2
    assert math.isnan(march7["home_mean"]) and students.loc[("grade 7", "2026-03"), "home_mean"] == 0
    assert (march7["concerns_high"], march7["concerns_medium"], march7["concerns_low"]) == (1, 0, 1)

    march = values.loc[(WHOLE_SCHOOL, "2026-03")]
    assert (march["students"], march["checkins"], march["wellbeing_mean"], march["low_share"]) == (4, 5, 3.0, 0.4)
    all7 = values.loc[("grade 7", ALL_PERIODS)]
    assert (all7["students"], all7["checkins"], all7["wellbeing_mean"]) == (3, 5, 3.4)
    everything = values.loc[(WHOLE_SCHOOL, ALL_PERIODS)]
    assert (everything["students"], everything["checkins"]) == (4, 6)
    assert everything["wellbeing_mean"] == pytest.approx(20 / 6)

    april8 = values.loc[("grade 8", "2026-04")]
    assert (april8["students"], april8["checkins"]) == (0, 0) and math.isnan(april8["wellbeing_mean"])
    assert (students.loc[("grade 7", "2026-03"), ["students", "checkins", "wellbeing_mean", "low_share"]] == 3).all()


def test_top_topics_rank_by_distinct_students_then_name():
    report = build_report(SMALL_SCHOOL, NO_CONCERNS, period="month", group="grade")
    march7 = report.topics[(report.topics["group"] == "grade 7") & (report.topics["period"] == "2026-03")]
    assert march7[["rank", "topic", "students"]].values.tolist() == [
        [1, "exams", 2],
        [2, "friends", 1],
        [3, "sleep", 1],
    ]
    assert list(report.topics.columns) == ["group", "period", "rank", "topic", "students"]


def test_top_topics_keeps_n_per_cell():
    counts = pd.DataFrame(
        {"group": "grade 7", "period": "2026-03", "topic": list("abcdefg"), "students": [1, 9, 3, 9, 5, 6, 7]}
    )
    assert top_topics(counts, n=3)[["rank", "topic"]].values.tolist() == [[1, "b"], [2, "d"], [3, "g"]]


def test_school_grouping_has_only_the_whole_school_row():
    report = build_report(SMALL_SCHOOL, NO_CONCERNS, period="term", group="school")
    assert list(report.values.index.levels[0]) == [WHOLE_SCHOOL]
    assert list(report.values.index.levels[1]) == ["2025-26 spring", "2025-26 summer", ALL_PERIODS]
    assert report.values.loc[(WHOLE_SCHOOL, "2025-26 spring"), "students"] == 4


def test_bands_group_grades():
    report = build_report(SMALL_SCHOOL, NO_CONCERNS, period="month", group="band")
    assert list(report.values.index.levels[0]) == ["grades 6–8", WHOLE_SCHOOL]
    assert report.values.loc[("grades 6–8", "2026-03"), "students"] == 4


def test_a_student_changing_grade_counts_once_in_the_whole_school():
    moved = checkins(checkin(1, 8, date(2026, 6, 1), 3), checkin(1, 9, date(2026, 9, 10), 3))
    report = build_report(moved, NO_CONCERNS, period="term", group="grade")
    students = report.values["students"]
    assert students[("grade 8", ALL_PERIODS)] == students[("grade 9", ALL_PERIODS)] == 1
    assert students[(WHOLE_SCHOOL, ALL_PERIODS)] == 1


def test_filter_by_dates_and_grades():
    report = build_report(
        SMALL_SCHOOL,
        SMALL_CONCERNS,
        period="month",
        group="grade",
        filter=ReportFilter(date(2026, 4, 1), None, frozenset({7})),
    )
    values = report.values
    assert list(values.index.levels[0]) == ["grade 7", WHOLE_SCHOOL]
    assert list(values.index.levels[1]) == ["2026-04", ALL_PERIODS]
    assert values.loc[
        (WHOLE_SCHOOL, ALL_PERIODS), ["students", "checkins", "wellbeing_mean", "concerns_high"]
    ].tolist() == [1, 1, 5.0, 0]


def test_filter_dates_are_widened_to_whole_periods():
    middle_of_march = ReportFilter(date(2026, 3, 5), date(2026, 3, 20))
    report = build_report(SMALL_SCHOOL, SMALL_CONCERNS, period="month", group="grade", filter=middle_of_march)
    whole_march = build_report(SMALL_SCHOOL, SMALL_CONCERNS, period="month", group="grade").values.xs(
        "2026-03", level="period"
    )
    assert list(report.values.index.levels[1]) == ["2026-03", ALL_PERIODS]
    pd.testing.assert_frame_equal(report.values.xs("2026-03", level="period"), whole_march)


def test_periods_without_check_ins_are_still_columns():
    sparse = checkins(checkin(1, 7, date(2026, 1, 5), 3), checkin(1, 7, date(2026, 3, 5), 3))
    report = build_report(sparse, NO_CONCERNS, period="month", group="grade")
    assert list(report.values.index.levels[1]) == ["2026-01", "2026-02", "2026-03", ALL_PERIODS]
    assert report.values.loc[("grade 7", "2026-02"), "students"] == 0


def test_dates_may_come_as_datetime64():
    as_datetimes = SMALL_SCHOOL.assign(occurred_on=pd.to_datetime(SMALL_SCHOOL["occurred_on"]) + pd.Timedelta(hours=15))
    expected = build_report(SMALL_SCHOOL, SMALL_CONCERNS, period="week", group="grade")
    actual = build_report(as_datetimes, SMALL_CONCERNS, period="week", group="grade")
    pd.testing.assert_frame_equal(actual.values, expected.values)


def test_extra_columns_are_ignored():
    with_private = SMALL_SCHOOL.assign(name="Alice Example", notes="talked about home")
    report = build_report(with_private, SMALL_CONCERNS, period="month", group="grade")
    pd.testing.assert_frame_equal(
        report.values, build_report(SMALL_SCHOOL, SMALL_CONCERNS, period="month", group="grade").values
    )


def test_empty_input_gives_an_empty_grid():
    report = build_report(checkins(), NO_CONCERNS, period="month", group="grade")
    assert report.values.index.tolist() == [(WHOLE_SCHOOL, ALL_PERIODS)]
    assert report.values.loc[(WHOLE_SCHOOL, ALL_PERIODS), "students"] == 0
    assert report.topics.empty and report.trend_periods == ()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (checkins(checkin(1, 7, MARCH, 6)), "wellbeing"),
        (checkins(checkin(1, 7, MARCH, 3, home=0)), "home"),
        (checkins(checkin(1, 7, MARCH, 3)).drop(columns="topics"), "topics"),
    ],
)
def test_invalid_check_ins_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        build_report(bad, NO_CONCERNS, period="month", group="grade")


def test_unknown_severity_is_refused():
    with pytest.raises(ValueError, match="severity"):
        build_report(SMALL_SCHOOL, concerns((1, 7, MARCH, "urgent")), period="month", group="grade")


def test_filter_dates_must_be_in_order():
    with pytest.raises(ValueError):
        ReportFilter(date(2026, 3, 1), date(2026, 2, 1))


@pytest.mark.parametrize(
    ("means", "direction"),
    [
        ([3.0, 3.1, 3.2], "improving"),
        ([3.2, 3.1, 3.0, 2.9], "declining"),
        ([3.0, 3.02, 3.04], "steady"),  # 0.02 points per period
        ([3.0, 3.5, 2.9, 3.4, 3.0], "steady"),  # noisy but flat
        ([3.0, 3.2], None),  # two points are not a trend
        ([3.0, float("nan"), 3.4], None),
    ],
)
def test_trend_direction(means, direction):
    assert trend_direction(means) == direction


def test_trend_threshold_is_a_parameter():
    assert least_squares_slope([1.0, 2.0, 4.0]) == 1.5
    assert trend_direction([3.0, 3.25, 3.5], steady_threshold=0.25) == "improving"  # |slope| = threshold
    assert trend_direction([3.0, 3.25, 3.5], steady_threshold=0.5) == "steady"


def test_report_trend_uses_the_last_periods_with_check_ins():
    months = [date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10), date(2026, 5, 10)]  # no check-in in April
    rising = checkins(*(checkin(1, 7, day, wellbeing) for day, wellbeing in zip(months, [2, 3, 4, 5], strict=True)))
    report = build_report(rising, NO_CONCERNS, period="month", group="grade", trend_periods=3)
    assert report.trend_periods == ("2026-02", "2026-03", "2026-05")
    assert report.trend.to_dict() == {"grade 7": "improving", WHOLE_SCHOOL: "improving"}


def test_compare_with_previous_term_has_both_terms_even_without_data():
    spring_only = checkins(checkin(1, 7, date(2026, 2, 3), 4), checkin(2, 7, date(2025, 6, 1), 1))
    report = compare_with_previous_term(spring_only, NO_CONCERNS, on=date(2026, 2, 10), group="grade")
    assert list(report.values.index.levels[1]) == ["2025-26 autumn", "2025-26 spring", ALL_PERIODS]
    assert report.values["students"].to_dict() == {
        ("grade 7", "2025-26 autumn"): 0,
        ("grade 7", "2025-26 spring"): 1,
        ("grade 7", ALL_PERIODS): 1,
        (WHOLE_SCHOOL, "2025-26 autumn"): 0,
        (WHOLE_SCHOOL, "2025-26 spring"): 1,
        (WHOLE_SCHOOL, ALL_PERIODS): 1,
    }


# --- property: the vectorised report equals a plain per-cell computation ----------------------


@st.composite
def school_data(draw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random check-ins and concerns over a few months; students may change grade."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows, students = draw(st.integers(0, 80)), draw(st.integers(1, 15))
    start = date(2025, 7, 1) + timedelta(days=draw(st.integers(0, 400)))
    days = [start + timedelta(days=int(offset)) for offset in rng.integers(0, draw(st.integers(1, 150)), rows)]
    domain = {d: [None if rng.random() < 0.4 else int(v) for v in rng.integers(1, 6, rows)] for d in DOMAINS}
    visits = pd.DataFrame(
        {
            "mentee_key": rng.integers(0, students, rows) * 1009 + 7,
            "grade": rng.integers(6, 9, rows),
            "occurred_on": days,
            "wellbeing": rng.integers(1, 6, rows),
            **domain,
            "topics": [
                list(rng.choice(["exams", "friends", "home", "sleep"], rng.integers(0, 3), replace=False))
                for _ in range(rows)
            ],
        }
    )
    raised_rows = draw(st.integers(0, 20))
    raised = pd.DataFrame(
        {
            "mentee_key": rng.integers(0, students, raised_rows) * 1009 + 7,
            "grade": rng.integers(6, 9, raised_rows),
            "raised_on": [start + timedelta(days=int(offset)) for offset in rng.integers(0, 100, raised_rows)],
            "severity": rng.choice(["high", "medium", "low"], raised_rows),
        }
    )
    return visits, raised


def plain_cells(visits: pd.DataFrame, raised: pd.DataFrame, period: str, group: str) -> pd.DataFrame:
    """The report recomputed the obvious way: label every row, copy it into the margins, groupby."""

    def with_margins(frame: pd.DataFrame, grade: str, day: str) -> pd.DataFrame:
        labelled = frame.assign(
            group=[group_label(g, group) for g in frame[grade]],
            period=[period_slot(d, period).label for d in frame[day]],
        )
        copies = [labelled, labelled.assign(period=ALL_PERIODS)]
        if group != "school":
            copies += [labelled.assign(group=WHOLE_SCHOOL), labelled.assign(group=WHOLE_SCHOOL, period=ALL_PERIODS)]
        return pd.concat(copies)

    seen = with_margins(visits, "grade", "occurred_on").astype({d: float for d in DOMAINS})
    raised = with_margins(raised, "grade", "raised_on")
    cells = (
        seen.assign(low=seen["wellbeing"] <= 2)
        .groupby(CELL)
        .agg(
            students=("mentee_key", "nunique"),
            checkins=("mentee_key", "size"),
            wellbeing_mean=("wellbeing", "mean"),
            low_share=("low", "mean"),
            **{f"{d}_mean": (d, "mean") for d in DOMAINS},
        )
    )
    counts = {
        **{f"{d}_students": seen[seen[d].notna()].groupby(CELL)["mentee_key"].nunique() for d in DOMAINS},
        **{
            f"concerns_{s}": raised[raised["severity"] == s].groupby(CELL)["mentee_key"].nunique()
            for s in ("high", "medium", "low")
        },
    }
    return cells.join(pd.DataFrame(counts), how="outer").fillna(
        {"students": 0, "checkins": 0, **dict.fromkeys(counts, 0)}
    )


@settings(max_examples=30, deadline=None)
@given(
    data=school_data(),
    period=st.sampled_from(["week", "month", "term"]),
    group=st.sampled_from(["grade", "band", "school"]),
)
def test_report_matches_a_plain_groupby(data, period, group):
    visits, raised = data
    report = build_report(visits, raised, period=period, group=group)
    answered = report.students[[f"{d}_mean" for d in DOMAINS]].rename(columns=lambda c: c.replace("_mean", "_students"))
    actual = report.values.join(answered)
    actual.index = pd.MultiIndex.from_tuples([(str(g), str(p)) for g, p in actual.index], names=CELL)
    expected = plain_cells(visits, raised, period, group)
    assert expected.index.isin(actual.index).all()
    expected = expected.reindex(actual.index).fillna(
        {c: 0 for c in expected.columns if not c.endswith(("_mean", "_share"))}
    )
    for column in expected.columns:
        assert actual[column].astype(float).tolist() == pytest.approx(
            expected[column].astype(float).tolist(), nan_ok=True
        ), column
