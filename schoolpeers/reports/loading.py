"""What the reports load from the database: a school's check-ins and concerns as data frames, and
the extent of its data (which says when a cached lattice is stale).

Check-ins (joined with the mentee's grade, their topics aggregated in the same query) and concerns
are each loaded in one query with only the columns the lattice reads, scoped to the school: all of
its history, as the lattice covers all of it (see `lattice`). `mentee_key` is the mentee's id and is
only ever counted and keyed. On PostgreSQL the rows come by COPY: check-ins as binary rows of
integers read into arrays as they are, the others as CSV.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from sqlalchemy import BigInteger, Integer, Text, and_, case, cast, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import Grouping

from schoolpeers import collector
from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.extensions import db
from schoolpeers.lazy import LazyModule
from schoolpeers.mentors.models import CheckIn, CheckInRevision, CheckInTopic, SelfCheckIn
from schoolpeers.oversight.models import Concern
from schoolpeers.reports.trends import DOMAINS

pd = LazyModule("pandas")

CHUNK_ROWS = 100_000  # rows fetched and converted at a time
_PG_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"  # then flags and the header extension's length, 4 bytes each
_PG_EPOCH = np.datetime64("2000-01-01", "D")  # PostgreSQL's binary dates count days from it
_INT4, _INT8 = np.dtype(">i4"), np.dtype(">i8")
_WORD_BITS = 64


@dataclass(frozen=True)
class DataExtent:
    """A fingerprint of everything a school's lattices are built from: check-ins (count, first and last
    day), their corrections (count, latest), concerns (count, latest), its students' grades and the
    students' own check-ins (count, latest). A new, corrected or deleted check-in, a new concern, a
    changed grade or a new self check-in changes it."""

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
    own_checkins: int
    last_own_checkin: int | None


def data_extent(school: School) -> DataExtent:
    """The school's `DataExtent` in one statement of small subqueries: the check-ins' from their
    indexes (the count by an index-only scan, the first and last day and the latest id by one index
    entry each), the rest from smaller tables; about 4 ms for 40,000 check-ins on PostgreSQL.
    (Aggregates side by side in one subquery would read every check-in row of the school.)"""

    def one(aggregate, model, *where):
        return select(aggregate).where(model.school_id == school.id, *where).scalar_subquery()

    # One grade moved from g to h changes each sum by a weight × (h − g), never zero; changes of
    # several grades at once would have to cancel in both sums, weighted by unrelated weights.
    graded = (User.grade.is_not(None),)
    weight = cast(User.id, BigInteger) * literal(2654435761, BigInteger) % literal(4294967291, BigInteger)
    row = db.session.execute(select(
        one(func.count(), CheckIn), one(func.min(CheckIn.occurred_on), CheckIn),
        one(func.max(CheckIn.occurred_on), CheckIn), one(func.max(CheckIn.id), CheckIn),
        one(func.count(), CheckInRevision), one(func.max(CheckInRevision.id), CheckInRevision),
        one(func.count(), Concern), one(func.max(Concern.created_at), Concern), one(func.max(Concern.id), Concern),
        one(func.count(), User, *graded), one(func.sum(User.id * User.grade), User, *graded),
        one(func.sum(weight * User.grade), User, *graded),
        one(func.count(), SelfCheckIn), one(func.max(SelfCheckIn.id), SelfCheckIn),
    )).one()
    return DataExtent(*row)


def load_checkins(school: School, grades: frozenset[int], first: date | None, last: date | None) -> pd.DataFrame:
    """The school's check-ins in the range, one row each, with the mentee's grade and topic names."""
    topic_names = dict(db.session.execute(select(Topic.id, Topic.name).where(Topic.school_id == school.id)).all())
    if _is_postgresql():
        return _checkins_by_binary_copy(school, grades, first, last, topic_names)
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


def _checkins_by_binary_copy(school: School, grades: frozenset[int], first: date | None, last: date | None,
                             topic_names: dict[int, str]) -> pd.DataFrame:
    """On PostgreSQL: `load_checkins` from rows of integers only, read by binary COPY into arrays.

    No column is ever NULL (a missing rating comes as 0, a check-in without topics with no bit set),
    so every row has the same layout and numpy reads the stream as it is: nothing to parse. Topics
    come as bits (one per topic of the school) instead of text.
    """
    topic_ids = sorted(topic_names)
    words = _topic_words(school.id, topic_ids)
    query = (
        select(cast(CheckIn.mentee_id, Integer), cast(User.grade, Integer), CheckIn.occurred_on,
               cast(CheckIn.wellbeing, Integer),
               *(func.coalesce(cast(getattr(CheckIn, d), Integer), 0) for d in DOMAINS),
               *(func.coalesce(word, 0) for word in list(words.c)[1:]))
        .join(User, and_(User.id == CheckIn.mentee_id, User.school_id == CheckIn.school_id))
        .outerjoin(words, words.c.checkin_id == CheckIn.id)
        .where(CheckIn.school_id == school.id, User.grade.in_(sorted(grades)))
    )
    query = _in_range(query, CheckIn.occurred_on, first, last)
    integers = 4 + len(DOMAINS)
    mentee, grade, day, wellbeing, *rest = _binary_copy(query, [_INT4] * integers + [_INT8] * (len(words.c) - 1))
    ratings, bits = rest[:len(DOMAINS)], rest[len(DOMAINS):]
    return pd.DataFrame({
        "mentee_key": mentee, "grade": grade, "occurred_on": (_PG_EPOCH + day).astype("datetime64[us]"),
        "wellbeing": wellbeing,
        **{d: np.where(rating > 0, rating, np.nan) for d, rating in zip(DOMAINS, ratings, strict=True)},
        "topics": _topic_sets(bits, [topic_names[i] for i in topic_ids]),
    })


def _topic_words(school_id: int, topic_ids: list[int]):
    """(checkin_id, word0, ...): each check-in's topics as bits of 64-bit words, bit i of word w for
    the school's topic number 64w + i (in order of id). Links to other topics set no bit."""
    position = func.array_position(postgresql.array(topic_ids or [0]), CheckInTopic.topic_id) - 1

    def bit(shift):
        return cast(literal(1), BigInteger).op("<<")(Grouping(shift))

    if len(topic_ids) <= _WORD_BITS:
        bits = [bit(position)]
    else:
        bits = [case((position.between(w * _WORD_BITS, (w + 1) * _WORD_BITS - 1), bit(position - w * _WORD_BITS)))
                for w in range(-(-len(topic_ids) // _WORD_BITS))]
    return (
        select(CheckInTopic.checkin_id, *(func.bit_or(bit).label(f"word{w}") for w, bit in enumerate(bits)))
        .where(CheckInTopic.school_id == school_id)
        .group_by(CheckInTopic.checkin_id)
        .subquery("checkin_topic_words")
    )


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


def _binary_copy(query, types: list[np.dtype]) -> list[np.ndarray]:
    """The query's columns by binary COPY, as native arrays: every row the same layout (a field
    count, then each field's length and big-endian value), so the stream is one array of records.
    Raises if a row differs (a NULL, or a column of another type than asked)."""
    data = _copy_out(query, "FORMAT binary").getbuffer()
    if bytes(data[:len(_PG_COPY_SIGNATURE)]) != _PG_COPY_SIGNATURE:
        raise ValueError("not a binary COPY stream")
    start = len(_PG_COPY_SIGNATURE) + 8 + int.from_bytes(data[len(_PG_COPY_SIGNATURE) + 4:][:4], "big")
    record = np.dtype([("fields", ">i2")] + [field for i, kind in enumerate(types)
                                              for field in ((f"length{i}", ">i4"), (f"value{i}", kind))])
    count, rest = divmod(len(data) - start - 2, record.itemsize)  # 2: the trailer
    rows = np.frombuffer(data, dtype=record, count=count, offset=start)
    if rest or (rows["fields"] != len(types)).any() or any(
            (rows[f"length{i}"] != kind.itemsize).any() for i, kind in enumerate(types)):
        raise ValueError("a row of the COPY stream is not laid out as expected")
    columns = [rows[f"value{i}"].astype(np.int64) for i in range(len(types))]
    del rows
    data.release()
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
