"""A school's anonymized report: load what it needs from the database, build it, protect it.

Check-ins (joined with the mentee's grade, their topics aggregated in the same query) and concerns
are each loaded in one query with only the columns `trends` reads, scoped to the school, and
filtered by date and grade in the database. `mentee_key` is the mentee's id and is only ever
counted. Everything the page, the chart JSON and the exports show comes from the `ProtectedTable`s
of `SchoolReport`, never from the exact report.
"""
from __future__ import annotations

import gc
import io
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import partial
from numbers import Integral, Real
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from sqlalchemy import Text, and_, cast, func, literal, select, true

from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import DOMAINS as DOMAIN_LABELS
from schoolpeers.mentors.models import CheckIn, CheckInTopic
from schoolpeers.oversight.models import Concern
from schoolpeers.reports.lattice import grade_bands
from schoolpeers.reports.privacy import CellStatus, ProtectedTable, explain, protect
from schoolpeers.reports.trends import (
    ALL_PERIODS,
    DEFAULT_TERMS,
    DOMAINS,
    MEASURES,
    WHOLE_SCHOOL,
    Grouping,
    MeasureKind,
    Period,
    ReportFilter,
    build_report,
    compare_with_previous_term,
    period_slot,
)

PERIODS: dict[str, str] = {"week": "Week", "month": "Month", "term": "Term"}
GROUPINGS: dict[str, str] = {"grade": "Grade", "band": "Grade band", "school": "Whole school"}
# Page and chart order: how students feel first, then activity, then concerns.
MEASURE_LABELS: dict[str, str] = {
    "wellbeing_mean": "Mean well-being (1–5)",
    "low_share": "Share of low well-being ratings (1–2)",
    **{f"{d}_mean": f"{DOMAIN_LABELS[d]} (mean, 1–5)" for d in DOMAINS},
    "students": "Students seen",
    "checkins": "Check-ins",
    "concerns_high": "Students with a high concern",
    "concerns_medium": "Students with a medium concern",
    "concerns_low": "Students with a low concern",
}
COMPARED = ("students", "checkins", "wellbeing_mean", "low_share")
# The mark a page puts on a cell of each status, keyed to the sentence under the table.
MARKS = {CellStatus.FEW_STUDENTS: "*", CellStatus.COMPLEMENTARY: "†", CellStatus.HIDDEN_PERIOD: "‡",
         CellStatus.CODED: "~"}
CHUNK_ROWS = 100_000  # rows fetched and converted at a time


@dataclass(frozen=True)
class ReportParams:
    """The report asked for: a preset period and grouping, an optional date range and grades."""

    period: Period = "month"
    group: Grouping = "grade"
    date_from: date | None = None
    date_to: date | None = None
    grades: frozenset[int] | None = None

    def filter(self) -> ReportFilter:
        return ReportFilter(self.date_from, self.date_to, self.grades)

    def widened(self) -> tuple[date | None, date | None]:
        """The dates the report really covers: whole periods (as `trends` widens them)."""
        return (self.date_from and period_slot(self.date_from, self.period).start,
                self.date_to and period_slot(self.date_to, self.period).end)

    def describe(self) -> dict[str, str]:
        """Plain text of every choice: export header rows and audit details."""
        first, last = self.widened()
        return {
            "period": self.period,
            "group": self.group,
            "from": first.isoformat() if first else "first check-in",
            "to": last.isoformat() if last else "last check-in",
            "grades": ", ".join(map(str, sorted(self.grades))) if self.grades else "all",
        }


