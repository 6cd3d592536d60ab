"""A school's anonymized reports: load what they need from the database, build and protect the lattice.

Check-ins (joined with the mentee's grade, their topics aggregated in the same query) and concerns
are each loaded in one query with only the columns the lattice reads, scoped to the school: all of
its history, as the lattice covers all of it (see `lattice`). `mentee_key` is the mentee's id and is
only ever counted and keyed. Everything the page, the chart JSON, the exports and the command line
show is a slice of the `ProtectedLattice` built here (see `report`), never the exact values.
"""
from __future__ import annotations

import gc
import hashlib
import io
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Text, and_, cast, func, literal, select, true
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import DOMAINS as DOMAIN_LABELS
from schoolpeers.mentors.models import CheckIn, CheckInRevision, CheckInTopic
from schoolpeers.oversight.models import Concern
from schoolpeers.reports.differential import (
    RELEASE_LEVELS,
    RELEASE_MEASURES,
    Release,
    noisy_release,
    published_lattice,
    release_epsilon,
)
from schoolpeers.reports.lattice import Row, build_lattice, grade_bands, lattice_rows, period_range
from schoolpeers.reports.models import DpRelease
from schoolpeers.reports.perturbation import student_key
from schoolpeers.reports.protection import ProtectedLattice, protect_lattice
from schoolpeers.reports.report import ReportParams, SchoolReport, grade_choice, slice_report
from schoolpeers.reports.trends import DEFAULT_TERMS, DOMAINS, PeriodSlot

# Page and chart order: how students feel first, then activity.
MEASURE_LABELS: dict[str, str] = {
    "wellbeing_mean": "Mean well-being (1–5)",
    "low_share": "Share of low well-being ratings (1–2)",
    **{f"{d}_mean": f"{DOMAIN_LABELS[d]} (mean, 1–5)" for d in DOMAINS},
    "students": "Students seen",
    "checkins": "Check-ins",
}
SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
DIFFERENTIAL_PRIVACY = "differential_privacy"
CHUNK_ROWS = 100_000  # rows fetched and converted at a time


def school_rows(school: School) -> tuple[Row, ...]:
    """The lattice's rows for the school's grades: each grade, each band, the whole school."""
    return lattice_rows(school.grade_min, school.grade_max, grade_bands(school.grade_min, school.grade_max))


def grade_choices(school: School) -> list[tuple[str, str]]:
    """(value, label) of every grade choice a report offers: all grades, each band, each grade."""
    rows = school_rows(school)
    ordered = [r for r in rows if r.kind == "school"] + [r for r in rows if r.kind == "band"] + \
        [r for r in rows if r.kind == "grade"]
    return [(grade_choice(r), "All grades" if r.kind == "school" else r.label.capitalize()) for r in ordered]


def report_secret(app_secret: str | bytes, school: School) -> bytes:
    """The school's secret for cell keys: from the app's secret key, different for every school."""
    secret = app_secret.encode() if isinstance(app_secret, str) else app_secret
    return hashlib.blake2b(f"report cell keys of school {school.id}".encode(), key=secret[:64]).digest()


def protected_lattice(school: School, secret: bytes) -> ProtectedLattice:
    """Load the school's whole history and make its one protection decision."""
    rows = school_rows(school)
    grades = frozenset(range(school.grade_min, school.grade_max + 1))
    checkins = load_checkins(school, grades, None, None)
    concerns = load_concerns(school, grades, None, None)
    keys = {int(m): student_key(secret, int(m)) for m in pd.unique(checkins["mentee_key"])}
    return protect_lattice(build_lattice(checkins, concerns, rows=rows, student_keys=keys), school.min_group_size)


def school_report(school: School, protected: ProtectedLattice, params: ReportParams, today: date, *,
                  default_months: int | None = None) -> SchoolReport:
    """The report of `params`: a slice of the school's protected lattice."""
    labels = MEASURE_LABELS
    if protected.method == DIFFERENTIAL_PRIVACY:
        labels = {name: label for name, label in MEASURE_LABELS.items() if name in RELEASE_MEASURES}
    return slice_report(protected, school_rows(school), params, labels=labels, school_name=school.name,
                        school_slug=school.slug, generated_on=today, default_months=default_months)


def uncached_report(school: School, params: ReportParams, today: date, app_secret: str) -> SchoolReport:
    """The report of `params` built from the database, for the command line and background exports.
    Under differential privacy, releases it makes are written to the session (the caller commits)."""
    if uses_differential_privacy(school):
        protected = released_lattice(school, today)
    else:
        protected = protected_lattice(school, report_secret(app_secret, school))
    return school_report(school, protected, params, today)


def uses_differential_privacy(school: School) -> bool:
    return school.report_protection == DIFFERENTIAL_PRIVACY


