"""What a reader can work out about hidden counts from everything a report publishes: an interval
for every cell, by carrying bounds through the relations between rows of one period (a band is the
sum of its grades, the school the sum of its bands) and between the two counts of a cell (a
student counted has at least one check-in). Pure; used by `privacy` to hide more where the
interval of a hidden cell would fall below k.

A shown count c is known to lie in [max(k, c - noise), c + noise], an empty cell is 0, and a hidden
cell is at least 1 (an empty one would be published as empty).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

ROUNDS = 8  # bounds settle in two or three rounds on a school's lattice; this caps the work


def cell_bounds(students: np.ndarray, checkins: np.ndarray, hidden: np.ndarray, relations: sparse.csr_matrix,
                *, floor: int, noise: int) -> tuple[np.ndarray, np.ndarray]:
    """(lowest, highest) students and check-ins of every cell, as 2 × cells arrays (row 0: students,
    row 1: check-ins), from the published counts and `relations` (rows: a total, then its parts; each
    relation exact)."""
    hidden = np.asarray(hidden, dtype=bool)
    low = np.empty((2, len(hidden)))
    high = np.empty((2, len(hidden)))
    for m, counts in enumerate((students, checkins)):
        low[m] = np.where(hidden, 1.0, np.where(counts == 0, 0.0, np.maximum(floor, counts - noise)))
        high[m] = np.where(hidden, np.inf, np.where(counts == 0, 0.0, counts + noise))
    groups = [relations.indices[relations.indptr[r]:relations.indptr[r + 1]] for r in range(relations.shape[0])]
    for _ in range(ROUNDS):
        before = low.copy(), high.copy()
        low[1] = np.maximum(low[1], low[0])  # at least one check-in per student counted
        high[0] = np.minimum(high[0], high[1])
        for m in range(2):
            for members in groups:
                _tighten(low[m], high[m], members[0], members[1:])
        if np.array_equal(before[0], low) and np.array_equal(before[1], high):
            break
    return low, high


def _tighten(low: np.ndarray, high: np.ndarray, total: int, parts: np.ndarray) -> None:
    """total = sum(parts): each side bounds the other."""
    high[total] = min(high[total], high[parts].sum())
    low[total] = max(low[total], low[parts].sum())
    lows = low[parts].sum()
    unbounded = np.isinf(high[parts])
    for i, part in enumerate(parts):
        high[part] = min(high[part], high[total] - (lows - low[part]))
        if not (unbounded.sum() - unbounded[i]):  # every other part bounded above
            others = high[parts].sum() - high[part] if not unbounded[i] else high[parts][~unbounded].sum()
            low[part] = max(low[part], low[total] - others)
