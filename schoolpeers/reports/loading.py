"""What the reports load from the database: a school's check-ins and concerns as data frames, and
the extent of its data (which says when a cached lattice is stale).

Check-ins (with the mentee's grade and their topics: joined and aggregated in the same query on SQLite,
read next and joined in memory on PostgreSQL) and concerns are loaded with only the columns the lattice
reads, scoped to the school: all of its history, as the lattice covers all of it (see `lattice`).
`mentee_key` is the mentee's id and is only ever counted and keyed. On PostgreSQL check-ins come as
integers only, each column packed by the server into one array; the others by COPY, as CSV.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from sqlalchemy import BigInteger, Connection, Date, Integer, Select, Text, and_, bindparam, cast, func, literal, select

from schoolpeers import collector
from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.extensions import db
from schoolpeers.lazy import LazyModule
from schoolpeers.mentors.models import CheckIn, CheckInRevision, CheckInTopic, SelfCheckIn
from schoolpeers.oversight.models import Concern
from schoolpeers.read_only_commit import wrote_nothing
from schoolpeers.reports.trends import DOMAINS

pd = LazyModule("pandas")

CHUNK_ROWS = 100_000  # rows fetched and converted at a time
_PG_EPOCH_DAY = date(2000, 1, 1)  # days are sent as days since it
_PG_EPOCH = np.datetime64(_PG_EPOCH_DAY, "D")
_INT4, _INT8 = np.dtype(">i4"), np.dtype(">i8")
_WORD_BITS = 64
_RATING_BITS = 3  # a rating is 1 to 5 (a check constraint), or 0 for none


@dataclass(frozen=True)
class DataExtent:
    """A fingerprint of everything a school's lattices are built from: check-ins (count, first and last
    day), their corrections (count, latest), concerns (count, latest), its students' grades and the
    students' own check-ins (count, latest). A new, corrected or deleted check-in, a new concern, a
    changed grade or a new self check-in changes it."""

    checkins_deleted: int  # ever, counted by a trigger (`School.checkins_deleted`)
    first_day: date | None
    last_day: date | None
    last_checkin: int | None  # the highest id: every new check-in changes it
    corrections: int
    last_correction: int | None
    concerns: int
    last_concern_at: datetime | None
    last_concern: int | None
    graded: int
    grades: int | None
    grades_again: int | None
    own_checkins: int
    last_own_checkin: int | None


def _data_extent_statement() -> Select:
    school_id = bindparam("school_id")

    def one(aggregate, model, *where):
        return select(aggregate).where(model.school_id == school_id, *where).scalar_subquery()

    # One grade moved from g to h changes each sum by a weight × (h − g), never zero; changes of
    # several grades at once would have to cancel in both sums, weighted by unrelated weights.
    weight = cast(User.id, BigInteger) * literal(2654435761, BigInteger) % literal(4294967291, BigInteger)
    grades = select(func.count().label("graded"), func.sum(User.id * User.grade).label("grades"),
                    func.sum(weight * User.grade).label("again")) \
        .where(User.school_id == school_id, User.grade.is_not(None)).subquery()  # the students read once
    return select(
        select(School.checkins_deleted).where(School.id == school_id).scalar_subquery(),
        one(func.min(CheckIn.occurred_on), CheckIn),
        one(func.max(CheckIn.occurred_on), CheckIn), one(func.max(CheckIn.id), CheckIn),
        one(func.count(), CheckInRevision), one(func.max(CheckInRevision.id), CheckInRevision),
        one(func.count(), Concern), one(func.max(Concern.created_at), Concern), one(func.max(Concern.id), Concern),
        grades.c.graded, grades.c.grades, grades.c.again,
        one(func.count(), SelfCheckIn), one(func.max(SelfCheckIn.id), SelfCheckIn),
    ).select_from(grades)


# Built once: every report asks for it, and building it (with its cache key) cost more than running it.
_DATA_EXTENT = _data_extent_statement()


def data_extent(school: School) -> DataExtent:
    """The school's `DataExtent` in one statement of small subqueries: the check-ins' from their
    indexes (the first and last day and the latest id by one index entry each) and the school's count
    of deleted ones, the rest from smaller tables; about half a millisecond for 40,000 check-ins on
    PostgreSQL, where counting them took two. (Aggregates side by side in one subquery would read
    every check-in row of the school.)"""
    return DataExtent(*db.session.execute(_DATA_EXTENT, {"school_id": school.id}).one())


def load_checkins(school: School, grades: frozenset[int], first: date | None, last: date | None) -> pd.DataFrame:
    """The school's check-ins in the range, one row each, with the mentee's grade and topic names."""
    topic_names = dict(db.session.execute(select(Topic.id, Topic.name).where(Topic.school_id == school.id)).all())
    if _is_postgresql():
        return _checkins_packed(school, grades, first, last, topic_names)
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
    query = _in_range(query, CheckIn.occurred_on, first, last)
    return _frame(query, _checkin_types({str(i): name for i, name in topic_names.items()}))


def load_self_checkins(school: School, grades: frozenset[int], first: date | None, last: date | None
                       ) -> pd.DataFrame:
    """The students' own check-ins in the range, shaped as `load_checkins` (they carry no topics)."""
    query = (
        select(SelfCheckIn.mentee_id.label("mentee_key"), User.grade, SelfCheckIn.occurred_on, SelfCheckIn.wellbeing,
               *(getattr(SelfCheckIn, d) for d in DOMAINS), cast(literal(None), Text).label("topic_ids"))
        .join(User, and_(User.id == SelfCheckIn.mentee_id, User.school_id == SelfCheckIn.school_id))
        .where(SelfCheckIn.school_id == school.id, User.grade.in_(sorted(grades)))
    )
    query = _in_range(query, SelfCheckIn.occurred_on, first, last)
    return _frame(query, _checkin_types({}))


