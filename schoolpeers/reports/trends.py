"""Well-being trend reports: the pure aggregation core (pandas/numpy only, no Flask, no database).

Nothing built here may be shown or exported as it is: every `ReportTable` goes through
`schoolpeers.reports.privacy.protect` first, which hides and codes cells. Values here are exact.

Input (plain DataFrames the service layer loads with one query each; other columns are ignored,
so names or notes loaded by accident never reach a report):

- check-ins: `mentee_key` (opaque int, used only to count distinct students), `grade` (int),
  `occurred_on` (date, or datetime64), `wellbeing` (int 1–5), the domain ratings `school_work`,
  `friendships`, `home`, `sleep_energy` (1–5 or missing), and `topics`: a list of topic names per
  check-in (e.g. `array_agg` in the query; empty list or None for none). Topic names are the
  programme's fixed topic list, never free text; a name that only a few students share is hidden anyway.
- concerns: `mentee_key`, `grade`, `raised_on` (date), `severity` ("high", "medium" or "low").

Output (`ReportTable`): a complete grid of cells, one per (group, period), in display order:

- rows `group`: "grade 6" … or the band labels ("grades 6–8", `DEFAULT_GRADE_BANDS`) for the grades
  in the filter (or in the data), then `WHOLE_SCHOOL` (the total row; the only row by school);
- columns `period`: every week ("2026-W07", ISO), month ("2026-03") or term ("2025-26 autumn", with
  `DEFAULT_TERMS`: autumn Sep–Dec, spring Jan–Mar, summer Apr–Aug) from the first to the last day of
  the filter (or of the data when it is open), then `ALL_PERIODS` (the total column). Periods
  without check-ins are columns too. The filter's dates are widened to whole periods, so every
  column covers whole periods and no two reports differ by a few days.

`values` and `students` are DataFrames with that (group, period) MultiIndex (ordered categorical
levels, so `unstack("period")` keeps the order) and one column per measure in `MEASURES`:

- `students`: distinct mentees seen; `checkins`: number of check-ins;
- `wellbeing_mean` and `<domain>_mean`: mean rating over the check-ins (domains over those answered);
- `low_share`: share (0–1) of check-ins with well-being 1–2;
- `concerns_high|medium|low`: distinct students with at least one concern of that severity raised
  (students, not concerns: five concerns about one student are one student in difficulty).

`students` holds, per cell and measure, how many distinct students the value is computed from:
the k-threshold of the privacy step is applied to it.
`topics` is a long table (group, period, rank, topic, students): per cell the `TOP_TOPICS` topics
mentioned by the most distinct students (ties alphabetical).
`trend` gives each group's direction over the last `trend_periods` periods that have check-ins
anywhere in the school (holidays are skipped); `trend_periods` names those periods.

Trend rule: least-squares slope of mean well-being per period; |slope| < 0.05 points per period is
"steady", otherwise "improving" or "declining"; fewer than 3 periods give no trend (None).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

import numpy as np
import pandas as pd

Period = Literal["week", "month", "term", "year"]
Grouping = Literal["grade", "band", "school"]
Direction = Literal["improving", "steady", "declining"]
MeasureKind = Literal["students", "count", "mean", "share"]

DOMAINS = ("school_work", "friendships", "home", "sleep_energy")
SEVERITIES = ("high", "medium", "low")
MEASURES: dict[str, MeasureKind] = {
    "students": "students",
    "checkins": "count",
    "wellbeing_mean": "mean",
    "low_share": "share",
    **{f"{domain}_mean": "mean" for domain in DOMAINS},
    **{f"concerns_{severity}": "students" for severity in SEVERITIES},
}
CHECKIN_COLUMNS = ("mentee_key", "grade", "occurred_on", "wellbeing", *DOMAINS, "topics")
CONCERN_COLUMNS = ("mentee_key", "grade", "raised_on", "severity")

WHOLE_SCHOOL = "whole school"
ALL_PERIODS = "all periods"
LOW_WELLBEING = 2  # ratings 1–2 count as low
RATING_RANGE = (1, 5)
TOP_TOPICS = 5
DEFAULT_TREND_PERIODS = 6
MIN_TREND_PERIODS = 3  # a slope through two points is noise, not a trend
STEADY_THRESHOLD = 0.05  # points of well-being per period

CELL = ["group", "period"]


# --- calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSlot:
    """One week, month or term: its label and its first and last day."""

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


def group_label(grade: int, group: Grouping, bands: Sequence[GradeBand] = DEFAULT_GRADE_BANDS) -> str:
    """The report row a check-in of this grade belongs to."""
    if group == "grade":
        return f"grade {grade}"
    if group == "band":
        for band in bands:
            if band.first_grade <= grade <= band.last_grade:
                return band.label
        raise ValueError(f"grade {grade} is in no grade band")
    if group == "school":
        return WHOLE_SCHOOL
    raise ValueError(f"unknown grouping {group!r}")


@dataclass(frozen=True)
class ReportFilter:
    """Inclusive date range (None: open) and the grades to include (None: all)."""

    date_from: date | None = None
    date_to: date | None = None
    grades: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")

    def includes_day(self, day: date) -> bool:
        return (self.date_from is None or day >= self.date_from) and (self.date_to is None or day <= self.date_to)


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


# --- report ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ReportTable:
    """Exact, unprotected report: pass it to `privacy.protect` before showing anything."""

    values: pd.DataFrame
    students: pd.DataFrame
    topics: pd.DataFrame
    trend: pd.Series
    trend_periods: tuple[str, ...]
    period: Period
    grouping: Grouping


def build_report(
    checkins: pd.DataFrame,
    concerns: pd.DataFrame,
    *,
    period: Period,
    group: Grouping,
    filter: ReportFilter = ReportFilter(),
    terms: TermCalendar = DEFAULT_TERMS,
    bands: Sequence[GradeBand] = DEFAULT_GRADE_BANDS,
    trend_periods: int = DEFAULT_TREND_PERIODS,
    steady_threshold: float = STEADY_THRESHOLD,
) -> ReportTable:
    """The exact report (shape in the module docstring): give it to `privacy.protect` before any use."""
    if period not in get_args(Period) or group not in get_args(Grouping):
        raise ValueError(f"unknown period {period!r} or grouping {group!r}")
    filter = _whole_periods(filter, period, terms)
    visits = _Selection.of(checkins, CHECKIN_COLUMNS, "occurred_on", filter)
    raised = _Selection.of(concerns, CONCERN_COLUMNS, "raised_on", filter)
    slots = _report_slots(visits, raised, filter, period, terms)
    grades = sorted(filter.grades if filter.grades is not None else visits.grades() | raised.grades())
    groups = [] if group == "school" else list(dict.fromkeys(group_label(g, group, bands) for g in grades))
    grid = _Grid(groups, [slot.label for slot in slots])

    def locate(selection: _Selection) -> _Located:
        group_labels = [*grid.groups, WHOLE_SCHOOL]
        period_labels = {slot.label: code for code, slot in enumerate(slots)}
        mentee, distinct_mentees = pd.factorize(selection.column("mentee_key"))
        return _Located(
            group=_map_distinct(selection.column("grade"), lambda g: group_labels.index(group_label(g, group, bands))),
            period=selection.map_days(lambda day: period_labels[period_slot(day, period, terms).label]),
            mentee=mentee,
            mentees=len(distinct_mentees),
        )

    visit_rows, concern_rows = locate(visits), locate(raised)
    values, students = _checkin_measures(visits, visit_rows, grid)
    concern_students = _concern_students(raised, concern_rows, grid)
    values = pd.DataFrame({**values, **concern_students}, index=grid.index())[list(MEASURES)]
    students = pd.DataFrame({**students, **concern_students}, index=grid.index())[list(MEASURES)]
    trend, trend_labels = _trends(values, grid, trend_periods, steady_threshold)
    return ReportTable(
        values=values,
        students=students,
        topics=_topic_students(visits, visit_rows, grid),
        trend=trend,
        trend_periods=trend_labels,
        period=period,
        grouping=group,
    )


def compare_with_previous_term(
    checkins: pd.DataFrame,
    concerns: pd.DataFrame,
    *,
    on: date,
    group: Grouping,
    grades: frozenset[int] | None = None,
    terms: TermCalendar = DEFAULT_TERMS,
    bands: Sequence[GradeBand] = DEFAULT_GRADE_BANDS,
) -> ReportTable:
    """Term report with exactly two period columns: the term before the one containing `on`, and that term."""
    current = terms.term_containing(on)
    previous = terms.term_containing(current.start - timedelta(days=1))
    return build_report(
        checkins,
        concerns,
        period="term",
        group=group,
        filter=ReportFilter(previous.start, current.end, grades),
        terms=terms,
        bands=bands,
    )


def top_topics(topic_students: pd.DataFrame, n: int = TOP_TOPICS) -> pd.DataFrame:
    """Per (group, period), the n topics with the most distinct students, ranked 1..n (ties alphabetical).

    Ranking by students means any topic below the privacy threshold ranks below every topic above
    it, so hiding small topics later never lets a lower-ranked topic jump the queue.
    """
    ranked = topic_students.sort_values([*CELL, "students", "topic"], ascending=[True, True, False, True])
    rank = ranked.groupby(CELL, observed=True).cumcount() + 1
    return (
        ranked.assign(rank=rank)
        .loc[lambda frame: frame["rank"] <= n, [*CELL, "rank", "topic", "students"]]
        .reset_index(drop=True)
    )


# --- internals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """Codes of the report grid: groups 0..G-1 then the whole school; periods 0..P-1 then all periods.

    A cell's code is group * (P + 1) + period, so per-cell arrays are in the order of `index()`.
    """

    groups: list[str]
    periods: list[str]

    @property
    def whole_school(self) -> int:
        return len(self.groups)

    @property
    def all_periods(self) -> int:
        return len(self.periods)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.groups) + 1, len(self.periods) + 1

    @property
    def cells(self) -> int:
        return self.shape[0] * self.shape[1]

    def margins(self, group: np.ndarray, period: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The (group, period) codes of the same rows in the total column, the total row and their corner."""
        all_periods = np.full_like(period, self.all_periods)
        if not self.groups:  # grouped by school: the rows already are the whole-school row
            return [(group, all_periods)]
        whole_school = np.full_like(group, self.whole_school)
        return [(group, all_periods), (whole_school, period), (whole_school, all_periods)]

    def with_totals(self, per_cell: np.ndarray) -> np.ndarray:
        """Fill the total column, and the total row when there are group rows, of additive per-cell sums."""
        table = per_cell.reshape(self.shape).copy()
        if self.groups:
            table[-1, :-1] = table[:-1, :-1].sum(axis=0)
        table[:, -1] = table[:, :-1].sum(axis=1)
        return table.ravel()

    def index(self) -> pd.MultiIndex:
        groups, periods = self._labels()
        return pd.MultiIndex.from_product(
            [
                pd.CategoricalIndex(groups, categories=groups, ordered=True),
                pd.CategoricalIndex(periods, categories=periods, ordered=True),
            ],
            names=CELL,
        )

    def labelled(self, group: np.ndarray, period: np.ndarray) -> dict[str, pd.Categorical]:
        groups, periods = self._labels()
        return {
            "group": pd.Categorical.from_codes(group, categories=groups, ordered=True),
            "period": pd.Categorical.from_codes(period, categories=periods, ordered=True),
        }

    def _labels(self) -> tuple[list[str], list[str]]:
        return [*self.groups, WHOLE_SCHOOL], [*self.periods, ALL_PERIODS]


