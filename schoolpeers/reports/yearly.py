"""Reports published once per school year that has ended (the programme's outcomes, the circles
report): the years a page offers, why a year is not published, and its release, stored the first time
it is asked for and never made again, so figures that moved later (a late answer, an erasure, a new
grade) can never be compared with what was shown to single out a student."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts.models import School
from schoolpeers.extensions import db
from schoolpeers.reports.services import uses_differential_privacy
from schoolpeers.reports.trends import DEFAULT_TERMS, PeriodSlot

Release = TypeVar("Release")


@dataclass(frozen=True)
class YearlyReport:
    """How a yearly report speaks of itself: its name ("outcomes report") and what moves its figures
    ("new answer")."""

    name: str
    moved_by: str

    def not_ended(self, year: PeriodSlot) -> str:
        return (f"A school year's {self.name} is published once the year has ended, and then never changes: "
                f"figures that moved with every {self.moved_by} could be compared to single out a student. "
                f"{year.label} has not ended yet.")

    def under_differential_privacy(self) -> str:
        return (f"This school protects its reports with differential privacy, so no {self.name} is published: "
                "its figures would spend the school's yearly privacy budget, which is the admin's decision "
                "to make.")

    def unpublished_reason(self, school: School, year: PeriodSlot, today: date) -> str | None:
        """Why this report of `year` is not published for the school, or None when it is."""
        if uses_differential_privacy(school):
            return self.under_differential_privacy()
        if year.end >= today:
            return self.not_ended(year)
        return None


def years_since(first: date | None, today: date) -> list[PeriodSlot]:
    """The school years from the one holding `first` (the school's first figure) to this one, newest first."""
    years = [DEFAULT_TERMS.year_containing(min(today, first) if first else today)]
    while years[-1].end < today:
        years.append(DEFAULT_TERMS.year_containing(years[-1].end + timedelta(days=1)))
    return years[::-1]


def stored_release(model: type[Release], school: School, year: PeriodSlot,
                   make: Callable[[], tuple[int, dict]]) -> Release:
    """The year's stored release (`model`: school_id, year_start, year_end, k, content), made by
    `make` (its k and presented content) the first time it is asked for. A new one is written to the
    session (the caller commits); one stored meanwhile by another request stands."""
    found = _stored(model, school, year)
    if found is None:
        k, content = make()
        try:
            with db.session.begin_nested():
                db.session.add(model(school_id=school.id, year_start=year.start, year_end=year.end, k=k,
                                     content=content))
        except IntegrityError:
            pass  # another request published this year first: its release is the one
        found = _stored(model, school, year)
    return found


def _stored(model: type[Release], school: School, year: PeriodSlot) -> Release | None:
    return db.session.scalar(select(model).where(model.school_id == school.id, model.year_start == year.start))
