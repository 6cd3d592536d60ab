"""Privacy gate of anonymized reports: one protection decision for every cell of a school's lattice.

`protect_lattice` decides, once for the whole lattice (every grade, band and the whole school ×
every week, month, term and school year, see `lattice`), what is shown and how. Every page, chart,
JSON, CSV, XLSX and command-line output is a slice of its `ProtectedLattice`, so a value hidden in
one output is hidden in all of them and no two outputs can be subtracted to recover it. Rules, with
k the school's setting (at least 5):

1. Few students: a cell counting 1 to k-1 distinct students is hidden, every measure of it. A cell
   with no check-in at all is published as empty ("0", "–"): it tells of nobody.
2. Complementary suppression, jointly over the lattice: a relation between published cells — a
   band is the sum of its grades, the school the sum of its bands (per period), a school year the
   sum of its terms, a term of its months, a month of the weeks that overlap it (per row) — that
   holds exactly one hidden cell would give it away by subtraction, unless enough of its shown
   members carry noise (rule 5) that the subtraction is uncertain by k-1 or more either way; such
   a relation gets its smallest shown member hidden too, repeated over all relations together
   until none gives a cell away. So a week of three students hides that week, not its month,
   term and school year too. The bounds a reader can carry through several relations at once
   (`bounds`: across the rows of a period; across the periods of a row, where a period counts
   every student of a period inside it, so a shown week puts a floor under its hidden month; and
   from a cell's students to its check-ins) must not narrow a hidden count below k or pin it
   either; where they would, the cheapest shown cell beside it is hidden too.
3. Dominance: a share of low ratings is hidden when its low ratings come from fewer than k students
   (none included: "nobody in the group" is about every one of them), a domain's mean when 1 to k-1
   students answered it; rule 2 then runs for that measure.
4. Topics: published per school year only (what a page lists). A topic is shown for a row only
   when at least k students raised it that year; rule 2 runs per topic over the rows. Hidden topics
   are left out, name and all.
5. Perturbation (`perturbation`): published counts carry the cell-key noise of their set of
   students; a share is the perturbed count of low ratings over the check-ins, to whole percent and
   never more than 2 points from the exact share; a mean is rounded to one decimal. A share ≤5% or
   ≥95% reads "≤5%"/"≥95%", a mean ≤1.2 or ≥4.8 reads "≤1.2"/"≥4.8". A cell without check-ins
   reads "0" for counts and "–" for means and shares.
6. Concerns are published for the whole school per term only, rounded to the nearest 5, and read
   "fewer than k" below k.

Every hidden value reads "hidden", whatever the reason, so the page does not tell which hidden
cells are the small ones. Only row and period labels, topic names and protected figures leave
this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from numbers import Integral

import numpy as np

from schoolpeers.lazy import LazyModule
from schoolpeers.reports.bounds import cell_bounds
from schoolpeers.reports.lattice import LEVELS, Lattice, Level, LevelTable
from schoolpeers.reports.perturbation import MAX_NOISE, SMALL_MAX_NOISE, perturbed
from schoolpeers.reports.trends import DOMAINS, SEVERITIES, MeasureKind, PeriodSlot, trend_direction

pd = LazyModule("pandas")
sparse = LazyModule("scipy.sparse")

MIN_K = 5
HIDDEN = "hidden"
EMPTY = "–"
NO_TREND = "not enough data"
CONCERNS_ROUNDED_TO = 5
SHARE_MOVES_AT_MOST = 2  # percentage points
# What every cell publishes, and how each is shown.
MEASURES: dict[str, MeasureKind] = {
    "students": "students",
    "checkins": "count",
    "wellbeing_mean": "mean",
    "low_share": "share",
    **{f"{domain}_mean": "mean" for domain in DOMAINS},
}
CODES: dict[MeasureKind, tuple[tuple[float, str], tuple[float, str]]] = {
    "share": ((0.05, "≤5%"), (0.95, "≥95%")),
    "mean": ((1.2, "≤1.2"), (4.8, "≥4.8")),
}


class CellStatus(StrEnum):
    SHOWN = "shown"
    EMPTY = "empty"  # no check-in, or no answer, in the cell
    CODED = "coded"  # shown as a bound
    HIDDEN = "hidden"
EMPTY = "–"


def explain(status: str, k: int) -> str | None:
    """The sentence a page shows for a marked cell; None for a plainly shown one."""
    reasons = {
        CellStatus.CODED: "shown as a range to protect privacy: (nearly) all students gave the same answer",
        CellStatus.HIDDEN: f"hidden to protect privacy: it rests on fewer than {k} students, or with other "
                           "figures it would let a hidden one be worked out",
    }
    return reasons.get(CellStatus(status))


@dataclass(frozen=True, eq=False)
class ProtectedLevel:
    """One level of the protected lattice: per measure, rows × periods arrays of the display string,
    the chart value (None where hidden) and the status; the shown topics as a long table."""

    level: Level
    rows: tuple[str, ...]
    periods: tuple[PeriodSlot, ...]
    display: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    status: dict[str, np.ndarray]
    topics: pd.DataFrame  # row, period, topic, students (perturbed), shown cells only

    @property
    def labels(self) -> list[str]:
        return [slot.label for slot in self.periods]


@dataclass(frozen=True, eq=False)
class ProtectedLattice:
    k: int
    rows: tuple[str, ...]
    levels: dict[Level, ProtectedLevel]
    concerns: pd.DataFrame  # term, start, end, then per severity the display string; whole school only
    method: str = "cell_key"  # or "differential_privacy" (see differential)
    notice: str = ""  # what a page says of the method, beyond k


def protect_lattice(lattice: Lattice, k: int = MIN_K) -> ProtectedLattice:
    """The one protection decision for every cell of the school's lattice (threshold k, never below 5)."""
    if not isinstance(k, Integral) or k < MIN_K:  # refused, not clamped: a wrong setting must be fixed, not hidden
        raise ValueError(f"k must be a whole number of students, at least {MIN_K}; got {k!r}")
    k = int(k)
    cells = _FlatCells(lattice)
    relations = cells.relations()
    students = cells.flat(lambda t: t.values["students"])
    seen = students > 0
    cost = np.where(seen, students, np.inf)  # an empty cell is the last complement to pick
    counts_needed = _noisy_members_needed(k, MAX_NOISE)
    published = {m: cells.flat(lambda t, m=m: perturbed(t.values[m], t.keys[m], m, floor=k))
                 for m in ("students", "checkins")}  # the very counts the levels show
    by_group = cells.relations(over_time=False)
    reader = _Reader(by_group, cells.over_time(within=True), cells.over_time(within=False))

    def suppressed(hidden: np.ndarray) -> np.ndarray:
        return complete_suppression(hidden, cost, relations, noisy=seen, needed=counts_needed,
                                    published=list(published.values()), floor=k)

    cell_hidden = hide_what_bounds_give_away(suppressed(seen & (students < k)), published, reader, cost, k,
                                             suppressed)

    def measure_hidden(basis: str, *, none_hidden: bool, noisy: np.ndarray | None = None,
                       needed: int = 1) -> np.ndarray:
        counted = cells.flat(lambda t: t.values[basis])
        few = (counted < k) if none_hidden else (counted > 0) & (counted < k)
        return complete_suppression(cell_hidden | (seen & few), cost, relations, noisy=noisy, needed=needed)

    low_counted = cells.flat(lambda t: t.values["low_count"]) > 0
    hidden = {"students": cell_hidden, "checkins": cell_hidden, "wellbeing_mean": cell_hidden,
              "low_share": measure_hidden("low_students", none_hidden=True, noisy=low_counted,
                                          needed=_noisy_members_needed(k, SMALL_MAX_NOISE)),
              # answer counts are not published, so a domain's mean has no noise to lean on
              **{f"{d}_mean": measure_hidden(f"{d}_students", none_hidden=False) for d in DOMAINS}}
    # Topics are published for school years only: what the page lists, and nothing to subtract over time.
    not_year = cells.flat(lambda t: np.full(t.values["students"].shape, t.level != "year")).astype(bool)
    topic_hidden = []
    for i in range(cells.topics):
        raised = cells.flat(lambda t, i=i: t.topic_students[i])
        topic_hidden.append(complete_suppression(cell_hidden | not_year | (raised < k), cost, by_group,
                                                 noisy=raised > 0, needed=counts_needed))
    levels = {level: _present_level(table, lattice, cells.part(level, published), cells.part(level, hidden),
                                    [cells.part(level, h) for h in topic_hidden], k)
              for level, table in lattice.levels.items()}
    return ProtectedLattice(k, tuple(row.label for row in lattice.rows), levels, _protect_concerns(lattice, k))