@dataclass(frozen=True)
class _Selection:
    """The rows of one input table inside the filter; calendar work is done once per distinct day."""

    table: pd.DataFrame
    keep: np.ndarray
    day_codes: np.ndarray
    days: list[date]

    @classmethod
    def of(cls, table: pd.DataFrame, columns: Sequence[str], date_column: str, filter: ReportFilter) -> _Selection:
        missing = [column for column in columns if column not in table.columns]
        if missing:
            raise ValueError(f"missing columns: {', '.join(missing)}")
        on = table[date_column]
        if pd.api.types.is_datetime64_any_dtype(on):
            on = on.dt.normalize()
        day_codes, distinct = pd.factorize(on)
        if (day_codes < 0).any():
            raise ValueError(f"{date_column} has missing dates")
        days = [pd.Timestamp(value).date() for value in distinct]
        keep = np.array([filter.includes_day(day) for day in days], dtype=bool)[day_codes]
        if filter.grades is not None:
            keep &= table["grade"].isin(filter.grades).to_numpy()
        return cls(table, keep, day_codes[keep], days)

    def column(self, name: str) -> np.ndarray:
        return self.table[name].to_numpy()[self.keep]

    def grades(self) -> set[int]:
        return {int(grade) for grade in pd.unique(self.column("grade"))}

    def kept_days(self) -> list[date]:
        return [self.days[code] for code in self._kept_day_codes()]

    def map_days(self, function: Callable[[date], int]) -> np.ndarray:
        kept = self._kept_day_codes()
        per_day = np.zeros(len(self.days), dtype=np.int64)
        per_day[kept] = [function(self.days[code]) for code in kept]
        return per_day[self.day_codes]

    def _kept_day_codes(self) -> np.ndarray:
        return np.flatnonzero(np.bincount(self.day_codes, minlength=len(self.days)))