def load_concerns(school: School, grades: frozenset[int], first: date | None, last: date | None) -> pd.DataFrame:
    """The school's concerns in the range, with the student's grade and the day raised at the school.
    The report counts students with a concern: a worry about a circle as a group (no student) joins no
    student and counts in nobody's figures; one about a named member counts like any concern about them."""
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


def _checkins_packed(school: School, grades: frozenset[int], first: date | None, last: date | None,
                     topic_names: dict[int, str]) -> pd.DataFrame:
    """On PostgreSQL: `load_checkins` from integers only, each column packed by the server into one
    array (`_packed_columns`): the check-ins (a missing rating as 0, a day as days since 2000), then
    the grades of the school's students and its topic links, both joined to them here. Joining the
    topics here (`_topic_words`) costs the server a third of what aggregating them per check-in in
    the query did, and the grades (`_grade_of`) half of what joining a million check-ins to their
    mentees did. Topics come as bits, one per topic. The check-ins are read as the transaction sees
    the data when loading begins, on a second connection while this one reads the rest
    (`_packed_meanwhile`): the students and links, read after that moment, hold those of every
    check-in read.
    """
    topic_ids = sorted(topic_names)
    # The ratings (1 to 5, or none: 0) travel in one integer, three bits each: every column the
    # server packs costs it about as much as the rest of the query.
    ratings = [CheckIn.wellbeing, *(func.coalesce(getattr(CheckIn, d), 0) for d in DOMAINS)]
    query = (
        select(CheckIn.id, CheckIn.mentee_id, cast(CheckIn.occurred_on - cast(literal(_PG_EPOCH_DAY), Date), Integer),
               cast(sum(rating * (1 << _RATING_BITS * i) for i, rating in enumerate(ratings)), Integer))
        .where(CheckIn.school_id == school.id)
    )
    query = _in_range(query, CheckIn.occurred_on, first, last)
    students = select(User.id, cast(User.grade, Integer)).where(User.school_id == school.id,
                                                                User.grade.in_(sorted(grades)))
    links = select(CheckInTopic.checkin_id, CheckInTopic.topic_id).where(CheckInTopic.school_id == school.id)
    with _packed_meanwhile(query, [_INT4] * 4) as checkins:
        student_grades = _packed_columns(students, [_INT4, _INT4])
        topic_links = _packed_columns(links, [_INT4, _INT4])
    ids, mentee, day, packed = checkins()
    grade = _grade_of(mentee, *student_grades)
    graded = grade >= 0
    ids, mentee, grade, day, packed = (column[graded] for column in (ids, mentee, grade, day, packed))
    wellbeing, *ratings = (packed >> _RATING_BITS * i & (1 << _RATING_BITS) - 1 for i in range(1 + len(DOMAINS)))
    words = _topic_words(ids, *topic_links, np.array(topic_ids, dtype=np.int64))
    return pd.DataFrame({
        "mentee_key": mentee, "grade": grade, "occurred_on": (_PG_EPOCH + day).astype("datetime64[us]"),
        "wellbeing": wellbeing,
        **{d: np.where(rating > 0, rating, np.nan) for d, rating in zip(DOMAINS, ratings, strict=True)},
        "topics": _topic_sets(words, [topic_names[i] for i in topic_ids]),
    })


