"""A mentor's volunteering time, worked out on plain data (pure: no Flask, no SQLAlchemy).

Three kinds of time count: the check-ins they held, the training modules they completed and the
supervision sessions they attended. Each is an `Entry` (kind, day, minutes); `tally` adds up the
entries of a period, by kind.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from schoolpeers.refusals import FieldRefusal
from schoolpeers.reports.trends import DEFAULT_TERMS

KINDS = {"checkin": "Check-ins with mentees", "training": "Training", "supervision": "Supervision"}


class PeriodError(FieldRefusal):
    """A period that cannot be counted: its field says which end is wrong."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Entry:
    kind: str  # one of KINDS
    day: date
    minutes: int


@dataclass(frozen=True)
class Hours:
    checkin_minutes: int = 0
    training_minutes: int = 0
    supervision_minutes: int = 0

    @property
    def total_minutes(self) -> int:
        return self.checkin_minutes + self.training_minutes + self.supervision_minutes

    def by_kind(self) -> list[tuple[str, int]]:
        """(label, minutes) for each kind, in the order certificates list them."""
        return [(KINDS[kind], getattr(self, f"{kind}_minutes")) for kind in KINDS]


def tally(entries: Iterable[Entry], period: Period) -> Hours:
    """The minutes of each kind among the entries that fall in the period; others are left out."""
    sums = dict.fromkeys(KINDS, 0)
    for entry in entries:
        if entry.kind not in KINDS:
            raise ValueError(f"Unknown kind of volunteering: {entry.kind}")
        if entry.day in period:
            sums[entry.kind] += max(entry.minutes, 0)
    return Hours(**{f"{kind}_minutes": minutes for kind, minutes in sums.items()})


def school_year_of(day: date) -> Period:
    """The school year the day falls in, as the reports' term calendar has it (1 September to 31 August)."""
    year = DEFAULT_TERMS.year_containing(day)
    return Period(year.start, year.end)


def this_school_year_so_far(today: date) -> Period:
    """From the start of the current school year up to today."""
    return Period(school_year_of(today).start, today)


def checked_period(start: date | None, end: date | None, today: date) -> Period:
    """The period from `start` to `end`, refused when an end is missing, it ends after today or it
    runs backwards."""
    if start is None:
        raise PeriodError("period_from", "Choose the first day of the period.")
    if end is None:
        raise PeriodError("period_to", "Choose the last day of the period.")
    if end > today:
        raise PeriodError("period_to", "The period cannot end after today.")
    if start > end:
        raise PeriodError("period_from", "The period must start on or before its last day.")
    return Period(start, end)


def hours_text(minutes: int) -> str:
    """Minutes as people say them: "45 minutes", "1 hour", "12 hours 30 minutes"."""
    hours, rest = divmod(max(minutes, 0), 60)
    parts = []
    if hours:
        parts.append(f"{hours:,} hour" + ("" if hours == 1 else "s"))
    if rest or not hours:
        parts.append(f"{rest} minute" + ("" if rest == 1 else "s"))
    return " ".join(parts)


def decimal_hours(minutes: int) -> str:
    """Minutes as hours to one decimal place, for a total at a glance: "12.5"."""
    return f"{max(minutes, 0) / 60:,.1f}"