@dataclass(frozen=True)
class _Located:
    """Per kept row: its group and period codes in the grid and its student as a code 0..mentees-1."""

    group: np.ndarray
    period: np.ndarray
    mentee: np.ndarray
    mentees: int

    def cell(self, grid: _Grid) -> np.ndarray:
        return self.group * grid.shape[1] + self.period

    def take(self, rows: np.ndarray) -> _Located:
        """The rows selected by a boolean mask or by positions (repeated positions repeat the row)."""
        return _Located(self.group[rows], self.period[rows], self.mentee[rows], self.mentees)


@dataclass(frozen=True)
class _KeySpace:
    """Packs several small integer codes into one int64 key (mixed radix), so grouping hashes one array."""

    sizes: tuple[int, ...]

    def pack(self, *codes: np.ndarray) -> np.ndarray:
        key = np.zeros(len(codes[0]), dtype=np.int64)
        for code, size in zip(codes, self.sizes, strict=True):
            key *= size
            key += code
        return key

    def unpack(self, key: np.ndarray) -> list[np.ndarray]:
        codes = []
        for size in reversed(self.sizes):
            key, code = np.divmod(key, size)
            codes.append(code)
        return codes[::-1]


def _map_distinct(values: np.ndarray, function: Callable[[int], int]) -> np.ndarray:
    """`function` applied per distinct value (not per row)."""
    codes, distinct = pd.factorize(values)
    return np.array([function(int(value)) for value in distinct], dtype=np.int64)[codes]


