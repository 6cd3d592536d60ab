"""The report page's range when no start date is chosen: the last 12 months of check-ins.

A school's whole history by week or month is hundreds of columns that nobody reads on a screen (and
slow to build); the last year is what a counselor or teacher looks at first. The range ends at the
chosen end date, or at the latest check-in when none is chosen (or a later one is), and starts on the
first day of the month 11 months before, so it covers 12 whole months. A history that starts inside
that range is shown whole, as before. A chosen start date always wins; exports and the command line
use exactly the dates given.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from schoolpeers.reports.services import ReportParams

DEFAULT_MONTHS = 12


def default_start(end: date, months: int = DEFAULT_MONTHS) -> date:
    """The first day of the month `months - 1` months before the month of `end`."""
    month = end.year * 12 + end.month - 1 - (months - 1)
    return date(month // 12, month % 12 + 1, 1)


def with_default_range(params: ReportParams, first_day: date | None, last_day: date | None) -> ReportParams:
    """`params` with the default start date when none is chosen and the check-ins (first_day to last_day,
    None when there are none) reach back further than the default range."""
    if params.date_from is not None or first_day is None or last_day is None:
        return params
    end = min(params.date_to, last_day) if params.date_to else last_day
    start = default_start(end)
    return replace(params, date_from=start) if first_day < start else params
