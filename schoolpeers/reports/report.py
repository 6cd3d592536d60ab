"""A report: one slice of a school's protected lattice (pure core, no Flask, no database).

A report is never computed for its own choice of dates and grades. It picks, from the one
`ProtectedLattice` of the school, a level of periods (week, month, term or school year), a range of
whole periods, and rows: one grade, one band or the whole school, shown by grade, by band or as a
whole. Every figure is a published cell, read as it is, so two reports can differ only by whole
published cells and nothing can be subtracted from them that the lattice's protection did not
allow. What a report derives (trend, the previous-term comparison, its extent) uses published
figures only:

- the grid runs from the first to the last period whose whole-school cell is shown, so a period
  holding only a few check-ins does not announce itself at the edge;
- a trend is the direction of the published means of the last `DEFAULT_TREND_PERIODS` periods;
- the summary and the topics are those of the school year of the report's last period;
- a row published empty in every period (a grade without mentees) is left out.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

import numpy as np

from schoolpeers.reports.lattice import LEVELS, Level, Row
from schoolpeers.reports.privacy import (
    EMPTY,
    MEASURES,
    CellStatus,
    ProtectedLattice,
    ProtectedLevel,
    explain,
    published_trend,
)
from schoolpeers.reports.trends import (
    DEFAULT_TERMS,
    DEFAULT_TREND_PERIODS,
    SEVERITIES,
    TOP_TOPICS,
    Grouping,
    MeasureKind,
    PeriodSlot,
)

PERIODS: dict[Level, str] = {"week": "Week", "month": "Month", "term": "Term", "year": "School year"}
GROUPINGS: dict[Grouping, str] = {"grade": "Grade", "band": "Grade band", "school": "Whole school"}
ALL_GRADES = "all"
# Whose check-ins a report reads: the mentors' ratings of their mentees, or the students' own. Each is
# its own lattice, protected by the same rules and keys (the same students and days get the same noise).
SOURCES = {"mentors": "Mentors' check-ins", "students": "Students' own check-ins"}
COMPARED = ("students", "checkins", "wellbeing_mean", "low_share")
MARKS = {CellStatus.HIDDEN: "*", CellStatus.CODED: "~"}
# Periods × groups a report may hold: weeks by grade over about three years. More is more than anyone
# reads, and a page or file of it would hold a server's worker for long.
MAX_REPORT_CELLS = 1_500


@dataclass(frozen=True)
class ReportParams:
    """The report asked for: a level of periods, a grouping, the grades (`ALL_GRADES`, one grade "7" or
    one band "6-8") and an optional range of dates, widened to whole periods."""

    period: Level = "month"
    group: Grouping = "grade"
    grades: str = ALL_GRADES
    date_from: date | None = None
    date_to: date | None = None
    source: str = "mentors"  # a key of SOURCES


def grade_choice(row: Row) -> str:
    """The value that chooses this row: "all", "7" or "6-8"."""
    if row.kind == "school":
        return ALL_GRADES
    if row.kind == "grade":
        return str(min(row.grades))
    return f"{min(row.grades)}-{max(row.grades)}"


@dataclass(frozen=True)
class Line:
    """One row of one measure: chart values per period (None where hidden), display and status."""

    group: str
    values: list[int | float | None]
    display: list[str]
    status: list[str]


@dataclass(frozen=True)
class MeasureSeries:
    name: str
    label: str
    kind: MeasureKind
    periods: list[str]
    lines: list[Line]


@dataclass(frozen=True, eq=False)
class SchoolReport:
    """Everything the report page, its chart JSON and the exports show: published cells only."""

    school_name: str
    school_slug: str
    params: ReportParams
    generated_on: date
    protected: ProtectedLattice
    rows: tuple[int, ...]  # indexes into the lattice's rows, in display order
    scope: int  # the row of the chosen grades: the summary's
    slots: tuple[PeriodSlot, ...]  # the report's periods, in order
    columns: tuple[int, ...]  # their indexes in the level
    labels: dict[str, str]  # measure -> its name on the page, in page order

    @property
    def k(self) -> int:
        return self.protected.k

    @property
    def level(self) -> ProtectedLevel:
        return self.protected.levels[self.params.period]

    @property
    def periods(self) -> list[str]:
        return [slot.label for slot in self.slots]

    @property
    def groups(self) -> list[str]:
        return [self.protected.rows[r] for r in self.rows]

    def has_data(self) -> bool:
        return bool(self.slots)

    @property
    def cells(self) -> int:
        """Periods × groups: what the page's tables, the chart data and the files grow with."""
        return len(self.slots) * len(self.rows)

    def size_problem(self) -> str | None:
        """Why the report is too large to show or make, in words for the filter form; None if it is not."""
        if self.cells <= MAX_REPORT_CELLS:
            return None
        return (f"This report would have {len(self.slots):,} periods × {len(self.rows)} groups = {self.cells:,} "
                f"cells; the most is {MAX_REPORT_CELLS:,}. Choose longer periods (months instead of weeks), "
                "a shorter range of dates, or fewer grades.")

    def describe(self) -> dict[str, str]:
        """Plain text of every choice as the report applies it: export header rows and audit details."""
        return {
            "period": self.params.period,
            "group": self.params.group,
            "grades": self.protected.rows[self.scope],
            "from": self.slots[0].start.isoformat() if self.slots else "–",
            "to": self.slots[-1].end.isoformat() if self.slots else "–",
            "checkins": SOURCES[self.params.source],
        }

    # --- the school year of the last period: summary and topics

    def summary_year(self) -> tuple[str, int] | None:
        """(label, column) of the school year that holds the report's last period."""
        if not self.slots:
            return None
        years = self.protected.levels["year"].periods
        last = self.slots[-1].start  # a week may end in the next school year
        column = next((i for i, slot in enumerate(years) if slot.start <= last <= slot.end), None)
        return None if column is None else (years[column].label, column)

    def overall(self) -> dict[str, tuple[str, str]]:
        """(display, status) of each measure for the chosen grades over the summary's school year."""
        year = self.summary_year()
        level = self.protected.levels["year"]
        if year is None:  # a school year not published (yet)
            return {m: (EMPTY, str(CellStatus.EMPTY)) for m in self.labels}
        return {m: (str(level.display[m][self.scope, year[1]]), str(level.status[m][self.scope, year[1]]))
                for m in self.labels}

    def topics_by_group(self) -> dict[str, list[tuple[int, str, int]]]:
        """The most common shown topics of each row over the summary's school year: (rank, topic, students)."""
        year = self.summary_year()
        topics = self.protected.levels["year"].topics
        if year is None or topics.empty:
            return {}
        ranked: dict[str, list[tuple[int, str, int]]] = {}
        chosen = topics[(topics["period"] == year[0]) & topics["row"].isin(self.groups)]
        for group, found in chosen.groupby("row", sort=False):
            best = found.sort_values(["students", "topic"], ascending=[False, True]).head(TOP_TOPICS)
            ranked[str(group)] = [(rank, str(t), int(s)) for rank, (t, s) in
                                  enumerate(best[["topic", "students"]].itertuples(False, None), start=1)]
        return ranked

    # --- measures, trend, comparison, concerns

    def measures(self) -> list[MeasureSeries]:
        return [self.series(name) for name in self.labels]

    def series(self, measure: str) -> MeasureSeries:
        level, columns = self.level, list(self.columns)
        lines = [Line(group=self.protected.rows[r],
                      values=[_plain(v) for v in level.values[measure][r, columns]],
                      display=[str(v) for v in level.display[measure][r, columns]],
                      status=[str(v) for v in level.status[measure][r, columns]])
                 for r in self.rows]
        return MeasureSeries(measure, self.labels[measure], MEASURES[measure], self.periods, lines)

    @property
    def trend_periods(self) -> tuple[str, ...]:
        return tuple(self.periods[-DEFAULT_TREND_PERIODS:])

    def trends(self) -> list[tuple[str, str, str]]:
        """(group, direction or why there is none, status) over the last periods' published means."""
        series = self.series("wellbeing_mean")
        found = []
        for line in series.lines:
            direction, status = published_trend(line.values[-DEFAULT_TREND_PERIODS:],
                                                line.status[-DEFAULT_TREND_PERIODS:])
            found.append((line.group, direction, str(status)))
        return found

    def comparison_terms(self) -> list[PeriodSlot]:
        """The term of the report's last day (or `generated_on`, if earlier) and the term before it."""
        last = min(self.slots[-1].start, self.generated_on) if self.slots else self.generated_on
        current = DEFAULT_TERMS.term_containing(last)
        return [DEFAULT_TERMS.term_containing(current.start - timedelta(days=1)), current]

    def comparison(self) -> tuple[list[str], list[dict]]:
        """The previous and the current term, and per row each compared measure's (display, status) in
        both, with the change of mean well-being when both terms show it plainly."""
        terms = self.comparison_terms()
        level = self.protected.levels["term"]
        labels = [slot.label for slot in level.periods]
        columns = [labels.index(t.label) if t.label in labels else None for t in terms]

        def cell(measure: str, row: int, column: int | None) -> tuple[str, str]:
            if column is None:  # before the school's first check-in or after its last: nobody
                return ("0" if MEASURES[measure] in ("students", "count") else EMPTY), str(CellStatus.EMPTY)
            return str(level.display[measure][row, column]), str(level.status[measure][row, column])

        rows = []
        for r in self.rows:
            row: dict = {name: [cell(name, r, c) for c in columns] for name in COMPARED}
            shown = [c is not None and level.status["wellbeing_mean"][r, c] == CellStatus.SHOWN for c in columns]
            change = None
            if all(shown):
                before, after = (level.values["wellbeing_mean"][r, c] for c in columns)
                change = round(after - before, 1)
            row.update(group=self.protected.rows[r], change=change)
            rows.append(row)
        return [t.label for t in terms], rows

    def concerns(self) -> list[dict[str, str]]:
        """Students with a concern, per severity, for the whole school in every term the report covers:
        a term without any concern reads like one with a few, so that neither tells of one student."""
        if not self.slots or self.protected.method != "cell_key":
            return []
        published = {row["term"]: row for row in self.protected.concerns.to_dict("records")}
        few = f"fewer than {self.k}"
        rows, day = [], self.slots[0].start
        while day <= self.slots[-1].end:
            term = DEFAULT_TERMS.term_containing(day)
            row = published.get(term.label, {})
            rows.append({"term": term.label, **{s: str(row.get(s, few)) for s in SEVERITIES}})
            day = term.end + timedelta(days=1)
        return rows

    def notes(self) -> list[tuple[str, str]]:
        """(status, sentence) for every kind of marked cell in the report, for the key under tables."""
        grid = np.ix_(self.rows, self.columns)
        present = {str(s) for m in self.labels for s in self.level.status[m][grid].ravel()}
        present |= {status for _g, _d, status in self.trends()}
        return [(str(s), explain(s, self.k)) for s in CellStatus if s in present and explain(s, self.k)]

    def as_json(self) -> dict:
        """The data behind the charts: published values, display strings and statuses only."""
        year = self.summary_year()
        return {
            "school": self.school_name,
            "k": self.k,
            "filters": self.describe(),
            "periods": self.periods,
            "groups": self.groups,
            "measures": [asdict(series) for series in self.measures()],
            "summary": {"year": year[0] if year else None,
                        **{m: {"display": d, "status": s} for m, (d, s) in self.overall().items()}},
            "topics": [{"group": g, "rank": r, "topic": t, "students": s}
                       for g, ranked in self.topics_by_group().items() for r, t, s in ranked],
            "trend": {"periods": list(self.trend_periods),
                      "groups": [{"group": g, "direction": d, "status": s} for g, d, s in self.trends()]},
            "concerns": self.concerns(),
            "notes": {status: sentence for status, sentence in self.notes()},
        }