def _whole_periods(filter: ReportFilter, period: Period, terms: TermCalendar) -> ReportFilter:
    """The filter widened to whole periods: two reports whose ranges differ by a day could otherwise
    be subtracted from each other to reveal the students seen on that day."""
    return ReportFilter(
        filter.date_from and period_slot(filter.date_from, period, terms).start,
        filter.date_to and period_slot(filter.date_to, period, terms).end,
        filter.grades,
    )


def _report_slots(
    visits: _Selection, raised: _Selection, filter: ReportFilter, period: Period, terms: TermCalendar
) -> list[PeriodSlot]:
    days = visits.kept_days() + raised.kept_days()
    first = filter.date_from or min(days, default=None)
    last = filter.date_to or max(days, default=None)
    if first is None or last is None:
        return []
    return period_slots(first, last, period, terms)


def _rating(selection: _Selection, name: str, *, optional: bool) -> np.ndarray:
    ratings = pd.to_numeric(pd.Series(selection.column(name))).to_numpy(dtype=float, na_value=np.nan)
    low, high = RATING_RANGE
    if ((ratings < low) | (ratings > high)).any() or (not optional and np.isnan(ratings).any()):
        raise ValueError(f"{name} must be a rating from {low} to {high}")
    return ratings


def _student_cells(rows: _Located, grid: _Grid, extra: tuple[np.ndarray, int] | None = None) -> np.ndarray:
    """The cell of every distinct (cell, student) pair, margins included: count them for distinct students.

    `extra` = (codes, size) splits cells further (e.g. by topic); the cells returned are then packed
    as cell * size + code. Pairs are deduplicated in the detail grid first, so the margins (whole
    school, all periods) are computed from that much smaller set, and a student counts once per cell.
    """
    extra_codes, extra_size = extra if extra is not None else (np.zeros_like(rows.mentee), 1)
    space = _KeySpace((*grid.shape, extra_size, max(rows.mentees, 1)))
    pairs = pd.unique(space.pack(rows.group, rows.period, extra_codes, rows.mentee))
    group, period, extra_codes, mentee = space.unpack(pairs)
    margins = [pd.unique(space.pack(g, p, extra_codes, mentee)) for g, p in grid.margins(group, period)]
    return np.concatenate([pairs, *margins]) // space.sizes[-1]


