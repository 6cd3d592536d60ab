"""Calendar, groups and the trend rule of well-being reports (pure core: numpy only, no Flask, no database).

- Periods: every week ("2026-W07", ISO, Monday first), month ("2026-03"), term ("2025-26 autumn",
  with `DEFAULT_TERMS`: autumn Sep–Dec, spring Jan–Mar, summer Apr–Aug) and school year ("2025-26").
- Groups: each grade, the grade bands (`DEFAULT_GRADE_BANDS`, "grades 6–8") and the whole school.
- Trend rule: least-squares slope of mean well-being per period; |slope| < 0.05 points per period is
  "steady", otherwise "improving" or "declining"; fewer than 3 periods give no trend (None).

The input columns a report reads are named here too: check-ins with `mentee_key` (an opaque int,
only counted), `grade`, `occurred_on`, `wellbeing` (1–5), the domain ratings (1–5 or missing) and
`topics` (topic names or None); concerns with `mentee_key`, `grade`, `raised_on`, `severity`.
`lattice` builds every cell from them and `privacy` decides what is published.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np

from schoolpeers.severity import MOST_URGENT_FIRST

Period = Literal["week", "month", "term", "year"]
Grouping = Literal["grade", "band", "school"]
Direction = Literal["improving", "steady", "declining"]
MeasureKind = Literal["students", "count", "mean", "share"]

DOMAINS = ("school_work", "friendships", "home", "sleep_energy")
SEVERITIES = tuple(s.value for s in MOST_URGENT_FIRST)
CHECKIN_COLUMNS = ("mentee_key", "grade", "occurred_on", "wellbeing", *DOMAINS, "topics")
CONCERN_COLUMNS = ("mentee_key", "grade", "raised_on", "severity")

WHOLE_SCHOOL = "whole school"
LOW_WELLBEING = 2  # ratings 1–2 count as low
RATING_RANGE = (1, 5)
TOP_TOPICS = 5
DEFAULT_TREND_PERIODS = 6
MIN_TREND_PERIODS = 3  # a slope through two points is noise, not a trend
STEADY_THRESHOLD = 0.05  # points of well-being per period


# --- calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSlot:
    """One week, month, term or school year: its label and its first and last day."""

    label: str
    start: date
    end: date


@dataclass(frozen=True)
class Term:
    """A term's name and the day (every year) it starts; it ends the day before the next term starts."""

    name: str
    start_month: int
    start_day: int = 1


@dataclass(frozen=True)
class TermCalendar:
    """Terms in school-year order; the first term's start is the start of the school year."""

    terms: tuple[Term, ...]

    def __post_init__(self) -> None:
        if not self.terms:
            raise ValueError("a term calendar needs at least one term")
        if len({term.name for term in self.terms}) != len(self.terms):
            raise ValueError("term names must be unique")
        for term in self.terms:
            date(2001, term.start_month, term.start_day)  # raises for 29 Feb and impossible dates
        positions = [self._position(term.start_month, term.start_day) for term in self.terms]
        if positions != sorted(set(positions)):
            raise ValueError("terms must start in school-year order, each on a different day")

    def term_containing(self, day: date) -> PeriodSlot:
        first = self.terms[0]
        school_year = day.year if (day.month, day.day) >= (first.start_month, first.start_day) else day.year - 1
        starts = [self._position(term.start_month, term.start_day) for term in self.terms]
        index = bisect_right(starts, self._position(day.month, day.day)) - 1
        label = f"{school_year}-{(school_year + 1) % 100:02d} {self.terms[index].name}"
        end = self._start(school_year, index + 1) - timedelta(days=1)
        return PeriodSlot(label, self._start(school_year, index), end)

    def year_containing(self, day: date) -> PeriodSlot:
        """The school year of `day`, from its first term's start to the day before the next year's."""
        first = self.term_containing(day)
        school_year = int(first.label[:4])
        start = self._start(school_year, 0)
        end = self._start(school_year, len(self.terms)) - timedelta(days=1)
        return PeriodSlot(f"{school_year}-{(school_year + 1) % 100:02d}", start, end)

    def _position(self, month: int, day: int) -> tuple[int, int]:
        """(months, day) since the start of the school year, comparable across the new-year boundary."""
        first = self.terms[0]
        months_in = (month - first.start_month) % 12
        if months_in == 0 and day < first.start_day:
            months_in = 12  # the last days before the school year starts
        return months_in, day

    def _start(self, school_year: int, index: int) -> date:
        """Start of the index-th term counted from `school_year`'s first term (may run into next year)."""
        year, index = divmod(index, len(self.terms))
        term, first = self.terms[index], self.terms[0]
        calendar_year = school_year + year + ((term.start_month, term.start_day) < (first.start_month, first.start_day))
        return date(calendar_year, term.start_month, term.start_day)


DEFAULT_TERMS = TermCalendar((Term("autumn", 9), Term("spring", 1), Term("summer", 4)))


def period_slot(day: date, period: Period, terms: TermCalendar = DEFAULT_TERMS) -> PeriodSlot:
    """The week (ISO, Monday first), month or term that contains `day`."""
    if period == "week":
        start = day - timedelta(days=day.weekday())
        iso = start.isocalendar()
        return PeriodSlot(f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=6))
    if period == "month":
        start = day.replace(day=1)
        next_start = (start + timedelta(days=32)).replace(day=1)
        return PeriodSlot(f"{start:%Y-%m}", start, next_start - timedelta(days=1))
    if period == "term":
        return terms.term_containing(day)
    if period == "year":
        return terms.year_containing(day)
    raise ValueError(f"unknown period {period!r}")


def period_slots(
    first_day: date, last_day: date, period: Period, terms: TermCalendar = DEFAULT_TERMS
) -> list[PeriodSlot]:
    """Every period from the one containing `first_day` to the one containing `last_day`."""
    slots: list[PeriodSlot] = []
    day = first_day
    while day <= last_day:
        slots.append(period_slot(day, period, terms))
        day = slots[-1].end + timedelta(days=1)
    return slots


# --- groups and filter ----------------------------------------------------------------------


@dataclass(frozen=True)
class GradeBand:
    """A row of band reports: grades first_grade..last_grade inclusive."""

    label: str
    first_grade: int
    last_grade: int


DEFAULT_GRADE_BANDS = (
    GradeBand("grades 6–8", 6, 8),
    GradeBand("grades 9–10", 9, 10),
    GradeBand("grades 11–12", 11, 12),
)


# --- trend ----------------------------------------------------------------------------------


def least_squares_slope(values: Sequence[float]) -> float:
    """Slope of the least-squares line through (0, v0), (1, v1), …: change per period."""
    y = np.asarray(values, dtype=float)
    x = np.arange(len(y)) - (len(y) - 1) / 2
    return float(x @ (y - y.mean()) / (x @ x))


def trend_direction(means: Sequence[float], steady_threshold: float = STEADY_THRESHOLD) -> Direction | None:
    """Direction of mean well-being over consecutive periods; None if too few or any missing."""
    values = np.asarray(means, dtype=float)
    if len(values) < MIN_TREND_PERIODS or not np.isfinite(values).all():
        return None
    slope = least_squares_slope(values)
    if abs(slope) < steady_threshold:
        return "steady"
    return "improving" if slope > 0 else "declining"
