"""How many students a reader can work out a hidden row of the circles report has at most, from the
rows shown (pure core); and hiding more until no hidden row is capped below k.

`protect_groups` makes sure no combination of shown rows gives a small group exactly. A reader can
also bound. Attendances add up over the circles and open sessions (a topic's are those of its
circles, a band's those of its students); students add up over their bands; a student counted has
at least one attendance; a row's students are no more than those of a row of more circles, nor than
everyone's, and everyone is in one of the topics (or of the circles' bands); a hidden row that does
not read "0" counts at least one. A reader who knows which circles and open sessions there were
(their topics and bands, not who was in them) solves a linear programme over these: its highest
value for a hidden row's students must not fall below k, or they would know a small group exists.
They are given more than the page gives, so what holds here holds for the page: shown counts are
exact (the page's carry a little noise), and which circles had no one come is known.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from schoolpeers.lazy import LazyModule

optimize = LazyModule("scipy.optimize")
# Every unknown is at most this: a count nothing shown caps reaches it (and is far from below k), where
# an unbounded programme could be told apart from one with no solution only now and then.
UNBOUNDED = 10**7


@dataclass(frozen=True)
class RowFigures:
    """A row of the report: what it adds up, and its true counts."""

    family: str  # rows of one family other than "band" share out the circles: "total", "topic", "circle band"
    units: frozenset[Hashable] | None  # the circles and open sessions of a row of whole sessions
    band: str | None  # or, for a students' band row ("band"), the band
    students: int
    attendances: int


def mend_bounds(rows: Sequence[RowFigures], shown: Sequence[bool], k: int, attended: frozenset[Hashable]) -> list[bool]:
    """`shown`, with more rows hidden until no hidden row's students are capped below k: each time,
    of the shown rows whose hiding lifts the first capped row to k the smallest, or else the one that
    lifts it most. `attended`: the circles and open sessions someone came to. Hiding more never
    undoes what `protect_groups` guarantees."""
    reader = _Reader(rows, attended)
    shown = list(shown)
    while capped := reader.capped(shown, k):
        target = capped[0]
        options = []
        for i in (i for i, s in enumerate(shown) if s and rows[i].students > 0):
            trial = shown.copy()
            trial[i] = False
            highest = reader.highest(trial, target)
            lifts = highest >= k - 1e-6
            options.append((not lifts, rows[i].students if lifts else -highest, i))
        shown[min(options)[2]] = False
    return shown


class _Reader:
    """The linear programme. Unknowns: attendances per unit (a circle or open session someone came to)
    and band (or no band); students per band (or no band); students of each row of whole sessions."""

    def __init__(self, rows: Sequence[RowFigures], attended: frozenset[Hashable]):
        self.rows = list(rows)
        self.units = {i: (r.units & attended if r.units is not None else None) for i, r in enumerate(rows)}
        bands = [*sorted({r.band for r in rows if r.band is not None}), None]
        self.attendance_vars = [(u, b) for u in sorted(attended, key=repr) for b in bands]
        first_band = len(self.attendance_vars)
        self.band_var = {b: first_band + i for i, b in enumerate(bands)}
        whole = [i for i, r in enumerate(rows) if r.units is not None]
        self.row_var = {i: first_band + len(bands) + n for n, i in enumerate(whole)}
        self.size = first_band + len(bands) + len(whole)
        self.everyone = [self.row_var[i] for i in whole if rows[i].family == "total"]
        self.attended = attended

    def _vector(self, entries: dict[int, float]) -> np.ndarray:
        found = np.zeros(self.size)
        for i, value in entries.items():
            found[i] += value
        return found

    def attendances(self, i: int) -> np.ndarray:
        row, units = self.rows[i], self.units[i]
        return self._vector({n: 1.0 for n, (u, b) in enumerate(self.attendance_vars)
                             if (b == row.band if units is None else u in units)})

    def students(self, i: int) -> np.ndarray:
        return self._vector({self.band_var[self.rows[i].band] if self.units[i] is None else self.row_var[i]: 1.0})

    def _system(self, shown: list[bool]) -> tuple[list, list, list, list]:
        equal, equal_to, at_most, at_most_this = [], [], [], []

        def known(expression, value):
            equal.append(expression)
            equal_to.append(value)

        def no_more(expression, value=0.0):
            at_most.append(expression)
            at_most_this.append(value)

        for i, (row, show) in enumerate(zip(self.rows, shown, strict=True)):
            for expression, value in ((self.attendances(i), row.attendances), (self.students(i), row.students)):
                if show or row.students == 0:  # shown, or read "0"
                    known(expression, value)
                else:  # hidden: at least one
                    no_more(-expression, -1)
            no_more(self.students(i) - self.attendances(i))  # at least one attendance each
        bands = self._vector({var: 1.0 for var in self.band_var.values()})
        for total in self.everyone:  # everyone is in one band, or none
            known(bands - self._vector({total: 1.0}), 0)
        everyone = self._vector({self.everyone[0]: 1.0}) if self.everyone else bands
        for i, var in self.row_var.items():
            no_more(self._vector({var: 1.0}) - everyone)
            if self.units[i] == self.attended:
                known(self._vector({var: 1.0}) - everyone, 0)
            for j, other in self.row_var.items():  # a row of more circles has at least its students
                if i != j and self.units[i] < self.units[j]:
                    no_more(self._vector({var: 1.0, other: -1.0}))
        for family in {r.family for r in self.rows} - {"band", "total"}:  # each student is in some row of it
            members = [var for i, var in self.row_var.items() if self.rows[i].family == family]
            if members:
                no_more(everyone - self._vector({var: 1.0 for var in members}))
        return equal, equal_to, at_most, at_most_this

    def highest(self, shown: list[bool], target: int) -> float:
        """The most students the hidden row `target` can have, given the rows `shown`."""
        equal, equal_to, at_most, at_most_this = self._system(shown)
        result = optimize.linprog(-self.students(target), A_ub=np.array(at_most), b_ub=np.array(at_most_this),
                                  A_eq=np.array(equal) if equal else None, b_eq=np.array(equal_to) if equal else None,
                                  bounds=(0, UNBOUNDED), method="highs")
        if result.status != 0:
            raise AssertionError(f"the reader's programme has no solution: {result.message}")
        return -result.fun

    def capped(self, shown: list[bool], k: int) -> list[int]:
        """The hidden rows (not "0") whose students the shown rows cap below k."""
        return [i for i, (row, show) in enumerate(zip(self.rows, shown, strict=True))
                if not show and row.students > 0 and self.highest(shown, i) < k - 1e-6]
