"""The publication lattice of a school: every cell a report can show, with exact values (pure core).

Reports are never built for an arbitrary choice of dates and grades. A school has one fixed set of
cells, the lattice: rows are each grade, each grade band and the whole school; columns are every
week, month, term and school year from the school's first check-in to its last. A report is a
slice of it (one level of periods, a range of whole periods, one grouping, all grades or one band
or one grade), so two reports can only differ by whole cells, never by a few days or a grade left
out, and every output shows a cell the way the one protection decision of `privacy` says.

Input (plain DataFrames, other columns ignored, as `trends` documents them): check-ins with
`mentee_key`, `grade`, `occurred_on`, `wellbeing`, the domain ratings and `topics`; concerns with
`mentee_key`, `grade`, `raised_on`, `severity`.

Values are additive per cell, so a band row is the sum of its grades and the school row the sum of
its bands (a student has one grade): distinct `students`, `checkins`, `wellbeing_sum`, `low_count`
(ratings 1–2), `low_students` (distinct students with a low rating), and per domain `<d>_sum`,
`<d>_answered` and `<d>_students`; per topic the distinct students who raised it. Concerns are
published for the whole school per term only (distinct students per severity).

Every count also gets a cell key (`perturbation`): a count of students the sum of the keys of the
students it counts, a count of check-ins the sum of the keys of those check-ins, so the same set
always gets the same key, whatever report it appears in, and a different set an unrelated one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from schoolpeers.lazy import LazyModule
from schoolpeers.reports.perturbation import record_keys
from schoolpeers.reports.trends import (
    CHECKIN_COLUMNS,
    CONCERN_COLUMNS,
    DEFAULT_GRADE_BANDS,
    DEFAULT_TERMS,
    DOMAINS,
    LOW_WELLBEING,
    RATING_RANGE,
    SEVERITIES,
    WHOLE_SCHOOL,
    GradeBand,
    PeriodSlot,
    TermCalendar,
    period_slots,
)

pd = LazyModule("pandas")

Level = Literal["week", "month", "term", "year"]
LEVELS: tuple[Level, ...] = ("week", "month", "term", "year")
RowKind = Literal["grade", "band", "school"]
# Additive values of a cell, and the set of students each count's cell key is made from.
STUDENT_COUNTS = ("students", "low_students", *(f"{d}_students" for d in DOMAINS))
SUMS = ("checkins", "wellbeing_sum", "low_count", *(f"{d}_{part}" for d in DOMAINS for part in ("sum", "answered")))
VALUES = (*STUDENT_COUNTS, *SUMS)


@dataclass(frozen=True)
class Row:
    label: str
    kind: RowKind
    grades: frozenset[int]


@dataclass(frozen=True, eq=False)
class LevelTable:
    """One level of the lattice: rows × periods arrays of every value and of the cell keys."""

    level: Level
    periods: tuple[PeriodSlot, ...]
    values: dict[str, np.ndarray]  # name -> rows × periods
    keys: dict[str, np.ndarray]  # student set name -> rows × periods cell keys (uint64, < 2**32)
    topic_names: tuple[str, ...]
    topic_students: np.ndarray  # topics × rows × periods
    topic_keys: np.ndarray

    @property
    def labels(self) -> list[str]:
        return [slot.label for slot in self.periods]


@dataclass(frozen=True, eq=False)
class Lattice:
    rows: tuple[Row, ...]
    levels: dict[Level, LevelTable]
    concern_terms: tuple[PeriodSlot, ...]
    concern_students: dict[str, np.ndarray] = field(default_factory=dict)  # severity -> per term

    def row_index(self, label: str) -> int:
        return [row.label for row in self.rows].index(label)


def grade_bands(grade_min: int, grade_max: int) -> tuple[GradeBand, ...]:
    """The standard bands, plus one below and one above them when the school's grades reach there."""
    first, last = DEFAULT_GRADE_BANDS[0].first_grade, DEFAULT_GRADE_BANDS[-1].last_grade
    below = (GradeBand(f"grades {grade_min}–{first - 1}", grade_min, first - 1),) if grade_min < first else ()
    above = (GradeBand(f"grades {last + 1}–{grade_max}", last + 1, grade_max),) if grade_max > last else ()
    return below + DEFAULT_GRADE_BANDS + above


