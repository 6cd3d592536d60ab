"""The page's range when no start date is chosen: the last 12 months of check-ins."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from schoolpeers.extensions import db
from schoolpeers.reports.default_range import default_start, with_default_range
from schoolpeers.reports.services import ReportParams

LAST = date(2025, 4, 8)


@pytest.mark.parametrize(("end", "start"), [
    (date(2025, 4, 8), date(2024, 5, 1)),
    (date(2025, 12, 31), date(2025, 1, 1)),
    (date(2025, 1, 1), date(2024, 2, 1)),
])
def test_the_default_start_gives_twelve_whole_months(end, start):
    assert default_start(end) == start


def test_a_longer_history_starts_twelve_months_before_the_latest_check_in():
    params = with_default_range(ReportParams(), date(2022, 9, 5), LAST)
    assert params == ReportParams(date_from=date(2024, 5, 1))


def test_a_chosen_end_date_counts_back_from_it_and_is_kept():
    params = with_default_range(ReportParams(date_to=date(2023, 6, 30)), date(2021, 9, 6), LAST)
    assert params == ReportParams(date_from=date(2022, 7, 1), date_to=date(2023, 6, 30))
    later = with_default_range(ReportParams(date_to=date(2030, 1, 1)), date(2022, 9, 5), LAST)
    assert later.date_from == date(2024, 5, 1) and later.date_to == date(2030, 1, 1)


@pytest.mark.parametrize(("params", "first"), [
    (ReportParams(date_from=date(2020, 1, 1)), date(2019, 1, 1)),  # a chosen start always wins
    (ReportParams(period="week"), date(2024, 5, 1)),  # the history already fits in the range
    (ReportParams(), None),  # no check-ins at all
])
def test_the_choices_stay_as_they_are_otherwise(params, first):
    assert with_default_range(params, first, first and LAST) == params


@pytest.fixture
def two_years(programme):
    """Five grade-9 students with a check-in every month from September 2023 to April 2025."""
    students = programme.students(5, grade=9)
    for month in range(20):
        day = date(2023 + (8 + month) // 12, (8 + month) % 12 + 1, 10)
        programme.checkins(students, day, wellbeing=3 + month % 2)
    db.session.commit()
    return programme


def test_page_and_chart_data_show_the_last_twelve_months_and_say_so(client, two_years, users, login_as):
    login_as(users["staff"])
    data = client.get("/reports/data.json").get_json()
    assert data["periods"][0] == "2024-05" and data["periods"][-1] == "2025-04" and len(data["periods"]) == 12
    assert data["filters"]["from"] == "2024-05-01"
    page = client.get("/reports").get_data(as_text=True)
    assert 'id="default-range"' in page and "last 12 months" in page and "from 2024-05-01" in page
    assert "2023-09" not in page
    assert "/reports/export.csv?period=month&amp;group=grade&amp;grades=&amp;date_from=2024-05-01" not in page
    assert "/reports/export.csv?period=month&amp;group=grade&amp;date_from=2024-05-01" in page


def test_a_chosen_start_date_shows_the_whole_history(client, two_years, users, login_as):
    login_as(users["staff"])
    data = client.get("/reports/data.json?date_from=2023-09-01").get_json()
    assert data["periods"][0] == "2023-09" and len(data["periods"]) == 20
    page = client.get("/reports?date_from=2023-09-01").get_data(as_text=True)
    assert 'id="default-range"' not in page and "2023-09" in page


def test_a_school_with_a_short_history_sees_all_of_it(client, small_school, users, login_as):
    login_as(users["staff"])
    assert client.get("/reports/data.json").get_json()["filters"]["from"] == "first check-in"
    assert 'id="default-range"' not in client.get("/reports").get_data(as_text=True)


def test_exports_cover_exactly_the_dates_given(client, two_years, users, login_as):
    login_as(users["staff"])
    rows = list(csv.reader(io.StringIO(client.get("/reports/export.csv").data.decode("utf-8-sig"))))
    assert "from: first check-in" in rows[0]
    assert any(row[:2] == ["grade 9", "2023-09"] for row in rows)