def _distinct_students(rows: _Located, grid: _Grid) -> np.ndarray:
    return np.bincount(_student_cells(rows, grid), minlength=grid.cells)


def _checkin_measures(
    visits: _Selection, rows: _Located, grid: _Grid
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    wellbeing = _rating(visits, "wellbeing", optional=False)
    domains = {domain: _rating(visits, domain, optional=True) for domain in DOMAINS}
    answered = {domain: ~np.isnan(ratings) for domain, ratings in domains.items()}
    cell = rows.cell(grid)

    def total(weights: np.ndarray | None = None) -> np.ndarray:
        return grid.with_totals(np.bincount(cell, weights=weights, minlength=grid.cells))

    students, checkins = _distinct_students(rows, grid), total()
    with np.errstate(invalid="ignore"):  # 0/0 in empty cells is NaN, as it should be
        values = {
            "students": students,
            "checkins": checkins,
            "wellbeing_mean": total(wellbeing) / checkins,
            "low_share": total(wellbeing <= LOW_WELLBEING) / checkins,
            **{f"{d}_mean": total(np.where(answered[d], domains[d], 0.0)) / total(answered[d]) for d in DOMAINS},
        }
    basis = {
        **dict.fromkeys(["students", "checkins", "wellbeing_mean", "low_share"], students),
        **{f"{d}_mean": _distinct_students(rows.take(answered[d]), grid) for d in DOMAINS},
    }
    return values, basis


def _concern_students(raised: _Selection, rows: _Located, grid: _Grid) -> dict[str, np.ndarray]:
    severity = raised.column("severity")
    unknown = set(pd.unique(severity)) - set(SEVERITIES)
    if unknown:
        raise ValueError(f"unknown concern severity: {', '.join(sorted(map(str, unknown)))}")
    return {f"concerns_{s}": _distinct_students(rows.take(severity == s), grid) for s in SEVERITIES}


def _topic_students(visits: _Selection, rows: _Located, grid: _Grid) -> pd.DataFrame:
    mentions = pd.Series(visits.column("topics"), dtype=object).explode()
    topic, names = pd.factorize(mentions.to_numpy(dtype=object))  # empty lists and None get -1
    named = topic >= 0
    topics = max(len(names), 1)
    mentioning = rows.take(mentions.index.to_numpy()[named])
    cell_topic, students = np.unique(_student_cells(mentioning, grid, extra=(topic[named], topics)), return_counts=True)
    cell, topic = np.divmod(cell_topic, topics)
    group, period = np.divmod(cell, grid.shape[1])
    return top_topics(
        pd.DataFrame(
            {
                **grid.labelled(group, period),
                "topic": np.asarray(names, dtype=object)[topic],
                "students": students,
            }
        )
    )


def _trends(
    values: pd.DataFrame, grid: _Grid, periods: int, steady_threshold: float
) -> tuple[pd.Series, tuple[str, ...]]:
    """Trend per group over the last `periods` periods with any check-in in the school."""
    checkins = values["checkins"].unstack("period")
    means = values["wellbeing_mean"].unstack("period")
    active = [label for label in grid.periods if checkins.loc[WHOLE_SCHOOL, label] > 0][-periods:]
    directions = {row: trend_direction(means.loc[row, active].to_numpy(), steady_threshold) for row in means.index}
    return pd.Series(directions, index=means.index, dtype=object, name="trend"), tuple(active)
