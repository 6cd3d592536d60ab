"""The pure core of a mentor's volunteering hours, on plain data."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.mentors.services import school_year_end
from schoolpeers.programme.hours import (
    KINDS,
    Entry,
    Hours,
    Period,
    PeriodError,
    checked_period,
    decimal_hours,
    hours_text,
    school_year_of,
    tally,
    this_school_year_so_far,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
entries = st.lists(st.builds(Entry, kind=st.sampled_from(list(KINDS)), day=days,
                             minutes=st.integers(min_value=0, max_value=600)), max_size=40)


def periods():
    return st.tuples(days, days).map(lambda pair: Period(min(pair), max(pair)))


@given(entries, periods())
def test_the_total_is_the_minutes_of_the_entries_in_the_period(items, period):
    hours = tally(items, period)
    assert hours.total_minutes == sum(e.minutes for e in items if period.start <= e.day <= period.end)
    for kind in KINDS:
        assert getattr(hours, f"{kind}_minutes") == sum(
            e.minutes for e in items if e.kind == kind and period.start <= e.day <= period.end)


@given(entries, days, days, days)
def test_two_periods_side_by_side_add_up_to_the_whole(items, a, b, c):
    start, middle, end = sorted((a, b, c))
    if middle == end:
        return  # no second period after the first
    whole = tally(items, Period(start, end))
    first, second = tally(items, Period(start, middle)), tally(items, Period(middle + timedelta(days=1), end))
    assert whole.total_minutes == first.total_minutes + second.total_minutes
    assert whole.checkin_minutes == first.checkin_minutes + second.checkin_minutes


@given(entries, periods())
def test_the_order_of_the_entries_does_not_matter(items, period):
    assert tally(items, period) == tally(list(reversed(items)), period)


def test_entries_outside_the_period_and_on_its_edges():
    period = Period(date(2025, 9, 1), date(2025, 9, 30))
    items = [Entry("checkin", date(2025, 8, 31), 30), Entry("checkin", date(2025, 9, 1), 20),
             Entry("training", date(2025, 9, 30), 60), Entry("supervision", date(2025, 10, 1), 45),
             Entry("supervision", date(2025, 9, 15), 50)]
    assert tally(items, period) == Hours(checkin_minutes=20, training_minutes=60, supervision_minutes=50)
    assert tally([], period).total_minutes == 0


def test_an_unknown_kind_is_an_error_not_a_silent_zero():
    with pytest.raises(ValueError):
        tally([Entry("football", date(2025, 9, 1), 90)], Period(date(2025, 9, 1), date(2025, 9, 2)))


@given(days)
def test_the_school_year_is_the_one_training_runs_to(day):
    year = school_year_of(day)
    assert day in year and year.end == school_year_end(day)
    assert (year.start.month, year.start.day) == (9, 1) and year.start.year + 1 == year.end.year
    so_far = this_school_year_so_far(day)
    assert so_far.start == year.start and so_far.end == day


def test_checked_period_refuses_beside_the_field_at_fault():
    today = date(2026, 3, 10)
    assert checked_period(date(2025, 9, 1), today, today) == Period(date(2025, 9, 1), today)
    for start, end, field in ((None, today, "period_from"), (today, None, "period_to"),
                              (today, today + timedelta(days=1), "period_to"),
                              (today, today - timedelta(days=1), "period_from")):
        with pytest.raises(PeriodError) as refused:
            checked_period(start, end, today)
        assert refused.value.field == field


@given(st.integers(min_value=0, max_value=10**6))
def test_hours_text_says_every_minute(minutes):
    text = hours_text(minutes)
    hours = int(text.split(" hour")[0].replace(",", "")) if " hour" in text else 0
    rest = int(text.split()[-2]) if "minute" in text else 0
    assert hours * 60 + rest == minutes
    assert float(decimal_hours(minutes).replace(",", "")) == pytest.approx(minutes / 60, abs=0.05 + 1e-9)


def test_hours_text_reads_naturally():
    assert [hours_text(m) for m in (0, 1, 45, 60, 61, 150, 600)] == [
        "0 minutes", "1 minute", "45 minutes", "1 hour", "1 hour 1 minute", "2 hours 30 minutes", "10 hours"]
    assert Hours(60, 30, 45).by_kind() == [("Check-ins with mentees", 60), ("Training", 30), ("Supervision", 45)]
