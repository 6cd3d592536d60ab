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
    mentions = pd.Series(visits["topics"].to_numpy(), dtype=object).explode()
    topic, topic_names = pd.factorize(mentions.to_numpy(dtype=object))
    named = topic >= 0
    mention_rows = mentions.index.to_numpy()[named]
    levels = {}
    for level in LEVELS:
        slots, period = _periods(days, level, terms)
        cells = _Cells(len(rows), len(slots), rows)
        low = ratings["wellbeing"] <= LOW_WELLBEING
        values = {
            "checkins": cells.total(grade, period),
            "wellbeing_sum": cells.total(grade, period, ratings["wellbeing"]),
            "low_count": cells.total(grade, period, low),
        }
        counted = {"students": np.ones(len(grade), dtype=bool), "low_students": low}
        for d in DOMAINS:
            answered = ~np.isnan(ratings[d])
            values[f"{d}_sum"] = cells.total(grade, period, np.where(answered, ratings[d], 0.0))
            values[f"{d}_answered"] = cells.total(grade, period, answered)
            counted[f"{d}_students"] = answered
        level_keys = {"checkins": cells.key_total(grade, period, checkin_keys),
                      "low_count": cells.key_total(grade, period, np.where(low, checkin_keys, 0.0))}
        for name, (students, key_sums) in cells.distinct(grade, period, mentee, keys, counted).items():
            values[name], level_keys[name] = students, key_sums
        topic_students, topic_keys = cells.distinct_per(
            topic[named], len(topic_names), grade[mention_rows], period[mention_rows], mentee[mention_rows], keys)
        levels[level] = LevelTable(level, tuple(slots), values, level_keys, tuple(map(str, topic_names)),
                                   topic_students, topic_keys)
    concern_terms, concern_students = _concerns(concerns, set(grade_row), terms)
    return Lattice(rows, levels, concern_terms, concern_students)


# --- internals ------------------------------------------------------------------------------


def _days(column: pd.Series) -> np.ndarray:
    """The column as datetime64[D] days."""
    days = pd.to_datetime(column).to_numpy(dtype="datetime64[D]")
    if np.isnat(days).any():
        raise ValueError("missing dates")
    return days


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

    def key_total(self, grade: np.ndarray, period: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The sum of these rows' keys per cell, mod 2**32 (exact: a million keys < 2**32 sum below 2**53)."""
        return np.mod(self.total(grade, period, keys), 2.0**32).astype(np.uint64)

    def distinct(self, grade, period, mentee, keys,
                 subsets: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per subset of the rows (a boolean mask): distinct students per cell and the sum of their
        keys (mod 2**32). The (cell, student) pairs are found once for all subsets: hashing a million
        rows is the costly step, marking which pairs a subset holds is not."""
        mentees = max(len(keys), 1)
        codes, pairs = pd.factorize((grade * self.periods + period) * mentees + mentee)
        cell, who = np.divmod(pairs, mentees)
        found = {}
        for name, rows in subsets.items():
            held = np.zeros(len(pairs), dtype=bool)
            held[codes[rows]] = True
            found[name] = self._count(cell[held], who[held], keys, 1)
        return {name: (students[0], key_sums[0]) for name, (students, key_sums) in found.items()}

    def distinct_per(self, extra, extra_size, grade, period, mentee, keys) -> tuple[np.ndarray, np.ndarray]:
        """Distinct students and their key sums split further by a code 0..extra_size-1 (a topic):
        extra × rows × periods."""
        mentees = max(len(keys), 1)
        pair = pd.unique((extra * (self.rows * self.periods) + grade * self.periods + period) * mentees + mentee)
        cell, who = np.divmod(pair, mentees)
        return self._count(cell, who, keys, extra_size)

    def _count(self, cell, who, keys, extra_size) -> tuple[np.ndarray, np.ndarray]:
        size = extra_size * self.rows * self.periods
        students = np.bincount(cell, minlength=size).reshape(extra_size, self.rows, self.periods)
        key_sums = np.bincount(cell, weights=keys[who].astype(float), minlength=size)
        key_sums = key_sums.reshape(extra_size, self.rows, self.periods)
        return self.spread(students), np.mod(self.spread(key_sums), 2.0**32).astype(np.uint64)


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