def complete_suppression(hidden: np.ndarray, cost: np.ndarray, relations: sparse.csr_matrix, *,
                         noisy: np.ndarray | None = None, needed: int = 1,
                         published: list[np.ndarray] | None = None, floor: int = 0,
                         fixed: np.ndarray | None = None) -> np.ndarray:
    """Hide more cells until no relation gives a hidden cell away.

    `relations` is a relations × cells 0/1 matrix (a row's members are a total and its parts). A
    relation gives its hidden cell away when it holds exactly one, unless at least `needed` of its
    shown members are `noisy` (published with perturbation): subtracting them then yields the cell
    only to within the sum of their noise, which `needed` makes at least k-1 either way. On a
    relation that gives a cell away, the shown member with the lowest cost (fewest students, least
    lost) is hidden too; that can expose another relation, so this repeats until none does. A
    relation of one cell has nothing to subtract from and is left alone.

    With `published` counts (as shown, never below `floor` = k when shown), a relation also gives a
    hidden cell away when those figures alone cap it below k: a shown count near k can be only a
    little lower than shown, so its noise does not protect both ways. This holds however many of
    its parts are hidden: each hidden cell counts at least one (an empty cell is published as
    empty), so hidden parts share what the total leaves, and each can be at most that less one for
    every other hidden part.

    Cells marked `fixed` are published as decided elsewhere (a school's cells in the district's
    roll-up) and are never picked as a complement.
    """
    hidden = np.asarray(hidden, dtype=bool).copy()
    movable = np.ones_like(hidden) if fixed is None else ~np.asarray(fixed, dtype=bool)
    if noisy is None:  # no noise to lean on: a lone hidden cell is always given away
        noisy, needed = np.zeros_like(hidden), 1
    noisy = np.asarray(noisy, dtype=bool)
    if relations.shape[0] == 0:
        return hidden
    bounds = [(np.where(counts == 0, 0, np.maximum(floor, counts - MAX_NOISE)),
               np.where(counts == 0, 0, counts + MAX_NOISE)) for counts in published or []]

    def capped(members: np.ndarray) -> bool:
        """Some hidden member's highest value, from the others' published counts, is below k."""
        total, parts = members[0], members[1:]
        hidden_parts = parts[hidden[parts]]
        if hidden[total] and len(hidden_parts):
            return False  # the total and a part hidden: this relation caps neither
        shown_parts = parts[~hidden[parts]]
        for low, high in bounds:
            highest = (high[parts].sum() if hidden[total]
                       else high[total] - low[shown_parts].sum() - (len(hidden_parts) - 1))
            if highest < floor:
                return True
        return False

    def gives_away(members: np.ndarray) -> bool:
        held = hidden[members].sum()
        if held == 0:
            return False
        if held == 1 and (noisy[members] & ~hidden[members]).sum() < needed:
            return True
        return bool(bounds) and capped(members)

    while True:
        holding = relations @ hidden.astype(np.int64)
        candidates = np.flatnonzero(holding >= 1) if bounds else np.flatnonzero(holding == 1)
        found = [r for r in candidates
                 if gives_away(relations.indices[relations.indptr[r]:relations.indptr[r + 1]])]
        if not found:
            return hidden
        before = hidden.copy()
        for r in found:
            members = relations.indices[relations.indptr[r]:relations.indptr[r + 1]]
            if gives_away(members):  # an earlier pick this round may already have fixed it
                shown = members[~hidden[members] & movable[members]]
                if not len(shown):
                    continue  # every member hidden or fixed: nothing here left to hide
                hidden[shown[np.argmin(cost[shown])]] = True  # the first of equal costs
        if (hidden == before).all():
            return hidden  # what is left rests on fixed cells only: decided where they are published