def lattice_rows(grade_min: int, grade_max: int, bands: Sequence[GradeBand] = DEFAULT_GRADE_BANDS) -> tuple[Row, ...]:
    """Each grade of the school, each band that holds one of them, then the whole school."""
    grades = range(grade_min, grade_max + 1)
    rows = [Row(f"grade {g}", "grade", frozenset({g})) for g in grades]
    for band in bands:
        inside = frozenset(g for g in grades if band.first_grade <= g <= band.last_grade)
        if inside:
            rows.append(Row(band.label, "band", inside))
    return (*rows, Row(WHOLE_SCHOOL, "school", frozenset(grades)))


def build_lattice(
    checkins: pd.DataFrame,
    concerns: pd.DataFrame,
    *,
    rows: tuple[Row, ...],
    student_keys: dict[int, int],
    terms: TermCalendar = DEFAULT_TERMS,
) -> Lattice:
    """The exact lattice of a school; `student_keys` maps each mentee key to its secret cell key."""
    missing = [c for c in CHECKIN_COLUMNS if c not in checkins] + [c for c in CONCERN_COLUMNS if c not in concerns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    grade_row = {g: i for i, row in enumerate(rows) if row.kind == "grade" for g in row.grades}
    visits = checkins[checkins["grade"].isin(list(grade_row))]
    days = _days(visits["occurred_on"])
    ratings = {name: _ratings(visits[name], optional=name != "wellbeing") for name in ("wellbeing", *DOMAINS)}
    mentee, mentees = pd.factorize(visits["mentee_key"].to_numpy())
    keys = np.array([student_keys[int(m)] for m in mentees], dtype=np.uint64)
    checkin_keys = record_keys(keys[mentee], days).astype(float)
    grade_code, grades_seen = pd.factorize(visits["grade"].to_numpy())
    grade = np.array([grade_row[int(g)] for g in grades_seen], dtype=np.int64)[grade_code]
    day = (days - days.min()).astype(np.int64) if len(days) else np.zeros(0, dtype=np.int64)
    spanned = int(day.max()) + 1 if len(day) else 0
    calendar = {level: _day_periods(days.min() if len(days) else None, spanned, level, terms) for level in LEVELS}
    low = ratings["wellbeing"] <= LOW_WELLBEING
    day_values, day_keys = _daily_sums(_Cells(len(rows), spanned, rows), grade, day, ratings, low, checkin_keys)
    seen, order = _Runs.ordered(grade, mentee, day)
    counted = {"low_students": low, **{f"{d}_students": ~np.isnan(ratings[d]) for d in DOMAINS}}
    day_runs = {"students": seen}
    day_runs.update((name, seen.take(np.flatnonzero(chosen[order]))) for name, chosen in counted.items())
    mention_rows, topic, topic_names = _topic_mentions(visits["topics"].to_numpy(dtype=object), order)
    day_runs["topics"] = seen.mentions(mention_rows, topic, len(rows))
    levels = {}
    for level, runs in _runs_per_level(day_runs, calendar):
        slots, _day_period, first_days = calendar[level]
        cells = _Cells(len(rows), len(slots), rows)
        values = {name: cells.over_days(table, first_days) for name, table in day_values.items()}
        level_keys = {name: np.mod(cells.over_days(table, first_days), 2.0**32).astype(np.uint64)
                      for name, table in day_keys.items()}
        for name in ("students", *counted):
            count, key_sums = cells.distinct(runs[name], keys, 1)
            values[name], level_keys[name] = count[0], key_sums[0]
        topic_students, topic_keys = cells.distinct(runs["topics"], keys, len(topic_names))
        levels[level] = LevelTable(level, tuple(slots), values, level_keys, topic_names, topic_students, topic_keys)
    concern_terms, concern_students = _concerns(concerns, set(grade_row), terms)
    return Lattice(rows, levels, concern_terms, concern_students)


# --- internals ------------------------------------------------------------------------------


def _days(column: pd.Series) -> np.ndarray:
    """The column as datetime64[D] days."""
    days = pd.to_datetime(column).to_numpy(dtype="datetime64[D]")
    if np.isnat(days).any():
        raise ValueError("missing dates")
    return days


def _topic_mentions(topics: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(position in `order`, topic code) of every topic a check-in raised, by position, and the topics'
    names in the order they first appear in `topics`.

    Check-ins share a few hundred combinations of topics at most, so the combinations are found once
    (one hash per check-in) and only those are read name by name: no row per mention is built in Python.
    """
    combo, combos = _factorized(topics)
    names: dict[str, int] = {}
    combo_topics = [[names.setdefault(name, len(names)) for name in _topic_names(value)] for value in combos]
    lengths = np.array([len(codes) for codes in combo_topics], dtype=np.int64)
    flat = np.array([code for codes in combo_topics for code in codes], dtype=np.int64)
    combo = combo[order]
    rows = np.flatnonzero(combo >= 0)
    counts = lengths[combo[rows]]
    mention_rows = np.repeat(rows, counts)
    first = np.repeat(np.cumsum(lengths)[combo[rows]] - counts, counts)  # the combination's first code in `flat`
    within = np.arange(len(mention_rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return mention_rows, flat[first + within], tuple(map(str, names))


def _factorized(topics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each check-in's topics (-1 for none) and the distinct values, in order of appearance."""
    try:
        return pd.factorize(topics)
    except TypeError:  # lists are not hashable: as tuples, they are
        hashable = np.empty(len(topics), dtype=object)
        hashable[:] = [tuple(value) if isinstance(value, list) else value for value in topics]
        return pd.factorize(hashable)


def _topic_names(value) -> list:
    """The names in one check-in's topics: a sequence of them, or a lone name; a missing name is none."""
    names = [value] if isinstance(value, str) else list(value)
    return [name for name in names if not pd.isna(name)]


def _ratings(column: pd.Series, *, optional: bool) -> np.ndarray:
    ratings = pd.to_numeric(column).to_numpy(dtype=float, na_value=np.nan)
    low, high = RATING_RANGE
    if ((ratings < low) | (ratings > high)).any() or (not optional and np.isnan(ratings).any()):
        raise ValueError(f"{column.name} must be a rating from {low} to {high}")
    return ratings


def _periods(days: np.ndarray, level: Level, terms: TermCalendar) -> tuple[list[PeriodSlot], np.ndarray]:
    """Every period of the level from the first day to the last, and each day's period code."""
    if not len(days):
        return [], np.zeros(0, dtype=np.int64)
    slots = period_range(days.min().astype(date), days.max().astype(date), level, terms)
    starts = np.array([slot.start for slot in slots], dtype="datetime64[D]")
    return slots, np.searchsorted(starts, days, side="right") - 1


def _daily_sums(daily: _Cells, grade, day, ratings: dict[str, np.ndarray], low: np.ndarray,
                checkin_keys: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The additive values and the check-in key sums per grade row and day: a period's are the sums of
    its days', so a million rows are counted once, not once per level."""
    values = {
        "checkins": daily.total(grade, day),
        "wellbeing_sum": daily.total(grade, day, ratings["wellbeing"]),
        "low_count": daily.total(grade, day, low),
    }
    for d in DOMAINS:
        answered = ~np.isnan(ratings[d])
        values[f"{d}_sum"] = daily.total(grade, day, np.where(answered, ratings[d], 0.0))
        values[f"{d}_answered"] = daily.total(grade, day, answered)
    keys = {"checkins": daily.total(grade, day, checkin_keys),
            "low_count": daily.total(grade, day, np.where(low, checkin_keys, 0.0))}
    return values, keys


def _day_periods(first: np.datetime64 | None, days: int, level: Level, terms: TermCalendar):
    """The level's periods over `days` days from `first`, each day's period code, and the day
    number each period starts on (0 for the first, which may start earlier)."""
    if first is None:
        return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    every_day = first + np.arange(days)
    slots, day_period = _periods(every_day, level, terms)
    first_days = np.flatnonzero(np.diff(day_period, prepend=-1))
    return slots, day_period, first_days


@dataclass(frozen=True)
class _Cells:
    """Sums per (grade row, period), spread to the band and school rows."""

    rows: int
    periods: int
    row_defs: tuple[Row, ...]

    def spread(self, grade_table: np.ndarray) -> np.ndarray:
        """A rows × periods table whose band and school rows are the sums of their grades' rows."""
        table = grade_table.copy()
        grade_rows = {g: i for i, row in enumerate(self.row_defs) if row.kind == "grade" for g in row.grades}
        for i, row in enumerate(self.row_defs):
            if row.kind != "grade":
                table[..., i, :] = sum(grade_table[..., grade_rows[g], :] for g in row.grades)
        return table

    def total(self, grade: np.ndarray, period: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        cell = grade * self.periods + period
        weights = None if weights is None else np.asarray(weights, dtype=float)
        counts = np.bincount(cell, weights=weights, minlength=self.rows * self.periods)
        return self.spread(counts.reshape(self.rows, self.periods))

    def over_days(self, day_table: np.ndarray, first_days: np.ndarray) -> np.ndarray:
        """A rows × days table summed into this level's periods, each starting at one of `first_days`.
        Sums of keys stay exact: a million keys < 2**32 sum below 2**53, in any order."""
        if not len(first_days):
            return np.zeros((self.rows, 0), dtype=day_table.dtype)
        return np.add.reduceat(day_table, first_days, axis=1)

    def distinct(self, runs: _Runs, keys: np.ndarray, extra_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct students per cell of runs over this level's periods and the sum of their keys
        (mod 2**32), split further by the runs' code 0..extra_size-1 (a topic): extra × rows × periods."""
        return self._count(runs.group.astype(np.int64) * self.periods + runs.time, runs.mentee, keys, extra_size)

    def _count(self, cell, who, keys, extra_size) -> tuple[np.ndarray, np.ndarray]:
        size = extra_size * self.rows * self.periods
        students = np.bincount(cell, minlength=size).reshape(extra_size, self.rows, self.periods)
        key_sums = np.bincount(cell, weights=keys[who].astype(float), minlength=size)
        key_sums = key_sums.reshape(extra_size, self.rows, self.periods)
        return self.spread(students), np.mod(self.spread(key_sums), 2.0**32).astype(np.uint64)


@dataclass(frozen=True, eq=False)
class _Runs:
    """Rows ordered by owner (a student in a grade row, or in a grade row and a topic: `group` is
    topic × rows + grade row), then day. An owner's rows in one period are then consecutive, so each
    level finds its distinct (cell, student) pairs by comparing neighbours, after one sort, instead
    of hashing a million rows per level and subset."""

    group: np.ndarray
    mentee: np.ndarray
    time: np.ndarray  # the day, or the period once coarsened
    starts: np.ndarray  # the first row of each owner

    @classmethod
    def ordered(cls, group: np.ndarray, mentee: np.ndarray, day: np.ndarray) -> tuple[_Runs, np.ndarray]:
        """The runs of these rows, and the order they were sorted in."""
        students, days = (int(mentee.max()) + 1, int(day.max()) + 1) if len(day) else (1, 1)
        order = np.argsort((group.astype(np.int64) * students + mentee) * days + day)
        return cls.of(group[order], mentee[order], day[order]), order

    @classmethod
    def of(cls, group: np.ndarray, mentee: np.ndarray, day: np.ndarray) -> _Runs:
        """Runs of rows already in order, kept as 32-bit codes: half the memory of a million rows."""
        group, mentee, day = (np.asarray(codes, dtype=np.int32) for codes in (group, mentee, day))
        starts = np.ones(len(day), dtype=bool)
        starts[1:] = (group[1:] != group[:-1]) | (mentee[1:] != mentee[:-1])
        return cls(group, mentee, day, starts)

    def take(self, kept: np.ndarray) -> _Runs:
        """The runs of these rows only (positions, ascending)."""
        return _Runs.of(self.group[kept], self.mentee[kept], self.time[kept])

    def mentions(self, positions: np.ndarray, topic: np.ndarray, rows: int) -> _Runs:
        """Runs of topic mentions (the row at each position raised the topic), owned per topic: a
        stable sort by topic keeps each topic's rows in this order."""
        by_topic = np.argsort(topic.astype(np.uint16 if topic.max(initial=0) < 2**16 else np.int64), kind="stable")
        kept = positions[by_topic]
        return _Runs.of(topic[by_topic] * rows + self.group[kept].astype(np.int64), self.mentee[kept], self.time[kept])

    def coarser(self, period_of: np.ndarray) -> _Runs:
        """The runs over periods: one row per distinct (owner, period), `period_of` giving each day's
        (or finer period's) period."""
        period = period_of.astype(np.int32).take(self.time)
        first = self.starts.copy()
        first[1:] |= period[1:] != period[:-1]
        kept = np.flatnonzero(first)  # found once for the four columns (a mask would be read four times)
        return _Runs(self.group.take(kept), self.mentee.take(kept), period.take(kept), self.starts.take(kept))


def _runs_per_level(day_runs: dict[str, _Runs], calendar: dict):
    """(level, its runs by name) for each level in turn. A level whose periods each hold whole periods
    of the level before (a term its months, a year its terms) is found from that level's runs, far
    fewer rows than the days'."""
    finer = None  # the previous level's day periods, first days and runs
    for level, (_slots, day_period, first_days) in calendar.items():
        period_of = None if finer is None else _within(finer[0], finer[1], day_period)
        if period_of is None:
            runs = {name: each.coarser(day_period) for name, each in day_runs.items()}
        else:
            runs = {name: each.coarser(period_of) for name, each in finer[2].items()}
        finer = (day_period, first_days, runs)
        yield level, runs


def _within(finer_period: np.ndarray, finer_first_days: np.ndarray, day_period: np.ndarray) -> np.ndarray | None:
    """Each finer period's period at this level when every finer period lies within one; else None."""
    period_of = day_period[finer_first_days]
    return period_of if np.array_equal(period_of[finer_period], day_period) else None


def _concerns(concerns: pd.DataFrame, grades: set[int], terms: TermCalendar):
    """Distinct students per severity and term, for the whole school."""
    raised = concerns[concerns["grade"].isin(grades)]
    unknown = set(pd.unique(raised["severity"])) - set(SEVERITIES)
    if unknown:
        raise ValueError(f"unknown concern severity: {', '.join(sorted(map(str, unknown)))}")
    days = _days(raised["raised_on"])
    slots, period = _periods(days, "term", terms)
    students = {}
    for severity in SEVERITIES:
        chosen = (raised["severity"] == severity).to_numpy()
        mentee, _ = pd.factorize(raised["mentee_key"].to_numpy()[chosen])
        pairs = pd.unique(period[chosen] * (len(raised) + 1) + mentee)
        students[severity] = np.bincount(pairs // (len(raised) + 1), minlength=len(slots)).astype(np.int64)
    return tuple(slots), students


def period_range(first: date, last: date, level: Level, terms: TermCalendar = DEFAULT_TERMS) -> list[PeriodSlot]:
    """Every period of the level from the one containing `first` to the one containing `last`."""
    return period_slots(first, last, level, terms)