def slice_report(protected: ProtectedLattice, row_defs: tuple[Row, ...], params: ReportParams, *,
                 labels: dict[str, str], school_name: str, school_slug: str, generated_on: date,
                 default_months: int | None = None) -> SchoolReport:
    """The report of `params`: its rows and whole periods, within the published extent of the school.

    `default_months`, when given and no start date is chosen, keeps only the last that many months
    of periods (the page's first view); exports and the command line pass None.
    """
    if params.period not in LEVELS:
        raise ValueError(f"unknown period {params.period!r}")
    scope = next((i for i, row in enumerate(row_defs) if grade_choice(row) == params.grades), None)
    if scope is None:
        raise ValueError(f"unknown grades {params.grades!r}")
    chosen = row_defs[scope].grades
    level = protected.levels[params.period]
    # A row published empty in every period (a grade nobody is in) is left out: it says nothing.
    everywhere_empty = (level.status["students"] == CellStatus.EMPTY).all(axis=1)
    rows = [i for i, row in enumerate(row_defs)
            if row.kind == params.group and row.grades <= chosen and not everywhere_empty[i]]
    if scope not in rows:
        rows.append(scope)
    school = next(i for i, row in enumerate(row_defs) if row.kind == "school")
    published = np.flatnonzero(level.status["students"][school] != CellStatus.HIDDEN) if len(level.periods) else []
    columns: list[int] = []
    if len(published):
        columns = [c for c in range(published[0], published[-1] + 1)
                   if (params.date_from is None or level.periods[c].end >= params.date_from)
                   and (params.date_to is None or level.periods[c].start <= params.date_to)]
    if columns and default_months and params.date_from is None:
        start = default_start(level.periods[columns[-1]].start, default_months)
        columns = [c for c in columns if level.periods[c].end >= start]
    return SchoolReport(school_name, school_slug, params, generated_on, protected, tuple(rows), scope,
                        tuple(level.periods[c] for c in columns), tuple(columns), labels)


def default_start(end: date, months: int) -> date:
    """The first day of the month `months - 1` months before the month of `end`."""
    month = end.year * 12 + end.month - 1 - (months - 1)
    return date(month // 12, month % 12 + 1, 1)


def _plain(value) -> int | float | None:
    """A chart value as JSON can carry it: Python int or float, None where hidden."""
    if value is None:
        return None
    return int(value) if isinstance(value, (int, np.integer)) else float(value)
