"""The privacy gate: thresholds, complementary suppression, coding, topics, trends and leaks."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolpeers.reports.privacy import (
    HIDDEN,
    HIDDEN_STATUSES,
    CellStatus,
    ProtectedTable,
    add_complementary_suppression,
    explain,
    protect,
)
from schoolpeers.reports.trends import (
    ALL_PERIODS,
    CHECKIN_COLUMNS,
    CONCERN_COLUMNS,
    DOMAINS,
    MEASURES,
    WHOLE_SCHOOL,
    ReportTable,
    build_report,
)

MARCH, APRIL = date(2026, 3, 3), date(2026, 4, 7)
NO_CONCERNS = pd.DataFrame(columns=list(CONCERN_COLUMNS))


def seen(keys, grade: int, day: date, wellbeing: int = 3, topics: tuple[str, ...] = (), **domains: int) -> list[dict]:
    """One check-in for each student in `keys`."""
    return [
        {
            "mentee_key": key,
            "grade": grade,
            "occurred_on": day,
            "wellbeing": wellbeing,
            **{d: domains.get(d) for d in DOMAINS},
            "topics": list(topics),
        }
        for key in keys
    ]


def checkins(*groups: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for group in groups for row in group], columns=list(CHECKIN_COLUMNS))


def grid(protected: ProtectedTable, part: str, measure: str = "students") -> dict:
    return getattr(protected, part)[measure].unstack("period").to_dict(orient="index")


# --- complementary suppression on hand-made grids -----------------------------------------------


def test_a_lone_hidden_cell_takes_the_smallest_cells_of_its_row_and_column_with_it():
    students = np.array([[3, 10, 13], [20, 30, 50], [23, 40, 63]])  # last row and column are totals
    hidden = add_complementary_suppression(students < 5, students)
    assert hidden.tolist() == [[True, True, False], [True, True, False], [False, False, False]]


def test_grids_without_hidden_cells_or_with_pairs_everywhere_are_left_alone():
    students = np.array([[3, 4, 7], [2, 1, 3], [5, 5, 10]])
    rectangle = np.array([[True, True, False], [True, True, False], [False, False, False]])
    assert add_complementary_suppression(rectangle, students).tolist() == rectangle.tolist()
    assert not add_complementary_suppression(np.zeros((3, 3), dtype=bool), students).any()


def test_a_single_row_grid_only_has_row_lines():
    students = np.array([[4, 9, 30, 43]])  # whole school by period, then all periods
    assert add_complementary_suppression(students < 5, students).tolist() == [[True, True, False, False]]


def test_leading_axes_are_independent_grids():
    students = np.array([[[3, 10, 13], [20, 30, 50], [23, 40, 63]], [[13, 10, 23], [20, 30, 50], [33, 40, 73]]])
    hidden = add_complementary_suppression(students < 5, students)
    assert hidden[0].tolist() == [[True, True, False], [True, True, False], [False, False, False]]
    assert not hidden[1].any()


# --- protect on hand-made reports -------------------------------------------------------------

# students:        March  April  all periods
#   grade 7          6      7        7
#   grade 8          4      8        9
#   whole school    10     15       16
TWO_GRADES = checkins(
    seen(range(1, 7), 7, MARCH),
    seen(range(1, 8), 7, APRIL),
    seen([11, 12, 13, 19], 8, MARCH),
    seen(range(11, 19), 8, APRIL),
)


def test_small_cell_and_its_complements():
    protected = protect(build_report(TWO_GRADES, NO_CONCERNS, period="month", group="grade"))
    assert grid(protected, "display") == {
        "grade 7": {"2026-03": HIDDEN, "2026-04": HIDDEN, ALL_PERIODS: "7"},
        "grade 8": {"2026-03": "<5", "2026-04": HIDDEN, ALL_PERIODS: "9"},
        WHOLE_SCHOOL: {"2026-03": "10", "2026-04": "15", ALL_PERIODS: "16"},
    }
    assert grid(protected, "status")["grade 8"] == {
        "2026-03": CellStatus.FEW_STUDENTS,
        "2026-04": CellStatus.COMPLEMENTARY,
        ALL_PERIODS: CellStatus.SHOWN,
    }
    assert grid(protected, "values")["grade 7"] == {"2026-03": None, "2026-04": None, ALL_PERIODS: 7}
    # every measure of a hidden cell is hidden, not only its count
    assert grid(protected, "display", "wellbeing_mean")["grade 8"] == {
        "2026-03": HIDDEN,
        "2026-04": HIDDEN,
        ALL_PERIODS: "3.00",
    }
    assert grid(protected, "display", "checkins")["grade 8"]["2026-03"] == HIDDEN


def test_k_is_the_schools_setting_but_never_below_5():
    report = build_report(TWO_GRADES, NO_CONCERNS, period="month", group="grade")
    assert grid(protect(report, k=7), "display")["grade 7"]["2026-03"] == "<7"
    with pytest.raises(ValueError, match="at least 5"):
        protect(report, k=4)


def test_shares_and_means_that_show_everyone_answered_alike_are_coded():
    everyone_low, nobody_low = seen(range(1, 6), 7, MARCH, wellbeing=1), seen(range(6, 11), 7, APRIL, wellbeing=5)
    protected = protect(build_report(checkins(everyone_low, nobody_low), NO_CONCERNS, period="month", group="school"))
    assert grid(protected, "display", "low_share")[WHOLE_SCHOOL] == {
        "2026-03": "≥95%",
        "2026-04": "≤5%",
        ALL_PERIODS: "50%",
    }
    assert grid(protected, "values", "low_share")[WHOLE_SCHOOL] == {"2026-03": 0.95, "2026-04": 0.05, ALL_PERIODS: 0.5}
    assert grid(protected, "display", "wellbeing_mean")[WHOLE_SCHOOL] == {
        "2026-03": "≤1.2",
        "2026-04": "≥4.8",
        ALL_PERIODS: "3.00",
    }
    assert grid(protected, "status", "wellbeing_mean")[WHOLE_SCHOOL]["2026-03"] == CellStatus.CODED


def test_a_domain_mean_needs_k_students_who_answered_it():
    answered, silent = seen(range(1, 4), 7, MARCH, home=4), seen(range(4, 10), 7, MARCH)
    protected = protect(build_report(checkins(answered, silent), NO_CONCERNS, period="month", group="school"))
    assert grid(protected, "display", "students")[WHOLE_SCHOOL] == {"2026-03": "9", ALL_PERIODS: "9"}
    assert grid(protected, "status", "home_mean")[WHOLE_SCHOOL] == {
        "2026-03": CellStatus.FEW_STUDENTS,
        ALL_PERIODS: CellStatus.FEW_STUDENTS,
    }


def test_concerns_count_distinct_students():
    raised = pd.DataFrame(
        [(key, 7, MARCH, "high") for key in range(1, 6)]
        + [(1, 7, MARCH, "high"), (1, 7, MARCH, "low"), (2, 7, MARCH, "low")],
        columns=list(CONCERN_COLUMNS),
    )
    protected = protect(build_report(checkins(seen(range(1, 9), 7, MARCH)), raised, period="month", group="school"))
    assert grid(protected, "display", "concerns_high")[WHOLE_SCHOOL]["2026-03"] == "5"
    assert grid(protected, "display", "concerns_low")[WHOLE_SCHOOL]["2026-03"] == "<5"
    assert grid(protected, "display", "concerns_medium")[WHOLE_SCHOOL]["2026-03"] == "<5"


def test_topics_need_k_students_and_a_shown_cell():
    rows = checkins(
        seen(range(1, 6), 7, MARCH, topics=("exams", "sleep")),
        seen(range(6, 9), 8, MARCH, topics=("exams",)),
        seen([9], 8, MARCH, topics=("sleep", "Talked about Alex's parents")),
    )
    protected = protect(build_report(rows, NO_CONCERNS, period="month", group="grade"))
    # grade 8 has 4 students: hidden, and so (by complement) is grade 7, and with them their topics
    assert protected.topics[["group", "period", "rank", "topic", "students"]].values.tolist() == [
        [WHOLE_SCHOOL, "2026-03", 1, "exams", 8],
        [WHOLE_SCHOOL, "2026-03", 2, "sleep", 6],
        [WHOLE_SCHOOL, ALL_PERIODS, 1, "exams", 8],
        [WHOLE_SCHOOL, ALL_PERIODS, 2, "sleep", 6],
    ]


def test_an_unlisted_topic_is_protected_like_a_hidden_one():
    rows = checkins(
        seen(range(1, 7), 7, MARCH, topics=("exams",)),
        seen(range(7, 13), 8, MARCH, topics=("exams",)),
        seen(range(13, 19), 9, MARCH, topics=("a", "b", "c", "d", "e")),
        seen(range(13, 18), 9, MARCH, topics=("exams",)),  # grade 9's 6th topic: not listed
    )
    shown = protect(build_report(rows, NO_CONCERNS, period="month", group="grade")).topics
    exams = {tuple(cell) for cell in shown.loc[shown["topic"] == "exams", ["group", "period"]].values.tolist()}
    # with grade 7 listed too, grade 9's count would be whole school − grade 7 − grade 8
    assert exams == {
        ("grade 8", "2026-03"),
        ("grade 8", ALL_PERIODS),
        (WHOLE_SCHOOL, "2026-03"),
        (WHOLE_SCHOOL, ALL_PERIODS),
    }


def test_trend_is_shown_only_when_all_its_periods_are():
    months = [date(2026, month, 5) for month in (1, 2, 3, 4)]
    rising = [seen(range(1, 7), 7, day, wellbeing) for day, wellbeing in zip(months, [2, 3, 3, 4], strict=True)]
    few_in_april = rising[:3] + [seen(range(1, 4), 7, months[3], 4)]
    shown = protect(build_report(checkins(*rising), NO_CONCERNS, period="month", group="school"))
    assert shown.trend.loc[WHOLE_SCHOOL].tolist() == ["improving", CellStatus.SHOWN]
    hidden = protect(build_report(checkins(*few_in_april), NO_CONCERNS, period="month", group="school"))
    assert hidden.trend.loc[WHOLE_SCHOOL].tolist() == [HIDDEN, CellStatus.HIDDEN_PERIOD]
    too_short = protect(build_report(checkins(*rising[:2]), NO_CONCERNS, period="month", group="school"))
    assert too_short.trend.loc[WHOLE_SCHOOL, "display"] == "not enough data"


def test_reasons_are_one_sentence():
    assert explain(CellStatus.FEW_STUDENTS, 5) == "hidden to protect privacy: fewer than 5 students"
    assert explain(CellStatus.SHOWN, 5) is None
    assert all(explain(status, 5) for status in HIDDEN_STATUSES | {CellStatus.CODED})


def test_output_is_ready_for_pages_charts_and_exports():
    report = build_report(TWO_GRADES, NO_CONCERNS, period="month", group="grade")
    protected = protect(report)
    for frame in (protected.display, protected.values, protected.status):
        assert frame.index.equals(report.values.index) and list(frame.columns) == list(MEASURES)
    assert protected.suppressed.equals(protected.values.isna())
    chart = protected.values["wellbeing_mean"].unstack("period").to_dict(orient="index")
    json.dumps(chart, allow_nan=False)  # None for hidden, never NaN
    assert protected.display.reset_index().to_csv(index=False).startswith("group,period,students,checkins")


def test_an_empty_report_is_fully_hidden():
    protected = protect(build_report(checkins(), NO_CONCERNS, period="month", group="grade"))
    assert protected.display.loc[(WHOLE_SCHOOL, ALL_PERIODS), "students"] == "<5"
    assert protected.topics.empty


# --- properties on random schools ---------------------------------------------------------------

SECRET = "Secret"  # in every name, note and free-text topic of the random data


@st.composite
def protected_schools(draw) -> tuple[ReportTable, ProtectedTable, pd.DataFrame]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows, students, grades = draw(st.integers(0, 300)), draw(st.integers(1, 60)), draw(st.integers(1, 4))
    start = date(2025, 8, 1) + timedelta(days=draw(st.integers(0, 300)))
    mentee = rng.integers(0, students, rows)
    keys = 9_000_000 + mentee * 7_919
    topic_lists = [
        list(rng.choice(["exams", "friends", "home", "sleep", "sport"], rng.integers(0, 4), replace=False))
        for _ in range(rows)
    ]
    visits = pd.DataFrame(
        {
            "mentee_key": keys,
            "grade": 6 + mentee % grades + (rng.random(rows) < 0.05),  # a few move up a grade
            "occurred_on": [start + timedelta(days=int(d)) for d in rng.integers(0, draw(st.integers(1, 100)), rows)],
            "wellbeing": rng.choice(
                [1, 2, 3, 4, 5], rows, p=draw(st.sampled_from([[0.2] * 5, [0.6, 0.3, 0.1, 0, 0], [0, 0, 0, 0.1, 0.9]]))
            ),
            **{d: [None if rng.random() < 0.3 else int(v) for v in rng.integers(1, 6, rows)] for d in DOMAINS},
            "topics": [
                [*topics, f"{SECRET} note {i}"] if rng.random() < 0.2 else topics
                for i, topics in enumerate(topic_lists)
            ],
            "name": [f"{SECRET} Student {m}" for m in mentee],
            "notes": [f"{SECRET} note about {m}" for m in mentee],
        }
    )
    raised_rows = draw(st.integers(0, 60))
    raised_mentee = rng.integers(0, students, raised_rows)
    raised = pd.DataFrame(
        {
            "mentee_key": 9_000_000 + raised_mentee * 7_919,
            "grade": 6 + raised_mentee % grades,
            "raised_on": [start + timedelta(days=int(d)) for d in rng.integers(0, 100, raised_rows)],
            "severity": rng.choice(["high", "medium", "low"], raised_rows),
            "details": f"{SECRET} concern details",
        }
    )
    report = build_report(
        visits,
        raised,
        period=draw(st.sampled_from(["week", "month", "term"])),
        group=draw(st.sampled_from(["grade", "band", "school"])),
        trend_periods=3,
    )
    return report, protect(report, k=draw(st.integers(5, 7))), visits


def lone_hidden_cells(hidden: pd.Series) -> int:
    """Rows and columns (of two or more cells) of a groups × periods grid with exactly one hidden cell."""
    table = hidden.unstack("period").to_numpy(dtype=bool)
    per_row = table.sum(axis=1) if table.shape[1] > 1 else np.zeros(0)
    per_column = table.sum(axis=0) if table.shape[0] > 1 else np.zeros(0)
    return int((per_row == 1).sum() + (per_column == 1).sum())


@settings(max_examples=30, deadline=None)
@given(protected_schools())
def test_no_value_rests_on_fewer_than_k_students_or_hides_alone(school):
    report, protected, _ = school
    k, hidden = protected.k, protected.suppressed
    cell_students = report.students["students"]
    for measure in MEASURES:
        assert (report.students.loc[~hidden[measure], measure] >= k).all(), measure
        assert (cell_students[~hidden[measure]] >= k).all(), measure
        assert protected.values.loc[hidden[measure], measure].isna().all()
        assert lone_hidden_cells(hidden[measure]) == 0, measure


@settings(max_examples=30, deadline=None)
@given(protected_schools())
def test_topics_and_trends_follow_the_cells_they_come_from(school):
    report, protected, _ = school
    topics, k = protected.topics, protected.k
    cells_shown = ~protected.suppressed["students"]
    assert (topics["students"] >= k).all()
    assert cells_shown.loc[pd.MultiIndex.from_frame(topics[["group", "period"]])].all()
    for _, listed in topics.groupby("topic"):
        present = pd.Series(True, index=pd.MultiIndex.from_frame(listed[["group", "period"]]))
        assert lone_hidden_cells(~present.reindex(report.values.index, fill_value=False)) == 0
    wellbeing_shown = ~protected.suppressed["wellbeing_mean"].unstack("period")
    for group, trend in protected.trend.iterrows():
        if trend["status"] != CellStatus.HIDDEN_PERIOD:
            assert wellbeing_shown.loc[group, list(report.trend_periods)].all()


@settings(max_examples=30, deadline=None)
@given(protected_schools())
def test_no_key_name_or_note_reaches_the_output(school):
    _, protected, visits = school
    frames = [protected.display, protected.status, protected.topics, protected.trend]
    texts = {str(label) for frame in frames for label in [*frame.index.to_flat_index(), *frame.columns]}
    texts |= {str(cell) for frame in frames for cell in frame.to_numpy().ravel()}
    assert not any(SECRET in text for text in texts)
    keys = {str(key) for key in visits["mentee_key"]}
    assert not any(key in text for text in texts for key in keys)
    numbers = {value for value in protected.values.to_numpy().ravel() if value is not None}
    assert numbers.isdisjoint(visits["mentee_key"].tolist())
