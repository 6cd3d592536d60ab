"""Calendar and trend rule of well-being reports."""

from __future__ import annotations

from datetime import date

import pytest

from schoolpeers.reports.trends import Term, TermCalendar, least_squares_slope, period_slot, trend_direction


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
