"""The district's roll-up report: each school's lattice and its own protection decision, loaded as the
school's report loads them, then one decision for the district cells (`reports.rollup`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from schoolpeers.accounts.models import District, School
from schoolpeers.extensions import db
from schoolpeers.lazy import LazyModule
from schoolpeers.reports.cache import LatticeKey, ReportCache
from schoolpeers.reports.lattice import build_lattice
from schoolpeers.reports.loading import data_extent, load_checkins, load_concerns
from schoolpeers.reports.perturbation import student_key
from schoolpeers.reports.privacy import protect_lattice
from schoolpeers.reports.rollup import ROLLUP_LEVELS, Rollup, RollupTable, SchoolPart, build_rollup
from schoolpeers.reports.services import report_secret, school_rows, uses_differential_privacy

pd = LazyModule("pandas")


@dataclass(frozen=True, eq=False)
class DistrictRollup:
    district_name: str
    district_slug: str
    rollup: Rollup
    left_out: tuple[str, ...]  # schools whose reports use differential privacy only
    generated_on: date

    @property
    def k(self) -> int:
        return self.rollup.k


def district_schools(district: District) -> list[School]:
    """The district's schools, archived ones too (their periods with data stay in the roll-up)."""
    return list(db.session.scalars(select(School).where(
        School.district_id == district.id, School.kind == "school").order_by(School.name, School.id)))


def school_part(school: School, secret: bytes) -> SchoolPart:
    """The school's exact lattice of its mentors' check-ins and the decision its own report makes."""
    grades = frozenset(range(school.grade_min, school.grade_max + 1))
    checkins = load_checkins(school, grades, None, None)
    concerns = load_concerns(school, grades, None, None)
    keys = {int(m): student_key(secret, int(m)) for m in pd.unique(checkins["mentee_key"])}
    lattice = build_lattice(checkins, concerns, rows=school_rows(school), student_keys=keys)
    return SchoolPart(school.name, lattice, protect_lattice(lattice, school.min_group_size))


def district_rollup(district: District, app_secret: str | bytes, today: date,
                    progress: Callable[[float], None] = lambda share: None) -> DistrictRollup:
    schools = district_schools(district)
    included = [s for s in schools if not uses_differential_privacy(s)]
    parts = []
    for school in included:
        parts.append(school_part(school, report_secret(app_secret, school)))
        progress(len(parts) / (len(included) + 1))  # the district's own decision is the last share
    return DistrictRollup(district.name, district.slug, build_rollup(parts, district.min_group_size),
                          tuple(s.name for s in schools if uses_differential_privacy(s)), today)


@dataclass(frozen=True)
class RollupKey:
    """Everything a district's roll-up depends on: the district's settings, and per school all its
    report's lattice depends on and how its reports are protected (a school that moves to
    differential privacy leaves the roll-up at once)."""

    district_id: int
    settings: tuple
    schools: tuple[tuple[LatticeKey, str], ...]
    today: date

    @classmethod
    def of(cls, district: District, today: date) -> RollupKey:
        return cls(district.id, (district.name, district.slug, district.min_group_size),
                   tuple((LatticeKey.of(s, data_extent(s)), s.report_protection) for s in district_schools(district)),
                   today)


class RollupCache(ReportCache):
    """Stored roll-ups, decoded, kept in the process like a school's protected lattices
    (`reports.cache`), by district and what they were built from."""

    def rollup(self, key: tuple, load: Callable[[], DistrictRollup]) -> DistrictRollup:
        return self._get(key, load)


def periods_in_range(table: RollupTable, first: date | None, last: date | None) -> list[int]:
    """The columns of whole periods that overlap the range (open ends reach the first or last period)."""
    return [c for c, slot in enumerate(table.periods)
            if (first is None or slot.end >= first) and (last is None or slot.start <= last)]


__all__ = ["ROLLUP_LEVELS", "DistrictRollup", "RollupCache", "district_rollup", "district_schools",
           "periods_in_range"]


# --- what a page or a file shows: a slice of the roll-up ----------------------------------------


@dataclass(frozen=True)
class RollupSlice:
    """One level over a range of whole periods; per measure (page order) the rows' cells as
    (display, status, chart value)."""

    level: str
    periods: list[str]
    rows: list[str]  # "school: band", then the district's rows
    district_rows: list[int]
    measures: dict[str, list[list[tuple[str, str, int | float | None]]]]


def slice_rollup(found: DistrictRollup, level: str, first: date | None, last: date | None,
                 measures: list[str]) -> RollupSlice:
    table = found.rollup.levels[level]
    columns = periods_in_range(table, first, last)
    rows = found.rollup.rows
    return RollupSlice(level, [table.periods[c].label for c in columns], [row.title for row in rows],
                       [r for r, row in enumerate(rows) if row.school is None],
                       {m: [[(str(table.display[m][r, c]), str(table.status[m][r, c]), table.values[m][r, c])
                             for c in columns] for r in range(len(rows))] for m in measures})


def default_first(found: DistrictRollup, level: str, months: int) -> date | None:
    """The page's first view of months: the last `months` of them."""
    periods = found.rollup.levels[level].periods
    return periods[-months].start if level == "month" and len(periods) > months else None