def _grade_of(mentee: np.ndarray, student_ids: np.ndarray, student_grades: np.ndarray) -> np.ndarray:
    """Each mentee's grade among these students', or -1 for a mentee who is not one of them."""
    if not len(student_ids):
        return np.full(len(mentee), -1, dtype=np.int64)
    order = np.argsort(student_ids)
    ids, grades = student_ids[order], student_grades[order]
    position = np.searchsorted(ids, mentee).clip(max=len(ids) - 1)
    return np.where(ids[position] == mentee, grades[position], -1)


def _topic_words(checkin_ids: np.ndarray, link_checkins: np.ndarray, link_topics: np.ndarray,
                 topic_ids: np.ndarray) -> list[np.ndarray]:
    """Each check-in's topics as bits of 64-bit words, bit i of word w for the school's topic number
    64w + i (`topic_ids` sorted), from (check-in, topic) links. Links to check-ins not loaded (out of
    the range or the grades) or to other topics set no bit."""
    words = [np.zeros(len(checkin_ids), dtype=np.int64) for _ in range(max(1, -(-len(topic_ids) // _WORD_BITS)))]
    if not len(checkin_ids) or not len(link_checkins) or not len(topic_ids):
        return words
    order = np.argsort(checkin_ids, kind="stable")
    row = order[np.searchsorted(checkin_ids, link_checkins, sorter=order).clip(max=len(order) - 1)]
    position = np.searchsorted(topic_ids, link_topics).clip(max=len(topic_ids) - 1)
    known = (checkin_ids[row] == link_checkins) & (topic_ids[position] == link_topics)
    row, position = row[known], position[known]
    for w, word in enumerate(words):
        in_word = position // _WORD_BITS == w
        np.bitwise_or.at(word, row[in_word], np.left_shift(1, position[in_word] % _WORD_BITS, dtype=np.int64))
    return words


def _topic_sets(words: list[np.ndarray], names: list[str]) -> np.ndarray:
    """Topic bits as tuples of names, None where no bit is set. A school has a few hundred combinations
    of topics at most: each is read once, and check-ins with the same topics share one tuple."""
    combined = np.zeros(len(words[0]), dtype=np.int64)
    for word in words:  # one code per distinct combination of every word so far
        code, distinct = pd.factorize(word)
        combined = pd.factorize(combined * len(distinct) + code)[0]
    first_rows = np.unique(combined, return_index=True)[1]
    sets = [tuple(name for i, name in enumerate(names) if int(words[i // _WORD_BITS][row]) >> (i % _WORD_BITS) & 1)
            for row in first_rows]
    return _objects([topics or None for topics in sets])[combined]


def _packed_columns(query, types: list[np.dtype]) -> list[np.ndarray]:
    """The query's integer columns as native arrays, each packed by the server into one value: its
    big-endian integers side by side (int4send or int8send, joined by string_agg), so that a million
    rows come as one row. (COPY sends a message a row, and reading a million of them cost the client
    more than the server's whole query.) Every aggregate of a group is fed its rows in the same order,
    so the columns stay aligned; a NULL would be left out of its column, and is refused."""
    return _read_packed(db.session.connection(), _packed_sql(query, types), types)


@contextmanager
def _packed_meanwhile(query, types: list[np.dtype]) -> Iterator[Callable[[], list[np.ndarray]]]:
    """`_packed_columns` of the query, read on a second connection while this one goes on (the server
    works on both at once), as this transaction sees the data now: whatever it reads next is at least
    as new. Gives the function that waits for the columns. A transaction that has written reads them
    itself, at once: another could not see its rows."""
    connection, sql = db.session.connection(), _packed_sql(query, types)
    if not wrote_nothing(connection):
        columns = _read_packed(connection, sql, types)
        yield lambda: columns
        return
    snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    if not re.fullmatch(r"[0-9A-F-]+", snapshot):  # the server's own name for it; never anything else
        raise ValueError(f"unexpected snapshot name {snapshot!r}")
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as other, \
            ThreadPoolExecutor(1) as worker:
        other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        yield worker.submit(_read_packed, other, sql, types).result


def _packed_sql(query, types: list[np.dtype]) -> str:
    rows = query.subquery("packed")
    send = {4: func.int4send, 8: func.int8send}
    packed = select(*(func.string_agg(send[kind.itemsize](column), func.decode("", "hex"))
                      for column, kind in zip(rows.c, types, strict=True)))
    return str(packed.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True}))


def _read_packed(connection: Connection, sql: str, types: list[np.dtype]) -> list[np.ndarray]:
    with connection.connection.dbapi_connection.cursor() as cursor:
        values = cursor.execute(sql, binary=True).fetchone()
    columns = [np.frombuffer(value or b"", dtype=kind).astype(np.int64)
               for value, kind in zip(values, types, strict=True)]
    if len({len(column) for column in columns}) > 1:
        raise ValueError("a NULL among the packed columns")
    return columns


def _in_range(query, day, first: date | None, last: date | None):
    """The query's rows whose day is within the range (open ends reach as far as the data)."""
    if first:
        query = query.where(day >= first)
    if last:
        query = query.where(day <= last)
    return query


def _copy_out(query, options: str) -> io.BytesIO:
    """What PostgreSQL's COPY of the query sends, in memory from its start. The query holds only
    integers and dates chosen through the form, rendered as SQL literals."""
    sql = query.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    buffer = io.BytesIO()
    with db.session.connection().connection.dbapi_connection.cursor() as cursor:
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({options})") as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    return buffer


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _topic_ids_per_checkin(school_id: int):
    """(checkin_id, topic_ids): each check-in's topic ids as text, "3,7" (SQLite; PostgreSQL sends
    bits, see `_topic_words`).

    Ids, not names, and aggregated on their own before the join: SQLite scans the school's links
    once instead of searching them per check-in.
    """
    return (
        select(CheckInTopic.checkin_id, func.group_concat(CheckInTopic.topic_id, ",").label("topic_ids"))
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
    if _is_postgresql():
        return _frame_by_copy(query, types)
    # A million row tuples and topic lists, none of which can be part of a cycle: the collector
    # would walk them again and again, seconds lost.
    with collector.paused():
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
    """PostgreSQL streams the rows as CSV (COPY), which pandas parses in C: no Python object per row."""
    buffer = _copy_out(query, "FORMAT csv, HEADER true")
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