class _Reader:
    """The relations a reader carries bounds through: between the rows of a period (`by_group`), and
    between the periods of a row (`within`: a period, then those of one finer level inside it;
    `covering`: a period, then those of one finer level that overlap it), for every coarser and
    finer level, not only neighbouring ones: a week that overlaps two months still lies in a term."""

    def __init__(self, by_group: sparse.csr_matrix, within: sparse.csr_matrix, covering: sparse.csr_matrix):
        self.by_group, self.within, self.covering = by_group, within, covering
        self._relations = sparse.vstack([by_group, covering]).tocsr()  # `within` is part of `covering`
        self._member_of = self._relations.T.tocsr()
        first = np.zeros(len(within.indices), dtype=bool)
        first[within.indptr[:-1]] = True  # every relation has a whole and at least one part
        self._outer = np.repeat(within.indices[within.indptr[:-1]], np.diff(within.indptr))[~first]
        self._inner = within.indices[~first]

    def bounds(self, published: dict[str, np.ndarray], hidden: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return cell_bounds(published["students"], published["checkins"], hidden, self.by_group, floor=k,
                           noise=MAX_NOISE, within=self.within, covering=self.covering)

    def inside(self, periods: np.ndarray) -> np.ndarray:
        """The cells that lie inside one of `periods` (a mask) of their own row."""
        found = np.zeros(len(periods), dtype=bool)
        found[self._inner[periods[self._outer]]] = True
        return found

    def beside(self, cell: int) -> np.ndarray:
        """Every cell that shares a relation with `cell` (itself included)."""
        relations, member_of = self._relations, self._member_of
        found = [relations.indices[relations.indptr[r]:relations.indptr[r + 1]]
                 for r in member_of.indices[member_of.indptr[cell]:member_of.indptr[cell + 1]]]
        return np.unique(np.concatenate(found)).astype(int) if found else np.array([], dtype=int)


def hide_what_bounds_give_away(hidden: np.ndarray, published: dict[str, np.ndarray], reader: _Reader,
                               cost: np.ndarray, k: int, suppressed) -> np.ndarray:
    """Rule 2 carried through several relations at once: where the bounds a reader can work out
    (`bounds.cell_bounds`: across the rows of a period, across the periods of a row, and from a
    cell's students to its check-ins) put a hidden cell's students or check-ins below k, or pin
    them, the cheapest shown cell beside it is hidden too, and rule 2 runs again; until no hidden
    cell is narrowed so."""
    while True:
        low, high = reader.bounds(published, hidden, k)
        exposed = hidden & ((high < k) | (high - low < 0.5)).any(axis=0)
        # A period's students bound those of every period inside it, so one narrowed year narrows its
        # terms, months and weeks too: mend the outermost first, the rest may follow from it.
        more = _hide_beside(exposed & ~reader.inside(exposed), hidden, reader, cost)
        if (more == hidden).all():
            more = _hide_beside(exposed, hidden, reader, cost)  # nothing to hide beside those
        if (more == hidden).all():
            return hidden  # nothing exposed, or nothing left beside it to hide
        hidden = suppressed(more)


def _hide_beside(exposed: np.ndarray, hidden: np.ndarray, reader: _Reader, cost: np.ndarray) -> np.ndarray:
    """`hidden` with, for each exposed cell, the cheapest shown cell beside it hidden too."""
    more = hidden.copy()
    for cell in np.flatnonzero(exposed):
        beside = reader.beside(cell)
        shown = beside[~more[beside] & np.isfinite(cost[beside])]  # an empty cell stays published as empty
        if len(shown):
            more[shown[np.argmin(cost[shown])]] = True
    return more


def _noisy_members_needed(k: int, max_noise: int) -> int:
    """How many noisy published members make a subtraction uncertain by at least k-1 either way."""
    return -(-(k - 1) // max_noise)


def published_trend(means: list[float | None], statuses: list[str]) -> tuple[str, CellStatus]:
    """Direction of published means: from published figures only, so it can tell nothing they do not.
    Hidden where any of them is hidden; no trend across a period without check-ins."""
    if CellStatus.HIDDEN in statuses:
        return HIDDEN, CellStatus.HIDDEN
    if any(mean is None for mean in means):
        return NO_TREND, CellStatus.SHOWN
    return trend_direction(means) or NO_TREND, CellStatus.SHOWN


# --- internals ------------------------------------------------------------------------------


class _FlatCells:
    """Every cell of every level as one flat index, for decisions over the lattice as a whole."""

    def __init__(self, lattice: Lattice):
        self.lattice = lattice
        self.offsets: dict[Level, int] = {}
        total = 0
        for level in LEVELS:
            self.offsets[level] = total
            total += len(lattice.rows) * len(lattice.levels[level].periods)
        self.size = total
        self.topics = len(lattice.levels["year"].topic_names)

    def flat(self, part) -> np.ndarray:
        return np.concatenate([np.asarray(part(self.lattice.levels[level]), dtype=float).ravel()
                               for level in LEVELS])

    def part(self, level: Level, flat):
        rows, periods = len(self.lattice.rows), len(self.lattice.levels[level].periods)
        start = self.offsets[level]
        if isinstance(flat, dict):
            return {name: self.part(level, value) for name, value in flat.items()}
        return flat[start:start + rows * periods].reshape(rows, periods)

    def cell(self, level: Level, row: int, period: int) -> int:
        return self.offsets[level] + row * len(self.lattice.levels[level].periods) + period

    def over_time(self, *, within: bool) -> sparse.csr_matrix:
        """Per row, each period with the periods of every finer level that lie inside it (`within`)
        or overlap it: a year with its terms, months and weeks, a term with its months and weeks, a
        month with its weeks."""
        members: list[list[int]] = []
        for o, outer_level in enumerate(LEVELS):
            outer_start, outer_end = self._days(outer_level)
            for inner_level in LEVELS[:o]:
                start, end = self._days(inner_level)
                if within:
                    parts = (start >= outer_start[:, None]) & (end <= outer_end[:, None])
                else:
                    parts = (start <= outer_end[:, None]) & (end >= outer_start[:, None])
                for p, found in enumerate(parts):
                    members += [[self.cell(outer_level, r, p), *(self.cell(inner_level, r, c)
                                                                 for c in np.flatnonzero(found))]
                                for r in range(len(self.lattice.rows))]
        return self._matrix(members)

    def _days(self, level: Level) -> tuple[np.ndarray, np.ndarray]:
        """First and last day of each period of `level`."""
        periods = self.lattice.levels[level].periods
        return (np.array([slot.start for slot in periods], dtype="datetime64[D]"),
                np.array([slot.end for slot in periods], dtype="datetime64[D]"))

    def relations(self, *, over_time: bool = True) -> sparse.csr_matrix:
        """Every total-and-parts relation of the lattice (see rule 2 of the module docstring); with
        `over_time` False, only those between rows of the same period."""
        rows = self.lattice.rows
        grade_rows = {g: i for i, row in enumerate(rows) if row.kind == "grade" for g in row.grades}
        bands = [i for i, row in enumerate(rows) if row.kind == "band"]
        school = next(i for i, row in enumerate(rows) if row.kind == "school")
        groups = [[school, *bands]] + [[b, *(grade_rows[g] for g in sorted(rows[b].grades))] for b in bands]
        members: list[list[int]] = []
        for level in LEVELS:
            for period in range(len(self.lattice.levels[level].periods)):
                members += [[self.cell(level, r, period) for r in group] for group in groups]
        for parent, child in (("year", "term"), ("term", "month"), ("month", "week")) if over_time else ():
            outer, inner = self.lattice.levels[parent].periods, self.lattice.levels[child].periods
            for p, slot in enumerate(outer):
                parts = [c for c, part in enumerate(inner) if part.start <= slot.end and part.end >= slot.start]
                members += [[self.cell(parent, r, p), *(self.cell(child, r, c) for c in parts)]
                            for r in range(len(rows))]
        return self._matrix(members)

    def _matrix(self, members: list[list[int]]) -> sparse.csr_matrix:
        """Relations × cells, one row per list of members (a total first); one-cell lists dropped."""
        members = [m for m in members if len(m) > 1]
        indptr = np.cumsum([0, *(len(m) for m in members)])
        indices = np.array([c for m in members for c in m], dtype=np.int64)
        return sparse.csr_matrix((np.ones(len(indices), dtype=np.int64), indices, indptr),
                                 shape=(len(members), self.size))


def _present_level(table: LevelTable, lattice: Lattice, counts: dict[str, np.ndarray],
                   hidden: dict[str, np.ndarray], topic_hidden: list[np.ndarray], k: int) -> ProtectedLevel:
    v, keys = table.values, table.keys
    with np.errstate(invalid="ignore", divide="ignore"):
        figures = {
            "students": counts["students"],
            "checkins": counts["checkins"],
            "wellbeing_mean": v["wellbeing_sum"] / v["checkins"],
            "low_share": _share(perturbed(v["low_count"], keys["low_count"], "low_count", floor=0, small=True),
                                v["low_count"], v["checkins"]),
            **{f"{d}_mean": v[f"{d}_sum"] / v[f"{d}_answered"] for d in DOMAINS},
        }
    display, values, status = {}, {}, {}
    for measure, kind in MEASURES.items():
        cells = [present_cell(kind, value, hide)
                 for value, hide in zip(figures[measure].ravel(), hidden[measure].ravel(), strict=True)]
        shape = figures[measure].shape
        display[measure], values[measure], status[measure] = (
            grid([cell[i] for cell in cells], shape) for i in range(3))
    return ProtectedLevel(table.level, tuple(row.label for row in lattice.rows), table.periods,
                          display, values, status, _shown_topics(table, lattice, topic_hidden, k))


def _share(perturbed_count: np.ndarray, count: np.ndarray, total: np.ndarray) -> np.ndarray:
    """The share of a perturbed count, in whole percent, kept within `SHARE_MOVES_AT_MOST` points of
    the exact share: over few check-ins one check-in's noise would move it further. The noise still
    decides within that band, so differencing two shares still yields noise."""
    exact = 100 * count / total
    percent = np.round(100 * np.clip(perturbed_count / total, 0, 1))
    lowest, highest = np.ceil(exact - SHARE_MOVES_AT_MOST - 1e-9), np.floor(exact + SHARE_MOVES_AT_MOST + 1e-9)
    return np.clip(percent, lowest, highest) / 100


def grid(items: list, shape: tuple[int, ...]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(shape)


def present_cell(kind: MeasureKind, value: float, hidden: bool) -> tuple[str, int | float | None, CellStatus]:
    """(display, chart value, status) of one cell of one measure."""
    if hidden:
        return HIDDEN, None, CellStatus.HIDDEN
    if kind in ("mean", "share") and np.isnan(value):  # no check-in or no answer: nobody to hide
        return EMPTY, None, CellStatus.EMPTY
    if kind in ("students", "count") and value == 0:
        return "0", 0, CellStatus.EMPTY
    if kind in ("mean", "share"):
        value = round(float(value), 1 if kind == "mean" else 2)
        (low, low_label), (high, high_label) = CODES[kind]
        if value <= low:
            return low_label, low, CellStatus.CODED
        if value >= high:
            return high_label, high, CellStatus.CODED
        return (f"{value:.1f}" if kind == "mean" else f"{value:.0%}"), value, CellStatus.SHOWN
    return str(int(value)), int(value), CellStatus.SHOWN


def _shown_topics(table: LevelTable, lattice: Lattice, hidden: list[np.ndarray], k: int) -> pd.DataFrame:
    columns = ["row", "period", "topic", "students"]
    found = []
    for t, name in enumerate(table.topic_names):
        if t >= len(hidden):
            break
        counts = perturbed(table.topic_students[t], table.topic_keys[t], f"topic:{name}", floor=k)
        for r, p in zip(*np.nonzero(~hidden[t]), strict=True):
            found.append((lattice.rows[r].label, table.periods[p].label, name, int(counts[r, p])))
    return pd.DataFrame(found, columns=columns)


def _protect_concerns(lattice: Lattice, k: int) -> pd.DataFrame:
    def shown(count: int) -> str:
        if count < k:
            return f"fewer than {k}"
        return str(max(k, CONCERNS_ROUNDED_TO * round(count / CONCERNS_ROUNDED_TO)))

    return concern_table(lattice.concern_terms, {
        severity: [shown(int(c)) for c in lattice.concern_students[severity]] for severity in SEVERITIES})


def concern_table(terms, shown: dict[str, list[str]]) -> pd.DataFrame:
    """Concerns as published: term, its first and last day, then per severity the display string."""
    return pd.DataFrame({
        "term": [slot.label for slot in terms],
        "start": [slot.start for slot in terms],
        "end": [slot.end for slot in terms],
        **{severity: shown.get(severity, []) for severity in SEVERITIES},
    })
