"""Privacy gate of anonymized reports: `protect` is the one function every report output goes through.

Pages, charts, chart JSON, CSV and XLSX exports are all made from a `ProtectedTable`, never from the
exact `ReportTable` of `trends`. Rules, with k the school's setting (at least 5):

1. Few students: a value is shown only when the distinct students it is computed from (the report's
   `students`, per measure) and the distinct students of its cell are both at least k. A count of
   students below k reads "<5" (for k = 5); any other hidden value reads "hidden".
2. Complementary suppression: each measure is a grid of groups × periods with a total row (whole
   school) and a total column (all periods). A row or column with exactly one hidden cell would give
   that cell away by subtraction, so the smallest other shown cell on it (fewest students, least
   lost) is hidden too, repeated until every row and column has no hidden cell or at least two. This
   is the classic rule: it stops recovery from one row or column, which is what a reader can do.
3. Everything about a hidden cell is hidden: every measure of a cell whose student count is hidden
   (by rule 1 or 2), and its topics.
4. Coding: a share ≤5% or ≥95% reads "≤5%" / "≥95%", and a mean within 5% of the 1–5 scale's ends
   reads "≤1.2" / "≥4.8", as the exact value would tell that (nearly) every student answered the
   same. Charts get the bound.
5. Topics: a topic is listed only when at least k distinct students mentioned it in a shown cell,
   and rule 2 runs per topic, counting the cells where it is not listed as unknown. A hidden topic is
   left out, name and all.
6. Trends: shown only when the mean well-being of every period the trend is computed from is shown.

Only group and period labels, topic names, aggregates and directions leave this module: no mentee
keys, names, notes or dates finer than the period.

`ProtectedTable` (frames share the report's (group, period) MultiIndex and measure columns):
- `display`: strings, ready for a page, CSV or XLSX ("12", "3.40", "23%", "<5", "≤5%", "hidden");
- `values`: numbers for charts (int counts, means and shares (0–1) rounded as displayed, the bound
  when coded), None when hidden;
- `status`: a `CellStatus` per cell; `explain(status, k)` gives the one-sentence reason;
- `topics`: group, period, rank, topic, students (int) for the shown topics only;
- `trend`: per group, `display` ("improving", "steady", "declining", "not enough data", "hidden")
  and `status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from numbers import Integral

import numpy as np
import pandas as pd

from schoolpeers.reports.trends import CELL, MEASURES, MeasureKind, ReportTable

MIN_K = 5
HIDDEN = "hidden"
NO_TREND = "not enough data"
CODES: dict[MeasureKind, tuple[tuple[float, str], tuple[float, str]]] = {
    "share": ((0.05, "≤5%"), (0.95, "≥95%")),
    "mean": ((1.2, "≤1.2"), (4.8, "≥4.8")),
}


class CellStatus(StrEnum):
    SHOWN = "shown"
    CODED = "coded"  # shown as a bound
    FEW_STUDENTS = "few_students"
    COMPLEMENTARY = "complementary"
    HIDDEN_PERIOD = "hidden_period"  # a trend computed from a hidden period


HIDDEN_STATUSES = frozenset({CellStatus.FEW_STUDENTS, CellStatus.COMPLEMENTARY, CellStatus.HIDDEN_PERIOD})


def explain(status: str, k: int) -> str | None:
    """The sentence a page shows for a marked cell; None for a plainly shown one."""
    reasons = {
        CellStatus.CODED: "shown as a range to protect privacy: (nearly) all students gave the same answer",
        CellStatus.FEW_STUDENTS: f"hidden to protect privacy: fewer than {k} students",
        CellStatus.COMPLEMENTARY: "hidden to protect privacy: with the totals it would reveal another hidden value",
        CellStatus.HIDDEN_PERIOD: "hidden to protect privacy: some periods it is computed from are hidden",
    }
    return reasons.get(CellStatus(status))


@dataclass(frozen=True, eq=False)
class ProtectedTable:
    """What pages, charts and exports may use; see the module docstring for the shape."""

    display: pd.DataFrame
    values: pd.DataFrame
    status: pd.DataFrame
    topics: pd.DataFrame
    trend: pd.DataFrame
    k: int

    @property
    def suppressed(self) -> pd.DataFrame:
        return self.status.isin(HIDDEN_STATUSES)


def protect(report: ReportTable, k: int = MIN_K) -> ProtectedTable:
    """The privacy-safe version of `report` for a school whose threshold is k (never below 5)."""
    if not isinstance(k, Integral) or k < MIN_K:  # refused, not clamped: a wrong setting must be fixed, not hidden
        raise ValueError(f"k must be a whole number of students, at least {MIN_K}; got {k!r}")
    rows, columns = _grid_shape(report.values.index)
    measures = list(report.values.columns)
    values = _grids(report.values, rows, columns)
    students = _grids(report.students, rows, columns)

    cell_students = students[measures.index("students")]
    cell_hidden = add_complementary_suppression(cell_students < k, cell_students)
    few = (students < k) | (cell_students < k)
    hidden = add_complementary_suppression(few | cell_hidden, students)

    presented = {
        measure: [
            _present(MEASURES[measure], *cell, k)
            for cell in zip(values[m].ravel(), students[m].ravel(), few[m].ravel(), hidden[m].ravel(), strict=True)
        ]
        for m, measure in enumerate(measures)
    }

    def frame(part: int, dtype: type | None = None) -> pd.DataFrame:
        return pd.DataFrame(
            {m: [cell[part] for cell in cells] for m, cells in presented.items()},
            index=report.values.index,
            dtype=dtype,
        )

    return ProtectedTable(
        display=frame(0),
        values=frame(1, object),
        status=frame(2),
        topics=_protect_topics(report.topics, cell_hidden, k),
        trend=_protect_trend(report, hidden[measures.index("wellbeing_mean")]),
        k=int(k),
    )


def add_complementary_suppression(hidden: np.ndarray, students: np.ndarray) -> np.ndarray:
    """Hide more cells until no row or column of a grid holds exactly one hidden cell.

    The last two axes are the grid (groups × periods, totals included); leading axes are independent
    grids (e.g. one per measure). On each row or column with a lone hidden cell, the shown cell with
    the fewest students is hidden too; that can leave another line with a lone hidden cell, so this
    repeats until stable. Lines of a single cell have nothing to subtract from and are left alone.
    """
    hidden = hidden.copy()
    cost = np.asarray(students, dtype=float)
    axes = [axis for axis in (-1, -2) if hidden.shape[axis] > 1]
    while True:
        before = int(hidden.sum())
        for axis in axes:
            lonely = hidden.sum(axis=axis, keepdims=True) == 1
            smallest_shown = np.argmin(np.where(hidden, np.inf, cost), axis=axis, keepdims=True)
            pick = np.zeros_like(hidden)
            np.put_along_axis(pick, smallest_shown, True, axis=axis)
            hidden |= pick & lonely
        if hidden.sum() == before:
            return hidden


def _grid_shape(index: pd.MultiIndex) -> tuple[int, int]:
    groups, periods = index.levels
    if not index.equals(pd.MultiIndex.from_product([groups, periods], names=index.names)):
        raise ValueError("a report must be the complete grid of its groups × periods")
    return len(groups), len(periods)


def _grids(frame: pd.DataFrame, rows: int, columns: int) -> np.ndarray:
    """measure × group × period array of a (group, period)-indexed frame."""
    return frame.to_numpy(dtype=float).reshape(rows, columns, -1).transpose(2, 0, 1)


def _present(
    kind: MeasureKind, value: float, students: float, few: bool, hidden: bool, k: int
) -> tuple[str, int | float | None, CellStatus]:
    """(display, chart value, status) of one cell of one measure."""
    if hidden:
        status = CellStatus.FEW_STUDENTS if few else CellStatus.COMPLEMENTARY
        shows_below_k = kind == "students" and students < k  # then value == students: "<k" is exact
        return (f"<{k}" if shows_below_k else HIDDEN), None, status
    if kind in CODES:
        (low, low_label), (high, high_label) = CODES[kind]
        if value <= low:
            return low_label, low, CellStatus.CODED
        if value >= high:
            return high_label, high, CellStatus.CODED
    if kind == "mean":
        return f"{value:.2f}", round(value, 2), CellStatus.SHOWN
    if kind == "share":
        return f"{value:.0%}", round(value, 2), CellStatus.SHOWN
    return str(int(value)), int(value), CellStatus.SHOWN


def _protect_topics(topics: pd.DataFrame, cell_hidden: np.ndarray, k: int) -> pd.DataFrame:
    if topics.empty:
        return topics
    group, period = topics["group"].cat.codes.to_numpy(), topics["period"].cat.codes.to_numpy()
    topic, names = pd.factorize(topics["topic"])
    grid = (len(names), *cell_hidden.shape)
    listed, students = np.zeros(grid, dtype=bool), np.zeros(grid)
    listed[topic, group, period] = True
    students[topic, group, period] = topics["students"].to_numpy()
    # An unlisted topic's count is unknown to the reader, like a hidden one: both count as hidden.
    unknown = add_complementary_suppression(~listed | (students < k) | cell_hidden, students)
    shown = topics[~unknown[topic, group, period]]
    return shown.assign(rank=shown.groupby(CELL, observed=True).cumcount() + 1).reset_index(drop=True)


def _protect_trend(report: ReportTable, wellbeing_hidden: np.ndarray) -> pd.DataFrame:
    periods = list(report.values.index.levels[1])
    used = [periods.index(label) for label in report.trend_periods]
    from_hidden = wellbeing_hidden[:, used].any(axis=1)
    display = [
        HIDDEN if hidden else (direction or NO_TREND)
        for direction, hidden in zip(report.trend, from_hidden, strict=True)
    ]
    status = [CellStatus.HIDDEN_PERIOD if hidden else CellStatus.SHOWN for hidden in from_hidden]
    return pd.DataFrame({"display": display, "status": status}, index=report.trend.index)