@dataclass(frozen=True)
class Line:
    """One group of one measure: chart values per period (None where hidden), and per period then
    for all periods together, the display string and the status the table shows."""

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
    """Everything the report page, its chart JSON and the exports show: protected tables only."""

    school_name: str
    school_slug: str
    params: ReportParams
    k: int
    generated_on: date
    table: ProtectedTable
    trend_periods: tuple[str, ...]
    previous_term: ProtectedTable  # the term before the one of the report's end, and that term

    @property
    def periods(self) -> list[str]:
        """The report's periods in order, without the all-periods total."""
        return [p for p in self.table.display.index.levels[1] if p != ALL_PERIODS]

    @property
    def groups(self) -> list[str]:
        return list(self.table.display.index.levels[0])

    def has_data(self) -> bool:
        return bool(self.periods)

    def overall(self) -> dict[str, tuple[str, str]]:
        """(display, status) of each measure for the whole school over all periods."""
        row = self.table.display.index.get_loc((WHOLE_SCHOOL, ALL_PERIODS))
        display, status = self.table.display.iloc[row], self.table.status.iloc[row]
        return {m: (display[m], str(status[m])) for m in MEASURES}

    def measures(self) -> list[MeasureSeries]:
        return [measure_series(self.table, name) for name in MEASURE_LABELS]

    def notes(self) -> list[tuple[str, str]]:
        """(status, sentence) for every kind of marked cell in the report, for the key under tables."""
        present = set(self.table.status.to_numpy().ravel()) | set(self.previous_term.status.to_numpy().ravel())
        present |= set(self.table.trend["status"])
        return [(str(s), explain(s, self.k)) for s in CellStatus if s in present and explain(s, self.k)]

    def topics_by_group(self) -> dict[str, list[tuple[int, str, int]]]:
        """The most common topics of each group over all periods: (rank, topic, students)."""
        topics = self.table.topics
        if topics.empty:
            return {}
        overall = topics[topics["period"] == ALL_PERIODS].sort_values("group", kind="stable")  # ranks stay in order
        ranked: dict[str, list[tuple[int, str, int]]] = {}
        for group, rank, topic, students in overall[["group", "rank", "topic", "students"]].itertuples(False, None):
            ranked.setdefault(str(group), []).append((int(rank), str(topic), int(students)))
        return ranked

    def trends(self) -> list[tuple[str, str, str]]:
        """(group, direction or why there is none, status)."""
        return [(str(g), row["display"], str(row["status"])) for g, row in self.table.trend.iterrows()]

    def comparison(self) -> tuple[list[str], list[dict]]:
        """The previous and the current term, and per group each compared measure's (display, status)
        in both, with the change of mean well-being when both terms show it plainly."""
        terms = [p for p in self.previous_term.display.index.levels[1] if p != ALL_PERIODS]
        series = {name: measure_series(self.previous_term, name) for name in COMPARED}
        rows = []
        for i, group in enumerate(line.group for line in series["students"].lines):
            row = {name: list(zip(s.lines[i].display[:2], s.lines[i].status[:2], strict=True))
                   for name, s in series.items()}
            wellbeing = series["wellbeing_mean"].lines[i]
            plain = wellbeing.status[:2] == [CellStatus.SHOWN, CellStatus.SHOWN]
            row.update(group=group, change=round(wellbeing.values[1] - wellbeing.values[0], 2) if plain else None)
            rows.append(row)
        return terms, rows

    def as_json(self) -> dict:
        """The data behind the charts: protected values, display strings and statuses only."""
        return {
            "school": self.school_name,
            "k": self.k,
            "filters": self.params.describe(),
            "periods": self.periods,
            "groups": self.groups,
            "measures": [asdict(series) for series in self.measures()],
            "topics": [{"group": g, "rank": r, "topic": t, "students": s}
                       for g, ranked in self.topics_by_group().items() for r, t, s in ranked],
            "trend": {"periods": list(self.trend_periods),
                      "groups": [{"group": g, "direction": d, "status": s} for g, d, s in self.trends()]},
            "notes": {status: sentence for status, sentence in self.notes()},
        }


def school_report(school: School, params: ReportParams, today: date) -> SchoolReport:
    """Load, build and protect the school's report and its comparison with the previous term."""
    on = min(params.date_to, today) if params.date_to else today
    current = DEFAULT_TERMS.term_containing(on)
    previous = DEFAULT_TERMS.term_containing(current.start - timedelta(days=1))
    first, last = params.widened()
    # One load serves both reports: from the earlier start to the later end (open stays open).
    load_from = first and min(first, previous.start)
    load_to = last and max(last, current.end)
    grades = params.grades or frozenset(range(school.grade_min, school.grade_max + 1))
    checkins = load_checkins(school, grades, load_from, load_to)
    concerns = load_concerns(school, grades, load_from, load_to)
    bands = grade_bands(school.grade_min, school.grade_max)
    exact = build_report(checkins, concerns, period=params.period, group=params.group, filter=params.filter(),
                         bands=bands)
    compared = compare_with_previous_term(checkins, concerns, on=on, group=params.group, grades=params.grades,
                                          bands=bands)
    return SchoolReport(
        school_name=school.name,
        school_slug=school.slug,
        params=params,
        k=school.min_group_size,
        generated_on=today,
        table=protect(exact, school.min_group_size),
        trend_periods=exact.trend_periods,
        previous_term=protect(compared, school.min_group_size),
    )


