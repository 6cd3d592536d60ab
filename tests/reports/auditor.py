"""An adversary's audit of a protected lattice: a linear-programming attack on everything it publishes.

The attacker reads the published display strings of every level (what all downloads together
show), knows how the lattice fits together and how large the perturbation can be, and solves, for
every hidden cell, the smallest value it can have. The unknowns are:
- check-ins per grade and stretch of days that lie in one week and one month (additive over time
  and over grades: every week, month, term and year is a sum of them);
- distinct students per grade and period of every level (additive over grades; over time, a period
  counts at least as many students as a period inside it and at most the sum of those that cover it).
A published count c tells the attacker that the true count lies in [max(k, c - D), c + D], an empty
cell that it is 0, a hidden cell only that it is at least 0. A hidden cell is disclosed when the attack narrows it into
1..k-1 (it then knows a small group exists), or pins a non-zero value exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from schoolpeers.reports.lattice import LEVELS, Lattice
from schoolpeers.reports.perturbation import MAX_NOISE
from schoolpeers.reports.privacy import CellStatus, ProtectedLattice


@dataclass(frozen=True)
class Disclosure:
    measure: str
    level: str
    row: str
    period: str
    true: int
    lowest: float
    highest: float


def audit(lattice: Lattice, published: ProtectedLattice, *, noise: int = MAX_NOISE) -> list[Disclosure]:
    """Every hidden count of students or check-ins the attack narrows into 1..k-1 or pins exactly."""
    system = _System(lattice, published, noise)
    found = []
    for measure in ("students", "checkins"):
        for level in LEVELS:
            table = lattice.levels[level]
            status = published.levels[level].status[measure]
            for r, p in zip(*np.nonzero(status == CellStatus.HIDDEN), strict=True):
                true = int(table.values[measure][r, p])
                if true == 0:
                    continue  # a recovered empty cell tells of nobody
                expression = system.expression(measure, level, r, p)
                lowest = system.bound(expression, minimise=True)
                if lowest >= 1 - 1e-6 or lowest >= true - 1e-6:
                    highest = system.bound(expression, minimise=False)
                    small = highest <= published.k - 1 + 1e-6
                    if small or highest - lowest < 1e-6:
                        found.append(Disclosure(measure, level, lattice.rows[r].label,
                                                table.periods[p].label, true, lowest, highest))
    return found


class _System:
    def __init__(self, lattice: Lattice, published: ProtectedLattice, noise: int):
        self.lattice, self.k = lattice, published.k
        rows = lattice.rows
        self.grade_rows = [i for i, row in enumerate(rows) if row.kind == "grade"]
        self.members = {i: [self.grade_rows.index(j) for j, other in enumerate(rows)
                            if other.kind == "grade" and other.grades <= row.grades] for i, row in enumerate(rows)}
        grades = len(self.grade_rows)
        # Stretches of days in one week and one month: the atoms of check-ins.
        weeks, months = lattice.levels["week"].periods, lattice.levels["month"].periods
        cuts = sorted({s.start for s in (*weeks, *months)} | {s.end + timedelta(days=1) for s in (*weeks, *months)})
        self.stretches = [(start, following - timedelta(days=1))
                          for start, following in zip(cuts, cuts[1:], strict=False)]
        self.checkin_vars = grades * len(self.stretches)
        self.student_offset = {}
        total = self.checkin_vars
        for level in LEVELS:
            self.student_offset[level] = total
            total += grades * len(lattice.levels[level].periods)
        self.size = total
        rows_a, upper = [], []  # A x <= b

        def interval(expression: dict[int, float], low: float, high: float | None) -> None:
            rows_a.append({i: -c for i, c in expression.items()})
            upper.append(-low)
            if high is not None:
                rows_a.append(expression)
                upper.append(high)

        for level in LEVELS:
            levels = published.levels[level]
            for measure in ("students", "checkins"):
                for r in range(len(rows)):
                    for p in range(len(levels.periods)):
                        expression = self.expression(measure, level, r, p)
                        if levels.status[measure][r, p] == CellStatus.HIDDEN:
                            interval(expression, 0, None)
                        elif levels.status[measure][r, p] == CellStatus.EMPTY:
                            interval(expression, 0, 0)
                        else:
                            shown = int(levels.display[measure][r, p])
                            interval(expression, max(self.k, shown - noise), shown + noise)
            # Each student has at least one check-in in a period where they count.
            for g in range(grades):
                for p in range(len(levels.periods)):
                    students = self.expression("students", level, self.grade_rows[g], p)
                    checkins = self.expression("checkins", level, self.grade_rows[g], p)
                    rows_a.append({**students, **{i: -c for i, c in checkins.items()}})
                    upper.append(0)
        # Distinct students over time: inside <= outer <= sum of what covers it.
        for outer_level, inner_level in (("year", "term"), ("term", "month"), ("month", "week"), ("year", "week")):
            outer, inner = lattice.levels[outer_level].periods, lattice.levels[inner_level].periods
            for p, slot in enumerate(outer):
                covering = [c for c, s in enumerate(inner) if s.start <= slot.end and s.end >= slot.start]
                for g in range(grades):
                    whole = self._student_var(outer_level, g, p)
                    rows_a.append({whole: 1, **{self._student_var(inner_level, g, c): -1 for c in covering}})
                    upper.append(0)
                    for c in covering:
                        if inner[c].start >= slot.start and inner[c].end <= slot.end:
                            rows_a.append({self._student_var(inner_level, g, c): 1, whole: -1})
                            upper.append(0)
        self.a = _matrix(rows_a, self.size)
        self.b = np.array(upper, dtype=float)

    def _student_var(self, level: str, grade: int, period: int) -> int:
        return self.student_offset[level] + grade * len(self.lattice.levels[level].periods) + period

    def expression(self, measure: str, level: str, row: int, period: int) -> dict[int, float]:
        grades = self.members[row]
        if measure == "students":
            return {self._student_var(level, g, period): 1.0 for g in grades}
        slot = self.lattice.levels[level].periods[period]
        inside = [s for s, (start, end) in enumerate(self.stretches) if start >= slot.start and end <= slot.end]
        return {g * len(self.stretches) + s: 1.0 for g in grades for s in inside}

    def bound(self, expression: dict[int, float], *, minimise: bool) -> float:
        c = np.zeros(self.size)
        for i, coefficient in expression.items():
            c[i] = coefficient if minimise else -coefficient
        result = linprog(c, A_ub=self.a, b_ub=self.b, bounds=(0, None), method="highs")
        if result.status == 3:  # unbounded above: nothing published limits it
            return np.inf
        if result.status != 0:
            raise AssertionError(f"the attack's system is infeasible: {result.message}")
        return result.fun if minimise else -result.fun


def _matrix(rows: list[dict[int, float]], size: int) -> sparse.csr_matrix:
    data, indices, indptr = [], [], [0]
    for row in rows:
        indices += list(row)
        data += list(row.values())
        indptr.append(len(indices))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), size))


def audit_rollup(parts, rollup, *, noise: int = MAX_NOISE) -> list[Disclosure]:
    """The same attack on a district: everything every school's own report publishes (each school's
    system) and everything the roll-up publishes (a district cell is the sum of its schools' cells),
    at once. Returns every hidden count, of a school (at the roll-up's levels) or of the district, that
    the attack narrows into 1..k-1 or pins exactly."""
    systems = [_System(part.lattice, part.protected, noise) for part in parts]
    offsets = np.cumsum([0, *(s.size for s in systems)])
    size = int(offsets[-1])

    def school_expression(p: int, measure: str, level: str, row: int, period: int) -> dict[int, float]:
        return {int(offsets[p]) + i: c for i, c in systems[p].expression(measure, level, row, period).items()}

    def district_expression(measure: str, level: str, r: int, c: int) -> dict[int, float]:
        row, label = rollup.rows[r], rollup.levels[level].periods[c].label
        found: dict[int, float] = {}
        for p, part in enumerate(parts):
            periods = [slot.label for slot in part.lattice.levels[level].periods]
            if label not in periods:
                continue
            for i, own in enumerate(part.lattice.rows):
                if (row.kind == "district" and own.kind == "school") or \
                        (row.kind == "district_band" and own.kind == "band" and own.label == row.label):
                    found |= school_expression(p, measure, level, i, periods.index(label))
        return found

    blocks = [s.a for s in systems]
    extra_rows, extra_b = [], []
    district_rows = [r for r, row in enumerate(rollup.rows) if row.school is None]
    for level, table in rollup.levels.items():
        for measure in ("students", "checkins"):
            for r in district_rows:
                for c in range(len(table.periods)):
                    expression, status = district_expression(measure, level, r, c), table.status[measure][r, c]
                    if status == CellStatus.HIDDEN:
                        continue
                    shown = 0 if status == CellStatus.EMPTY else int(table.display[measure][r, c])
                    low, high = (0, 0) if shown == 0 else (max(rollup.k, shown - noise), shown + noise)
                    extra_rows += [{i: -v for i, v in expression.items()}, expression]
                    extra_b += [-low, high]
    a = sparse.vstack([sparse.block_diag(blocks, format="csr"), _matrix(extra_rows, size)]).tocsr()
    b = np.concatenate([*(s.b for s in systems), np.array(extra_b, dtype=float)])

    def bound(expression: dict[int, float], *, minimise: bool) -> float:
        c = np.zeros(size)
        for i, coefficient in expression.items():
            c[i] = coefficient if minimise else -coefficient
        result = linprog(c, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
        if result.status == 3:
            return np.inf
        if result.status != 0:
            raise AssertionError(f"the attack's system is infeasible: {result.message}")
        return result.fun if minimise else -result.fun

    def attacked(expression, true: int, k: int) -> tuple[float, float] | None:
        lowest = bound(expression, minimise=True)
        if lowest >= 1 - 1e-6 or lowest >= true - 1e-6:
            highest = bound(expression, minimise=False)
            if highest <= k - 1 + 1e-6 or highest - lowest < 1e-6:
                return lowest, highest
        return None

    # A district cell narrowed below the smallest k of its schools: a school's own report shows its
    # cells from that k, and a district k above it cannot take back what the school shows.
    floor = min([rollup.k, *(part.protected.k for part in parts)])
    found = []
    for level, table in rollup.levels.items():
        for measure in ("students", "checkins"):
            for p, part in enumerate(parts):  # a school's hidden cells, against its own k
                own = part.protected.levels[level]
                for r, c in zip(*np.nonzero(own.status[measure] == CellStatus.HIDDEN), strict=True):
                    if part.lattice.rows[r].kind == "grade":
                        continue  # the roll-up adds sums of bands and schools: grades are the school audit's
                    true = int(part.lattice.levels[level].values[measure][r, c])
                    if true and (hit := attacked(school_expression(p, measure, level, r, c), true, part.protected.k)):
                        found.append(Disclosure(measure, level, f"{part.name}: {part.lattice.rows[r].label}",
                                                own.periods[c].label, true, *hit))
            for r in district_rows:
                for c in np.flatnonzero(table.status[measure][r] == CellStatus.HIDDEN):
                    expression = district_expression(measure, level, r, c)
                    true = int(round(sum(_exact(parts, measure, level, rollup.rows[r], table.periods[c].label))))
                    if true and (hit := attacked(expression, true, floor)):
                        found.append(Disclosure(measure, level, rollup.rows[r].label, table.periods[c].label,
                                                true, *hit))
    return found


def _exact(parts, measure: str, level: str, row, label: str):
    for part in parts:
        table = part.lattice.levels[level]
        periods = [slot.label for slot in table.periods]
        if label in periods:
            for i, own in enumerate(part.lattice.rows):
                if (row.kind == "district" and own.kind == "school") or \
                        (row.kind == "district_band" and own.kind == "band" and own.label == row.label):
                    yield table.values[measure][i, periods.index(label)]