def released_lattice(school: School, today: date) -> ProtectedLattice:
    """Under differential privacy: what the school's releases publish, after making the release of
    every term and school year that has closed since its first check-in and has none yet. Releases
    are written to the session (the caller commits); one made meanwhile by another request stands."""
    stored = {(r.level, r.label): r for r in _releases(school)}
    extent = data_extent(school)
    missing = []
    if extent.first_day is not None:
        for level in RELEASE_LEVELS:
            missing += [(level, slot) for slot in period_range(extent.first_day, today, level)
                        if slot.end < today and (level, slot.label) not in stored]
    if missing:
        grades = range(school.grade_min, school.grade_max + 1)
        checkins = load_checkins(school, frozenset(grades), min(s.start for _l, s in missing),
                                 max(s.end for _l, s in missing))
        days = checkins["occurred_on"].dt.date
        planned = release_epsilon(school.dp_epsilon_per_year, len(DEFAULT_TERMS.terms))
        spent = _spent(stored.values())
        for level, slot in missing:
            year = DEFAULT_TERMS.year_containing(slot.start).label
            # Never past the year's budget, even when the setting was lowered after earlier releases.
            epsilon = min(planned, school.dp_epsilon_per_year - spent.get(year, 0.0))
            if epsilon < planned * 0.01:
                continue  # the year's budget is spent: this period is not released
            spent[year] = spent.get(year, 0.0) + epsilon
            release = noisy_release(checkins[(days >= slot.start) & (days <= slot.end)], slot, grades, epsilon)
            try:
                with db.session.begin_nested():
                    db.session.add(DpRelease(
                        school_id=school.id, level=level, label=slot.label, starts_on=slot.start, ends_on=slot.end,
                        school_year=year, epsilon=epsilon,
                        counts={str(g): counts for g, counts in release.grades.items()}))
            except IntegrityError:
                pass  # another request released this period first: its release is the one
        stored = {(r.level, r.label): r for r in _releases(school)}
    releases = [Release(PeriodSlot(r.label, r.starts_on, r.ends_on), r.epsilon,
                        {int(g): counts for g, counts in r.counts.items()}) for r in stored.values()]
    return published_lattice(releases, school_rows(school), school.min_group_size, _budget_notice(school, stored))


def _releases(school: School) -> list[DpRelease]:
    return list(db.session.scalars(select(DpRelease).where(DpRelease.school_id == school.id)))


def _spent(releases) -> dict[str, float]:
    """ε spent per school year by these releases."""
    spent: dict[str, float] = {}
    for release in releases:
        spent[release.school_year] = spent.get(release.school_year, 0.0) + release.epsilon
    return spent


def _budget_notice(school: School, stored: dict) -> str:
    years = "; ".join(f"{year}: {total:.2f}" for year, total in sorted(_spent(stored.values()).items())) \
        or "nothing yet"
    return (f"Differential privacy, budget ε {school.dp_epsilon_per_year:g} per school year, spent {years}. "
            "Closed terms and school years only; every figure carries noise.")


@dataclass(frozen=True)
class DataExtent:
    """A fingerprint of everything a school's lattice is built from: check-ins (count, first and last
    day), their corrections (count, latest), concerns (count, latest) and its students' grades. A new,
    corrected or deleted check-in, a new concern or a changed grade changes it."""

    checkins: int
    first_day: date | None
    last_day: date | None
    last_checkin: int | None  # the highest id: a check-in deleted and another added still changes it
    corrections: int
    last_correction: int | None
    concerns: int
    last_concern_at: datetime | None
    last_concern: int | None
    graded: int
    grades: int | None
    grades_again: int | None


def data_extent(school: School) -> DataExtent:
    """The school's `DataExtent` in one statement, from indexes and the small tables: a few milliseconds
    for tens of thousands of check-ins."""
    parts = [
        select(func.count().label("checkins"), func.min(CheckIn.occurred_on).label("first_day"),
               func.max(CheckIn.occurred_on).label("last_day"), func.max(CheckIn.id).label("last_checkin"))
        .where(CheckIn.school_id == school.id),
        select(func.count().label("corrections"), func.max(CheckInRevision.id).label("last_correction"))
        .where(CheckInRevision.school_id == school.id),
        select(func.count().label("concerns"), func.max(Concern.created_at).label("last_concern_at"),
               func.max(Concern.id).label("last_concern")).where(Concern.school_id == school.id),
        # One grade moved from g to h changes each sum by a weight × (h − g), never zero; changes of
        # several grades at once would have to cancel in both sums, weighted by unrelated weights.
        select(func.count().label("graded"), func.sum(User.id * User.grade).label("grades"),
               func.sum(cast(User.id, BigInteger) * literal(2654435761, BigInteger) % literal(4294967291, BigInteger)
                        * User.grade).label("grades_again"))
        .where(User.school_id == school.id, User.grade.is_not(None)),
    ]
    subqueries = [part.subquery() for part in parts]
    joined = subqueries[0]
    for other in subqueries[1:]:
        joined = joined.join(other, true())
    row = db.session.execute(select(*subqueries).select_from(joined)).one()
    return DataExtent(row.checkins, row.first_day, row.last_day, row.last_checkin, row.corrections,
                      row.last_correction, row.concerns, row.last_concern_at, row.last_concern, row.graded,
                      row.grades, row.grades_again)


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


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name