@dataclass(frozen=True)
class DataExtent:
    """How much a school has to report on: its check-ins (count, first and last day) and concerns (count,
    latest). Any new or deleted check-in or concern changes it, so it also fingerprints the data."""

    checkins: int
    first_day: date | None
    last_day: date | None
    concerns: int
    last_concern_at: datetime | None


def data_extent(school: School) -> DataExtent:
    """The school's `DataExtent` in one statement, read from the (school, day) and (school, created)
    indexes alone: a few milliseconds for tens of thousands of check-ins."""
    checkins = (select(func.count().label("checkins"), func.min(CheckIn.occurred_on).label("first_day"),
                       func.max(CheckIn.occurred_on).label("last_day"))
                .where(CheckIn.school_id == school.id).subquery())
    concerns = (select(func.count().label("concerns"), func.max(Concern.created_at).label("last_concern_at"))
                .where(Concern.school_id == school.id).subquery())
    row = db.session.execute(select(checkins, concerns).select_from(checkins.join(concerns, true()))).one()
    return DataExtent(row.checkins, row.first_day, row.last_day, row.concerns, row.last_concern_at)


def load_checkins(school: School, grades: frozenset[int], first: date | None, last: date | None) -> pd.DataFrame:
    """The school's check-ins in the range, one row each, with the mentee's grade and topic names."""
    topics = _topic_ids_per_checkin(school.id)
    query = (
        select(
            CheckIn.mentee_id.label("mentee_key"), User.grade, CheckIn.occurred_on, CheckIn.wellbeing,
            *(getattr(CheckIn, d) for d in DOMAINS), topics.c.topic_ids,
        )
        .join(User, and_(User.id == CheckIn.mentee_id, User.school_id == CheckIn.school_id))
        .outerjoin(topics, topics.c.checkin_id == CheckIn.id)
        .where(CheckIn.school_id == school.id, User.grade.in_(sorted(grades)))
    )
    if first:
        query = query.where(CheckIn.occurred_on >= first)
    if last:
        query = query.where(CheckIn.occurred_on <= last)
    topic_names = db.session.execute(select(Topic.id, Topic.name).where(Topic.school_id == school.id)).all()
    return _frame(query, _checkin_types({str(i): name for i, name in topic_names}))


def load_concerns(school: School, grades: frozenset[int], first: date | None, last: date | None) -> pd.DataFrame:
    """The school's concerns in the range, with the student's grade and the day raised at the school."""
    query = (
        select(Concern.student_id.label("mentee_key"), User.grade, Concern.created_at.label("raised_on"),
               Concern.severity)
        .join(User, and_(User.id == Concern.student_id, User.school_id == Concern.school_id))
        .where(Concern.school_id == school.id, User.grade.in_(sorted(grades)))
    )
    # A day longer on each side covers every timezone; the report keeps the exact days.
    if first:
        query = query.where(Concern.created_at >= _utc_midnight(first - timedelta(days=1)))
    if last:
        query = query.where(Concern.created_at < _utc_midnight(last + timedelta(days=2)))
    frame = _frame(query, CONCERN_TYPES)
    raised = pd.to_datetime(frame["raised_on"], utc=True)  # SQLite gives naive UTC, PostgreSQL aware
    frame["raised_on"] = raised.dt.tz_convert(_zone(school.timezone)).dt.tz_localize(None)
    return frame


def measure_series(table: ProtectedTable, measure: str) -> MeasureSeries:
    """One measure per group: chart values over the periods; display and status with the total last.

    The protected frames are the complete grid in (group, period) order (`protect` checks it), so a
    measure's column reshapes into groups × periods at once, with no lookup per cell.
    """
    groups, periods = table.display.index.levels
    shape = (len(groups), len(periods))
    values, display, status = (getattr(table, part)[measure].to_numpy(dtype=object).reshape(shape).tolist()
                               for part in ("values", "display", "status"))
    shown = [i for i, period in enumerate(periods) if period != ALL_PERIODS]
    lines = [
        Line(group=str(group),
             values=[_plain(row_values[i]) for i in shown],
             display=[str(v) for v in row_display],
             status=[str(v) for v in row_status])
        for group, row_values, row_display, row_status in zip(groups, values, display, status, strict=True)
    ]
    return MeasureSeries(measure, MEASURE_LABELS[measure], MEASURES[measure], [str(periods[i]) for i in shown], lines)


# --- internals ------------------------------------------------------------------------------


