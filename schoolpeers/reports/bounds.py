"""What a reader can work out about hidden counts from everything a report publishes: an interval
for every cell, by carrying bounds through the relations between rows of one period (a band is the
sum of its grades, the school the sum of its bands), between the periods of one row (a period
counts at least the students of any period inside it and at most those of the periods that
overlap it; its check-ins are at least those of the periods inside it and at most those of the
periods that overlap it) and between the two counts of a cell (a student counted has at least one
check-in). Pure; used by `privacy` to hide more where the interval of a hidden cell would fall
below k or close on one value.

A shown count c is known to lie in [max(k, c - noise), c + noise], an empty cell is 0, and a hidden
cell is at least 1 (an empty one would be published as empty).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

ROUNDS = 12  # bounds settle within seven rounds on the schools tried (every level at once); this caps the work


def cell_bounds(students: np.ndarray, checkins: np.ndarray, hidden: np.ndarray, relations: sparse.csr_matrix,
                *, floor: int, noise: int, within: sparse.csr_matrix | None = None,
                covering: sparse.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(lowest, highest) students and check-ins of every cell, as 2 × cells arrays (row 0: students,
    row 1: check-ins), from the published counts and `relations` (rows: a total, then its parts; each
    relation exact). Over time, `within` rows are a period and then the periods of one finer level of
    its row that lie inside it (so they do not overlap one another), `covering` rows a period and then
    every period of one finer level of its row that overlaps it. Neither is an exact sum: a student
    counts once in a month however many of its weeks they came, and a week that overlaps two months
    holds check-ins of both."""
    hidden = np.asarray(hidden, dtype=bool)
    low = np.empty((2, len(hidden)))
    high = np.empty((2, len(hidden)))
    for m, counts in enumerate((students, checkins)):
        low[m] = np.where(hidden, 1.0, np.where(counts == 0, 0.0, np.maximum(floor, counts - noise)))
        high[m] = np.where(hidden, np.inf, np.where(counts == 0, 0.0, counts + noise))
    groups, inside, overlapping = (_Flat.read(matrix) for matrix in (relations, within, covering))
    for _ in range(ROUNDS):
        before = low.copy(), high.copy()
        low[1] = np.maximum(low[1], low[0])  # at least one check-in per student counted
        high[0] = np.minimum(high[0], high[1])
        for m in range(2):
            _at_least_sum(low[m], high[m], groups)  # a total is exactly the sum of its parts: both ways
            _at_most_sum(low[m], high[m], groups)
            _at_most_sum(low[m], high[m], overlapping)
        _at_least_each(low[0], high[0], inside)
        _at_least_sum(low[1], high[1], inside)
        if np.array_equal(before[0], low) and np.array_equal(before[1], high):
            break
    return low, high


@dataclass(frozen=True)
class _Flat:
    """Relations as flat arrays: per relation its whole; per other member the member and its relation."""

    whole: np.ndarray
    part: np.ndarray
    of: np.ndarray

    @classmethod
    def read(cls, relations: sparse.csr_matrix | None) -> _Flat:
        if relations is None:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty)
        sizes = np.diff(relations.indptr)
        kept = np.flatnonzero(sizes > 1)  # a relation of one cell bounds nothing
        number = np.full(len(sizes), -1)
        number[kept] = np.arange(len(kept))
        of = np.repeat(number, sizes)
        first = np.zeros(len(of), dtype=bool)
        first[relations.indptr[kept]] = True
        parts = ~first & (of >= 0)
        return cls(relations.indices[relations.indptr[kept]], relations.indices[parts], of[parts])

    def total(self, values: np.ndarray) -> np.ndarray:
        """Per relation, the sum of `values` over its parts."""
        return np.bincount(self.of, weights=values, minlength=len(self.whole))


def _at_least_each(low: np.ndarray, high: np.ndarray, relations: _Flat) -> None:
    """whole >= each part (students of a period inside another are among its students)."""
    np.maximum.at(low, relations.whole[relations.of], low[relations.part])
    np.minimum.at(high, relations.part, high[relations.whole[relations.of]])


def _at_least_sum(low: np.ndarray, high: np.ndarray, relations: _Flat) -> None:
    """whole >= sum(parts): the whole at least the parts' lows, each part at most what the whole
    leaves over the others' lows."""
    lows = relations.total(low[relations.part])
    np.maximum.at(low, relations.whole, lows)
    np.minimum.at(high, relations.part,
                  high[relations.whole[relations.of]] - (lows[relations.of] - low[relations.part]))


def _at_most_sum(low: np.ndarray, high: np.ndarray, relations: _Flat) -> None:
    """whole <= sum(parts): the whole at most the parts' highs, each part at least what the whole
    needs beyond the others' highs, which only holds where those others are all bounded."""
    highs = high[relations.part]
    unbounded = np.isinf(highs)
    np.minimum.at(high, relations.whole, relations.total(highs))
    bounded = relations.total(np.where(unbounded, 0.0, highs))
    loose = relations.total(unbounded.astype(float))[relations.of] - unbounded  # other unbounded parts
    others = bounded[relations.of] - np.where(unbounded, 0.0, highs)
    np.maximum.at(low, relations.part[loose == 0], (low[relations.whole[relations.of]] - others)[loose == 0])
