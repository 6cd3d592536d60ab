"""A district's roll-up of its schools' reports: the trend measures by school, grade band and period,
protected as one whole (pure core).

Rows: for each school its bands and the whole school, then each district band (the schools' bands
of the same label together) and the whole district. Periods: every month, term and school year of
any school (weeks are not rolled up). Measures: those of `privacy.MEASURES`.

A school's cells are published exactly as its own report publishes them: the same hidden cells and
the same perturbed figures (its cell keys come from its own secret). Hiding more of them here would
protect nothing, as the school's report shows them anyway. Only the district cells are decided
here, jointly over the roll-up, with the school cells fixed:

1. A district cell counting 1 to k-1 students is hidden (k the largest of the district's and the
   schools'), and dominance hides its shares and domain means as in `privacy` (rule 3).
2. Complementary suppression (`privacy.complete_suppression`) over the relations a reader can
   subtract, per period: a district band is the sum of the schools' bands of its label, the
   district the sum of its bands and the sum of its schools; per row: a school year the sum of its
   terms, a term of its months. Only district cells are picked as complements; the perturbation
   noise of shown members counts as in a school's report.
3. The bounds a reader carries through several relations at once (`bounds`) must not narrow a
   hidden cell (a school's or the district's) below k or pin it.

District figures carry cell-key noise whose key is the sum of the schools' cell keys (mod 2**32):
the key of the set of students they count, so the same set always gets the same noise.
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Literal

import numpy as np

from schoolpeers.lazy import LazyModule
from schoolpeers.reports.lattice import STUDENT_COUNTS, SUMS, Lattice, LevelTable, Row
from schoolpeers.reports.perturbation import MAX_NOISE, SMALL_MAX_NOISE, perturbed
from schoolpeers.reports.privacy import (
    MEASURES,
    MIN_K,
    CellStatus,
    ProtectedLattice,
    _noisy_members_needed,
    _present_level,
    _Reader,
    complete_suppression,
    hide_what_bounds_give_away,
)
from schoolpeers.reports.trends import DOMAINS, WHOLE_SCHOOL, PeriodSlot

sparse = LazyModule("scipy.sparse")

RollupLevel = Literal["month", "term", "year"]
ROLLUP_LEVELS: tuple[RollupLevel, ...] = ("month", "term", "year")
WHOLE_DISTRICT = "whole district"
RowKind = Literal["band", "school", "district_band", "district"]
KEYED = ("checkins", "low_count", *STUDENT_COUNTS)  # the values with a cell key


@dataclass(frozen=True)
class SchoolPart:
    """A school as its own report publishes it: its exact lattice and its one protection decision."""

    name: str
    lattice: Lattice
    protected: ProtectedLattice


@dataclass(frozen=True)
class RollupRow:
    label: str  # a band's label, "whole school" or "whole district"
    school: str | None  # the school's name; None for a district row
    kind: RowKind
    first_grade: int = 0

    @property
    def title(self) -> str:
        return f"{self.school}: {self.label}" if self.school else self.label


@dataclass(frozen=True, eq=False)
class RollupTable:
    """One level of the roll-up: per measure, rows × periods arrays of the display string, the chart
    value (None where hidden or empty) and the status."""

    level: RollupLevel
    periods: tuple[PeriodSlot, ...]
    display: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    status: dict[str, np.ndarray]

    @property
    def labels(self) -> list[str]:
        return [slot.label for slot in self.periods]


@dataclass(frozen=True, eq=False)
class Rollup:
    k: int
    schools: tuple[str, ...]
    rows: tuple[RollupRow, ...]
    levels: dict[RollupLevel, RollupTable]

    def has_data(self) -> bool:
        return any(len(table.periods) for table in self.levels.values())


def build_rollup(parts: list[SchoolPart], k: int = MIN_K) -> Rollup:
    """The roll-up of these schools, with district threshold `k` (raised to any school's larger k)."""
    if not isinstance(k, Integral) or k < MIN_K:
        raise ValueError(f"k must be a whole number of students, at least {MIN_K}; got {k!r}")
    k = max([int(k), *(part.protected.k for part in parts)])
    cells = _RollupCells(parts)
    if not cells.size:  # no school, or none with a check-in
        return Rollup(k, tuple(part.name for part in parts), cells.rows, {
            level: RollupTable(level, (), *({m: np.empty((len(cells.rows), 0), dtype=object) for m in MEASURES}
                                            for _ in range(3))) for level in ROLLUP_LEVELS})
    fixed = cells.fixed
    exact = {name: cells.flat_exact(name) for name in (*STUDENT_COUNTS, *SUMS)}
    keys = {name: cells.flat_keys(name) for name in KEYED}
    students = exact["students"]
    seen = students > 0
    cost = np.where(seen & ~fixed, students, np.inf)  # a school's cell is never a complement
    school_hidden = {m: cells.flat_school_hidden(m) for m in MEASURES}
    published = {m: np.where(fixed, cells.flat_school_counts(m), perturbed(exact[m], keys[m], m, floor=k))
                 for m in ("students", "checkins")}
    relations = cells.relations()
    by_group = cells.relations(over_time=False)
    over_time = cells.over_time()
    reader = _Reader(by_group, over_time, over_time)  # months lie inside terms: within is covering

    def suppressed(hidden: np.ndarray) -> np.ndarray:
        return complete_suppression(hidden, cost, relations, noisy=seen, needed=_noisy_members_needed(k, MAX_NOISE),
                                    published=list(published.values()), floor=k, fixed=fixed)

    first = np.where(fixed, school_hidden["students"], seen & (students < k))
    cell_hidden = hide_what_bounds_give_away(suppressed(first), published, reader, cost, k, suppressed)

    def measure_hidden(measure: str, basis: str, *, none_hidden: bool, noisy=None, needed: int = 1) -> np.ndarray:
        counted = exact[basis]
        few = (counted < k) if none_hidden else (counted > 0) & (counted < k)
        start = cell_hidden | np.where(fixed, school_hidden[measure], seen & few)
        return complete_suppression(start, cost, relations, noisy=noisy, needed=needed, fixed=fixed)

    hidden = {"students": cell_hidden, "checkins": cell_hidden, "wellbeing_mean": cell_hidden,
              "low_share": measure_hidden("low_share", "low_students", none_hidden=True, noisy=exact["low_count"] > 0,
                                          needed=_noisy_members_needed(k, SMALL_MAX_NOISE)),
              **{f"{d}_mean": measure_hidden(f"{d}_mean", f"{d}_students", none_hidden=False) for d in DOMAINS}}
    counts = {m: published[m] for m in ("students", "checkins")}
    levels = {level: cells.present(level, {n: cells.part(level, v) for n, v in exact.items()},
                                   {n: cells.part(level, v) for n, v in keys.items()},
                                   {n: cells.part(level, v) for n, v in counts.items()},
                                   {n: cells.part(level, v) for n, v in hidden.items()}, k)
              for level in ROLLUP_LEVELS}
    return Rollup(k, tuple(part.name for part in parts), cells.rows, levels)


# --- internals ------------------------------------------------------------------------------


class _RollupCells:
    """Every roll-up cell of every level as one flat index, with the school cells marked fixed."""

    def __init__(self, parts: list[SchoolPart]):
        self.parts = parts
        rows: list[RollupRow] = []
        self.source: list[tuple[int, int] | None] = []  # per row: (part, row of its lattice), None for district
        bands: dict[str, int] = {}
        for p, part in enumerate(parts):
            for i, row in enumerate(part.lattice.rows):
                if row.kind == "band":
                    rows.append(RollupRow(row.label, part.name, "band", min(row.grades)))
                    bands[row.label] = min(bands.get(row.label, min(row.grades)), min(row.grades))
                    self.source.append((p, i))
            school = next(i for i, row in enumerate(part.lattice.rows) if row.kind == "school")
            rows.append(RollupRow(WHOLE_SCHOOL, part.name, "school"))
            self.source.append((p, school))
        self.school_rows = len(rows)
        for label, first in sorted(bands.items(), key=lambda item: (item[1], item[0])):
            rows.append(RollupRow(label, None, "district_band", first))
            self.source.append(None)
        if parts:
            rows.append(RollupRow(WHOLE_DISTRICT, None, "district"))
            self.source.append(None)
        self.rows = tuple(rows)
        # A district row sums the school rows of its label (the whole district: every whole school).
        self.members = {r: [s for s in range(self.school_rows)
                            if (rows[s].kind == "band" and rows[s].label == row.label)
                            or (row.kind == "district" and rows[s].kind == "school")]
                        for r, row in enumerate(rows) if row.kind in ("district_band", "district")}
        self.periods: dict[str, tuple[PeriodSlot, ...]] = {}
        self.columns: dict[str, list[np.ndarray]] = {}  # per level, per part: its periods' roll-up columns
        self.offsets: dict[str, int] = {}
        total = 0
        for level in ROLLUP_LEVELS:
            slots = {slot.label: slot for part in parts for slot in part.lattice.levels[level].periods}
            ordered = tuple(sorted(slots.values(), key=lambda slot: slot.start))
            index = {slot.label: c for c, slot in enumerate(ordered)}
            self.periods[level] = ordered
            self.columns[level] = [np.array([index[s.label] for s in part.lattice.levels[level].periods], dtype=int)
                                   for part in parts]
            self.offsets[level] = total
            total += len(rows) * len(ordered)
        self.size = total
        self.fixed = self._flat(lambda level: np.repeat(
            (np.arange(len(rows)) < self.school_rows)[:, None], len(self.periods[level]), axis=1))

    def _flat(self, part) -> np.ndarray:
        return np.concatenate([np.asarray(part(level)).ravel() for level in ROLLUP_LEVELS]) if self.size \
            else np.zeros(0)

    def part(self, level: str, flat: np.ndarray) -> np.ndarray:
        start = self.offsets[level]
        return flat[start:start + len(self.rows) * len(self.periods[level])].reshape(len(self.rows), -1)

    def cell(self, level: str, row: int, period: int) -> int:
        return self.offsets[level] + row * len(self.periods[level]) + period

    def _spread(self, level: str, read, *, modulo: bool = False, dtype=float) -> np.ndarray:
        """A rows × periods table: each school row from `read(table, lattice row)`, each district row
        the sum of its schools' rows."""
        table = np.zeros((len(self.rows), len(self.periods[level])), dtype=dtype)
        for r, source in enumerate(self.source):
            if source is not None:
                p, i = source
                table[r, self.columns[level][p]] = read(self.parts[p], level, i)
        for r, members in self.members.items():
            summed = table[members].sum(axis=0) if members else np.zeros(table.shape[1], dtype=dtype)
            table[r] = np.mod(summed, 2**32) if modulo else summed
        return table

    def flat_exact(self, name: str) -> np.ndarray:
        return self._flat(lambda level: self._spread(
            level, lambda part, lv, i: part.lattice.levels[lv].values[name][i]))

    def flat_keys(self, name: str) -> np.ndarray:
        # uint64 sums of < 2**32 keys of at most a few hundred rows cannot overflow
        return self._flat(lambda level: self._spread(
            level, lambda part, lv, i: part.lattice.levels[lv].keys[name][i], modulo=True, dtype=np.uint64))

    def flat_school_hidden(self, measure: str) -> np.ndarray:
        return self._flat(lambda level: self._spread(
            level, lambda part, lv, i: part.protected.levels[lv].status[measure][i] == CellStatus.HIDDEN,
            dtype=bool)) & self.fixed

    def flat_school_counts(self, measure: str) -> np.ndarray:
        """A school's counts as its report publishes them; 0 where hidden (never read there)."""
        def read(part, lv, i):
            values = part.protected.levels[lv].values[measure][i]
            return np.array([0 if v is None else int(v) for v in values], dtype=np.int64)
        return np.where(self.fixed, self._flat(lambda level: self._spread(level, read, dtype=np.int64)), 0)

    def relations(self, *, over_time: bool = True) -> sparse.csr_matrix:
        """Per period: each district row with its schools' rows, the district with its bands, each
        school with its bands (fixed, but a reader's bounds run through it); per district row over
        time: a school year with its terms, a term with its months."""
        groups = [[r, *members] for r, members in self.members.items()]
        district = [r for r, row in enumerate(self.rows) if row.kind == "district"]
        if district:
            groups.append([district[0], *(r for r, row in enumerate(self.rows) if row.kind == "district_band")])
        for r, source in enumerate(self.source):
            if source is not None and self.rows[r].kind == "school":
                groups.append([r, *(b for b in range(self.school_rows)
                                    if self.rows[b].kind == "band" and self.rows[b].school == self.rows[r].school)])
        members = [[self.cell(level, r, p) for r in group]
                   for level in ROLLUP_LEVELS for p in range(len(self.periods[level])) for group in groups]
        if over_time:
            members += self._over_time(district_only=True)
        return self._matrix(members)

    def over_time(self) -> sparse.csr_matrix:
        return self._matrix(self._over_time(district_only=False))

    def _over_time(self, *, district_only: bool) -> list[list[int]]:
        rows = [r for r in range(len(self.rows)) if not district_only or r >= self.school_rows]
        members = []
        for outer, inner in (("year", "term"), ("term", "month"), ("year", "month")):
            if district_only and (outer, inner) == ("year", "month"):
                continue  # a year's months are its terms' months: nothing new to subtract
            for p, slot in enumerate(self.periods[outer]):
                parts = [c for c, s in enumerate(self.periods[inner]) if s.start >= slot.start and s.end <= slot.end]
                members += [[self.cell(outer, r, p), *(self.cell(inner, r, c) for c in parts)] for r in rows]
        return members

    def _matrix(self, members: list[list[int]]) -> sparse.csr_matrix:
        members = [m for m in members if len(m) > 1]
        indptr = np.cumsum([0, *(len(m) for m in members)])
        indices = np.array([c for m in members for c in m], dtype=np.int64)
        return sparse.csr_matrix((np.ones(len(indices), dtype=np.int64), indices, indptr),
                                 shape=(len(members), self.size))

    def present(self, level: str, exact: dict, keys: dict, counts: dict, hidden: dict, k: int) -> RollupTable:
        """The level as published: the district rows' figures made here, the school rows' copied."""
        periods, ours = self.periods[level], slice(self.school_rows, len(self.rows))
        shape = (len(self.rows) - self.school_rows, len(periods))
        table = LevelTable(level, periods, {n: v[ours] for n, v in exact.items()},
                           {n: v[ours] for n, v in keys.items()}, (), np.zeros((0, *shape)),
                           np.zeros((0, *shape), dtype=np.uint64))
        rows = tuple(Row(row.title, "band", frozenset()) for row in self.rows[ours])
        made = _present_level(table, Lattice(rows, {}, ()), {n: v[ours] for n, v in counts.items()},
                              {n: v[ours] for n, v in hidden.items()}, [], k)
        display, values, status = {}, {}, {}
        for measure, kind in MEASURES.items():
            empty = _empty(kind)
            d, v, s = (np.full((len(self.rows), len(periods)), e, dtype=object) for e in empty)
            d[ours], v[ours], s[ours] = made.display[measure], made.values[measure], made.status[measure]
            for r, source in enumerate(self.source):
                if source is not None:
                    p, i = source
                    own, columns = self.parts[p].protected.levels[level], self.columns[level][p]
                    d[r, columns], v[r, columns], s[r, columns] = (
                        own.display[measure][i], own.values[measure][i], own.status[measure][i])
            display[measure], values[measure], status[measure] = d, v, s
        return RollupTable(level, periods, display, values, status)


def _empty(kind: str) -> tuple[str, int | None, CellStatus]:
    """A school row's cell outside the school's own periods: nobody checked in there."""
    if kind in ("students", "count"):
        return "0", 0, CellStatus.EMPTY
    return "–", None, CellStatus.EMPTY