def _topic_ids_per_checkin(school_id: int):
    """(checkin_id, topic_ids): each check-in's topic ids as text, "3,7".

    Ids, not names, and aggregated on their own before the join: PostgreSQL then reads the links in
    the order of their primary key and groups them with no sort (a join with topics first would
    need one), and SQLite scans the school's links once instead of searching them per check-in.
    Text, not an array: drivers hand back a million strings several times faster than arrays.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        ids = func.string_agg(cast(CheckInTopic.topic_id, Text), literal(","))
    else:
        ids = func.group_concat(CheckInTopic.topic_id, ",")
    return (
        select(CheckInTopic.checkin_id, ids.label("topic_ids"))
        .where(CheckInTopic.school_id == school_id)
        .group_by(CheckInTopic.checkin_id)
        .subquery("checkin_topic_ids")
    )


def _frame(query, types: dict[str, Callable[[tuple], np.ndarray]]) -> pd.DataFrame:
    """The query's rows as a DataFrame with these columns, each made by its converter.

    Rows are fetched a chunk at a time and turned into column arrays at once, so no more than a
    chunk of row objects is alive (pandas' own row-wise constructors are many times slower for a
    million rows). Core execution, as the rows are values, not models.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return _frame_by_copy(query, types)
    with _without_cyclic_gc():
        result = db.session.connection().execute(query)
        chunks = [_converted(rows, types) for rows in result.partitions(CHUNK_ROWS)]
    frame = pd.DataFrame({
        name: np.concatenate([chunk[i] for chunk in chunks]) if chunks else convert(())
        for i, (name, convert) in enumerate(types.items())
    })
    if "occurred_on" in frame:  # the same type from every database: datetime64
        frame["occurred_on"] = pd.to_datetime(frame["occurred_on"])
    return frame


def _frame_by_copy(query, types: dict[str, Callable[[tuple], np.ndarray]]) -> pd.DataFrame:
    """PostgreSQL streams the rows as CSV (COPY), which pandas parses in C: no Python object per row.

    The query holds only integers and dates chosen through the form, rendered as SQL literals.
    """
    sql = query.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    buffer = io.BytesIO()
    with db.session.connection().connection.dbapi_connection.cursor() as cursor:
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    names = list(types)
    numeric = {_integers: "int64", _numbers: "float64"}
    raw = pd.read_csv(buffer, header=0, names=names, keep_default_na=False, na_values=[""],
                      dtype={n: numeric.get(c, "object") for n, c in types.items() if n != "occurred_on"},
                      parse_dates=["occurred_on"] if "occurred_on" in types else False, date_format="%Y-%m-%d")
    for name, convert in types.items():
        if convert not in numeric and name != "occurred_on":
            raw[name] = convert(raw[name].to_numpy(dtype=object))
    return raw


def _converted(rows, types: dict[str, Callable[[tuple], np.ndarray]]) -> list[np.ndarray]:
    """One array per column of these rows."""
    return [convert(values) for convert, values in zip(types.values(), zip(*rows, strict=True), strict=True)]


@contextmanager
def _without_cyclic_gc():
    """A million row tuples and topic lists would set off the cyclic collector again and again over
    ever more objects, none of which can be part of a cycle: seconds lost. Restored right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _integers(values: tuple) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _numbers(values: tuple) -> np.ndarray:
    """Numbers that may be missing: None becomes NaN."""
    return np.asarray(values, dtype=np.float64)


def _objects(values) -> np.ndarray:
    array = np.empty(len(values), dtype=object)  # never a 2-D array, even of lists
    array[:] = values
    return array


def _topic_lists(names: dict[str, str], values: tuple) -> np.ndarray:
    """Topic ids as text ("3,7") as sequences of names (of the school's topics only); None stays None.

    A school has a few hundred combinations of topics at most, so each distinct text is read once and
    check-ins with the same topics share one (immutable) tuple of names.
    """
    codes, distinct = pd.factorize(_objects(values))  # None gets -1: the None appended last
    return _objects([tuple(names[i] for i in ids.split(",") if i in names) for ids in distinct] + [None])[codes]


def _checkin_types(topic_names: dict[str, str]) -> dict[str, Callable[[tuple], np.ndarray]]:
    return {
        "mentee_key": _integers, "grade": _integers, "occurred_on": _objects, "wellbeing": _integers,
        **dict.fromkeys(DOMAINS, _numbers), "topics": partial(_topic_lists, topic_names),
    }


CONCERN_TYPES = {"mentee_key": _integers, "grade": _integers, "raised_on": _objects, "severity": _objects}


def _plain(value) -> int | float | None:
    """A chart value as JSON can carry it: Python int or float, None where hidden."""
    if value is None or (isinstance(value, Real) and pd.isna(value)):
        return None
    return int(value) if isinstance(value, Integral) else float(value)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name
